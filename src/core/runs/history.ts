// Run-history files in a workspace: where they go, reading one into the registry (readable lines load, the rest is
// reported), and appending the records the host writes itself (the end of a run whose process died).
import { appendFile, open, readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { HISTORY_DIR, type HistoryRecord } from '../../protocol/runs';
import { HistoryParser, type BadLine } from './parser';
import type { RunOrigin, RunRegistry } from './registry';

export interface HistoryLoad {
  file: string;
  lines: number;
  /** runs the file added (runs already shown are not added again) */
  runs: string[];
  bad: BadLine[];
}

/** Reads a history file into the registry. Throws only when the file cannot be read at all. */
export async function loadHistoryFile(registry: RunRegistry, file: string, origin: Omit<RunOrigin, 'file'> = { kind: 'history' }): Promise<HistoryLoad> {
  const bytes = await readFile(file);
  return loadHistoryBytes(registry, bytes, file, origin);
}

/** The parsing half of loadHistoryFile, for bytes already in memory. */
export function loadHistoryBytes(registry: RunRegistry, bytes: Uint8Array, file: string, origin: Omit<RunOrigin, 'file'> = { kind: 'history' }): HistoryLoad {
  const before = new Set(registry.infos().map((i) => i.id));
  const bad: BadLine[] = [];
  const parser = new HistoryParser(registry.handler({ ...origin, file }, (line) => bad.push(line), true));
  parser.push(bytes);
  parser.end();
  const runs = registry.infos().map((i) => i.id).filter((id) => !before.has(id));
  return { file, lines: parser.lines, runs, bad };
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
export async function appendRecords(file: string, records: readonly HistoryRecord[]): Promise<void> {
  const text = records.map((r) => JSON.stringify(r).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)).join('\n');
  await appendFile(file, ((await endsMidLine(file)) ? '\n' : '') + text + '\n', 'utf8');
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
