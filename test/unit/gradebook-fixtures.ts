// Shared by the gradebook tests: the fixture class, a pack with the built-in exercises 01 and 02, temporary
// folders, and gradebooks compared without their timings.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from '../../src/cli/io';
import type { Gradebook } from '../../src/core/gradebook/model';
import { builtinAuthoringPackDir, packageRoot } from '../../src/core/paths';
import type { PackManifest } from '../../src/protocol/pack';

export const GRADED_EXERCISES = ['01-one-update', '02-grad-w'];

export function fixtureClass(): string {
  return join(packageRoot(), 'test', 'fixtures', 'submissions-class');
}

const created: string[] = [];

/** A new temporary folder, removed when the test run ends. */
export function temporary(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `gradlab-${prefix}-`));
  created.push(dir);
  return dir;
}

after(() => {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * The built-in pack's exercises 01 and 02 (authoring form) as a pack of their own in a temporary folder, so a
 * test may change it, and the other exercises (still being written) do not matter here.
 */
export function builtinSubsetPack(): string {
  const source = builtinAuthoringPackDir();
  const dir = temporary('pack');
  const manifest = JSON.parse(readFileSync(join(source, 'pack.json'), 'utf8')) as PackManifest;
  manifest.exercises = manifest.exercises.filter((e) => GRADED_EXERCISES.includes(e.id));
  manifest.lessons = manifest.lessons.filter((l) => manifest.exercises.some((e) => e.lesson === l.id));
  delete manifest.$schema;
  for (const id of GRADED_EXERCISES) cpSync(join(source, id), join(dir, id), { recursive: true });
  writeFileSync(join(dir, 'pack.json'), JSON.stringify(manifest, null, 2));
  return dir;
}

/** A submissions folder holding copies of these fixture students (`class/ada`, `hostile/loop`, ...). */
export function classWith(...students: string[]): string {
  const dir = temporary('class');
  mkdirSync(dir, { recursive: true });
  for (const path of students) cpSync(join(fixtureClass(), path), join(dir, path.split('/').pop()!), { recursive: true });
  return dir;
}

export const GOOD = ['class/ada', 'class/ben', 'class/cy'];

export function capture(cwd = process.cwd()): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, cwd, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** A gradebook with every check's duration removed: what two runs of the same grading must agree on. */
export function withoutTimings(gradebook: Gradebook): Gradebook {
  return {
    ...gradebook,
    students: gradebook.students.map((s) => ({ ...s, exercises: s.exercises.map((o) => ({ ...o, checks: o.checks.map(({ durationMs: _d, ...c }) => ({ ...c, durationMs: 0 })) })) })),
  };
}
