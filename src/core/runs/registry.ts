// Every run the panel knows, whatever it came from (a live stream, a history file, the exercise's reference), and
// what changed since the panel was last told: the host sends those changes as deltas while the panel is visible
// and keeps them while it is hidden, so nothing is lost.
import type { HistoryRecord, NonFiniteKind } from '../../protocol/runs';
import { SNAPSHOT_KINDS, type PointsBlock, type RunInfo, type RunKind, type SnapshotKind, type Snapshots, type SnapshotsBlock } from '../../protocol/webview';
import type { BadLine, RecordHandler } from './parser';
import { metricValue } from './records';
import { RunTable } from './table';

export interface RunOrigin {
  kind: RunKind;
  file?: string;
  exerciseId?: string;
}

/** Numbers of snapshot data kept per run (all kinds together): about 32 MB as doubles. */
export const SNAPSHOT_BUDGET = 4_000_000;

/** What one snapshot of each kind costs of SNAPSHOT_BUDGET, in numbers. */
const SNAPSHOT_NUMBERS: { [K in SnapshotKind]: (snapshot: Snapshots[K][number]) => number } = {
  fits: (fit) => fit.x.length * (fit.yFunc ? 4 : 3),
  boundaries: (boundary) => boundary.values.length + 3 * (boundary.points?.length ?? 0),
  landscapes: (landscape) => 2 * landscape.values.length,
};

const KINDS = Object.keys(SNAPSHOT_KINDS) as SnapshotKind[];
type SnapshotRecord = Extract<HistoryRecord, { type: (typeof SNAPSHOT_KINDS)[SnapshotKind] }>;
/** The snapshot kind of each snapshot record type. */
const KIND_OF_RECORD = Object.fromEntries(KINDS.map((kind) => [SNAPSHOT_KINDS[kind], kind])) as Record<SnapshotRecord['type'], SnapshotKind>;

/** One value per snapshot kind. */
function perKind<T>(value: (kind: SnapshotKind) => T): Record<SnapshotKind, T> {
  return Object.fromEntries(KINDS.map((kind) => [kind, value(kind)])) as Record<SnapshotKind, T>;
}

/** How many rows and snapshots of each kind the panel was sent. */
interface Sent {
  rows: number;
  snapshots: Record<SnapshotKind, number>;
}

interface RunEntry extends RunContent {
  sent: Sent;
  /** in `changed` already (cleared by takeChanges) */
  marked: boolean;
  /** the lowest row changed after it was sent (a merged row), else Infinity */
  changedFrom: number;
  infoChanged: boolean;
}

export interface RegistryChanges {
  runs: RunInfo[];
  points: PointsBlock[];
  snapshots: SnapshotsBlock[];
  removed: string[];
}

/** Everything a run holds: what the column cache saves and restores. */
export interface RunContent {
  info: RunInfo;
  table: RunTable;
  snapshots: Snapshots;
  snapshotNumbers: number;
  droppedSnapshots: number;
}

/** One run, read-only, for exports, the cache and tests. */
export type ReadonlyRun = Readonly<RunContent>;

export class RunRegistry {
  private readonly entries = new Map<string, RunEntry>();
  private readonly changed = new Set<string>();
  private removed: string[] = [];
  /** bumped by every removal, so a handler's cached entry of the run it saw last is known to be still held */
  private removals = 0;
  private listeners: (() => void)[] = [];

