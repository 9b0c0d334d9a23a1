// `gradlab build`: the learner release of an authoring pack. Learner files lose their solutions, tests.py
// loses its hidden tests, and each exercise gains the hidden tests' transcripts and baked references that
// the grader recorded from the reference solution. The release is checked by loading it before it
// replaces anything, and only a previous release (or an empty folder) is ever replaced.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { ExerciseSpec, PackManifest } from '../../protocol/pack';
import type { Limits, RecordParams, RecordResult } from '../../protocol/worker';
import type { ScriptArgSpec } from '../python/argspec';
import { withTemporaryFolder } from '../temporary';
import { effectiveLimits } from './limits';
import { exerciseDir, loadPack, type LoadedPack } from './load';
import { MANIFEST_NAMES } from './manifest';
import { argparseProblems, parameterisedScripts } from './parameters';
import { PackError, type PackProblem } from './problems';
import { fileInForm, materializeForm } from './scaffold';
import { BAKED_REFERENCES, CHECK_COSTS, DEFAULT_TESTS, HIDDEN_TRANSCRIPTS, exerciseDirName } from './semantics';
import { findTests, removeTests } from './testsSource';
import { zipFolder } from './zip';

export interface BuildOptions {
  /** the release folder to write (replaced if it holds an earlier release) */
  out: string;
  /** also write `<out>.zip` */
  zip?: boolean;
  /** runs an exercise's hidden tests against its reference solution: GraderClient.record */
  record: (params: RecordParams) => Promise<RecordResult>;
  /** limits the user chose for recording; the exercise's own and the defaults apply otherwise */
  limits?: Partial<Limits>;
  progress?: (line: string) => void;
  /** reads a script's own parser (core/python/argspec), to refuse parameters the script would reject */
  readArgSpec?: (script: string) => Promise<ScriptArgSpec>;
}

export interface BuildResult {
  /** the release folder */
  dir: string;
  /** the release .zip, when asked for */
  zip?: string;
  exercises: Array<{ id: string; files: number; hiddenTests: number }>;
}

function refuse(out: string, message: string): never {
  throw new PackError([{ file: out, message }], out);
}

/** Only an empty folder or an earlier release may be replaced: never an authoring pack or someone's files. */
async function checkOut(out: string, pack: LoadedPack): Promise<void> {
  const rel = relative(out, pack.dir);
  if (rel === '' || (!rel.startsWith('..') && !isAbsolute(rel))) {
    refuse(out, `the output folder contains the pack itself (${pack.dir}); choose another --out`);
  }
  if (!existsSync(out)) return;
  if (!(await stat(out)).isDirectory()) refuse(out, 'exists and is not a folder; choose another --out');
  const entries = await readdir(out);
  if (entries.length === 0) return;
  const manifest = MANIFEST_NAMES.map((name) => join(out, name)).find((path) => existsSync(path));
  const form = manifest ? /"form"\s*:\s*"release"/.test(await readFile(manifest, 'utf8')) : false;
  if (!form) refuse(out, 'exists and is not a Gradient Lab release; choose another --out or empty it first');
}

/** The release manifest: same exercises and checks, form "release", and nothing about the solution. */
function releaseManifest(manifest: PackManifest): PackManifest {
  const { $schema: _schema, ...rest } = manifest;
  return {
    ...rest,
    form: 'release',
    exercises: manifest.exercises.map(({ mutants: _mutants, ...exercise }) => exercise),
  };
}

async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

