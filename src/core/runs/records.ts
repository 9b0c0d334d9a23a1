// Checking a parsed history line against the record types of src/protocol/runs.ts. A line that is JSON but not a
// record we understand is reported with the reason, never half-loaded; so is the start of a run written in a newer
// history format than this reader's.
import {
  HISTORY_FORMAT_VERSION,
  type BoundaryRecord,
  type FitRecord,
  type HistoryRecord,
  type LandscapeRecord,
  type MetricRecord,
  type NonFiniteKind,
  type RunEndRecord,
  type RunStartRecord,
} from '../../protocol/runs';

const END_STATUSES = new Set(['ok', 'failed', 'stopped']);
const NON_FINITE: Record<NonFiniteKind, number> = { nan: NaN, inf: Infinity, '-inf': -Infinity };

/** The record, or a sentence saying why the value is not one. */
export function decodeRecord(value: unknown): HistoryRecord | string {
  if (!isObject(value)) return 'not a JSON object';
  const type = value.type;
  if (type !== 'run-start' && typeof value.run !== 'string') return 'no "run" id';
  if (typeof type !== 'string') return 'no "type"';
  if (!Object.hasOwn(DECODERS, type)) return `unknown record type "${type}"`;
  return DECODERS[type as HistoryRecord['type']](value);
}

/** The value a metric stands for: a number, or NaN/±Infinity where the record flags it non-finite. */
export function metricValue(record: MetricRecord, name: string): number {
  const value = record.metrics[name];
  if (typeof value === 'number') return value;
  const kind = record.nonFinite?.[name];
  return kind ? NON_FINITE[kind] : NaN;
}

function metric(v: Record<string, unknown>): MetricRecord | string {
  if (!isWholeNumber(v.step)) return 'metric without a whole-number "step"';
  if (!isObject(v.metrics)) return 'metric without a "metrics" object';
  for (const [name, value] of Object.entries(v.metrics)) {
    if (value !== null && typeof value !== 'number') return `metric "${name}" is neither a number nor null`;
  }
  if (v.nonFinite !== undefined) {
    if (!isObject(v.nonFinite)) return '"nonFinite" is not an object';
    for (const [name, kind] of Object.entries(v.nonFinite)) {
      if (!(typeof kind === 'string' && kind in NON_FINITE)) return `"nonFinite" of "${name}" is not nan, inf or -inf`;
    }
  }
  if (v.t !== undefined && typeof v.t !== 'number') return '"t" is not a number';
  return v as unknown as MetricRecord;
}

function runStart(v: Record<string, unknown>): RunStartRecord | string {
  if (typeof v.run !== 'string' || v.run === '') return 'run-start without a "run" id';
  if (v.v !== undefined && !isWholeNumber(v.v)) return 'run-start "v" (its format version) is not a whole number';
  if (typeof v.v === 'number' && v.v > HISTORY_FORMAT_VERSION) {
    return `run "${v.run}" was written in history format ${v.v}, newer than the format ${HISTORY_FORMAT_VERSION} this Gradient Lab reads: update Gradient Lab to read it`;
  }
  if (typeof v.name !== 'string') return 'run-start without a "name"';
  if (v.config !== undefined && !isObject(v.config)) return 'run-start "config" is not an object';
  for (const key of ['backend', 'device', 'deviceName', 'deviceNote', 'group', 'script'] as const) {
    if (v[key] !== undefined && typeof v[key] !== 'string') return `run-start "${key}" is not a string`;
  }
  return v as unknown as RunStartRecord;
}

function runEnd(v: Record<string, unknown>): RunEndRecord | string {
  if (typeof v.status !== 'string' || !END_STATUSES.has(v.status)) return 'run-end "status" is not ok, failed or stopped';
  if (v.error !== undefined && typeof v.error !== 'string') return 'run-end "error" is not a string';
  return v as unknown as RunEndRecord;
}

function fit(v: Record<string, unknown>): FitRecord | string {
  if (!isWholeNumber(v.step)) return 'fit without a whole-number "step"';
  if (!isNumberArray(v.x)) return 'fit "x" is not an array of numbers';
  for (const key of ['yTrue', 'yPred'] as const) {
    if (!isNumberArray(v[key], v.x.length)) return `fit "${key}" is not ${v.x.length} numbers like "x"`;
  }
  if (v.yFunc !== undefined && !isNumberArray(v.yFunc, v.x.length)) return `fit "yFunc" is not ${v.x.length} numbers like "x"`;
  return v as unknown as FitRecord;
}

function boundary(v: Record<string, unknown>): BoundaryRecord | string {
  if (!isWholeNumber(v.step)) return 'boundary without a whole-number "step"';
  if (!(isNumberArray(v.bounds, 4) && v.bounds.every((b) => b !== null))) return 'boundary "bounds" is not 4 numbers';
  if (!(isWholeNumber(v.nx) && isWholeNumber(v.ny) && v.nx >= 2 && v.ny >= 2)) return 'boundary "nx"/"ny" are not grid sizes of 2 or more';
  if (!isNumberArray(v.values, v.nx * v.ny)) return `boundary "values" is not nx * ny = ${v.nx * v.ny} numbers`;
  if (v.points !== undefined) {
    if (!(Array.isArray(v.points) && v.points.every((p) => isNumberArray(p, 2)))) return 'boundary "points" is not a list of [x, y]';
    if (v.labels !== undefined && !isNumberArray(v.labels, v.points.length)) return 'boundary "labels" does not match "points"';
  }
  return v as unknown as BoundaryRecord;
}

function landscape(v: Record<string, unknown>): LandscapeRecord | string {
  if (!isWholeNumber(v.step)) return 'landscape without a whole-number "step"';
  if (typeof v.param !== 'string') return 'landscape without a "param" name';
  if (!isNumberArray(v.values)) return 'landscape "values" is not an array of numbers';
  if (!isNumberArray(v.losses, v.values.length)) return 'landscape "losses" does not match "values"';
  return v as unknown as LandscapeRecord;
}

/** One decoder per record type: a new record type in src/protocol/runs.ts asks for its entry here. */
const DECODERS: { [T in HistoryRecord['type']]: (v: Record<string, unknown>) => Extract<HistoryRecord, { type: T }> | string } = {
  'run-start': runStart,
  metric,
  fit,
  boundary,
  landscape,
  'run-end': runEnd,
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isWholeNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

function isNumberArray(v: unknown, length?: number): v is (number | null)[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) return false;
  for (const item of v) if (item !== null && typeof item !== 'number') return false;
  return true;
}
