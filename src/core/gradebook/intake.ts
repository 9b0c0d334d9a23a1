// Taking one student's submission in: its files are read (never followed through links, never executed)
// and the ones the pack grades are copied into a private temporary folder per exercise. The worker only
// ever sees that copy, so nothing a submission does while graded reaches the original or another student.
// Every way a submission can be unusable ends in a message the student can act on.
import { createHash } from 'node:crypto';
import { lstat, mkdir, mkdtemp, readdir, readlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExerciseSpec } from '../../protocol/pack';
import { fileTypeWords, readRegularFile } from '../fileTypes';
import { extractZip, ZipError } from '../packs/zip';
import type { StudentEntry } from './discover';
import { nearMiss } from '../nearMiss';

/** A learner file is a few KiB of Python; anything past this is not one. */
export const MAX_LEARNER_FILE_BYTES = 1024 * 1024;
/** A student's .zip, compressed. */
const MAX_ZIP_BYTES = 64 * 1024 * 1024;
/** What a student's .zip may unpack to (the zip module checks every entry before writing it). */
const STUDENT_ZIP_LIMITS = { maxEntries: 2000, maxEntryBytes: 64 * 1024 * 1024, maxTotalBytes: 128 * 1024 * 1024 };

export interface StagedExercise {
  exercise: string;
  status: 'ready' | 'not-submitted' | 'refused';
  /** the private copy to grade (status ready) */
  folder?: string;
  messages: string[];
  /** [file, sha256] of every copied file, for the cache key */
  files: Array<[string, string]>;
}

export interface StagedStudent {
  /** the student's temporary folder; the caller removes it */
  root: string;
  messages: string[];
  exercises: StagedExercise[];
}

const MiB = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

type Found =
  | { kind: 'file'; size: number }
  | { kind: 'folder' }
  | { kind: 'link'; target: string }
  /** a named pipe, a socket or a device, in words */
  | { kind: 'other'; what: string }
  | { kind: 'missing' };

async function inspect(path: string): Promise<Found> {
  let stat;
  try {
    stat = await lstat(path);
  } catch {
    return { kind: 'missing' };
  }
  if (stat.isSymbolicLink()) return { kind: 'link', target: await readlink(path).catch(() => '?') };
  if (stat.isDirectory()) return { kind: 'folder' };
  if (stat.isFile()) return { kind: 'file', size: stat.size };
  return { kind: 'other', what: fileTypeWords(stat) };
}

/** Like inspect, for a path below `folder`: a folder on the way that is a link is reported as that link. */
async function inspectBelow(folder: string, relative: string): Promise<Found & { at: string }> {
  const parts = relative.split('/');
  let path = folder;
  for (const [index, part] of parts.entries()) {
    path = join(path, part);
    const found = await inspect(path);
    if (index === parts.length - 1 || found.kind === 'link' || found.kind === 'missing') return { ...found, at: path };
    if (found.kind !== 'folder') return { kind: 'missing', at: path };
  }
  return { kind: 'missing', at: path };
}

/** The first line holding bytes that are not UTF-8, or undefined when the whole file is UTF-8 text. */
function firstNonUtf8Line(bytes: Buffer): number | undefined {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  // A newline byte never occurs inside a multi-byte UTF-8 sequence, so lines can be decoded one by one.
  for (let start = 0, line = 1; start <= bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    try {
      decoder.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return undefined;
}

function linkWords(name: string, target: string, instead = 'submit the file itself'): string {
  return `${name} is a symbolic link (to ${target}); links are not followed: ${instead}`;
}

/** Names in `dir` (empty when it cannot be read). */
async function names(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).sort();
  } catch {
    return [];
  }
}

/**
 * Where a submission's exercise folders are: `<base>/gradlab/<id>` as the extension scaffolds them, or
 * `<base>/<id>`. A zip holding a single top folder is looked into, since that is how people zip a folder.
 */
async function exerciseRoots(base: string): Promise<{ roots: string[]; messages: string[] }> {
  const messages: string[] = [];
  const roots = [base];
  const scaffold = join(base, 'gradlab');
  const found = await inspect(scaffold);
  if (found.kind === 'folder') roots.unshift(scaffold);
  else if (found.kind === 'link') messages.push(linkWords('gradlab/', found.target, 'submit the folder itself'));
  else if (found.kind === 'other') messages.push(`gradlab is not a folder but ${found.what}: submit the gradlab folder itself`);
  return { roots, messages };
}

