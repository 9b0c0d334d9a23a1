// Which hints a learner may see: the failing check's own hints first (they are the most specific), then
// the exercise's, unlocked one at a time by failed attempts under the pack's hint policy.
import type { ExerciseSpec } from '../../protocol/pack';

export interface HintState {
  /** every hint in the order they unlock */
  all: string[];
  /** how many are available now */
  unlocked: number;
  /** failed checks still needed for the next one (0 when all are unlocked) */
  attemptsToNext: number;
}

export function hintsFor(exercise: ExerciseSpec, failingCheckIds: string[], failedAttempts: number): HintState {
  const fromChecks = exercise.checks.filter((c) => failingCheckIds.includes(c.id)).flatMap((c) => c.hints ?? []);
  const all = [...new Set([...fromChecks, ...(exercise.hints ?? [])])];
  const per = exercise.hintPolicy?.attemptsPerHint ?? 0;
  if (per <= 0) return { all, unlocked: all.length, attemptsToNext: 0 };
  // The first hint comes after `per` failed attempts, each further one after `per` more.
  const unlocked = Math.min(all.length, Math.floor(failedAttempts / per));
  const attemptsToNext = unlocked >= all.length ? 0 : (unlocked + 1) * per - failedAttempts;
  return { all, unlocked, attemptsToNext };
}
