// A learner's progress, kept in the workspace as one small JSON file written atomically (temp file +
// rename), so a crash never leaves half a file. Progress is the only thing in it: deleting or breaking it
// loses progress, never code, and a broken file is set aside (not overwritten) with a message.
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CheckReport } from '../../protocol/worker';
import { replaceFileSync } from '../replaceFile';

export const PROGRESS_VERSION = 1;

export type ExerciseStatus = 'not-started' | 'in-progress' | 'failed' | 'passed';

export interface ExerciseProgress {
  status: Exclude<ExerciseStatus, 'not-started'>;
  /** checks run */
  attempts: number;
  /** checks that did not pass; unlock hints under the pack's hint policy */
  failedAttempts: number;
  hintsSeen: number;
  points: number;
  maxPoints: number;
  /** check id -> latest status, for CodeLens and the tree */
  checks: Record<string, string>;
  lastChecked?: string;
}

export interface MasteryProgress {
  score: number;
  passed: boolean;
  at: string;
}

export interface PackProgress {
  exercises: Record<string, ExerciseProgress>;
  mastery: Record<string, MasteryProgress>;
}

export interface ProgressFile {
  version: number;
  packs: Record<string, PackProgress>;
}

export function progressPath(workspaceDir: string): string {
  return join(workspaceDir, '.gradlab', 'progress.json');
}

function mtimeOf(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return -1;
  }
}

function empty(): ProgressFile {
  return { version: PROGRESS_VERSION, packs: {} };
}

function isProgressFile(value: unknown): value is ProgressFile {
  const v = value as ProgressFile;
  return !!v && typeof v === 'object' && typeof v.packs === 'object' && v.packs !== null && !Array.isArray(v.packs);
}

export class ProgressStore {
  private data: ProgressFile;
  /** set when the file on disk could not be read: what happened and where the broken copy went */
  problem: string | undefined;
  /** the file's modification time as we last read or wrote it, to notice edits made behind our back */
  private seenMtime = 0;

  constructor(
    readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.data = this.load();
  }

  private load(): ProgressFile {
    const loaded = ProgressStore.read(this.file, this.now);
    this.problem = loaded.problem;
    this.seenMtime = mtimeOf(this.file);
    return loaded.data;
  }

  /**
   * Re-reads the file when someone else changed (or broke, or deleted) it since we last saw it. Returns the
   * problem found, if any, so the caller can tell the learner.
   */
  refresh(): string | undefined {
    if (mtimeOf(this.file) === this.seenMtime) return undefined;
    this.data = this.load();
    return this.problem;
  }

  private static read(file: string, now: () => Date): { data: ProgressFile; problem?: string } {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return { data: empty() };
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (isProgressFile(parsed)) return { data: parsed };
      throw new Error('it does not hold a "packs" object');
    } catch (error) {
      const aside = `${file}.broken-${now().toISOString().replace(/[:.]/g, '-')}`;
      renameSync(file, aside);
      return {
        data: empty(),
        problem: `Your progress file ${file} could not be read (${(error as Error).message}). It was moved to ${aside} and progress starts afresh; your exercise files are untouched.`,
      };
    }
  }

  private pack(packId: string): PackProgress {
    this.refresh();
    return (this.data.packs[packId] ??= { exercises: {}, mastery: {} });
  }

  exercise(packId: string, exerciseId: string): ExerciseProgress | undefined {
    this.refresh();
    return this.data.packs[packId]?.exercises[exerciseId];
  }

  status(packId: string, exerciseId: string): ExerciseStatus {
    return this.exercise(packId, exerciseId)?.status ?? 'not-started';
  }

  passedCount(packId: string): number {
    this.refresh();
    return Object.values(this.data.packs[packId]?.exercises ?? {}).filter((e) => e.status === 'passed').length;
  }

  mastery(packId: string, lessonId: string): MasteryProgress | undefined {
    this.refresh();
    return this.data.packs[packId]?.mastery[lessonId];
  }

  markStarted(packId: string, exerciseId: string): void {
    const exercises = this.pack(packId).exercises;
    exercises[exerciseId] ??= { status: 'in-progress', attempts: 0, failedAttempts: 0, hintsSeen: 0, points: 0, maxPoints: 0, checks: {} };
    this.save();
  }

  recordCheck(packId: string, report: CheckReport, at: Date = new Date()): ExerciseProgress {
    this.markStarted(packId, report.exercise);
    const entry = this.pack(packId).exercises[report.exercise];
    entry.attempts += 1;
    if (!report.passed) entry.failedAttempts += 1;
    // Once passed, an exercise stays passed in the tree; the latest verdicts still show per check.
    entry.status = report.passed || entry.status === 'passed' ? 'passed' : 'failed';
    entry.points = report.points;
    entry.maxPoints = report.maxPoints;
    entry.checks = Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
    entry.lastChecked = at.toISOString();
    this.save();
    return entry;
  }

  recordHintSeen(packId: string, exerciseId: string, count: number): void {
    this.markStarted(packId, exerciseId);
    const entry = this.pack(packId).exercises[exerciseId];
    entry.hintsSeen = Math.max(entry.hintsSeen, count);
    this.save();
  }

  recordMastery(packId: string, lessonId: string, score: number, passed: boolean, at: Date = new Date()): void {
    this.pack(packId).mastery[lessonId] = { score, passed, at: at.toISOString() };
    this.save();
  }

  /** Starts over for one exercise (Reset). */
  forget(packId: string, exerciseId: string): void {
    this.refresh();
    delete this.data.packs[packId]?.exercises[exerciseId];
    this.save();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temp, `${JSON.stringify(this.data, null, 2)}\n`);
    replaceFileSync(temp, this.file);
    this.seenMtime = mtimeOf(this.file);
  }
}
