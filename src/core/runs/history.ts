// Run-history files in a workspace: where they go, reading one into the registry (readable lines load, the rest is
// reported), and appending the records the host writes itself (the end of a run whose process died).
import { appendFile, open, readdir, stat, type FileHandle } from 'node:fs/promises';
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
  /** resolves once the column cache of a large parsed history is written (true), or when none is written (false);
   * the write starts after the load returns, so it never delays showing the runs */
  caching: Promise<boolean>;
}

/** Bytes read at a time: the next read is under way while the previous chunk is parsed. */
const READ_CHUNK = 4 << 20;

/**
 * Reads a history file into the registry, from its column cache when that matches the file, else by parsing it (and
 * then caching it when it is large). Throws only when the file cannot be read at all.
 */
export async function loadHistoryFile(registry: RunRegistry, file: string, origin: Omit<RunOrigin, 'file'> = { kind: 'history' }): Promise<HistoryLoad> {
  const handle = await open(file, 'r');
  try {
    const source = await handle.stat();
    const cached = await readColumnCache(file, source);
    if (cached) {
      const runs = cached.runs.filter((run) => registry.restore({ ...run, info: { ...run.info, ...origin, file } })).map((r) => r.info.id);
      return { file, lines: cached.lines, runs, bad: cached.bad, complete: runs.length === cached.runs.length, fromCache: true, caching: Promise.resolve(false) };
    }
    const loading = new HistoryLoading(registry, file, origin);
    await readInChunks(handle, source.size, (chunk) => loading.push(chunk));
    const load = loading.end();
    if (load.complete && load.lines >= CACHE_MIN_LINES) {
      const runs = load.runs.flatMap((id) => registry.get(id) ?? []);
      load.caching = new Promise((resolve) => setImmediate(resolve)).then(() =>
        writeColumnCache(file, source, { runs, lines: load.lines, bad: load.bad }).then(
          () => true,
          () => false, // only a cache
        ),
      );
    }
    return load;
  } finally {
    await handle.close();
  }
}

/** The parsing half of loadHistoryFile, for bytes already in memory. */
export function loadHistoryBytes(registry: RunRegistry, bytes: Uint8Array, file: string, origin: Omit<RunOrigin, 'file'> = { kind: 'history' }): HistoryLoad {
  const loading = new HistoryLoading(registry, file, origin);
  loading.push(bytes);
  return loading.end();
}

/** A history going into the registry chunk by chunk: runs it already holds are skipped, bad lines collected. */
class HistoryLoading {
  private readonly known: Set<string>;
  private readonly bad: BadLine[] = [];
  private complete = true;
  private readonly parser: HistoryParser;

  constructor(
    private readonly registry: RunRegistry,
    private readonly file: string,
    origin: Omit<RunOrigin, 'file'>,
  ) {
    this.known = new Set(registry.infos().map((i) => i.id));
    this.parser = new HistoryParser(registry.handler({ ...origin, file }, (line) => this.bad.push(line), this.known, () => (this.complete = false)));
  }

  push(bytes: Uint8Array): void {
    this.parser.push(bytes);
  }

  end(): HistoryLoad {
    this.parser.end();
    const runs = this.registry.infos().map((i) => i.id).filter((id) => !this.known.has(id));
    return { file: this.file, lines: this.parser.lines, runs, bad: this.bad, complete: this.complete, fromCache: false, caching: Promise.resolve(false) };
  }
}

/**
 * The first `size` bytes of a file, handed to `each` chunk by chunk while the next chunk is read: reading overlaps
 * parsing, and the event loop runs between chunks (the extension host stays responsive during a large load).
 */
async function readInChunks(handle: FileHandle, size: number, each: (chunk: Buffer) => void): Promise<void> {
  const buffers = [Buffer.allocUnsafe(Math.min(READ_CHUNK, size)), Buffer.allocUnsafe(Math.min(READ_CHUNK, size))];
  const readAt = (position: number, k: number) => handle.read(buffers[k % 2], 0, Math.min(READ_CHUNK, size - position), position);
  let position = 0;
  let next = size > 0 ? readAt(0, 0) : undefined;
  for (let k = 0; next; k++) {
    const { bytesRead, buffer } = await next;
    position += bytesRead;
    next = bytesRead > 0 && position < size ? readAt(position, k + 1) : undefined;
    if (bytesRead > 0) each(buffer.subarray(0, bytesRead));
  }
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
