// Writing a gradebook folder: gradebook.json (the source of truth) and everything derived from it.
// Files left by an earlier run for students who are no longer there are removed; nothing else is touched.
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FixableError } from '../errors';
import { CACHE_FOLDER } from './cache';
import { canvasCsv, gradebookCsv, gradescopeResults, type CanvasIdentity } from './exports';
import { feedbackMarkdown } from './feedback';
import { sha256 } from './fingerprint';
import { GRADEBOOK_FORMAT, type Gradebook } from './model';
import { fileSafe } from './names';

export const GRADEBOOK_JSON = 'gradebook.json';
export const GRADEBOOK_CSV = 'gradebook.csv';
export const CANVAS_CSV = 'canvas.csv';
export const FEEDBACK_FOLDER = 'feedback';
/** the instructor's copy of each feedback page, hidden checks in full (author mode) */
export const INSTRUCTOR_FOLDER = 'instructor';
export const GRADESCOPE_FOLDER = 'gradescope';

export class GradebookError extends FixableError {
  constructor(message: string) {
    super(message);
    this.name = 'GradebookError';
  }
}

/** A student's name as a file name, the same in feedback/, gradescope/ and the cache. */
export function studentFileName(student: string): string {
  return fileSafe(student, sha256);
}

export function feedbackPath(outDir: string, student: string): string {
  return join(outDir, FEEDBACK_FOLDER, `${studentFileName(student)}.md`);
}

export function instructorFeedbackPath(outDir: string, student: string): string {
  return join(outDir, INSTRUCTOR_FOLDER, `${studentFileName(student)}.md`);
}

export function gradescopePath(outDir: string, student: string): string {
  return join(outDir, GRADESCOPE_FOLDER, studentFileName(student), 'results.json');
}

/** What a gradebook folder holds, finished or not (a run that stopped early leaves its cache). */
const GRADEBOOK_ENTRIES = new Set([GRADEBOOK_JSON, GRADEBOOK_CSV, CANVAS_CSV, FEEDBACK_FOLDER, INSTRUCTOR_FOLDER, GRADESCOPE_FOLDER, CACHE_FOLDER]);

/** Refuses a folder that holds anything but a gradebook: writing there could clobber someone's work. */
export async function ensureGradebookFolder(outDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(outDir);
  } catch {
    await mkdir(outDir, { recursive: true });
    return;
  }
  if (!entries.includes(GRADEBOOK_JSON) && !entries.every((e) => GRADEBOOK_ENTRIES.has(e))) {
    throw new GradebookError(`${outDir} already holds other files and no ${GRADEBOOK_JSON}: give --out an empty or new folder (or an earlier gradebook's)`);
  }
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

/** Removes files (or folders) under `dir` that are not in `keep`. */
async function prune(dir: string, keep: Set<string>): Promise<void> {
  if (!existsSync(dir)) return;
  for (const name of await readdir(dir)) if (!keep.has(name)) await rm(join(dir, name), { recursive: true, force: true });
}

export interface WriteOptions {
  /** a Canvas gradebook export, to fill the Canvas IDs in canvas.csv */
  roster?: Map<string, CanvasIdentity>;
  /** the Canvas assignment column to fill (--canvas-column); default one named after the pack */
  canvasColumn?: string;
}

/** Writes every file of the gradebook folder; returns the students the roster did not know. */
export async function writeGradebook(outDir: string, gradebook: Gradebook, options: WriteOptions = {}): Promise<{ unmatched: string[] }> {
  await mkdir(join(outDir, FEEDBACK_FOLDER), { recursive: true });
  await mkdir(join(outDir, INSTRUCTOR_FOLDER), { recursive: true });
  await mkdir(join(outDir, GRADESCOPE_FOLDER), { recursive: true });
  const feedback = new Set<string>();
  const gradescope = new Set<string>();
  for (const record of gradebook.students) {
    const name = studentFileName(record.student);
    feedback.add(`${name}.md`);
    gradescope.add(name);
    await writeFile(feedbackPath(outDir, record.student), feedbackMarkdown(gradebook, record));
    await writeFile(instructorFeedbackPath(outDir, record.student), feedbackMarkdown(gradebook, record, 'instructor'));
    await mkdir(join(outDir, GRADESCOPE_FOLDER, name), { recursive: true });
    await writeFile(gradescopePath(outDir, record.student), `${JSON.stringify(gradescopeResults(gradebook, record), null, 2)}\n`);
  }
  await prune(join(outDir, FEEDBACK_FOLDER), feedback);
  await prune(join(outDir, INSTRUCTOR_FOLDER), feedback);
  await prune(join(outDir, GRADESCOPE_FOLDER), gradescope);
  const canvas = canvasCsv(gradebook, options.roster, options.canvasColumn);
  await writeAtomic(join(outDir, CANVAS_CSV), canvas.text);
  await writeAtomic(join(outDir, GRADEBOOK_CSV), gradebookCsv(gradebook));
  // Last, so a gradebook.json on disk always comes with its derived files.
  await writeAtomic(join(outDir, GRADEBOOK_JSON), `${JSON.stringify(gradebook, null, 2)}\n`);
  return { unmatched: canvas.unmatched };
}

/** Reads a gradebook folder (or its gradebook.json). */
export async function readGradebook(path: string): Promise<Gradebook> {
  const file = path.endsWith('.json') ? path : join(path, GRADEBOOK_JSON);
  let data: Gradebook;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Gradebook;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GradebookError(code === 'ENOENT' ? `no ${GRADEBOOK_JSON} in ${path}: is it a gradebook folder written by gradlab grade?` : `${file} is not a readable gradebook: ${(error as Error).message}`);
  }
  if (data?.format !== GRADEBOOK_FORMAT || !Array.isArray(data.students) || !Array.isArray(data.exercises) || !data.pack) {
    throw new GradebookError(`${file} is not a gradebook of format ${GRADEBOOK_FORMAT} (written by another version of gradlab?)`);
  }
  return data;
}
