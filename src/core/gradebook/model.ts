// What `gradlab grade` produces: one record per student, every check with its verdict, points and message.
// gradebook.json holds exactly this and is the source of truth: the CSV, Canvas, Gradescope and feedback
// files are derived from it alone (so `gradlab merge` can regenerate them without the pack).
import type { GradcheckMode } from '../../protocol/pack';
import type { CheckResult, Limits } from '../../protocol/worker';
import type { LateOutcome, LatePolicy } from './late';

export const GRADEBOOK_FORMAT = 2;

/** How `gradlab grade` isolates submissions: always (`required`, the default), or not at all (--no-isolation). */
export type GradingIsolation = 'required' | 'off';

/**
 * graded: the checks ran. not-submitted: no files for this exercise. refused: files present but unusable
 * (missing learner file, wrong name, not UTF-8, too large, a link, a named pipe, socket or device). error: the
 * grader itself failed; such outcomes are never cached, so a re-run retries them.
 */
export type OutcomeStatus = 'graded' | 'not-submitted' | 'refused' | 'error';

export interface ExerciseOutcome {
  exercise: string;
  status: OutcomeStatus;
  points: number;
  maxPoints: number;
  /** for the student: why the exercise was not graded, and what was set aside (extra files) */
  messages: string[];
  /** empty unless graded */
  checks: CheckResult[];
}

export interface StudentRecord {
  /** the folder name, or the .zip's name without .zip; for a roster student without a submission, their roster name */
  student: string;
  /** roster: a roster student with no submission at all (a zero row, marked "no submission") */
  source: 'folder' | 'zip' | 'roster';
  /** problems with the submission as a whole (a zip that cannot be opened, a link) */
  messages: string[];
  points: number;
  maxPoints: number;
  exercises: ExerciseOutcome[];
  /** when a late policy applies: when it was submitted, the due date, and the penalty taken from `points` */
  late?: LateOutcome;
  /** hash of the graded files, the pack, the grader and the settings: equal keys give equal records */
  key: string;
}

/** An exercise as the derived files need it, copied from the manifest so no pack is needed to read them. */
export interface GradebookExercise {
  id: string;
  title: string;
  maxPoints: number;
  /** the exercise's hints, nudge first */
  hints: string[];
  checks: Array<{ id: string; title: string; hidden: boolean; points: number; hints: string[] }>;
}

export interface Gradebook {
  format: typeof GRADEBOOK_FORMAT;
  pack: { id: string; title: string; version: string; /** content hash of the authoring pack */ hash: string };
  /**
   * the grading settings every record was made with: merged gradebooks must agree on them. `seed`: the grading
   * run's own seed, from which hidden checks drew their inputs (reuse it to reproduce them); `isolation`: whether
   * each submission ran in OS-level isolation (`off` only with --no-isolation)
   */
  settings: { gradcheck: GradcheckMode; limits: Partial<Limits>; grader: string; seed: number; isolation: GradingIsolation };
  exercises: GradebookExercise[];
  /** the due date and late policy applied to the records' points (absent: none) */
  late?: LatePolicy;
  /** the shard i of K this gradebook holds (--shard); absent when it holds the whole class */
  shard?: { index: number; count: number };
  /** a merge of shards that lacked some (merge --partial): the missing shards' numbers, of `count` */
  missingShards?: { missing: number[]; count: number };
  /** sorted by student */
  students: StudentRecord[];
}

export function totals(outcomes: ExerciseOutcome[]): { points: number; maxPoints: number } {
  return {
    points: round(outcomes.reduce((sum, o) => sum + o.points, 0)),
    maxPoints: round(outcomes.reduce((sum, o) => sum + o.maxPoints, 0)),
  };
}

/** Points are sums of check points (which may be fractions): keep them free of float noise. */
export function round(points: number): number {
  return Math.round(points * 1000) / 1000;
}

export function byStudent(a: StudentRecord, b: StudentRecord): number {
  return a.student < b.student ? -1 : a.student > b.student ? 1 : 0;
}
