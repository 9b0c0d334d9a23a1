// One Markdown page per student: points per exercise, every check's verdict, and for the failed ones what
// went wrong and the hints. Hidden checks appear by title, verdict and hints only (see visible.ts) in the
// student's page; the instructor's copy of it (author mode) adds each hidden failure in full.
import type { CheckResult } from '../../protocol/worker';
import { authorView, detailLines } from '../grading/authorView';
import { printable } from '../printable';
import { lateWords, type LateOutcome } from './late';
import { round, type Gradebook, type StudentRecord } from './model';
import { visibleCheck } from './visible';

/**
 * Student-provided text (messages, output) inside a code fence that no backtick run in it can close, without the
 * control characters a terminal showing this file would obey (the fence is measured after they are gone). One
 * line per element, so a caller indenting the block into a list item indents every line of it: a line left at
 * the margin would end the list item, and the fence with it.
 */
function fenced(text: string): string[] {
  const shown = printable(text).trimEnd();
  const longest = Math.max(2, ...(shown.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return [fence, ...shown.split('\n'), fence];
}

/** Text for a Markdown table cell or list item: no control characters, no line breaks, no table pipes. */
function inline(text: string): string {
  return printable(text).replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|');
}

const STATUS_WORDS = { 'not-submitted': 'not submitted', refused: 'not graded', error: 'not graded (grader error)' } as const;

/**
 * When every check of an exercise errs or times out with one message (a syntax error, an endless loop at
 * import), that message is said once instead of once per check. Hidden checks' messages are never shown,
 * so this only applies when a public check carries the message.
 */
function sharedFailure(checks: CheckResult[]): { verdict: string; message: string } | undefined {
  const first = checks.find((c) => !c.hidden);
  if (!first || checks.length < 2 || !checks.every((c) => (c.status === 'errored' || c.status === 'timeout') && c.status === first.status && c.message === first.message)) return undefined;
  return { verdict: visibleCheck(first, undefined).verdict, message: first.message };
}

/** When the work came in against its due date, and what that cost. */
function lateLine(late: LateOutcome): string {
  const when = `Submitted ${late.submittedAt}, due ${late.due}`;
  if (late.daysLate === 0) return `${when}: on time.`;
  return `${when}: ${lateWords(late)}, so ${points(late.pointsBefore)} points earned count as ${points(round(late.pointsBefore * (1 - late.penalty / 100)))}.`;
}

export function points(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/** Who reads the page: the student (feedback/), or the instructor (instructor/), who also sees hidden failures in full. */
export type Audience = 'student' | 'instructor';

/** A hidden check's failure as its author reads it: message, diagnosis, inputs, expected and actual, output. */
function hiddenInFull(check: CheckResult): string[] {
  const story = authorView(check);
  const lines = ['', '  **Hidden, in full (instructor only):**', '', ...fenced(story.message).map((l) => `  ${l}`)];
  if (story.diagnosis) lines.push('', `  **What it looks like:** ${inline(story.diagnosis)}`);
  for (const line of detailLines(story)) lines.push('', `  ${inline(line)}`);
  if (story.output) lines.push('', '  The code printed:', '', ...fenced(story.output).map((l) => `  ${l}`));
  return [...lines, ''];
}

export function feedbackMarkdown(gradebook: Gradebook, record: StudentRecord, audience: Audience = 'student'): string {
  const heading = audience === 'instructor' ? 'instructor\'s feedback on' : 'feedback for';
  const lines = [`# ${gradebook.pack.title}: ${heading} ${inline(record.student)}`, '', `**${points(record.points)} / ${points(record.maxPoints)} points**`, ''];
  if (record.late) lines.push(lateLine(record.late), '');
  for (const message of record.messages) lines.push(`> ${inline(message)}`, '');
  lines.push('| exercise | points |', '| --- | --- |');
  for (const outcome of record.exercises) {
    const title = gradebook.exercises.find((e) => e.id === outcome.exercise)?.title ?? outcome.exercise;
    const note = outcome.status === 'graded' ? '' : ` (${STATUS_WORDS[outcome.status]})`;
    lines.push(`| ${inline(title)} | ${points(outcome.points)} / ${points(outcome.maxPoints)}${note} |`);
  }
  for (const outcome of record.exercises) {
    const exercise = gradebook.exercises.find((e) => e.id === outcome.exercise);
    lines.push('', `## ${inline(exercise?.title ?? outcome.exercise)} (${outcome.exercise}): ${points(outcome.points)} / ${points(outcome.maxPoints)}`, '');
    for (const message of outcome.messages) lines.push(`- ${inline(message)}`);
    if (outcome.messages.length) lines.push('');
    if (outcome.status !== 'graded') continue;
    const shared = sharedFailure(outcome.checks);
    if (shared) lines.push(`Every check stopped the same way (${shared.verdict}):`, '', ...fenced(shared.message), '');
    for (const result of outcome.checks) {
      const check = visibleCheck(result, exercise);
      const mark = check.passed ? '✅' : '❌';
      lines.push(`- ${mark} ${inline(check.title)}${check.hidden ? ' (hidden test)' : ''}: ${check.verdict}, ${points(check.points)} / ${points(check.maxPoints)}`);
      if (shared) continue;
      if (check.message) lines.push('', ...fenced(check.message).map((l) => `  ${l}`));
      if (check.diagnosis) lines.push('', `  **What it looks like:** ${inline(check.diagnosis)}`);
      if (check.output) lines.push('', '  Your code printed:', '', ...fenced(check.output).map((l) => `  ${l}`));
      for (const hint of check.hints) lines.push('', `  Hint: ${inline(hint)}`);
      if (check.message || check.diagnosis || check.output || check.hints.length) lines.push('');
      if (audience === 'instructor' && result.instructor) lines.push(...hiddenInFull(result));
    }
  }
  return `${lines.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}
