// Writing an exercise's files somewhere: into a learner's workspace (starter form, never overwriting what
// is there), or into a scratch folder in either form (the reference solution for grading, validation).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ExerciseFile, ExerciseSpec } from '../../protocol/pack';
import { exerciseFolder } from '../paths';
import { exerciseDir, findExercise, type LoadedPack } from './load';
import { PackError } from './problems';
import { solutionForm, starterForm } from './regions';

export type LearnerForm = 'solution' | 'starter';

export interface ScaffoldResult {
  /** the exercise folder in the workspace */
  dir: string;
  /** files written, relative to dir */
  created: string[];
  /** files left as they were because they already existed, relative to dir */
  existing: string[];
}

/** One of the exercise's files as the learner (starter) or the reference (solution) has it. */
export async function fileInForm(pack: LoadedPack, exercise: ExerciseSpec, file: ExerciseFile, form: LearnerForm): Promise<string> {
  const text = await readFile(join(exerciseDir(pack, exercise), ...file.path.split('/')), 'utf8');
  if (file.role === 'given') return text;
  if (pack.form === 'release') {
    if (form === 'solution') {
      throw new PackError([{ file: file.path, message: `a release pack has no solutions; use the authoring pack of ${pack.manifest.id}` }], pack.dir);
    }
    return text;
  }
  return form === 'solution' ? solutionForm(text) : starterForm(text);
}

/** Files the learner writes or runs: what a submission folder holds. */
function submissionFiles(exercise: ExerciseSpec): ExerciseFile[] {
  return exercise.files.filter((f) => f.role !== 'given');
}

/**
 * Writes the exercise's learner and script files in `form` into `dir` (created if needed), replacing files
 * of the same names. Returns the paths written, relative to dir.
 */
export async function materializeForm(pack: LoadedPack, exercise: ExerciseSpec, form: LearnerForm, dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const file of submissionFiles(exercise)) {
    const target = join(dir, ...file.path.split('/'));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await fileInForm(pack, exercise, file, form));
    written.push(file.path);
  }
  return written;
}

/** Writes `text` unless the file exists; true when written. */
async function writeNew(path: string, text: string, mode: number): Promise<boolean> {
  await mkdir(dirname(path), { recursive: true });
  try {
    await writeFile(path, text, { flag: 'wx', mode });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/**
 * Starts an exercise in a workspace: `<workspace>/gradlab/<id>/` with the starter files, the given files
 * (read-only: the grader uses the pack's copy anyway) and the instructions. Existing files are never touched.
 */
export async function scaffoldExercise(pack: LoadedPack, exerciseId: string, workspaceDir: string): Promise<ScaffoldResult> {
  const exercise = findExercise(pack, exerciseId);
  const dir = exerciseFolder(workspaceDir, exercise.id);
  const result: ScaffoldResult = { dir, created: [], existing: [] };
  const put = async (relative: string, text: string, mode: number) => {
    const written = await writeNew(join(dir, ...relative.split('/')), text, mode);
    (written ? result.created : result.existing).push(relative);
  };
  for (const file of exercise.files) await put(file.path, await fileInForm(pack, exercise, file, 'starter'), file.role === 'given' ? 0o444 : 0o644);
  await put(exercise.instructions, await readFile(join(exerciseDir(pack, exercise), ...exercise.instructions.split('/')), 'utf8'), 0o644);
  return result;
}