  /** Called (at most once until the next takeChanges) when there is something new to send. */
  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.push(listener);
    return { dispose: () => (this.listeners = this.listeners.filter((l) => l !== listener)) };
  }

  /**
   * A handler that feeds parsed records into the registry. Records of the runs in `skip` are left out and reported
   * to `onSkip` (loading a file twice, or a file whose runs were streamed live, adds nothing twice).
   */
  handler(origin: RunOrigin, onBad: (line: BadLine) => void = () => {}, skip?: ReadonlySet<string>, onSkip: () => void = () => {}): RecordHandler {
    // Metric lines mostly follow one another for the same run: remember where the last one went.
    let lastRun: string | undefined;
    let lastEntry: RunEntry | undefined;
    let lastRemovals = -1;
    return {
      metric: (run, step, t, names, values, count, flags) => {
        if (run !== lastRun || lastRemovals !== this.removals) {
          lastRun = run;
          lastRemovals = this.removals;
          lastEntry = skip?.has(run) ? undefined : this.entry(run, origin);
        }
        if (lastEntry) this.addMetric(lastEntry, step, t, names, values, count, flags);
        else onSkip();
      },
      record: (record) => {
        if (skip?.has(record.run)) onSkip();
        else this.apply(record, origin);
      },
      bad: onBad,
    };
  }

  /** Adds a whole run read back from the column cache (cache.ts), unless a run with its id is held already. */
  restore(content: RunContent): boolean {
    if (this.entries.has(content.info.id)) return false;
    const entry: RunEntry = {
      ...content,
      info: { ...content.info },
      sent: nothingSent(),
      marked: false,
      changedFrom: Infinity,
      infoChanged: true,
    };
    this.entries.set(entry.info.id, entry);
    this.markChanged(entry);
    return true;
  }

  /** Adds records already in memory (a reference run), as if read from a file. */
  addRecords(records: readonly HistoryRecord[], origin: RunOrigin): void {
    const handler = this.handler(origin);
    for (const record of records) {
      if (record.type !== 'metric') handler.record(record);
      else {
        const names = Object.keys(record.metrics);
        const values = names.map((name) => metricValue(record, name));
        handler.metric(record.run, record.step, record.t ?? NaN, names, values, names.length, record.nonFinite);
      }
    }
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  get(id: string): ReadonlyRun | undefined {
    return this.entries.get(id);
  }

  infos(): RunInfo[] {
    return [...this.entries.values()].map((e) => e.info);
  }

  /** History files of the runs held (what a restored panel reloads). */
  files(): string[] {
    return [...new Set(this.infos().flatMap((i) => (i.kind === 'history' || i.kind === 'live') && i.file ? [i.file] : []))];
  }

  remove(id: string): void {
    if (!this.entries.delete(id)) return;
    this.removals++;
    this.changed.delete(id);
    this.removed.push(id);
    this.notify();
  }

  /** Everything, as if nothing had been sent yet (for a webview that just started). */
  everything(): RegistryChanges {
    for (const entry of this.entries.values()) {
      entry.sent = nothingSent();
      entry.changedFrom = Infinity;
      entry.infoChanged = true;
      entry.marked = true;
      this.changed.add(entry.info.id);
    }
    this.removed = [];
    return this.takeChanges();
  }

  /** What changed since the previous call. */
  takeChanges(): RegistryChanges {
    const changes: RegistryChanges = { runs: [], points: [], snapshots: [], removed: this.removed };
    this.removed = [];
    for (const id of this.changed) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      entry.marked = false;
      if (entry.infoChanged) {
        entry.info.warnings = warningsFor(entry);
        changes.runs.push(entry.info);
        entry.infoChanged = false;
      }
      const points = pointsSince(entry);
      if (points) changes.points.push(points);
      const snapshots = snapshotsSince(entry);
      if (snapshots) changes.snapshots.push(snapshots);
    }
    this.changed.clear();
    return changes;
  }

  private apply(record: Exclude<HistoryRecord, { type: 'metric' }>, origin: RunOrigin): void {
    const entry = this.entry(record.run, origin);
    switch (record.type) {
      case 'run-start': {
        const { name, config, backend, device, deviceName, deviceNote, group, script } = record;
        const startedAt = typeof record.time === 'number' ? record.time * 1000 : undefined;
        const known = { name, config, backend, device, deviceName, deviceNote, group, script, startedAt };
        for (const [key, value] of Object.entries(known)) if (value !== undefined) Object.assign(entry.info, { [key]: value });
        entry.infoChanged = true;
        break;
      }
      case 'run-end':
        entry.info.status = record.status;
        if (record.error !== undefined) entry.info.error = record.error;
        else delete entry.info.error;
        entry.infoChanged = true;
        break;
      default:
        this.keepSnapshot(entry, record);
    }
    this.markChanged(entry);
  }

  private addMetric(
    entry: RunEntry,
    step: number,
    t: number,
    names: readonly string[],
    values: ArrayLike<number>,
    count: number,
    flags?: Record<string, NonFiniteKind>,
  ): void {
    const table = entry.table;
    const backwardBefore = table.backwardSteps;
    const marksBefore = table.nonFinite.length;
    const row = table.add(step, t, names, values, count, flags);
    if (row < entry.sent.rows && row < entry.changedFrom) entry.changedFrom = row;
    if (table.backwardSteps !== backwardBefore || table.nonFinite.length !== marksBefore) {
      entry.infoChanged = true;
    }
    this.markChanged(entry);
  }

  private keepSnapshot(entry: RunEntry, record: SnapshotRecord): void {
    const { type, run: _run, ...snapshot } = record;
    const kind = KIND_OF_RECORD[type];
    const numbers = (SNAPSHOT_NUMBERS[kind] as (s: typeof snapshot) => number)(snapshot);
    if (entry.snapshotNumbers + numbers > SNAPSHOT_BUDGET) {
      entry.droppedSnapshots++;
      entry.infoChanged = true;
      return;
    }
    entry.snapshotNumbers += numbers;
    (entry.snapshots[kind] as (typeof snapshot)[]).push(snapshot);
  }

  private entry(run: string, origin: RunOrigin): RunEntry {
    let entry = this.entries.get(run);
    if (!entry) {
      entry = {
        info: { id: run, name: run, kind: origin.kind, status: 'running', warnings: [] },
        table: new RunTable(),
        snapshots: perKind(() => []) as Snapshots,
        snapshotNumbers: 0,
        droppedSnapshots: 0,
        sent: nothingSent(),
        marked: false,
        changedFrom: Infinity,
        infoChanged: true,
      };
      if (origin.file) entry.info.file = origin.file;
      if (origin.exerciseId) entry.info.exerciseId = origin.exerciseId;
      this.entries.set(run, entry);
    }
    return entry;
  }

  private markChanged(entry: RunEntry): void {
    if (entry.marked) return;
    const first = this.changed.size === 0 && this.removed.length === 0;
    entry.marked = true;
    this.changed.add(entry.info.id);
    if (first) this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

function pointsSince(entry: RunEntry): PointsBlock | undefined {
  const table = entry.table;
  const from = Math.min(entry.sent.rows, entry.changedFrom);
  if (from >= table.rows) return undefined;
  const columns: Record<string, Float64Array> = {};
  for (const [name, column] of table.columns) columns[name] = column.slice(from, table.rows);
  entry.sent.rows = table.rows;
  entry.changedFrom = Infinity;
  return {
    runId: entry.info.id,
    from,
    steps: table.steps.slice(from, table.rows),
    t: table.t.slice(from, table.rows),
    columns,
    nonFinite: table.nonFinite.slice(table.firstMarkAtOrAfter(from)),
  };
}

function nothingSent(): Sent {
  return { rows: 0, snapshots: perKind(() => 0) };
}

function snapshotsSince(entry: RunEntry): SnapshotsBlock | undefined {
  const { snapshots } = entry;
  const sent = entry.sent.snapshots;
  if (KINDS.every((kind) => sent[kind] === snapshots[kind].length)) return undefined;
  const block = { runId: entry.info.id, ...(perKind((kind) => snapshots[kind].slice(sent[kind])) as Snapshots) };
  entry.sent.snapshots = perKind((kind) => snapshots[kind].length);
  return block;
}

function warningsFor(entry: RunEntry): string[] {
  const warnings: string[] = [];
  const table = entry.table;
  const back = table.firstBackwardStep;
  if (back) {
    const times = table.backwardSteps === 1 ? 'once' : `${table.backwardSteps} times`;
    warnings.push(
      `The step went back (from ${back.from} to ${back.to}, ${times}); points are drawn in the order they were logged. ` +
        'Pass gradlab.log a step that keeps growing, e.g. epoch * batches_per_epoch + batch.',
    );
  }
  if (table.nonFinite.length > 0) {
    const first = table.nonFinite[0];
    const value = first.kind === 'nan' ? 'NaN' : first.kind === '-inf' ? '-infinity' : 'infinity';
    const more = table.nonFinite.length - 1;
    warnings.push(
      `${first.metric} was ${value} at step ${table.steps[first.row]}${more > 0 ? ` (and ${more} more non-finite values)` : ''}: ` +
        'the training diverged or divided by zero; try a smaller learning rate.',
    );
  }
  if (entry.droppedSnapshots > 0) {
    warnings.push(
      `${entry.droppedSnapshots} snapshots were not kept: this run's snapshots reached ${SNAPSHOT_BUDGET.toLocaleString('en-US')} numbers. ` +
        'Take snapshots less often or on a coarser grid.',
    );
  }
  return warnings;
}
