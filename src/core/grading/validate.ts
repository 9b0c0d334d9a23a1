// `gradlab validate`: proof that an authoring pack grades what it claims. Per exercise: the solution passes
// every check, the starter fails, and the usual mistakes (mutants of the solution, from the worker) are
// caught. Work runs on a pool of warm graders, exercises and mutants interleaved. It lives in grading because it
// grades: grading imports packs, never the other way round.
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DeclaredMutant, ExerciseSpec, GradcheckMode } from '../../protocol/pack';
import type { CheckReport, HelloResult, KinkFinding, Limits, Mutant } from '../../protocol/worker';
import type { GraderClient } from '../grader/client';
import { exerciseDir, findExercise, type LoadedPack } from '../packs/load';
import { PackError } from '../packs/problems';
import { solutionForm, solutionLineNumbers, solutionRegions } from '../packs/regions';
import { materializeForm } from '../packs/scaffold';
import { argparseProblems, parameterisedScripts } from '../packs/parameters';
import { runtimeDir } from '../paths';
import { ArgSpecError, readArgSpec } from '../python/argspec';
import { installHint, missingPackages } from '../python/discover';
import { withTemporaryFolder } from '../temporary';
import { authorView, detailLines } from './authorView';
import { count } from '../words';
import { checkSubmission } from './check';
import { WorkerPool } from './pool';

export interface ValidateOptions {
  /** one warm grader per parallel job */
  clients: GraderClient[];
  /** what the graders' interpreter has: exercises needing a missing package are skipped, and said so */
  hello: HelloResult;
  /** only these exercise ids (all when absent) */
  exercises?: string[];
  limits?: Partial<Limits>;
  gradcheck?: GradcheckMode;
  progress?: (line: string) => void;
}

export interface ChecksOutcome {
  passed: boolean;
  checks: number;
  failed: Array<{ id: string; status: string; message: string }>;
}

export interface MutantOutcome {
  id: string;
  /** the learner file mutated, relative to the exercise folder */
  file: string;
  /** the mutated line in the authoring file */
  line: number;
  description: string;
  caught: boolean;
  /** the checks that failed on it */
  caughtBy: string[];
  /** the manifest's reason, when the mutant is declared equivalent */
  equivalent?: string;
  /** the grader could not judge it (not counted as caught or escaped) */
  error?: string;
}

export interface ExerciseValidation {
  id: string;
  /** the solution passes and the starter fails */
  ok: boolean;
  /** why the exercise was not validated */
  skipped?: string;
  solution?: ChecksOutcome;
  /** checks whose values, graded on the solution, sat on a declared kink (or whose declaration did not evaluate) */
  kinks?: KinkFinding[];
  /** where a script's declared parameters and its own argparse disagree (a pack problem: the exercise is not ok) */
  parameters?: string[];
  starter?: ChecksOutcome;
  mutants?: {
    total: number;
    caught: number;
    equivalent: MutantOutcome[];
    escaped: MutantOutcome[];
    errors: MutantOutcome[];
    /** declared equivalent in the manifest but caught anyway, or not generated at all */
    staleEquivalents: string[];
  };
}

export interface ValidationReport {
  pack: string;
  ok: boolean;
  exercises: ExerciseValidation[];
  durationMs: number;
}

/** Each failed check in full, hidden ones too: validate is the author's view (authorView.ts). */
function outcome(report: CheckReport): ChecksOutcome {
  const failed = report.checks.filter((c) => !c.passed).map((c) => {
    const story = authorView(c);
    return { id: c.id, status: c.status, message: [story.message, story.diagnosis, ...(c.hidden ? detailLines(story) : [])].filter(Boolean).join(' ') };
  });
  return { passed: report.passed, checks: report.checks.length, failed };
}

/** The validation of one exercise: its solution, its starter, then the mutants of its solution. */
class ExerciseValidator {
  private readonly say: (line: string) => void;

  constructor(
    private readonly pack: LoadedPack,
    private readonly exercise: ExerciseSpec,
    private readonly pool: WorkerPool<GraderClient>,
    private readonly options: ValidateOptions,
  ) {
    this.say = (line) => options.progress?.(`${exercise.id}: ${line}`);
  }

  private check(client: GraderClient, submission: string, auditKinks = false): Promise<CheckReport> {
    return checkSubmission({ client, pack: this.pack, exercise: this.exercise, submission, limits: this.options.limits, gradcheck: this.options.gradcheck, auditKinks });
  }

