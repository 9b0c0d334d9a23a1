// One run's metrics as columns (the shape uPlot and a CSV both want): a row per logged step, a Float64Array per
// metric with NaN where the row has no finite value. Non-finite values are kept as marks beside the columns, so a
// NaN the script logged is never confused with a metric it did not log.
import type { NonFiniteKind } from '../../protocol/runs';
import type { NonFiniteMark } from '../../protocol/webview';

/** When a step goes back (a restarted loop, a per-epoch counter). */
export interface BackwardStep {
  row: number;
  from: number;
  to: number;
}

export class RunTable {
  rows = 0;
  steps: Float64Array;
  t: Float64Array;
  readonly columns = new Map<string, Float64Array>();
  readonly nonFinite: NonFiniteMark[] = [];
  /** how many times the step went back, and the first time it did */
  backwardSteps = 0;
  firstBackwardStep: BackwardStep | undefined;
  private capacity: number;
  /** the columns of the names the last add saw, by position (a history repeats the same names line after line) */
  private readonly lastNames: string[] = [];
  private readonly lastColumns: Float64Array[] = [];

  constructor(capacity = 256) {
    this.capacity = capacity;
    this.steps = new Float64Array(capacity);
    this.t = new Float64Array(capacity);
  }

  /** A table from columns read back whole (the column cache); later rows are appended as usual. */
  static of(parts: {
    rows: number;
    steps: Float64Array;
    t: Float64Array;
    columns: Map<string, Float64Array>;
    nonFinite: NonFiniteMark[];
    backwardSteps: number;
    firstBackwardStep?: BackwardStep;
  }): RunTable {
    const table = new RunTable(0);
    table.capacity = parts.rows;
    table.rows = parts.rows;
    table.steps = parts.steps;
    table.t = parts.t;
    for (const [name, column] of parts.columns) table.columns.set(name, column);
    for (const mark of parts.nonFinite) table.nonFinite.push(mark);
    table.backwardSteps = parts.backwardSteps;
    table.firstBackwardStep = parts.firstBackwardStep;
    return table;
  }

  /**
   * Adds one metric record and returns the row it went to. Rows stay in arrival order. A record at the same step
   * as the previous row that logs only metrics that row lacks joins that row (a script often logs train and
   * validation loss in two calls), so one step stays one row.
   */
  add(
    step: number,
    t: number,
    names: readonly string[],
    values: ArrayLike<number>,
    count: number,
    flags?: Record<string, NonFiniteKind>,
  ): number {
    const last = this.rows - 1;
    let row: number;
    if (last >= 0 && this.steps[last] === step && this.rowLacks(last, names, count)) row = last;
    else {
      if (last >= 0 && step < this.steps[last]) {
        this.backwardSteps++;
        this.firstBackwardStep ??= { row: this.rows, from: this.steps[last], to: step };
      }
      row = this.appendRow(step, t);
    }
    for (let i = 0; i < count; i++) {
      const name = names[i];
      const value = values[i];
      let column = this.lastColumns[i];
      if (this.lastNames[i] !== name) {
        column = this.columns.get(name) ?? this.addColumn(name);
        this.lastNames[i] = name;
        this.lastColumns[i] = column;
      }
      if (value - value === 0) column[row] = value;
      else {
        column[row] = NaN;
        this.nonFinite.push({ row, metric: name, kind: flags?.[name] ?? kindOf(value) });
      }
    }
    return row;
  }

  /** Index of the first non-finite mark at or after `row` (marks are in row order). */
  firstMarkAtOrAfter(row: number): number {
    let lo = 0;
    let hi = this.nonFinite.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.nonFinite[mid].row < row) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** The metric names in the order they first appeared. */
  metricNames(): string[] {
    return [...this.columns.keys()];
  }

  private rowLacks(row: number, names: readonly string[], count: number): boolean {
    for (let i = 0; i < count; i++) {
      const column = this.columns.get(names[i]);
      if (column && !Number.isNaN(column[row])) return false;
    }
    for (let m = this.firstMarkAtOrAfter(row); m < this.nonFinite.length; m++) {
      const mark = this.nonFinite[m].metric;
      for (let i = 0; i < count; i++) if (names[i] === mark) return false;
    }
    return true;
  }

  private appendRow(step: number, t: number): number {
    if (this.rows === this.capacity) this.grow();
    const row = this.rows++;
    this.steps[row] = step;
    this.t[row] = t;
    return row; // columns are NaN-filled beyond the last row already

  }

  private addColumn(name: string): Float64Array {
    const column = new Float64Array(this.capacity).fill(NaN);
    this.columns.set(name, column);
    return column;
  }

  private grow(): void {
    this.capacity = Math.max(256, this.capacity * 2);
    this.steps = resized(this.steps, this.capacity);
    this.t = resized(this.t, this.capacity);
    for (const [name, column] of this.columns) this.columns.set(name, resized(column, this.capacity, NaN));
    this.lastNames.length = 0;
    this.lastColumns.length = 0;
  }
}

function resized(array: Float64Array, capacity: number, fill?: number): Float64Array {
  const grown = new Float64Array(capacity);
  grown.set(array);
  if (fill !== undefined) grown.fill(fill, array.length);
  return grown;
}

function kindOf(value: number): NonFiniteKind {
  if (Number.isNaN(value)) return 'nan';
  return value > 0 ? 'inf' : '-inf';
}
