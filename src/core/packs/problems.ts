// Everything wrong with a pack, said once per problem with where it is: the file (relative to the pack),
// the line when known, and the manifest field as a path like `exercises[2].checks[0].kind`.
import { FixableError } from '../errors';

export interface PackProblem {
  /** file relative to the pack folder, e.g. "pack.json" or "02-grad-w/linear_mse.py" */
  file: string;
  /** 1-based line in that file, when known */
  line?: number;
  /** the manifest field, e.g. "exercises[2].checks[0].kind" */
  path?: string;
  message: string;
}

export function formatProblem(problem: PackProblem): string {
  const where = problem.line ? `${problem.file}:${problem.line}` : problem.file;
  return `${where}: ${problem.path ? `${problem.path}: ` : ''}${problem.message}`;
}

/** A pack that cannot be used. The first line of the message names the first problem; the rest list all. */
export class PackError extends FixableError {
  constructor(
    readonly problems: PackProblem[],
    /** the pack folder or zip the problems are about */
    readonly pack: string,
  ) {
    super(PackError.describe(problems, pack));
    this.name = 'PackError';
  }

  private static describe(problems: PackProblem[], pack: string): string {
    const first = `${formatProblem(problems[0])}${problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? 's' : ''})` : ''}`;
    if (problems.length === 1) return first;
    return [first, `The pack ${pack} has ${problems.length} problem${problems.length > 1 ? 's' : ''}:`, ...problems.map((p) => `  ${formatProblem(p)}`)].join('\n');
  }
}

/** `["exercises", 2, "checks", 0, "kind"]` -> `exercises[2].checks[0].kind`. */
export function jsonPath(segments: ReadonlyArray<string | number>): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}
