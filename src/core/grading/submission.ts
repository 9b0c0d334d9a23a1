// A submission as the worker wants it: a folder holding the learner's files under their exercise names.
// The CLI may be given one file or a folder; the extension gives the scaffolded exercise folder.
import type { Stats } from 'node:fs';
import { realpath, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { ExerciseSpec } from '../../protocol/pack';
import { FixableError } from '../errors';
import { fileTypeWords, readRegularFile } from '../fileTypes';
import { withTemporaryFolder } from '../temporary';

export class SubmissionError extends FixableError {
  constructor(message: string) {
    super(message);
    this.name = 'SubmissionError';
  }
}

export function learnerFiles(exercise: ExerciseSpec): string[] {
  return exercise.files.filter((f) => f.role === 'learner').map((f) => f.path);
}

async function statOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new SubmissionError(`The submission ${path} cannot be read: ${(error as Error).message}`);
  }
}

/** A folder's learner files must be regular files: the worker would wait forever on a named pipe. */
async function refuseSpecialFiles(exercise: ExerciseSpec, folder: string): Promise<void> {
  for (const file of learnerFiles(exercise)) {
    const path = join(folder, ...file.split('/'));
    const stats = await statOrUndefined(path);
    if (stats && !stats.isFile()) {
      throw new SubmissionError(`${path} is not a regular file but ${fileTypeWords(stats)}: save ${file} in ${folder} as an ordinary file and check again.`);
    }
  }
}

/**
 * Calls `use` with a folder for CheckParams.submission: `path` itself when it is a folder, else a temporary copy
 * of the one file, removed when `use` is done, however that ends.
 */
export async function withSubmissionFolder<T>(exercise: ExerciseSpec, path: string, use: (folder: string) => Promise<T>): Promise<T> {
  const stats = await statOrUndefined(path);
  if (!stats) throw new SubmissionError(`The submission ${path} does not exist.`);
  const expected = learnerFiles(exercise);
  if (stats.isDirectory()) {
    await refuseSpecialFiles(exercise, path);
    return use(path);
  }
  if (!stats.isFile()) {
    throw new SubmissionError(`The submission ${path} is not a file or a folder but ${fileTypeWords(stats)}: pass the saved Python file (${expected.join(', ')}) or the exercise folder instead.`);
  }
  const name = basename(path);
  // A single learner file may be named anything; with several, the name says which one it is.
  const target = expected.includes(name) ? name : expected.length === 1 ? expected[0] : undefined;
  if (!target) {
    throw new SubmissionError(
      `${name} is not one of ${exercise.id}'s learner files (${expected.join(', ')}); pass the exercise folder instead.`,
    );
  }
  // A link given on the command line is the user's own: follow it to the file, then read that without following.
  let bytes: Buffer;
  try {
    bytes = await readRegularFile(await realpath(path));
  } catch (error) {
    throw new SubmissionError(`The submission ${path} could not be read (${(error as Error).message}).`);
  }
  return withTemporaryFolder('gradlab-submission-', async (dir) => {
    await writeFile(join(dir, target), bytes);
    return use(dir);
  });
}