  async validate(): Promise<ExerciseValidation> {
    const { exercise, options } = this;
    const missing = missingPackages(options.hello, exercise.requires ?? []);
    if (missing.length) {
      const skipped = `needs ${missing.join(' and ')}, which ${options.hello.python.executable} lacks: ${missing.map((p) => installHint(p, options.hello.python.executable)).join('; ')}`;
      this.say(`skipped: ${skipped}`);
      return { id: exercise.id, ok: true, skipped };
    }
    return withTemporaryFolder(`gradlab-validate-${exercise.id}-`, async (work) => {
      const solutionDir = join(work, 'solution');
      const starterDir = join(work, 'starter');
      await materializeForm(this.pack, exercise, 'solution', solutionDir);
      await materializeForm(this.pack, exercise, 'starter', starterDir);
      const [solutionReport, starterReport, parameters] = await Promise.all([
        this.pool.run((client) => this.check(client, solutionDir, true)),
        this.pool.run((client) => this.check(client, starterDir)),
        this.parameters(),
      ]);
      const [solution, starter] = [solutionReport, starterReport].map(outcome);
      const kinks = solutionReport.kinks ?? [];
      this.say(`solution ${solution.passed ? 'passes' : 'FAILS'} (${solution.checks - solution.failed.length}/${solution.checks} checks${kinks.length ? `, ${kinks.length} at a kink` : ''}), starter ${starter.passed ? 'PASSES' : 'fails'} (${starter.failed.length}/${starter.checks} checks fail)`);
      if (parameters.length) this.say(`${parameters.length} script parameter problem${parameters.length === 1 ? '' : 's'}`);
      const result: ExerciseValidation = { id: exercise.id, ok: solution.passed && !starter.passed && parameters.length === 0, solution, kinks, parameters, starter };
      if (solution.passed) result.mutants = await this.mutants(solutionDir, work);
      else this.say('mutants skipped: the solution must pass first');
      return result;
    });
  }

  /** An author's own mutant applied to the solution form of its file; an edit that does not apply once is said so. */
  private async declaredMutant(declared: DeclaredMutant): Promise<{ file: string; line: number; mutant: Mutant } | MutantOutcome> {
    const { exercise } = this;
    const file = declared.file ?? exercise.files.find((f) => f.role === 'learner')!.path;
    const id = declaredId(declared.id);
    const description = declared.description ?? `\`${declared.replace}\` replaced by \`${declared.with}\``;
    const authoring = await readFile(join(exerciseDir(this.pack, exercise), ...file.split('/')), 'utf8');
    const solution = solutionForm(authoring);
    const at = solution.indexOf(declared.replace);
    const times = at < 0 ? 0 : solution.split(declared.replace).length - 1;
    if (times !== 1) {
      const error = `its \`replace\` text occurs ${times === 0 ? 'nowhere' : `${times} times`} in the solution form of ${file}: give text that occurs exactly once`;
      return { id, file, line: 1, description, caught: false, caughtBy: [], error };
    }
    const line = solution.slice(0, at).split('\n').length;
    const source = solution.slice(0, at) + declared.with + solution.slice(at + declared.replace.length);
    return { file, line: solutionLineNumbers(authoring)[line - 1] ?? line, mutant: { id, line, description, source } };
  }

  /** Each parameterised script's declarations against its own parser, read in the authoring folder (which runs as the solution). */
  private async parameters(): Promise<string[]> {
    const problems: string[] = [];
    for (const file of parameterisedScripts(this.exercise)) {
      try {
        const spec = await readArgSpec(this.options.hello.python.executable, runtimeDir(), join(exerciseDir(this.pack, this.exercise), ...file.path.split('/')));
        problems.push(...argparseProblems(file.path, file.parameters!, spec));
      } catch (error) {
        if (!(error instanceof ArgSpecError)) throw error;
        problems.push(`${error.message}: its declared parameters could not be checked`);
      }
    }
    return problems;
  }

