// Replacing a file by renaming a finished temporary one over it (progress.json, the run history's column cache,
// the gradebook). On Windows the rename fails while another program holds the target open (an antivirus scan, the
// search indexer, a backup tool, another VS Code window reading it): EPERM, EACCES or EBUSY for a few milliseconds
// to a few hundred. Such a failure is retried with growing waits; any other is not. When every try failed, the
// temporary file is kept, holding what was to be written, and the error names it.
import { renameSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { FixableError } from './errors';

/** The waits between tries, in ms: about 1.3 s in all, longer than an indexer or a virus scan holds a small file. */
export const RETRY_DELAYS_MS = [10, 20, 40, 80, 160, 320, 640];
const LOCKED = new Set(['EPERM', 'EACCES', 'EBUSY']);

export class FileLockedError extends FixableError {
  constructor(
    readonly target: string,
    readonly kept: string,
    code: string,
  ) {
    super(
      `${target} could not be replaced (${code}): another program keeps it open (an antivirus, a backup or sync tool, ` +
        `another window). What was to be written is kept in ${kept}; close that program, or copy ${kept} over ${target} yourself.`,
    );
    this.name = 'FileLockedError';
  }
}

const isLocked = (error: unknown): error is NodeJS.ErrnoException => LOCKED.has((error as NodeJS.ErrnoException).code ?? '');

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** Renames `temporary` over `target`, retrying while the target is locked. */
export function replaceFileSync(temporary: string, target: string, move: (from: string, to: string) => void = renameSync, wait = sleepSync): void {
  for (let attempt = 0; ; attempt++) {
    try {
      return move(temporary, target);
    } catch (error) {
      if (!isLocked(error)) throw error;
      if (attempt === RETRY_DELAYS_MS.length) throw new FileLockedError(target, temporary, error.code ?? 'locked');
      wait(RETRY_DELAYS_MS[attempt]);
    }
  }
}

/** replaceFileSync without blocking the thread. */
export async function replaceFile(
  temporary: string,
  target: string,
  move: (from: string, to: string) => Promise<void> = rename,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await move(temporary, target);
    } catch (error) {
      if (!isLocked(error)) throw error;
      if (attempt === RETRY_DELAYS_MS.length) throw new FileLockedError(target, temporary, error.code ?? 'locked');
      await wait(RETRY_DELAYS_MS[attempt]);
    }
  }
}
