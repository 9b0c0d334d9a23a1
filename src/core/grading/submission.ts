// A submission as the worker wants it: a folder holding the learner's files under their exercise names.
// The CLI may be given one file or a folder; the extension gives the scaffolded exercise folder.
import { copyFileSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import type { ExerciseSpec } from '../../protocol/pack';
import { FixableError } from '../errors';

export class SubmissionError extends FixableError {
  constructor(message: string) {
    super(message);
    this.name = 'SubmissionError';
  }
}

export function learnerFiles(exercise: ExerciseSpec): string[] {
  return exercise.files.filter((f) => f.role === 'learner').map((f) => f.path);
}

/** Returns a folder for CheckParams.submission (a temporary copy when given a single file). */
export function submissionFolder(exercise: ExerciseSpec, path: string): string {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new SubmissionError(`The submission ${path} does not exist.`);
  }
  if (stat.isDirectory()) return path;
  const expected = learnerFiles(exercise);
  const name = basename(path);
  // A single learner file may be named anything; with several, the name says which one it is.
  const target = expected.includes(name) ? name : expected.length === 1 ? expected[0] : undefined;
  if (!target) {
    throw new SubmissionError(
      `${name} is not one of ${exercise.id}'s learner files (${expected.join(', ')}); pass the exercise folder instead.`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-submission-'));
  copyFileSync(path, join(dir, target));
  return dir;
}