  private async mutants(solutionDir: string, work: string): Promise<NonNullable<ExerciseValidation['mutants']>> {
    const { exercise } = this;
    const declared = new Map((exercise.mutants?.equivalent ?? []).map((m) => [m.id, m.why] as const));
    const generated: Array<{ file: string; line: number; mutant: Mutant }> = [];
    for (const file of exercise.files.filter((f) => f.role === 'learner')) {
      const authoring = await readFile(join(exerciseDir(this.pack, exercise), ...file.path.split('/')), 'utf8');
      const regions = solutionRegions(authoring);
      if (regions.length === 0) continue;
      const { mutants } = await this.pool.run((client) => client.mutants({ source: solutionForm(authoring), regions }));
      const lines = solutionLineNumbers(authoring);
      for (const mutant of mutants) generated.push({ file: file.path, line: lines[mutant.line - 1] ?? mutant.line, mutant });
    }
    const unusable: MutantOutcome[] = [];
    for (const declared of exercise.mutants?.declared ?? []) {
      const made = await this.declaredMutant(declared);
      if ('mutant' in made) generated.push(made);
      else unusable.push(made);
    }
    let done = 0;
    const outcomes = await Promise.all(
      generated.map(({ file, line, mutant }, index) =>
        this.pool.run(async (client): Promise<MutantOutcome> => {
          const base = { id: mutant.id, file, line, description: mutant.description, equivalent: declared.get(mutant.id) };
          const dir = join(work, `mutant-${index}`);
          try {
            await cp(solutionDir, dir, { recursive: true });
            await writeFile(join(dir, ...file.split('/')), mutant.source);
            const report = await this.check(client, dir);
            const caughtBy = report.checks.filter((c) => !c.passed).map((c) => c.id);
            this.say(`mutant ${++done}/${generated.length} ${report.passed ? (base.equivalent ? 'survives (declared equivalent)' : 'ESCAPES') : 'caught'}: ${mutant.id}`);
            return { ...base, caught: !report.passed, caughtBy };
          } catch (error) {
            if (error instanceof PackError) throw error;
            this.say(`mutant ${++done}/${generated.length} could not be judged: ${mutant.id}: ${(error as Error).message}`);
            return { ...base, caught: false, caughtBy: [], error: (error as Error).message };
          } finally {
            await rm(dir, { recursive: true, force: true });
          }
        }),
      ),
    );
    const judged = outcomes.filter((o) => !o.error);
    const survivors = judged.filter((o) => !o.caught);
    return {
      total: generated.length + unusable.length,
      caught: judged.filter((o) => o.caught).length,
      equivalent: survivors.filter((o) => o.equivalent !== undefined),
      escaped: survivors.filter((o) => o.equivalent === undefined),
      errors: [...outcomes.filter((o) => o.error), ...unusable],
      staleEquivalents: [...declared.keys()].filter((id) => !survivors.some((o) => o.id === id)),
    };
  }
}

/** The id a declared mutant is reported under, apart from the generated `<function>:<operator>:<n>`. */
export function declaredId(id: string): string {
  return `declared:${id}`;
}

export async function validatePack(pack: LoadedPack, options: ValidateOptions): Promise<ValidationReport> {
  if (pack.form !== 'authoring') {
    throw new PackError([{ file: pack.manifestPath, message: 'validate needs the authoring form (with solutions); this is a release' }], pack.dir);
  }
  const started = Date.now();
  const exercises = options.exercises?.length ? options.exercises.map((id) => findExercise(pack, id)) : pack.manifest.exercises;
  const pool = new WorkerPool(options.clients);
  const results = await Promise.all(exercises.map((exercise) => new ExerciseValidator(pack, exercise, pool, options).validate()));
  return { pack: pack.manifest.id, ok: results.every((r) => r.ok), exercises: results, durationMs: Date.now() - started };
}

/** A starter that passes more than half of its checks (but not all): the learner gets most points for nothing. */
function startsAhead(starter: ChecksOutcome): boolean {
  return starter.checks - starter.failed.length > starter.checks / 2;
}

/** "14/15 mutants caught (1 equivalent: id)" */
export function catchRate(result: ExerciseValidation): string {
  const m = result.mutants;
  if (result.skipped) return `skipped (${result.skipped})`;
  if (!m) return 'mutants not run (the solution fails)';
  const notes = [
    m.equivalent.length ? `${m.equivalent.length} equivalent: ${m.equivalent.map((o) => o.id).join(', ')}` : '',
    m.escaped.length ? `${m.escaped.length} escaped` : '',
    m.errors.length ? `${m.errors.length} not judged` : '',
  ].filter(Boolean);
  return `${m.caught}/${m.total} mutant${m.total === 1 ? '' : 's'} caught${notes.length ? ` (${notes.join('; ')})` : ''}`;
}

