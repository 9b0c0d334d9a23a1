// Grading a class: every student's submission, every chosen exercise, with N warm workers in parallel.
// The same for `gradlab grade` and the extension's command. Each student is taken in (intake.ts) into a
// private temporary copy; a record is saved as soon as it is made (cache.ts) so an interrupted run resumes;
// the gradebook folder is written at the end (write.ts).
import { randomInt } from 'node:crypto';
import { cpus } from 'node:os';
import { rm } from 'node:fs/promises';
import { relative, resolve, isAbsolute } from 'node:path';
import { GraderClient, WorkerError } from '../grader/client';
import { checkSubmission } from '../grading/check';
import { findExercise, type LoadedPack } from '../packs/load';
import { runtimeDir } from '../paths';
import { withTemporaryFolder } from '../temporary';
import { findPython } from '../python/discover';
import type { ExerciseSpec, GradcheckMode, PythonPackage } from '../../protocol/pack';
import type { CheckResult, Limits, SandboxChoice } from '../../protocol/worker';
import { RecordCache } from './cache';
import { discoverStudents, refuseOneStudentsFolder, shardOf, type Discovery, type Shard, type StudentEntry } from './discover';
import type { CanvasIdentity } from './exports';
import { folderHash, sha256, stableJson } from './fingerprint';
import { stageStudent, type StagedStudent } from './intake';
import { GRADEBOOK_FORMAT, byStudent, round, totals, type ExerciseOutcome, type Gradebook, type GradebookExercise, type GradingIsolation, type StudentRecord } from './model';
import { nearMiss } from '../nearMiss';
import { filesTime, lateness, withLate, type LatePolicy } from './late';
import { absentees } from './roster';
import { ensureGradebookFolder, GradebookError, readGradebook, studentFileName, writeGradebook } from './write';

export interface GradeClassOptions {
  /** the authoring form of the pack (solutions and hidden tests are needed to grade) */
  pack: LoadedPack;
  /** the folder holding one folder or .zip per student */
  submissions: string;
  /** the gradebook folder, also holding the cache of earlier runs */
  out: string;
  /** workers in parallel; default: the number of CPU cores */
  jobs?: number;
  /** exercise ids to grade; default: all */
  exercises?: string[];
  /** limits chosen by the user; the exercises' own apply otherwise */
  limits?: Partial<Limits>;
  gradcheck?: GradcheckMode;
  /** grade only the students of this shard */
  shard?: Shard;
  /**
   * regrade only these students (folder names), afresh, keeping every other student's record of the gradebook
   * already in `out`
   */
  students?: string[];
  /** the interpreter to use (setting or --python); else discovered */
  python?: string;
  /** further interpreters to try before PATH (the Python extension's environment) */
  candidates?: string[];
  /** OS-level isolation of each submission: `required` (the default) refuses to grade where it cannot isolate */
  isolation?: GradingIsolation;
  /** the sandbox that makes the learner's processes (GraderClientOptions.sandbox); verdicts are the same in each */
  sandbox?: SandboxChoice;
  /**
   * the grading run's own seed, from which hidden checks draw their inputs: default the seed of the gradebook
   * already in `out` (a re-run reproduces it), else a new random one
   */
  seed?: number;
  roster?: Map<string, CanvasIdentity>;
  /** the due date and late policy (late.ts); absent: no penalties */
  late?: LatePolicy;
  /** when each student submitted, from a manifest (by folder name); others are dated by their files */
  submissionTimes?: Map<string, string>;
  /** the Canvas assignment column to fill (see canvasCsv) */
  canvasColumn?: string;
  onProgress?: (event: GradeProgress) => void;
  /** the workers' own log lines */
  log?: (line: string) => void;
  signal?: AbortSignal;
}

export interface GradeProgress {
  done: number;
  total: number;
  record: StudentRecord;
  cached: boolean;
  durationMs: number;
}

export interface GradeClassResult {
  gradebook: Gradebook;
  out: string;
  /** entries of the submissions folder that are not students */
  skipped: string[];
  /** students the roster did not know (canvas.csv names them by folder) */
  unmatched: string[];
  graded: number;
  cached: number;
}

function inside(child: string, parent: string): boolean {
  const path = relative(parent, child);
  return path === '' || (!path.startsWith('..') && !isAbsolute(path));
}

function exerciseSummary(exercise: ExerciseSpec): GradebookExercise {
  const checks = exercise.checks.map((c) => ({ id: c.id, title: c.title, hidden: Boolean(c.hidden), points: c.points ?? 1, hints: c.hints ?? [] }));
  return { id: exercise.id, title: exercise.title, maxPoints: round(checks.reduce((s, c) => s + c.points, 0)), hints: exercise.hints ?? [], checks };
}

