// A binary copy of a history file's runs, as columns, beside the file (.gradlab/runs/.cache/<name>.columns): reading
// back a million points takes tens of milliseconds where parsing the JSON lines takes hundreds, so a restored panel
// or a history added again opens fast. It is only a cache: it names the size and modification time of the history it
// was made from, and anything that does not match (an appended file, another version, a damaged cache) is ignored
// and the history is parsed again.
//
// Layout: "GLRC", u32 version, u32 header length, the header as JSON, zero padding to a multiple of 8, then for each
// run its steps, t and metric columns as little-endian float64, `rows` values each, in the header's order.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { replaceFile } from '../replaceFile';
import type { BadLine } from './parser';
import type { ReadonlyRun, RunContent } from './registry';
import { RunTable, type BackwardStep } from './table';
import type { NonFiniteMark } from '../../protocol/webview';

const MAGIC = 'GLRC';
let partials = 0;
/** 2: a run's snapshots are one record keyed by kind (RunContent.snapshots) */
const VERSION = 2;

/** A history worth caching: below this many lines parsing is quick anyway. */
export const CACHE_MIN_LINES = 20_000;

export interface CacheSource {
  size: number;
  mtimeMs: number;
}

export interface CachedHistory {
  runs: RunContent[];
  lines: number;
  bad: BadLine[];
}

interface Header {
  source: CacheSource;
  lines: number;
  bad: BadLine[];
  runs: {
    content: Omit<RunContent, 'table'>;
    rows: number;
    columns: string[];
    nonFinite: NonFiniteMark[];
    backwardSteps: number;
    firstBackwardStep?: BackwardStep;
  }[];
}

export function cacheFile(historyFile: string): string {
  return join(dirname(historyFile), '.cache', `${basename(historyFile)}.columns`);
}

/** Writes the cache of a history file (atomically: a reader never sees half of it). */
export async function writeColumnCache(historyFile: string, source: CacheSource, history: { runs: readonly ReadonlyRun[]; lines: number; bad: BadLine[] }): Promise<void> {
  const header: Header = {
    source: { size: source.size, mtimeMs: source.mtimeMs },
    lines: history.lines,
    bad: history.bad,
    runs: history.runs.map(({ table, ...content }) => ({
      content,
      rows: table.rows,
      columns: table.metricNames(),
      nonFinite: table.nonFinite,
      backwardSteps: table.backwardSteps,
      firstBackwardStep: table.firstBackwardStep,
    })),
  };
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const start = Math.ceil((12 + json.length) / 8) * 8;
  const columns = history.runs.flatMap(({ table }) => [table.steps, table.t, ...table.metricNames().map((n) => table.columns.get(n) as Float64Array)].map((c) => c.subarray(0, table.rows)));
  const out = Buffer.alloc(start + columns.reduce((n, c) => n + c.byteLength, 0));
  out.write(MAGIC, 0, 'latin1');
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(json.length, 8);
  json.copy(out, 12);
  let offset = start;
  for (const column of columns) {
    out.set(new Uint8Array(column.buffer, column.byteOffset, column.byteLength), offset);
    offset += column.byteLength;
  }
  const target = cacheFile(historyFile);
  await mkdir(dirname(target), { recursive: true });
  const partial = `${target}.${process.pid}-${++partials}.partial`; // two writes of one cache at once do not mix
  await writeFile(partial, out);
  await replaceFile(partial, target);
}

/** The cached runs of a history file, or undefined when there is no cache that matches the file as it is now. */
export async function readColumnCache(historyFile: string, source: CacheSource): Promise<CachedHistory | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(cacheFile(historyFile));
  } catch {
    return undefined;
  }
  try {
    if (bytes.toString('latin1', 0, 4) !== MAGIC || bytes.readUInt32LE(4) !== VERSION) return undefined;
    const length = bytes.readUInt32LE(8);
    const header = JSON.parse(bytes.toString('utf8', 12, 12 + length)) as Header;
    if (header.source.size !== source.size || header.source.mtimeMs !== source.mtimeMs) return undefined;
    let offset = Math.ceil((12 + length) / 8) * 8;
    const column = (rows: number): Float64Array => {
      const end = offset + rows * 8;
      if (end > bytes.length) throw new Error('the cache is shorter than its header says');
      const at = bytes.byteOffset + offset;
      offset = end;
      // A view when the bytes are aligned for float64 (they are when the file has its own buffer), else a copy.
      return at % 8 === 0 ? new Float64Array(bytes.buffer, at, rows) : new Float64Array(bytes.buffer.slice(at, at + rows * 8));
    };
    const runs = header.runs.map((run) => {
      const steps = column(run.rows);
      const t = column(run.rows);
      const columns = new Map(run.columns.map((name) => [name, column(run.rows)] as const));
      const table = RunTable.of({ rows: run.rows, steps, t, columns, nonFinite: run.nonFinite, backwardSteps: run.backwardSteps, firstBackwardStep: run.firstBackwardStep });
      return { ...run.content, table };
    });
    return { runs, lines: header.lines, bad: header.bad };
  } catch {
    return undefined; // a damaged cache is as good as none
  }
}