/** The report as a person reads it: problems first, then each exercise's catch rate. */
export function formatValidation(report: ValidationReport): string[] {
  const lines: string[] = [];
  for (const r of report.exercises) {
    lines.push(`${r.id}: ${catchRate(r)}`);
    if (r.solution && !r.solution.passed) {
      lines.push('  the solution FAILS:');
      for (const f of r.solution.failed) lines.push(`    ${f.id} (${f.status}): ${f.message}`);
    }
    lines.push(...kinkWarnings(r.kinks ?? []).map((l) => `  ${l}`));
    for (const problem of r.parameters ?? []) lines.push(`  parameters: ${problem}`);
    if (r.starter?.passed) lines.push('  the starter PASSES every check: the exercise asks nothing of the learner');
    else if (r.starter && startsAhead(r.starter)) {
      const passing = r.starter.checks - r.starter.failed.length;
      lines.push(`  warning: the starter passes ${passing} of ${count(r.starter.checks, 'check')}: a learner who writes nothing gets most of the points; make the starter fail them (raise NotImplementedError where the learner writes) or add checks of what the learner writes`);
    }
    for (const e of r.mutants?.escaped ?? []) lines.push(`  escaped ${e.file}:${e.line} ${e.id}: ${e.description}`);
    for (const e of r.mutants?.equivalent ?? []) lines.push(`  equivalent ${e.file}:${e.line} ${e.id}: ${e.equivalent}`);
    for (const e of r.mutants?.errors ?? []) lines.push(`  not judged ${e.file}:${e.line} ${e.id}: ${e.error}`);
    for (const id of r.mutants?.staleEquivalents ?? []) lines.push(`  mutants.equivalent lists '${id}', but it was caught or not generated: remove it from the manifest`);
  }
  // each count on its own: an exercise with several problems is counted under each of them
  const failing = report.exercises.filter((r) => r.solution && !r.solution.passed).length;
  const passingStarters = report.exercises.filter((r) => r.starter?.passed).length;
  const aheadStarters = report.exercises.filter((r) => r.starter && !r.starter.passed && startsAhead(r.starter)).length;
  const escaped = report.exercises.reduce((n, r) => n + (r.mutants?.escaped.length ?? 0), 0);
  const skipped = report.exercises.filter((r) => r.skipped).length;
  const atKinks = new Set(report.exercises.flatMap((r) => (r.kinks ?? []).filter((k) => !k.error).map((k) => `${r.id}\0${k.check}`))).size;
  const counts = [
    count(report.exercises.length, 'exercise'),
    `${count(failing, 'solution')} failing`,
    `${count(passingStarters, 'starter')} passing`,
    ...(aheadStarters ? [`${count(aheadStarters, 'starter')} passing more than half of ${aheadStarters === 1 ? 'its' : 'their'} checks`] : []),
    `${count(escaped, 'mutant')} escaped`,
    `${count(atKinks, 'check')} at a kink`,
    ...(skipped ? [`${skipped} skipped`] : []),
  ];
  lines.push(`${report.pack}: ${counts.join(', ')} (${(report.durationMs / 1000).toFixed(1)} s)`);
  return lines;
}

/**
 * The kink findings as validate prints them: per check, what came how close to which kink and the way out; a
 * declaration that could not be evaluated once, with the checks it was watched in.
 */
export function kinkWarnings(findings: KinkFinding[]): string[] {
  const lines: string[] = [];
  const broken = new Map<string, { finding: KinkFinding; checks: string[] }>();
  for (const k of findings) {
    if (k.error) {
      const key = `${k.function}\0${k.value}\0${k.error}`;
      const entry = broken.get(key) ?? { finding: k, checks: [] };
      entry.checks.push(k.check);
      broken.set(key, entry);
      continue;
    }
    const distance = k.distance === 0 ? 'exactly on' : `within ${(k.distance ?? 0).toPrecision(2)} of`;
    lines.push(`at a kink: ${k.check} calls ${k.function} with ${k.value} ${distance} ${k.at} (${k.calls} of ${k.of} call${k.of === 1 ? '' : 's'}), where ${k.why}: a correct answer there is not unique. Move the check's inputs off the kink, or say with \`onKink\` how the check accepts either side`);
  }
  for (const { finding: k, checks } of broken.values()) {
    lines.push(`kinks: the declaration ${k.function} \`${k.value}\` could not be watched (${checks.join(', ')}): ${k.error}; fix the exercise's \`kinks\``);
  }
  return lines;
}