async function buildExercise(pack: LoadedPack, exercise: ExerciseSpec, target: string, options: BuildOptions) {
  const source = exerciseDir(pack, exercise);
  for (const file of exercise.files) await writeText(join(target, ...file.path.split('/')), await fileInForm(pack, exercise, file, 'starter'));
  await writeText(join(target, ...exercise.instructions.split('/')), await readFile(join(source, ...exercise.instructions.split('/')), 'utf8'));

  const tests = exercise.checks.filter((c) => c.kind === 'test');
  const hidden = new Set(tests.filter((c) => c.hidden).map((c) => c.id));
  if (tests.length > hidden.size) {
    const testsPath = exercise.tests ?? DEFAULT_TESTS;
    const publicSource = removeTests(await readFile(join(source, ...testsPath.split('/')), 'utf8'), hidden);
    const left = findTests(publicSource).filter((t) => hidden.has(t.id));
    if (left.length) throw new Error(`could not strip the hidden test '${left[0].id}' from ${exercise.id}/${testsPath} (line ${left[0].line}); is it a top-level function?`);
    await writeText(join(target, ...testsPath.split('/')), publicSource);
  }

  await withTemporaryFolder('gradlab-build-', async (forms) => {
    const [reference, given] = [join(forms, 'solution'), join(forms, 'starter')];
    await materializeForm(pack, exercise, 'solution', reference);
    await materializeForm(pack, exercise, 'starter', given);
    const recorded = await options.record({
      pack: { dir: pack.dir, form: pack.form },
      exercise,
      reference,
      given,
      limits: effectiveLimits(exercise, options.limits),
    });
    await writeText(join(target, HIDDEN_TRANSCRIPTS), `${JSON.stringify(recorded.transcripts ?? null)}\n`);
    await writeText(join(target, BAKED_REFERENCES), `${JSON.stringify(recorded.references ?? null)}\n`);
    await writeText(join(target, CHECK_COSTS), `${JSON.stringify(recorded.costs ?? {})}\n`);
  });
  return { id: exercise.id, files: exercise.files.length, hiddenTests: hidden.size };
}

/** A release whose experiment bar would start a script with flags it rejects is refused, with every disagreement. */
async function checkScriptParameters(pack: LoadedPack, read: (script: string) => Promise<ScriptArgSpec>): Promise<void> {
  const problems: PackProblem[] = [];
  for (const exercise of pack.manifest.exercises) {
    for (const file of parameterisedScripts(exercise)) {
      const script = join(exerciseDir(pack, exercise), ...file.path.split('/'));
      let spec: ScriptArgSpec;
      try {
        spec = await read(script);
      } catch (error) {
        problems.push({ file: script, message: `${(error as Error).message}: its declared parameters could not be checked` });
        continue;
      }
      for (const message of argparseProblems(file.path, file.parameters!, spec)) problems.push({ file: script, message });
    }
  }
  if (problems.length) throw new PackError(problems, pack.dir);
}

export async function buildRelease(pack: LoadedPack, options: BuildOptions): Promise<BuildResult> {
  if (pack.form !== 'authoring') refuse(pack.dir, `${pack.manifest.id} is already a release; build from its authoring form`);
  const out = resolve(options.out);
  await checkOut(out, pack);
  await mkdir(dirname(out), { recursive: true });
  const staging = await mkdtemp(join(dirname(out), `.${basename(out)}-`));
  const exercises: BuildResult['exercises'] = [];
  try {
    if (options.readArgSpec) await checkScriptParameters(pack, options.readArgSpec);
    for (const exercise of pack.manifest.exercises) {
      options.progress?.(`${exercise.id}: recording hidden tests and references`);
      exercises.push(await buildExercise(pack, exercise, join(staging, ...exerciseDirName(exercise).split('/')), options));
    }
    await writeFile(join(staging, 'pack.json'), `${JSON.stringify(releaseManifest(pack.manifest), null, 2)}\n`);
    await loadPack(staging); // the release must load as one: markers gone, hidden tests out, transcripts in place
    await rm(out, { recursive: true, force: true });
    await rename(staging, out);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const result: BuildResult = { dir: out, exercises };
  if (options.zip) {
    result.zip = `${out}.zip`;
    await writeFile(result.zip, await zipFolder(out, pack.manifest.id));
  }
  return result;
}
