// Temporary folders that leave with the work that needed them: removed when that work ends, however it ends, and
// at the latest when the process exits (an exception nobody caught, or Ctrl+C: by default a signal ends a Node
// process without its exit handlers, so the CLI runs them before it lets the signal end it).
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const live = new Set<string>();
let removedAtExit = false;

/** Runs `use` on a new folder under the system's temporary folder, named `<prefix>XXXXXX`, and removes it after. */
export async function withTemporaryFolder<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  if (!removedAtExit) {
    process.once('exit', () => live.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
    removedAtExit = true;
  }
  const dir = await mkdtemp(join(tmpdir(), prefix));
  live.add(dir);
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
    live.delete(dir);
  }
}
