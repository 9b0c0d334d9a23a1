// Content hashes that decide whether a cached result still holds: the pack's files (a changed test,
// solution or manifest invalidates every result), the grader's Python runtime, and one student's files.
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

export function sha256(text: string | Uint8Array): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * One hash of every file under `dir` (names and bytes). Hidden folders and Python's byte-code caches are
 * left out: they change when the pack is used, not when it is edited.
 */
export async function folderHash(dir: string, keep: (name: string) => boolean = () => true): Promise<string> {
  const hash = createHash('sha256');
  const walk = async (folder: string, prefix: string): Promise<void> => {
    const entries = (await readdir(folder, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === '__pycache__' || entry.name.endsWith('.pyc')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile() && keep(entry.name)) {
        const bytes = await readFile(path);
        hash.update(`${prefix}${entry.name}\0${bytes.length}\0`).update(bytes);
      }
    }
  };
  await walk(dir, '');
  return hash.digest('hex');
}

/** Stable JSON (object keys sorted) so equal settings always give equal hashes. */
export function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${JSON.stringify(k)}:${stableJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
