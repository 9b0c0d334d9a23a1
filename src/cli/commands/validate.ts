// gradlab validate <pack> [--python path] [--json] [--exercise id ...] [--jobs N]
import { resolve } from 'node:path';
import { GraderClient } from '../../core/grader/client';
import { loadPack } from '../../core/packs/load';
import { PackError, formatProblem } from '../../core/packs/problems';
import { formatValidation, validatePack } from '../../core/grading/validate';
import { runtimeDir } from '../../core/paths';
import { printableJson } from '../../core/printable';
import { startGrader } from '../grader';
import { CliProblem, EXIT_FAILED, EXIT_OK, EXIT_PROBLEM, type CliIO } from '../io';
import { gradcheckFrom, graderOptions, limitsFrom, parse, sandboxFrom } from '../options';

export const usage = `gradlab validate <pack> [options]
  proves, per exercise, that the solution passes every check and the starter fails, and reports which
  usual mistakes (mutants of the solution) the checks do not catch; exit 1 when a solution fails or a
  starter passes, 2 when the pack itself has problems (all of them are listed)
  --exercise <id>      only this exercise (repeatable)
  --jobs <n>           graders working in parallel (default 2)
  --json               print the report as JSON
  --python <path>      interpreter with NumPy (default: python3 on PATH, then the system's)
  --timeout <s>        time limit per check (default 10)
  --memory <MiB>       memory limit per check (default 1024)
  --gradcheck <mode>   full, fast or auto (default auto)
  --sandbox <kind>     auto, fork or spawn: how the learner's processes are made (default auto: fork on Linux)`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('validate', argv, {
    ...graderOptions,
    json: { type: 'boolean' },
    exercise: { type: 'string', multiple: true },
    jobs: { type: 'string' },
  });
  if (positionals.length !== 1) throw new CliProblem(`gradlab validate needs exactly one pack folder or .zip\n${usage}`);
  const jobs = Number(values.jobs ?? 2);
  if (!Number.isInteger(jobs) || jobs < 1) throw new CliProblem(`--jobs must be a whole number from 1, got "${values.jobs}"`);
  const limits = limitsFrom(values);
  const gradcheck = gradcheckFrom(values.gradcheck);
  const sandbox = sandboxFrom(values.sandbox);
  let pack;
  try {
    pack = await loadPack(resolve(io.cwd, positionals[0]));
  } catch (error) {
    if (!(error instanceof PackError)) throw error;
    // Listing every problem of a pack is what validate is for; other commands stop at the first line.
    for (const problem of error.problems) io.err(formatProblem(problem));
    io.err(`gradlab validate: ${error.problems.length} problem${error.problems.length === 1 ? '' : 's'} in ${error.pack}`);
    return EXIT_PROBLEM;
  }

  const first = await startGrader(values.python, [], sandbox);
  const clients = [first, ...Array.from({ length: jobs - 1 }, () => new GraderClient({ python: first.python, runtimeDir: runtimeDir(), sandbox }))];
  try {
    const report = await validatePack(pack, {
      clients,
      hello: await first.hello(),
      exercises: values.exercise,
      limits,
      gradcheck,
      progress: (line) => io.err(line),
    });
    if (values.json) io.out(printableJson(report));
    else for (const line of formatValidation(report)) io.out(line);
    return report.ok ? EXIT_OK : EXIT_FAILED;
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
  }
}
