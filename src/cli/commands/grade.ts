// gradlab grade <authoring-pack> <submissions-dir> [--out dir] [--jobs N] [--exercise id ...] [--shard i/K]
//   [--student name ...] [--roster canvas.csv] [--canvas-column name] [--seed n] [--no-isolation] [--python path] [--timeout s] [--memory MiB]
//   [--gradcheck full|fast|auto]
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { parseShard } from '../../core/gradebook/discover';
import { parseRoster, type CanvasIdentity } from '../../core/gradebook/exports';
import { gradeClass, type GradeProgress } from '../../core/gradebook/grade';
import { points } from '../../core/gradebook/feedback';
import { readRegularFile } from '../../core/fileTypes';
import { latePolicy, parseExtensions, parseSubmissionTimes } from '../../core/gradebook/late';
import { loadPack } from '../../core/packs/load';
import { CliProblem, EXIT_OK, type CliIO } from '../io';
import { gradcheckFrom, graderOptions, limitsFrom, parse, sandboxFrom } from '../options';

export const usage = `gradlab grade <authoring-pack> <submissions-dir> [options]
  grades one folder (or .zip) per student, laid out as the extension scaffolds it (gradlab/<exercise-id>/...)
  --out <dir>          the gradebook folder (default ./gradebook); a re-run reuses unchanged results
  --jobs <n>           students graded in parallel (default: the number of CPU cores)
  --exercise <id>      grade only this exercise (repeat for several)
  --shard <i/K>        grade only shard i of K (students split by a hash of their name), for CI matrices
  --student <name>     regrade only this student (their folder's or .zip's name; repeat for several), afresh,
                       keeping everyone else's record of the gradebook in --out
  --roster <csv>       a gradebook exported from Canvas, to put Canvas IDs into canvas.csv (and a zero row,
                       "no submission", for each roster student without one)
  --canvas-column <name>  the Canvas assignment column to fill, as Canvas's export names it
                       ("Homework 3 (12345)"); default a new column named after the pack
  --due <date>         the due date, ISO 8601 with its zone (2026-10-09T23:59:00-04:00); default the pack's late.due
  --penalty-per-day <percent>  taken per day late or part of one (default the pack's, else 10)
  --penalty-cap <percent>      the most ever taken (default the pack's, else 100)
  --grace <minutes>    minutes after the due date that still count as on time (default the pack's, else 0)
  --extensions <csv>   per-student due dates: columns student and due (a date) or days (added to the due date)
  --submission-times <csv>  when each student submitted (GitHub Classroom's grades export: github_username,
                       submission_timestamp); default the newest file of each submission
  --seed <n>           the grading run's own seed: hidden checks draw their inputs from it, so the answers a
                       learner release ships buy nothing (default: the gradebook's in --out, else a new one;
                       every shard of one class needs the same)
  --no-isolation       grade without OS-level isolation (bubblewrap): only where it cannot run, since a hostile
                       submission can then read other students' work, the hidden tests and the reference solution
  --python <path>      interpreter with NumPy (default: python3 on PATH, then the system's)
  --timeout <s>        time limit per check (default: the exercise's, else 10)
  --memory <MiB>       memory limit per check (default: the exercise's, else 1024)
  --gradcheck <mode>   full, fast or auto (default auto)
  --sandbox <kind>     auto, fork or spawn: how the learner's processes are made (default auto: fork on Linux)`;

/** A CSV the command was given, as text; `what` names it in the message when it cannot be read. */
async function readText(path: string, what: string, cwd: string): Promise<string> {
  try {
    return (await readRegularFile(resolve(cwd, path))).toString('utf8'); // never blocks on a FIFO
  } catch (error) {
    throw new CliProblem(`cannot read ${what} ${path}: ${(error as Error).message}`);
  }
}

export async function readRoster(path: string | undefined, cwd: string): Promise<Map<string, CanvasIdentity> | undefined> {
  return path === undefined ? undefined : parseRoster(await readText(path, 'the roster', cwd));
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0) throw new CliProblem(`--${flag} must be a number from 0, got "${value}"`);
  return n;
}

