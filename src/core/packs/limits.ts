// The limits one check of an exercise runs under. Packs never import grading (grading reads packs), so what both
// building a release and grading need of an exercise lives here.
import type { ExerciseSpec } from '../../protocol/pack';
import { DEFAULT_LIMITS, type Limits } from '../../protocol/worker';

/** The exercise's limits, then the user's explicit choices, over the defaults. */
export function effectiveLimits(exercise: ExerciseSpec, chosen: Partial<Limits> = {}): Limits {
  return { ...DEFAULT_LIMITS, ...exercise.limits, ...chosen };
}
