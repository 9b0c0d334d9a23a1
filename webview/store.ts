// The webview's copy of each run: the metric rows the host sent (columns, as in the host's registry) and, per metric,
// the points a chart draws, built incrementally so a streaming run costs only its new rows per frame.
import type {
  BoundarySnapshot,
  FitSnapshot,
  LandscapeSnapshot,
  NonFiniteMark,
  PointsBlock,
  RunInfo,
  SnapshotsBlock,
} from '../src/protocol/webview';

/** One metric of one run as chart points: x = step, y = value, null = a gap where the value was not finite. */
export interface SeriesData {
  rows: number[];
  xs: number[];
  ys: (number | null)[];
}

export class RunStore {
  rows = 0;
  steps: Float64Array<ArrayBuffer> = new Float64Array(256);
  t: Float64Array<ArrayBuffer> = new Float64Array(256);
  readonly columns = new Map<string, Float64Array<ArrayBuffer>>();
  marks: NonFiniteMark[] = [];
  readonly fits: FitSnapshot[] = [];
  readonly boundaries: BoundarySnapshot[] = [];
  readonly landscapes: LandscapeSnapshot[] = [];
  /** bumped by every change, so views redraw only what changed */
  version = 0;
  private readonly markRows = new Map<string, Set<number>>();
  private readonly series = new Map<string, SeriesData & { scanned: number }>();

  constructor(public info: RunInfo) {}

  applyPoints(block: PointsBlock): void {
    const n = block.steps.length;
    const rows = block.from + n;
    this.ensureCapacity(rows);
    this.steps.set(block.steps, block.from);
    this.t.set(block.t, block.from);
    for (const [name, values] of Object.entries(block.columns)) {
      let column = this.columns.get(name);
      if (!column) {
        column = new Float64Array(this.steps.length).fill(NaN);
        this.columns.set(name, column);
      }
      column.set(values, block.from);
    }
    this.marks = this.marks.filter((m) => m.row < block.from).concat(block.nonFinite);
    this.markRows.clear();
    for (const mark of this.marks) {
      const set = this.markRows.get(mark.metric) ?? new Set<number>();
      set.add(mark.row);
      this.markRows.set(mark.metric, set);
    }
    for (const s of this.series.values()) {
      s.scanned = Math.min(s.scanned, block.from);
      while (s.rows.length > 0 && s.rows[s.rows.length - 1] >= block.from) {
        s.rows.pop();
        s.xs.pop();
        s.ys.pop();
      }
    }
    this.rows = rows;
    this.version++;
  }

  applySnapshots(block: SnapshotsBlock): void {
    this.fits.push(...block.fits);
    this.boundaries.push(...block.boundaries);
    this.landscapes.push(...block.landscapes);
    this.version++;
  }

  metricNames(): string[] {
    return [...this.columns.keys()];
  }

  /** The chart points of one metric, up to the latest row. */
  seriesOf(metric: string): SeriesData {
    let s = this.series.get(metric);
    if (!s) {
      s = { rows: [], xs: [], ys: [], scanned: 0 };
      this.series.set(metric, s);
    }
    const column = this.columns.get(metric);
    if (!column) return s;
    const marked = this.markRows.get(metric);
    for (let row = s.scanned; row < this.rows; row++) {
      const value = column[row];
      if (value === value) {
        s.rows.push(row);
        s.xs.push(this.steps[row]);
        s.ys.push(value);
      } else if (marked?.has(row)) {
        s.rows.push(row);
        s.xs.push(this.steps[row]);
        s.ys.push(null);
      }
    }
    s.scanned = this.rows;
    return s;
  }

  /** Marks of non-finite values of one metric. */
  marksOf(metric: string): NonFiniteMark[] {
    return this.marks.filter((m) => m.metric === metric);
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.steps.length) return;
    let capacity = this.steps.length;
    while (capacity < rows) capacity *= 2;
    this.steps = grown(this.steps, capacity, 0);
    this.t = grown(this.t, capacity, NaN);
    for (const [name, column] of this.columns) this.columns.set(name, grown(column, capacity, NaN));
  }
}

function grown(array: Float64Array, capacity: number, fill: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity).fill(fill, array.length);
  next.set(array);
  return next;
}
