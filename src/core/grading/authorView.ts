// Author mode: what a check found, in full, for whoever wrote the pack. A hidden check graded with the authoring
// pack carries its story in `instructor` (the learner's `message` keeps only the verdict); a public check carries
// it in its own fields. Learner-facing views never call this (gradebook/visible.ts).
import type { CheckResult, HiddenDetails } from '../../protocol/worker';

export function authorView(check: CheckResult): HiddenDetails {
  if (check.instructor) return check.instructor;
  const { message, diagnosis, expected, actual, output, outputTruncated, warnings } = check;
  return { message, diagnosis, expected, actual, output, outputTruncated, warnings };
}

/** The details as indented lines for a terminal or a Markdown block: inputs, expected, actual, diagnosis. */
export function detailLines(details: HiddenDetails): string[] {
  const lines: string[] = [];
  if (details.inputs) lines.push(`inputs: ${Object.entries(details.inputs).map(([name, expr]) => `${name} = ${expr}`).join(', ')}`);
  if (details.expected !== undefined) lines.push(`expected: ${details.expected}`);
  if (details.actual !== undefined) lines.push(`actual: ${details.actual}`);
  return lines;
}