const JOBS_PER_HEAVY_WORKER = 2;

/** The packages beyond NumPy an exercise's sandbox imports (PyTorch), sorted: exercises with equal lists share workers. */
function heavyPackages(exercise: ExerciseSpec): string[] {
  return (exercise.requires ?? []).filter((p) => p !== 'numpy').sort();
}

/**
 * Hands out warm workers, all on the interpreter the first one found: one per job for the NumPy exercises, and one
 * per set of heavy packages an exercise preloads for every JOBS_PER_HEAVY_WORKER jobs. A worker whose sandbox has
 * imported PyTorch forks every later check from a process ten times the size, which made all the other exercises'
 * checks slower, so PyTorch exercises get workers of their own; those are shared because importing PyTorch costs
 * about a second of CPU and half a GiB per worker, while PyTorch exercises are a small part of each student's
 * grading, so two jobs seldom wait for one another there.
 */
class Workers {
  private found: Promise<{ python: string; client: GraderClient }> | undefined;
  private readonly clients = new Map<string, Promise<GraderClient>>();
  private discoveredTaken = false;
  private warmed = false;

  constructor(private readonly options: GradeClassOptions, private readonly require: PythonPackage[]) {}

  client(job: number, exercise: ExerciseSpec): Promise<GraderClient> {
    const preload = heavyPackages(exercise);
    const key = preload.length ? `${Math.floor(job / JOBS_PER_HEAVY_WORKER)}:${preload.join('+')}` : `${job}:`;
    let client = this.clients.get(key);
    if (!client) {
      const isolation = this.options.isolation ?? 'required';
      this.found ??= findPython({ configured: this.options.python, candidates: this.options.candidates, require: this.require, runtimeDir: runtimeDir(), log: this.options.log, isolation, sandbox: this.options.sandbox });
      // The worker discovery started serves the first NumPy job; the others are new workers on its interpreter.
      const reuse = !preload.length && !this.discoveredTaken;
      this.discoveredTaken ||= reuse;
      client = this.found.then((f) => (reuse ? f.client : new GraderClient({ python: f.python, runtimeDir: runtimeDir(), log: this.options.log, preload, isolation, sandbox: this.options.sandbox })));
      this.clients.set(key, client);
    }
    return client;
  }

  /**
   * Starts the heavy-package workers the jobs will need, so that PyTorch is imported while the jobs grade the NumPy
   * exercises instead of stalling the first job (and the one sharing its worker) that reaches a PyTorch exercise.
   * Failures are left to the first real request, which reports them. Only the first call does anything.
   */
  warm(exercises: ExerciseSpec[], jobs: number): void {
    if (this.warmed) return;
    this.warmed = true;
    // one exercise per set of heavy packages: the others would name the same workers
    const bySet = new Map(exercises.map((e) => [heavyPackages(e).join('+'), e]));
    bySet.delete('');
    for (const exercise of bySet.values()) {
      for (let job = 0; job < jobs; job += JOBS_PER_HEAVY_WORKER) {
        this.client(job, exercise).then((c) => c.hello()).catch(() => undefined);
      }
    }
  }

  async dispose(): Promise<void> {
    const clients = await Promise.allSettled([...this.clients.values()]);
    await Promise.all(clients.map((c) => (c.status === 'fulfilled' ? c.value.dispose() : undefined)));
  }
}