async function stageExercise(exercise: ExerciseSpec, roots: string[], target: string, shown: (path: string) => string): Promise<StagedExercise> {
  const outcome: StagedExercise = { exercise: exercise.id, status: 'ready', messages: [], files: [] };
  const refuse = (message: string) => {
    outcome.status = 'refused';
    outcome.messages.push(message);
  };

  let folder: string | undefined;
  for (const root of roots) {
    const found = await inspect(join(root, exercise.id));
    if (found.kind === 'folder') {
      folder = join(root, exercise.id);
      break;
    }
    if (found.kind === 'link') {
      refuse(linkWords(`${shown(join(root, exercise.id))}/`, found.target, 'submit the folder itself'));
      return outcome;
    }
    if (found.kind === 'other') {
      refuse(`${shown(join(root, exercise.id))} is not a folder but ${found.what}: submit the exercise folder itself`);
      return outcome;
    }
  }
  if (!folder) {
    const present = (await Promise.all(roots.map(names))).flat();
    const guess = nearMiss(exercise.id, present);
    outcome.status = guess ? 'refused' : 'not-submitted';
    outcome.messages.push(
      guess
        ? `no folder ${exercise.id}; found ${guess}: rename it to ${exercise.id} (the grader only reads the exact name)`
        : `not submitted: no folder gradlab/${exercise.id} (or ${exercise.id}) in the submission`,
    );
    return outcome;
  }

  // Only learner files are graded; given files come from the pack and training scripts are not graded.
  const graded = exercise.files.filter((f) => f.role === 'learner');
  const known = new Set([...exercise.files.map((f) => f.path.split('/')[0]), exercise.instructions, exercise.tests ?? 'tests.py', 'hidden.json', 'references.json', 'costs.json']);
  const present = await names(folder);
  const misnamed = new Set<string>();
  const copies: Array<{ path: string; bytes: Buffer }> = [];

  for (const file of graded) {
    const path = join(folder, ...file.path.split('/'));
    const found = await inspectBelow(folder, file.path);
    const label = shown(found.at);
    if (found.kind === 'missing') {
      const guess = nearMiss(file.path, present);
      if (guess) misnamed.add(guess);
      refuse(guess ? `${file.path} is missing; found ${guess}: rename it to ${file.path} (the grader only reads the exact name)` : `${file.path} is missing from ${shown(folder)}/`);
      continue;
    }
    if (found.kind === 'link') refuse(linkWords(label, found.target));
    else if (found.kind !== 'file') refuse(`${label} is not a regular file but ${found.kind === 'other' ? found.what : 'a folder'}: submit the Python file itself`);
    else if (found.size > MAX_LEARNER_FILE_BYTES) refuse(`${label} is ${MiB(found.size)}, more than the ${MiB(MAX_LEARNER_FILE_BYTES)} a learner file may have: submit the Python source only`);
    else {
      let bytes: Buffer;
      try {
        bytes = await readRegularFile(path);
      } catch (error) {
        refuse(`${label} could not be read (${(error as Error).message})`);
        continue;
      }
      const bad = firstNonUtf8Line(bytes);
      if (bad) refuse(`${label} is not UTF-8 text (line ${bad} has bytes that are not UTF-8): save it as UTF-8 and resubmit`);
      else copies.push({ path: file.path, bytes });
    }
  }
  const extra = present.filter((name) => !known.has(name) && !misnamed.has(name) && !name.startsWith('.') && name !== '__pycache__');
  if (extra.length) outcome.messages.push(`ignored (not part of the exercise): ${extra.join(', ')}`);
  if (outcome.status !== 'ready') return outcome;

  for (const { path, bytes } of copies) {
    const destination = join(target, ...path.split('/'));
    await mkdir(join(destination, '..'), { recursive: true });
    await writeFile(destination, bytes, { mode: 0o644 });
    outcome.files.push([path, createHash('sha256').update(bytes).digest('hex')]);
  }
  outcome.folder = target;
  return outcome;
}

/** Copies what the pack grades of one student into a new folder under `tempRoot`. */
export async function stageStudent(entry: StudentEntry, exercises: ExerciseSpec[], tempRoot: string): Promise<StagedStudent> {
  const root = await mkdtemp(join(tempRoot, 'student-'));
  const staged: StagedStudent = { root, messages: [], exercises: [] };
  const unusable = (message: string): StagedStudent => {
    staged.messages.push(message);
    staged.exercises = exercises.map((e) => ({ exercise: e.id, status: 'refused', messages: ['not graded: the submission itself could not be used (see above)'], files: [] }));
    return staged;
  };
  if (entry.kind === 'link') {
    const found = await inspect(entry.path);
    return unusable(linkWords(`The submission ${entry.student}`, found.kind === 'link' ? found.target : '?', 'submit a folder or a .zip'));
  }
  if (entry.kind === 'special') return unusable(`The submission ${entry.student} is not a folder or a .zip but ${entry.what}: put the student's folder or .zip file in its place`);
  let base = entry.path;
  if (entry.kind === 'zip') {
    const found = await inspect(entry.path);
    if (found.kind !== 'file') return unusable(`${entry.student}.zip is no longer a regular file: put the student's .zip file in its place`);
    if (found.size > MAX_ZIP_BYTES) return unusable(`${entry.student}.zip is ${MiB(found.size)}, more than the ${MiB(MAX_ZIP_BYTES)} allowed`);
    base = join(root, 'unzipped');
    try {
      await extractZip(await readRegularFile(entry.path), base, `${entry.student}.zip`, STUDENT_ZIP_LIMITS);
    } catch (error) {
      if (!(error instanceof ZipError)) throw error;
      return unusable(`${entry.student}.zip could not be opened safely: ${error.reason}`);
    }
    const top = (await names(base)).filter((n) => !n.startsWith('.') && n !== '__MACOSX');
    const ids = new Set(exercises.map((e) => e.id));
    if (top.length === 1 && top[0] !== 'gradlab' && !ids.has(top[0]) && (await inspect(join(base, top[0]))).kind === 'folder') base = join(base, top[0]);
  }
  const { roots, messages } = await exerciseRoots(base);
  staged.messages.push(...messages);
  // Paths in messages are the student's own: relative to their submission, never our temporary folders.
  const shown = (path: string) => path.slice(base.length + 1) || '.';
  for (const exercise of exercises) {
    staged.exercises.push(await stageExercise(exercise, roots, join(root, 'graded', exercise.id), shown));
  }
  return staged;
}
