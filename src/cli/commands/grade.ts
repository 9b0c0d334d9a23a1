// gradlab grade <authoring-pack> <submissions-dir> [--out dir] [--jobs N] [--exercise id ...] [--shard i/K]
//   [--roster canvas.csv] [--seed n] [--no-isolation] [--python path] [--timeout s] [--memory MiB]
//   [--gradcheck full|fast|auto]
import { randomInt } from 'node:crypto';
import { resolve } from 'node:path';
import { parseShard } from '../../core/gradebook/discover';
import { parseRoster, type CanvasIdentity } from '../../core/gradebook/exports';
import { gradeClass, type GradeProgress } from '../../core/gradebook/grade';
import { points } from '../../core/gradebook/feedback';
import { readRegularFile } from '../../core/fileTypes';
import { loadPack } from '../../core/packs/load';
import { CliProblem, EXIT_OK, type CliIO } from '../io';
import { gradcheckFrom, graderOptions, limitsFrom, parse, sandboxFrom } from '../options';

export const usage = `gradlab grade <authoring-pack> <submissions-dir> [options]
  grades one folder (or .zip) per student, laid out as the extension scaffolds it (gradlab/<exercise-id>/...)
  --out <dir>          the gradebook folder (default ./gradebook); a re-run reuses unchanged results
  --jobs <n>           students graded in parallel (default: the number of CPU cores)
  --exercise <id>      grade only this exercise (repeat for several)
  --shard <i/K>        grade only shard i of K (students split by a hash of their name), for CI matrices
  --roster <csv>       a gradebook exported from Canvas, to put Canvas IDs into canvas.csv
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

export async function readRoster(path: string | undefined, cwd: string): Promise<Map<string, CanvasIdentity> | undefined> {
  if (!path) return undefined;
  let text: string;
  try {
    text = (await readRegularFile(resolve(cwd, path))).toString('utf8'); // never blocks on a FIFO
  } catch (error) {
    throw new CliProblem(`cannot read the roster ${path}: ${(error as Error).message}`);
  }
  return parseRoster(text);
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
    roster: { type: 'string' },
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
    python: values.python,
    roster,
    seed,
    isolation,
    sandbox,
    onProgress: (event) => progressLine(event).forEach((line) => io.err(line)),
    log: process.env.GRADLAB_DEBUG ? (line) => io.err(line) : undefined,
  });

  for (const line of result.skipped) io.err(`skipped ${line}`);
  if (result.unmatched.length) io.err(`not in the roster (canvas.csv names them by folder): ${result.unmatched.join(', ')}`);
  const { students } = result.gradebook;
  const mean = students.length ? students.reduce((s, r) => s + r.points, 0) / students.length : 0;
  const max = result.gradebook.exercises.reduce((s, e) => s + e.maxPoints, 0);
  io.out(
    `Graded ${students.length} student${students.length === 1 ? '' : 's'}${shard ? ` (shard ${shard.index}/${shard.count})` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s ` +
      `(${result.graded} graded, ${result.cached} unchanged): mean ${points(mean)}/${points(max)} points.`,
  );
  io.out(`Seed ${result.gradebook.settings.seed}: hidden checks drew their inputs from it (--seed ${result.gradebook.settings.seed} draws them again).`);
  io.out(`Gradebook: ${result.out} (gradebook.csv, gradebook.json, canvas.csv, feedback/, gradescope/)`);
  return EXIT_OK;
}
