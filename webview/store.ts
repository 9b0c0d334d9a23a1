// The webview's copy of each run: the metric rows the host sent (columns, as in the host's registry) and, per metric,
// the points a chart draws, built incrementally so a streaming run costs only its new rows per frame.
import { SNAPSHOT_KINDS, type NonFiniteMark, type PointsBlock, type RunInfo, type SnapshotKind, type Snapshots, type SnapshotsBlock } from '../src/protocol/webview';

/** One metric of one run as chart points: x = step, y = value, NaN = a gap where the logged value was not finite. */
export interface SeriesData {
  xs: Float64Array;
  ys: Float64Array;
}

/** A series being built: typed arrays with spare capacity, n points used. */
interface SeriesBuffer {
  n: number;
  rows: Int32Array;
  xs: Float64Array;
  ys: Float64Array;
  /** rows of the table already looked at */
  scanned: number;
}

export class RunStore {
  rows = 0;
  steps: Float64Array<ArrayBuffer> = new Float64Array(256);
  t: Float64Array<ArrayBuffer> = new Float64Array(256);
  readonly columns = new Map<string, Float64Array<ArrayBuffer>>();
  marks: NonFiniteMark[] = [];
  readonly snapshots: Snapshots = { fits: [], boundaries: [], landscapes: [] };
  /** bumped by every change, so views redraw only what changed */
  version = 0;
  /** the name the panel shows: the run's name, with its start time when another run has the same name */
  label: string;
  private readonly markRows = new Map<string, Set<number>>();
  private readonly series = new Map<string, SeriesBuffer>();

  constructor(public info: RunInfo) {
    this.label = info.name;
  }

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
      while (s.n > 0 && s.rows[s.n - 1] >= block.from) s.n--;
    }
    this.rows = rows;
    this.version++;
  }

  applySnapshots(block: SnapshotsBlock): void {
    for (const kind of Object.keys(SNAPSHOT_KINDS) as SnapshotKind[]) (this.snapshots[kind] as unknown[]).push(...block[kind]);
    this.version++;
  }

  metricNames(): string[] {
    return [...this.columns.keys()];
  }

  /** The chart points of one metric, up to the latest row (views of buffers that later rows may replace). */
  seriesOf(metric: string): SeriesData {
    let s = this.series.get(metric);
    if (!s) {
      s = { n: 0, rows: new Int32Array(64), xs: new Float64Array(64), ys: new Float64Array(64), scanned: 0 };
      this.series.set(metric, s);
    }
    const column = this.columns.get(metric);
    if (column && s.scanned < this.rows) {
      const marked = this.markRows.get(metric);
      if (s.n + (this.rows - s.scanned) > s.xs.length) {
        let capacity = s.xs.length;
        while (capacity < s.n + (this.rows - s.scanned)) capacity *= 2;
        s.rows = grownInt(s.rows, capacity);
        s.xs = grown(s.xs, capacity);
        s.ys = grown(s.ys, capacity);
      }
      let n = s.n;
      const { rows, xs, ys } = s;
      for (let row = s.scanned; row < this.rows; row++) {
        const value = column[row];
        // a logged value, or a gap (NaN) where the logged value was not finite; rows without it are skipped
        if (value === value || marked?.has(row)) {
          rows[n] = row;
          xs[n] = this.steps[row];
          ys[n++] = value;
        }
      }
      s.n = n;
      s.scanned = this.rows;
    }
    return { xs: s.xs.subarray(0, s.n), ys: s.ys.subarray(0, s.n) };
  }

  /** Marks of non-finite values of one metric. */
  marksOf(metric: string): NonFiniteMark[] {
    return this.marks.filter((m) => m.metric === metric);
  }

  private ensureCapacity(rows: number): void {
    if (rows <= this.steps.length) return;
    let capacity = this.steps.length;
    while (capacity < rows) capacity *= 2;
    this.steps = grown(this.steps, capacity);
    this.t = grown(this.t, capacity, NaN);
    for (const [name, column] of this.columns) this.columns.set(name, grown(column, capacity, NaN));
  }
}

function grownInt(array: Int32Array, capacity: number): Int32Array<ArrayBuffer> {
  const next = new Int32Array(capacity);
  next.set(array);
  return next;
}

/** A copy with room for `capacity` values; the new room holds `fill` (zeros when it is never read). */
function grown(array: Float64Array, capacity: number, fill?: number): Float64Array<ArrayBuffer> {
  const next = new Float64Array(capacity);
  if (fill !== undefined) next.fill(fill, array.length);
  next.set(array);
  return next;
}