export async function gradeClass(options: GradeClassOptions): Promise<GradeClassResult> {
  const { pack } = options;
  if (pack.form !== 'authoring') {
    throw new GradebookError(`${pack.zip ?? pack.dir} is a learner release; grading needs the authoring pack, with its solutions and hidden tests`);
  }
  const exercises = options.exercises?.length ? [...new Set(options.exercises)].map((id) => findExercise(pack, id)) : pack.manifest.exercises;
  const out = resolve(options.out);
  const submissions = resolve(options.submissions);
  if (inside(out, submissions)) throw new GradebookError(`the gradebook folder ${out} is inside the submissions folder: it would be graded as a student; choose another --out`);
  if (inside(out, pack.dir)) throw new GradebookError(`the gradebook folder ${out} is inside the pack: choose another --out`);
  if (inside(submissions, pack.dir) || inside(pack.dir, submissions)) throw new GradebookError('the pack and the submissions folder must not be inside one another');
  await ensureGradebookFolder(out);

  const discovery = await discoverStudents(submissions);
  refuseOneStudentsFolder(submissions, discovery, pack.manifest.exercises.map((e) => e.id));
  const shard = options.shard;
  const named = chosenStudents(discovery, options.students, submissions);
  const students = discovery.students.filter((s) => (!shard || shardOf(s.student, shard.count) === shard.index) && (!named || named.has(s.student)));

  const cache = new RecordCache(out, studentFileName);
  const settings = {
    gradcheck: options.gradcheck ?? 'auto',
    limits: options.limits ?? {},
    grader: await folderHash(runtimeDir(), (name) => name.endsWith('.py')),
    seed: options.seed ?? (await cache.seed()) ?? randomInt(2 ** 31),
    isolation: options.isolation ?? 'required',
  } satisfies Gradebook['settings'];
  await cache.saveSeed(settings.seed);
  const summaries = exercises.map(exerciseSummary);
  const gradebookBase = {
    format: GRADEBOOK_FORMAT,
    pack: { id: pack.manifest.id, title: pack.manifest.title, version: pack.manifest.version, hash: await folderHash(pack.dir) },
    settings,
    exercises: summaries,
  } as const;

  // Regrading some students keeps everyone else's record, which must have been made the same way.
  const others = named ? await recordsKept(out, gradebookBase, named, discovery) : [];

  const requires = [...new Set<PythonPackage>(['numpy', ...exercises.flatMap((e) => e.requires ?? [])])];
  const workers = new Workers(options, requires);
  const records: StudentRecord[] = [];
  let graded = 0;
  let cached = 0;

  const jobs = Math.max(1, Math.min(options.jobs ?? cpus().length, students.length));
  // Each student is staged under one temporary folder that goes with the run, however it ends.
  await withTemporaryFolder('gradlab-grade-', async (tempRoot) => {
    // No student's code may read the class's submissions, the gradebook or what the grader stages (its own files are
    // copies the worker makes elsewhere).
    const kept = [submissions, out, tempRoot];
    const gradeOne = async (entry: StudentEntry, job: number): Promise<void> => {
      const started = Date.now();
      let staged: StagedStudent | undefined;
      try {
        staged = await stageStudent(entry, exercises, tempRoot);
        const key = sha256(
          stableJson({
            format: GRADEBOOK_FORMAT,
            pack: gradebookBase.pack.hash,
            settings,
            messages: staged.messages,
            exercises: staged.exercises.map(({ exercise, status, messages, files }) => ({ exercise, status, messages, files })),
          }),
        );
        let record = named ? undefined : await cache.get(entry.student, key); // a regrade grades afresh
        const fromCache = Boolean(record);
        if (!record) {
          workers.warm(exercises, jobs); // the first student to grade: a resumed run with nothing new starts nothing
          const outcomes: ExerciseOutcome[] = [];
          for (const [index, stagedExercise] of staged.exercises.entries()) {
            outcomes.push(await gradeExercise(exercises[index], summaries[index], stagedExercise, () => workers.client(job, exercises[index]), kept, settings.seed, options));
          }
          record = { student: entry.student, source: entry.kind === 'zip' ? 'zip' : 'folder', messages: staged.messages, ...totals(outcomes), exercises: outcomes, key };
          // A grader failure is not the student's doing: leave it out of the cache so the next run retries it.
          if (!outcomes.some((o) => o.status === 'error')) await cache.put(record);
          graded++;
        } else {
          cached++;
        }
        records.push(record);
        options.onProgress?.({ done: records.length, total: students.length, record, cached: fromCache, durationMs: Date.now() - started });
      } finally {
        if (staged) await rm(staged.root, { recursive: true, force: true });
      }
    };

    try {
      await runPool(students, jobs, gradeOne, options.signal);
    } catch (error) {
      if (!options.signal?.aborted) throw error; // a cancelled check is the cancellation reported below
    } finally {
      await workers.dispose();
    }
  });
  if (options.signal?.aborted) throw new GradebookError(`grading was cancelled after ${records.length} of ${students.length} students; their results are saved, and a re-run continues from there`);

  const entries = new Map(discovery.students.map((s) => [s.student, s]));
  const submitted = await Promise.all([...records, ...others].map((r) => dated(r, entries.get(r.student), options)));
  const missing = options.roster ? absentees(submitted, summaries, options.roster, (name) => !shard || shardOf(name, shard.count) === shard.index) : [];
  const gradebook: Gradebook = { ...gradebookBase, ...(options.late ? { late: options.late } : {}), ...(shard ? { shard: { index: shard.index, count: shard.count } } : {}), students: [...submitted, ...missing].sort(byStudent) };
  const { unmatched } = await writeGradebook(out, gradebook, { roster: options.roster, canvasColumn: options.canvasColumn });
  return { gradebook, out, skipped: discovery.skipped, unmatched, graded, cached };
}