function progressLine(event: GradeProgress): string[] {
  const { record } = event;
  const how = event.cached ? 'unchanged, from the cache' : `${(event.durationMs / 1000).toFixed(1)} s`;
  const lines = [`[${event.done}/${event.total}] ${record.student}: ${points(record.points)}/${points(record.maxPoints)} points (${how})`];
  for (const message of record.messages) lines.push(`    ${message}`);
  for (const outcome of record.exercises) for (const message of outcome.messages) lines.push(`    ${outcome.exercise}: ${message}`);
  return lines;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('grade', argv, {
    ...graderOptions,
    out: { type: 'string' },
    jobs: { type: 'string' },
    exercise: { type: 'string', multiple: true },
    shard: { type: 'string' },
    student: { type: 'string', multiple: true },
    roster: { type: 'string' },
    'canvas-column': { type: 'string' },
    due: { type: 'string' },
    'penalty-per-day': { type: 'string' },
    'penalty-cap': { type: 'string' },
    grace: { type: 'string' },
    extensions: { type: 'string' },
    'submission-times': { type: 'string' },
    seed: { type: 'string' },
    'no-isolation': { type: 'boolean' },
  });
  if (positionals.length !== 2) throw new CliProblem(`gradlab grade needs the authoring pack and the submissions folder\n${usage}`);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new CliProblem(`--jobs must be a whole number of at least 1, got "${values.jobs}"`);
  const shard = values.shard === undefined ? undefined : parseShard(values.shard);
  if (values.shard !== undefined && !shard) throw new CliProblem(`--shard must look like i/K with 1 <= i <= K (e.g. 2/8), got "${values.shard}"`);
  const limits = limitsFrom(values);
  const gradcheck = gradcheckFrom(values.gradcheck);
  const sandbox = sandboxFrom(values.sandbox);
  const roster = await readRoster(values.roster, io.cwd);
  const seed = values.seed === undefined ? undefined : Number(values.seed);
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 53)) throw new CliProblem(`--seed must be a whole number from 0, got "${values.seed}"`);
  if (shard && seed === undefined) throw new CliProblem(`grading in shards needs --seed, the same for every shard (for example --seed ${randomInt(2 ** 31)}), so that their hidden checks draw the same inputs and their gradebooks merge`);
  const isolation = values['no-isolation'] ? 'off' : 'required';
  if (isolation === 'off') {
    io.err('warning: grading without isolation (--no-isolation): each submission runs with your user\'s rights and can read other students\' work, the pack\'s hidden tests and the reference solution, and leave processes running. Grade untrusted work only where bubblewrap runs.');
  }

  const pack = await loadPack(resolve(io.cwd, positionals[0]));
  const due = values.due ?? pack.manifest.late?.due;
  const extensions = values.extensions === undefined ? undefined : parseExtensions(await readText(values.extensions, 'the extensions', io.cwd), values.extensions, due);
  const late = latePolicy(pack.manifest.late, { due: values.due, penaltyPerDay: number('penalty-per-day', values['penalty-per-day']), cap: number('penalty-cap', values['penalty-cap']), graceMinutes: number('grace', values.grace) }, extensions);
  const submissionTimes = values['submission-times'] === undefined ? undefined : parseSubmissionTimes(await readText(values['submission-times'], 'the submission times', io.cwd), values['submission-times']);
  const started = Date.now();
  const result = await gradeClass({
    pack,
    submissions: resolve(io.cwd, positionals[1]),
    out: resolve(io.cwd, values.out ?? 'gradebook'),
    jobs,
    exercises: values.exercise,
    limits,
    gradcheck,
    shard,
    students: values.student,
    python: values.python,
    roster,
    canvasColumn: values['canvas-column'],
    late,
    submissionTimes,
    seed,
    isolation,
    sandbox,
    onProgress: (event) => progressLine(event).forEach((line) => io.err(line)),
    log: process.env.GRADLAB_DEBUG ? (line) => io.err(line) : undefined,
  });

  for (const line of result.skipped) io.err(`skipped ${line}`);
  if (result.unmatched.length) io.err(`not in the roster (canvas.csv names them by folder): ${result.unmatched.join(', ')}`);
  const students = result.gradebook.students.filter((s) => s.source !== 'roster');
  const absent = result.gradebook.students.length - students.length;
  const lateOnes = students.filter((s) => s.late && s.late.daysLate > 0).length;
  if (late) io.err(`due ${late.due}: ${lateOnes} of ${students.length} submission${students.length === 1 ? '' : 's'} late (the gradebook's note column and each feedback page say by how much)`);
  if (absent) io.err(`${absent} roster student${absent === 1 ? '' : 's'} without a submission: a zero row each, marked "no submission"`);
  const mean = students.length ? students.reduce((s, r) => s + r.points, 0) / students.length : 0;
  const max = result.gradebook.exercises.reduce((s, e) => s + e.maxPoints, 0);
  io.out(
    `Graded ${students.length} student${students.length === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count})` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${result.graded} graded, ${result.cached} unchanged): mean ${points(mean)}/${points(max)} points.`,
  );
  io.out(`Seed ${result.gradebook.settings.seed}: hidden checks drew their inputs from it (--seed ${result.gradebook.settings.seed} draws them again).`);
  io.out(`Gradebook: ${result.out} (gradebook.csv, gradebook.json, canvas.csv, feedback/, instructor/, gradescope/)`);
  return EXIT_OK;
}
