// How a check report reads on a terminal, and its stable JSON shape for scripts. On the terminal, what the
// learner's code printed and messages built from its values lose their control characters first (a learner's
// escape sequence must not paint a PASS); the JSON keeps them, escaped as JSON does.
import { printable } from '../core/printable';
import type { CheckReport, CheckResult } from '../protocol/worker';

const MARK: Record<CheckResult['status'], string> = { passed: 'PASS', failed: 'FAIL', errored: 'ERROR', timeout: 'TIMEOUT' };

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatReport(report: CheckReport): string[] {
  const passed = report.checks.filter((c) => c.passed).length;
  const lines = [`${report.exercise}: ${passed}/${report.checks.length} checks passed, ${report.points}/${report.maxPoints} points (${seconds(report.durationMs)})`];
  for (const check of report.checks) {
    const where = check.function ? ` [${check.file ?? ''}${check.line ? `:${check.line}` : ''} ${check.function}]` : '';
    lines.push(`  ${MARK[check.status].padEnd(7)} ${check.id}${check.hidden ? ' (hidden)' : ''}: ${check.title}${check.passed ? '' : where}`);
    if (check.passed) continue;
    for (const text of [check.message, check.diagnosis]) if (text) for (const l of printable(text).split('\n')) lines.push(`          ${l}`);
    if (check.output) lines.push(`          output${check.outputTruncated ? ' (truncated)' : ''}: ${printable(check.output).trimEnd().split('\n').slice(-5).join(' | ')}`);
  }
  return lines;
}

export function reportJson(report: CheckReport) {
  return {
    exercise: report.exercise,
    passed: report.passed,
    points: report.points,
    maxPoints: report.maxPoints,
    checks: report.checks.map((c) => ({
      id: c.id,
      kind: c.kind,
      hidden: c.hidden,
      passed: c.passed,
      status: c.status,
      message: c.message,
      ...(c.diagnosis ? { diagnosis: c.diagnosis } : {}),
      points: c.points,
      maxPoints: c.maxPoints,
      durationMs: c.durationMs,
    })),
    durationMs: report.durationMs,
  };
}