/** The record with the late policy applied: its time from the manifest, else from its files. */
async function dated(record: StudentRecord, entry: StudentEntry | undefined, options: GradeClassOptions): Promise<StudentRecord> {
  if (!options.late) return withLate(record, undefined);
  const listed = options.submissionTimes?.get(record.student);
  const time = listed !== undefined ? Date.parse(listed) : entry && (await filesTime(entry));
  if (time === undefined) return withLate(record, undefined);
  return withLate(record, lateness(options.late, record.student, time, listed !== undefined ? 'manifest' : 'files', record.late?.pointsBefore ?? record.points));
}

/** The students named for a regrade (--student), each of them found in the submissions folder. */
function chosenStudents(discovery: Discovery, names: string[] | undefined, submissions: string): Set<string> | undefined {
  if (!names?.length) return undefined;
  const found = discovery.students.map((s) => s.student);
  const unknown = names.filter((n) => !found.includes(n));
  if (unknown.length) {
    const guesses = unknown.map((n) => nearMiss(n, found)).filter(Boolean);
    throw new GradebookError(`no submission named ${unknown.join(', ')} in ${submissions}${guesses.length ? ` (did you mean ${guesses.join(', ')}?)` : ''}: --student takes the name of a student's folder or .zip there`);
  }
  return new Set(names);
}

/**
 * The records a regrade keeps: those of the gradebook in `out` for students not named and still submitted, when
 * it was graded with the same pack content, settings and exercises (else mixing them would mislead).
 */
async function recordsKept(out: string, base: Omit<Gradebook, 'students'>, named: Set<string>, discovery: Discovery): Promise<StudentRecord[]> {
  let previous: Gradebook;
  try {
    previous = await readGradebook(out);
  } catch {
    return []; // no gradebook yet: it holds the named students only
  }
  const same = previous.pack.hash === base.pack.hash && stableJson(previous.settings) === stableJson(base.settings) && stableJson(previous.exercises.map((e) => e.id)) === stableJson(base.exercises.map((e) => e.id));
  if (!same) {
    throw new GradebookError(`the gradebook in ${out} was graded with other pack content, settings or exercises, so regrading only ${[...named].join(', ')} would mix two gradings: grade the whole class again (without --student)`);
  }
  const submitted = new Set(discovery.students.map((s) => s.student));
  return previous.students.filter((r) => r.source !== 'roster' && !named.has(r.student) && submitted.has(r.student));
}

async function gradeExercise(
  exercise: ExerciseSpec,
  summary: GradebookExercise,
  staged: StagedStudent['exercises'][number],
  client: () => Promise<GraderClient>,
  kept: string[],
  seed: number,
  options: GradeClassOptions,
): Promise<ExerciseOutcome> {
  const outcome: ExerciseOutcome = { exercise: exercise.id, status: staged.status === 'ready' ? 'graded' : staged.status, points: 0, maxPoints: summary.maxPoints, messages: staged.messages, checks: [] };
  if (staged.status !== 'ready' || !staged.folder) return outcome;
  try {
    const report = await checkSubmission({ client: await client(), pack: options.pack, exercise, submission: staged.folder, limits: options.limits, gradcheck: options.gradcheck, private: kept, seed, signal: options.signal });
    return { ...outcome, points: round(report.points), maxPoints: round(report.maxPoints), checks: report.checks.map(boundedOutput) };
  } catch (error) {
    // Only a worker that died or failed inside is this submission's problem to report; the rest stop the run.
    if (!(error instanceof WorkerError) || !['crashed', 'internal'].includes(error.code)) throw error;
    return { ...outcome, status: 'error', messages: [...outcome.messages, `the grader failed on this exercise (${error.message}); re-run gradlab grade to retry it`] };
  }
}

/** What a check printed, as much as the gradebook keeps: a class of chatty submissions must not bloat it. */
export const GRADEBOOK_OUTPUT_CHARS = 4096;

function boundedOutput(check: CheckResult): CheckResult {
  if (!check.output || check.output.length <= GRADEBOOK_OUTPUT_CHARS) return check;
  return { ...check, output: check.output.slice(0, GRADEBOOK_OUTPUT_CHARS), outputTruncated: true };
}

/** Runs `work` on every item with at most `jobs` at once; the first failure stops new work and is thrown. */
async function runPool<T>(items: T[], jobs: number, work: (item: T, job: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  let failed = false;
  await Promise.all(
    Array.from({ length: jobs }, async (_, job) => {
      while (!failed && !signal?.aborted && next < items.length) {
        const item = items[next++];
        try {
          await work(item, job);
        } catch (error) {
          failed = true;
          throw error;
        }
      }
    }),
  );
}
