// Which students a submissions folder holds: every folder and every .zip directly inside it is one
// student, named by the folder (or the zip without .zip). A symbolic link, a named pipe, a socket or a device
// is a student whose submission is refused (never followed, never opened); any other file is skipped with a word.
import { createHash } from 'node:crypto';
import { lstat, readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { FixableError } from '../errors';
import { fileTypeWords } from '../fileTypes';

export interface StudentEntry {
  student: string;
  path: string;
  /** special: a named pipe, a socket or a device */
  kind: 'folder' | 'zip' | 'link' | 'special';
  /** what a special entry is, in words ("a named pipe (FIFO)") */
  what?: string;
}

export interface Discovery {
  students: StudentEntry[];
  /** entries that are not a student, each said once: "notes.txt: not a folder or a .zip, skipped" */
  skipped: string[];
}

export class SubmissionsFolderError extends FixableError {
  constructor(message: string) {
    super(message);
    this.name = 'SubmissionsFolderError';
  }
}

export async function discoverStudents(dir: string): Promise<Discovery> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SubmissionsFolderError(
      code === 'ENOENT' ? `The submissions folder ${dir} does not exist.` : code === 'ENOTDIR' ? `${dir} is not a folder: give the folder that holds one folder (or .zip) per student.` : `Cannot read ${dir}: ${(error as Error).message}`,
    );
  }
  const students: StudentEntry[] = [];
  const skipped: string[] = [];
  const seen = new Map<string, string>();
  for (const name of names.sort()) {
    if (name.startsWith('.') || name === '__MACOSX') continue;
    const path = join(dir, name);
    const stat = await lstat(path);
    let entry: StudentEntry | undefined;
    if (stat.isSymbolicLink()) entry = { student: name.replace(/\.zip$/i, ''), path, kind: 'link' };
    else if (stat.isDirectory()) entry = { student: name, path, kind: 'folder' };
    else if (stat.isFile() && /\.zip$/i.test(name)) entry = { student: name.slice(0, -4), path, kind: 'zip' };
    else if (!stat.isFile()) entry = { student: name.replace(/\.zip$/i, ''), path, kind: 'special', what: fileTypeWords(stat) };
    else skipped.push(`${name}: not a folder or a .zip, skipped`);
    if (!entry) continue;
    const clash = seen.get(entry.student);
    if (clash) {
      skipped.push(`${name}: the student ${entry.student} also has ${clash}; both skipped until one is removed`);
      const index = students.findIndex((s) => s.student === entry!.student);
      if (index >= 0) students.splice(index, 1);
      continue;
    }
    seen.set(entry.student, name);
    students.push(entry);
  }
  return { students, skipped };
}

export interface Shard {
  /** 1-based */
  index: number;
  count: number;
}

/** "2/8" -> { index: 2, count: 8 }; undefined for anything else. */
export function parseShard(text: string): Shard | undefined {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return undefined;
  const shard = { index: Number(match[1]), count: Number(match[2]) };
  return shard.count >= 1 && shard.index >= 1 && shard.index <= shard.count ? shard : undefined;
}

/** Which shard (1-based) grades a student: a hash of the name, so every machine agrees without talking. */
export function shardOf(student: string, count: number): number {
  const digest = createHash('sha256').update(student, 'utf8').digest();
  return (digest.readUInt32BE(0) % count) + 1;
}

/**
 * A folder that holds `gradlab/` (or exercise folders) is one student's submission, not a class of them: graded as
 * a class, it would grade a student named `gradlab`. The message names the command that grades that student.
 */
export function refuseOneStudentsFolder(dir: string, discovery: Discovery, exerciseIds: string[]): void {
  const inner = discovery.students.filter((s) => s.kind === 'folder' && (s.student === 'gradlab' || exerciseIds.includes(s.student)));
  if (!inner.length) return;
  const student = basename(dir);
  throw new SubmissionsFolderError(
    `${dir} looks like one student's submission (it holds ${inner.map((s) => `${s.student}/`).join(', ')}), not a folder of students' submissions. ` +
      `Give the folder that holds it, and name the student to grade only them: gradlab grade <pack> ${dirname(dir)} --student ${student}`,
  );
}
