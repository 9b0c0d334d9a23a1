// How a check report reads on a terminal, and its stable JSON shape for scripts. On the terminal, what the
// learner's code printed and messages built from its values lose their control characters first (a learner's
// escape sequence must not paint a PASS); the JSON keeps them, escaped as JSON does.
import { authorView, detailLines } from '../core/grading/authorView';
import { printable } from '../core/printable';
import type { ExerciseSpec } from '../protocol/pack';
import type { CheckReport, CheckResult } from '../protocol/worker';

const MARK: Record<CheckResult['status'], string> = { passed: 'PASS', failed: 'FAIL', errored: 'ERROR', timeout: 'TIMEOUT' };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

/** A failed check's own hints, from the exercise (the first is shown; the extension unlocks the others). */
function hintsOf(exercise: ExerciseSpec | undefined, check: CheckResult): string[] {
  return check.passed ? [] : (exercise?.checks.find((c) => c.id === check.id)?.hints ?? []);
}

function where(check: CheckResult): string {
  return check.function ? `${check.file ?? ''}${check.line ? `:${check.line}` : ''} ${check.function}` : '';
}

/** The line saying how the exercise went, which the text report opens with and a streamed one ends with. */
export function formatSummary(report: CheckReport): string {
  const passed = report.checks.filter((c) => c.passed).length;
  return `${report.exercise}: ${passed}/${report.checks.length} checks passed, ${report.points}/${report.maxPoints} points (${seconds(report.durationMs)})`;
}

/** One check's lines: its verdict, and when it failed what happened, its first hint and the end of its output. */
export function formatCheck(check: CheckResult, exercise?: ExerciseSpec): string[] {
  const lines: string[] = [];
  const indented = (label: string, text: string) => printable(text).split('\n').forEach((l, i) => lines.push(`          ${i === 0 ? label : ''}${l}`));
  const at = where(check);
  lines.push(`  ${MARK[check.status].padEnd(7)} ${check.id}${check.hidden ? ' (hidden)' : ''}: ${check.title}${check.passed || !at ? '' : ` [${at}]`}`);
  for (const warning of check.warnings ?? []) indented('warning: ', warning);
  if (check.passed) return lines;
  const story = authorView(check);
  if (check.instructor) indented('', `${check.message} — author mode, in full:`);
  for (const text of [story.message, story.diagnosis]) if (text) indented('', text);
  if (check.instructor) for (const line of detailLines(story)) indented('', line);
  const [hint] = hintsOf(exercise, check);
  if (hint) indented('hint: ', hint);
  if (story.output) lines.push(`          output${story.outputTruncated ? ' (truncated)' : ''}: ${printable(story.output).trimEnd().split('\n').slice(-5).join(' | ')}`);
  return lines;
}

/** What the report says about the submission besides its checks (given code it edited). */
export function formatNotes(report: CheckReport): string[] {
  return (report.notes ?? []).map((note) => `  NOTE    ${printable(`${note.file}${note.line ? `:${note.line}` : ''}: ${note.message}`)}`);
}

/**
 * The text report; `exercise` adds each failed check's first hint. A hidden check graded with the authoring pack
 * (author mode) is shown in full: message, diagnosis, inputs, expected and actual values, output.
 */
export function formatReport(report: CheckReport, exercise?: ExerciseSpec): string[] {
  return [formatSummary(report), ...report.checks.flatMap((check) => formatCheck(check, exercise)), ...formatNotes(report)];
}

/** The JSON report: every field the text report shows (location, hints, output, warnings, notes), unabridged. */
export function reportJson(report: CheckReport, exercise?: ExerciseSpec) {
  return {
    exercise: report.exercise,
    passed: report.passed,
    points: report.points,
    maxPoints: report.maxPoints,
    checks: report.checks.map((c) => {
      const hints = hintsOf(exercise, c);
      return {
        id: c.id,
        title: c.title,
        kind: c.kind,
        hidden: c.hidden,
        passed: c.passed,
        status: c.status,
        message: c.message,
        ...(c.diagnosis ? { diagnosis: c.diagnosis } : {}),
        ...(c.file ? { file: c.file } : {}),
        ...(c.line ? { line: c.line } : {}),
        ...(c.function ? { function: c.function } : {}),
        ...(c.expected !== undefined ? { expected: c.expected } : {}),
        ...(c.actual !== undefined ? { actual: c.actual } : {}),
        ...(hints.length ? { hints } : {}),
        ...(c.warnings?.length ? { warnings: c.warnings } : {}),
        ...(c.output ? { output: c.output, outputTruncated: Boolean(c.outputTruncated) } : {}),
        ...(c.instructor ? { instructor: c.instructor } : {}),
        points: c.points,
        maxPoints: c.maxPoints,
        durationMs: c.durationMs,
      };
    }),
    ...(report.notes?.length ? { notes: report.notes } : {}),
    durationMs: report.durationMs,
    sandbox: report.sandbox,
  };
}
