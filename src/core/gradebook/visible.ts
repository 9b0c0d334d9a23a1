// What a student may read about one check. A hidden check shows its title, its verdict and its hints, never
// its message, diagnosis, expected/actual values or the output printed while it ran (the learner's own
// prints would echo the hidden inputs). The instructor's gradebook.json keeps everything.
import type { CheckResult } from '../../protocol/worker';
import type { GradebookExercise } from './model';

const VERDICT: Record<CheckResult['status'], string> = { passed: 'passed', failed: 'failed', errored: 'error', timeout: 'time limit reached' };

export interface VisibleCheck {
  title: string;
  hidden: boolean;
  passed: boolean;
  verdict: string;
  points: number;
  maxPoints: number;
  /** what happened and the kind of mistake (public checks that failed only) */
  message?: string;
  diagnosis?: string;
  /** the learner's captured output (public checks only) */
  output?: string;
  /** the check's hints when it failed, else the exercise's first one */
  hints: string[];
}

export function visibleCheck(check: CheckResult, exercise: GradebookExercise | undefined): VisibleCheck {
  const spec = exercise?.checks.find((c) => c.id === check.id);
  const hints = check.passed ? [] : spec?.hints.length ? spec.hints : (exercise?.hints ?? []).slice(0, 1);
  const visible: VisibleCheck = {
    title: check.title,
    hidden: check.hidden,
    passed: check.passed,
    verdict: VERDICT[check.status] ?? check.status,
    points: check.points,
    maxPoints: check.maxPoints,
    hints,
  };
  if (check.hidden) return visible;
  if (!check.passed && check.message?.trim()) visible.message = check.message;
  if (!check.passed && check.diagnosis?.trim()) visible.diagnosis = check.diagnosis;
  if (!check.passed && check.output?.trim()) visible.output = check.output.length > 2000 ? `${check.output.slice(0, 2000)}\n[… truncated]` : check.output;
  return visible;
}
