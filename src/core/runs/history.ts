// Run-history files in a workspace: where they go, reading one into the registry (readable lines load, the rest is
// reported), and appending the records the host writes itself (the end of a run whose process died).
import { appendFile, open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HISTORY_DIR, type HistoryRecord } from '../../protocol/runs';
import { CACHE_MIN_LINES, readColumnCache, writeColumnCache } from './cache';
import { HistoryParser, type BadLine } from './parser';
import type { RunOrigin, RunRegistry } from './registry';

export interface HistoryLoad {
  file: string;
  lines: number;
  /** runs the file added (runs already shown are not added again) */
  runs: string[];
  bad: BadLine[];
  /** every record of the file went into the registry (none belonged to a run it held already) */
  complete: boolean;
  /** read back from the column cache rather than parsed */
  fromCache: boolean;
}

/**
 * Reads a history file into the registry, from its column cache when that matches the file, else by parsing it (and
 * then caching it when it is large). Throws only when the file cannot be read at all.
 */
export async function loadHistoryFile(registry: RunRegistry, file: string, origin: Omit<RunOrigin, 'file'> = { kind: 'history' }): Promise<HistoryLoad> {
  const source = await stat(file);
  const cached = await readColumnCache(file, source);
  if (cached) {
    const runs = cached.runs.filter((run) => registry.restore({ ...run, info: { ...run.info, ...origin, file } })).map((r) => r.info.id);
    return { file, lines: cached.lines, runs, bad: cached.bad, complete: runs.length === cached.runs.length, fromCache: true };
  }
  const load = loadHistoryBytes(registry, await readFile(file), file, origin);
  if (load.complete && load.lines >= CACHE_MIN_LINES) {
    const runs = load.runs.flatMap((id) => registry.get(id) ?? []);
    await writeColumnCache(file, source, { runs, lines: load.lines, bad: load.bad }).catch(() => undefined); // only a cache
  }
  return load;
}

/** The parsing half of loadHistoryFile, for bytes already in memory. */
export function loadHistoryBytes(registry: RunRegistry, bytes: Uint8Array, file: string, origin: Omit<RunOrigin, 'file'> = { kind: 'history' }): HistoryLoad {
  const known = new Set(registry.infos().map((i) => i.id));
  const bad: BadLine[] = [];
  let complete = true;
  const parser = new HistoryParser(registry.handler({ ...origin, file }, (line) => bad.push(line), known, () => (complete = false)));
  parser.push(bytes);
  parser.end();
  const runs = registry.infos().map((i) => i.id).filter((id) => !known.has(id));
  return { file, lines: parser.lines, runs, bad, complete, fromCache: false };
}

/** One sentence about a load's bad lines, for a notice (undefined when every line loaded). */
export function describeBadLines(load: HistoryLoad, shown = 3): string | undefined {
  if (load.bad.length === 0) return undefined;
  const first = load.bad
    .slice(0, shown)
    .map((b) => `line ${b.line}: ${b.reason}`)
    .join('; ');
  const rest = load.bad.length > shown ? `; and ${load.bad.length - shown} more` : '';
  return `${basename(load.file)}: ${load.bad.length} of ${load.lines} lines could not be read and were skipped (${first}${rest}). The other lines loaded.`;
}

/**
 * Appends records as JSON lines (ASCII only, like the Python writer, so the fast reader takes them). A file that a
 * killed writer left ending mid-line gets a newline first, so the cut line stays alone and the records stay whole.
 */
export async function appendRecords(file: string, records: readonly HistoryRecord[]): Promise<number> {
  const text = records.map((r) => JSON.stringify(r).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('\n');
  const bytes = Buffer.from(((await endsMidLine(file)) ? '\n' : '') + text + '\n', 'utf8');
  await appendFile(file, bytes);
  return bytes.length;
}

/**
 * After a live run: caches its history file when the stream carried all of it (`historyBytes`, what the script and
 * the host wrote, equals the file's size), so the registry holds exactly the file; a later restore then skips the
 * parse. Returns whether it cached.
 */
export async function cacheStreamedHistory(registry: RunRegistry, file: string, historyBytes: number, lines: number): Promise<boolean> {
  if (lines < CACHE_MIN_LINES) return false;
  const source = await stat(file);
  if (source.size !== historyBytes) return false;
  const runs = registry.infos().flatMap((info) => (info.file === file ? (registry.get(info.id) ?? []) : []));
  await writeColumnCache(file, source, { runs, lines, bad: [] });
  return true;
}

async function endsMidLine(file: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return false; // no file yet
  }
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    return last[0] !== 0x0a;
  } finally {
    await handle.close();
  }
}

/** `<YYYYMMDD-HHMMSS>-<name>.jsonl`, the name Python's writer gives a history file by default. */
export function historyFileName(name: string, when: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${when.getFullYear()}${pad(when.getMonth() + 1)}${pad(when.getDate())}-${pad(when.getHours())}${pad(when.getMinutes())}${pad(when.getSeconds())}`;
  const slug = name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
  return `${stamp}-${slug}.jsonl`;
}

export function historyDir(workspaceDir: string): string {
  return join(workspaceDir, HISTORY_DIR);
}

export interface HistoryFileInfo {
  file: string;
  size: number;
  modified: Date;
}

/** The history files in a workspace, newest first (none when the folder does not exist yet). */
export async function listHistoryFiles(workspaceDir: string): Promise<HistoryFileInfo[]> {
  const dir = historyDir(workspaceDir);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jsonl'));
  } catch {
    return [];
  }
  const infos = await Promise.all(
    names.map(async (name) => {
      const file = join(dir, name);
      const s = await stat(file);
      return { file, size: s.size, modified: s.mtime };
    }),
  );
  return infos.sort((a, b) => b.modified.getTime() - a.modified.getTime());
}
