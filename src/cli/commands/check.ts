// gradlab check <exercise-id> --submission <file|dir> | --all [--workspace dir]
//   [--pack dir|zip] [--python path] [--json] [--timeout s] [--memory MiB] [--gradcheck full|fast|auto]
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkSubmission } from '../../core/grading/check';
import { withSubmissionFolder } from '../../core/grading/submission';
import { findExercise } from '../../core/packs/load';
import { exerciseFolder } from '../../core/paths';
import { printableJson } from '../../core/printable';
import type { CheckReport, CheckResult, ResultParams } from '../../protocol/worker';
import type { ExerciseSpec } from '../../protocol/pack';
import { startGrader } from '../grader';
import { CliProblem, EXIT_FAILED, EXIT_OK, type CliIO } from '../io';
import { gradcheckFrom, graderOptions, limitsFrom, parse, sandboxFrom } from '../options';
import { packFor } from '../pack';
import { formatCheck, formatNotes, formatSummary, reportJson } from '../report';

export const usage = `gradlab check <exercise-id> --submission <file|dir> [options]
gradlab check --all [--workspace <dir>] [options]
  --pack <dir|zip>     the exercise pack (default: the built-in pack)
  --python <path>      interpreter with NumPy (default: python3 on PATH, then the system's)
  --json               print the report as JSON, one document at the end (text: each check as it finishes)
  --timeout <s>        time limit per check (default 10)
  --memory <MiB>       memory limit per check (default 1024)
  --gradcheck <mode>   full, fast or auto (default auto: fast above 2,000 parameters)
  --sandbox <kind>     auto, fork or spawn: how the learner's processes are made (default auto: fork on Linux)`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('check', argv, {
    ...graderOptions,
    submission: { type: 'string' },
    pack: { type: 'string' },
    json: { type: 'boolean' },
    all: { type: 'boolean' },
    workspace: { type: 'string' },
  });
  const limits = limitsFrom(values);
  const gradcheck = gradcheckFrom(values.gradcheck);
  const sandbox = sandboxFrom(values.sandbox);

  const pack = await packFor(values.pack, io.cwd);
  let targets: Array<{ exercise: ExerciseSpec; path: string }>;
  if (values.all) {
    if (positionals.length || values.submission) throw new CliProblem('gradlab check --all takes no exercise id and no --submission');
    const workspace = resolve(io.cwd, values.workspace ?? '.');
    targets = pack.manifest.exercises
      .map((exercise) => ({ exercise, path: exerciseFolder(workspace, exercise.id) }))
      .filter((t) => existsSync(t.path));
    if (targets.length === 0) throw new CliProblem(`No started exercises under ${exerciseFolder(workspace, '')} (start one in VS Code first).`);
  } else {
    if (positionals.length !== 1) throw new CliProblem(`gradlab check needs exactly one exercise id\n${usage}`);
    if (!values.submission) throw new CliProblem('gradlab check needs --submission <file|dir> (or --all)');
    targets = [{ exercise: findExercise(pack, positionals[0]), path: resolve(io.cwd, values.submission) }];
  }

  const client = await startGrader(values.python, [...new Set(targets.flatMap((t) => t.exercise.requires ?? []))], sandbox);
  const reports: Array<{ report: CheckReport; exercise: ExerciseSpec }> = [];
  try {
    for (const { exercise, path } of targets) {
      if (!values.json) io.out(`${exercise.id}: ${exercise.checks.length} checks, each shown as it finishes`);
      // the streamed lines as printed: the report's own version of a check follows when it says more
      const printed = new Map<string, string>();
      const print = (check: CheckResult) => {
        const lines = formatCheck(check, exercise);
        printed.set(check.id, lines.join('\n'));
        for (const line of lines) io.out(line);
      };
      const onResult = values.json ? undefined : ({ result }: ResultParams) => print(result);
      const report = await withSubmissionFolder(exercise, path, (submission) => checkSubmission({ client, pack, exercise, submission, limits, gradcheck, onResult }));
      reports.push({ report, exercise });
      if (values.json) continue;
      for (const check of report.checks) if (printed.get(check.id) !== formatCheck(check, exercise).join('\n')) print(check);
      io.out(formatSummary(report));
      for (const line of formatNotes(report)) io.out(line);
    }
  } finally {
    await client.dispose();
  }
  const json = reports.map(({ report, exercise }) => reportJson(report, exercise));
  if (values.json) io.out(printableJson(values.all ? { passed: reports.every((r) => r.report.passed), exercises: json } : json[0]));
  return reports.every((r) => r.report.passed) ? EXIT_OK : EXIT_FAILED;
}
