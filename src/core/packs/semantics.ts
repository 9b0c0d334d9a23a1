// What a schema cannot say about a pack: ids that must be unique or must exist, files that must be
// there, solution markers that must (authoring) or must not (release) be in learner files, and checks
// that must point at a function the manifest declares. Every problem is collected, none stops the rest.
import { readFile, stat } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { PACK_FORMAT_VERSION, type CheckKind, type CheckSpec, type ExerciseFile, type ExerciseSpec, type PackManifest } from '../../protocol/pack';
import { declarationProblems } from './parameters';
import type { ManifestSource } from './manifest';
import { MarkerError, hasMarkers, markerBlocks } from './regions';
import { findTests } from './testsSource';
import { jsonPath, type PackProblem } from './problems';
import { nearMiss } from '../nearMiss';

/** Files the release writes beside each exercise's files. */
export const HIDDEN_TRANSCRIPTS = 'hidden.json';
export const BAKED_REFERENCES = 'references.json';
/** what each check cost on the reference when the release was built (ms): the worker runs the cheapest first */
export const CHECK_COSTS = 'costs.json';
export const DEFAULT_TESTS = 'tests.py';

type Path = Array<string | number>;

/** The folder of an exercise inside the pack, relative, with '/' separators. */
export function exerciseDirName(exercise: ExerciseSpec): string {
  return exercise.dir ?? exercise.id;
}

/** The first learner file, which checks without `file` are about. */
function defaultLearnerFile(exercise: ExerciseSpec): string | undefined {
  return exercise.files.find((f) => f.role === 'learner')?.path;
}

/** Why a manifest path may not be used, or undefined when it is a plain relative path inside its folder. */
function unsafePath(path: string): string | undefined {
  if (path.includes('\\')) return `'${path}' uses '\\'; separate folders with '/'`;
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return `'${path}' is absolute; give a path relative to the exercise folder`;
  if (path.split('/').includes('..')) return `'${path}' leaves its folder ('..'); keep every file inside the pack`;
  return undefined;
}

async function fileKind(path: string): Promise<'file' | 'folder' | undefined> {
  try {
    return (await stat(path)).isDirectory() ? 'folder' : 'file';
  } catch {
    return undefined;
  }
}

class Collector {
  readonly problems: PackProblem[] = [];
  constructor(
    private readonly source: ManifestSource,
    readonly dir: string,
  ) {}

  /** A problem with a manifest field. */
  field(segments: Path, message: string): void {
    this.problems.push({ file: this.source.name, line: this.source.lineOf(segments), path: jsonPath(segments), message });
  }

  /** A problem inside a pack file (relative path), at a line. */
  inFile(file: string, line: number | undefined, message: string): void {
    this.problems.push({ file, line, message });
  }

  /** Reports every id seen twice in `items`. */
  unique<T>(items: T[], id: (item: T) => string, at: (index: number) => Path, what: string): void {
    const first = new Map<string, number>();
    items.forEach((item, index) => {
      const key = id(item);
      const earlier = first.get(key);
      if (earlier === undefined) first.set(key, index);
      else this.field(at(index), `duplicate ${what} '${key}' (also at ${jsonPath(at(earlier))})`);
    });
  }

  /** Reads `path` (a manifest path, relative to `folder`), which must exist: reports it and returns undefined when it cannot. */
  async requireFile(folder: string, path: string, at: Path, what: string): Promise<string | undefined> {
    const why = unsafePath(path);
    if (why) {
      this.field(at, why);
      return undefined;
    }
    const relative = posix.join(folder, path);
    const absolute = join(this.dir, ...relative.split('/'));
    const kind = await fileKind(absolute);
    if (kind !== 'file') {
      this.field(at, kind === 'folder' ? `${what} '${relative}' is a folder, not a file` : `${what} '${relative}' does not exist (looked for ${absolute})`);
      return undefined;
    }
    return readFile(absolute, 'utf8');
  }
}

/**
 * `shapeRefused`: the schema has refused parts of the manifest, and its problems are listed with these, so that an
 * author sees every problem in one pass; a part whose shape breaks these checks is left to the schema's words.
 */
export async function semanticProblems(manifest: PackManifest, source: ManifestSource, dir: string, shapeRefused = false): Promise<PackProblem[]> {
  const c = new Collector(source, dir);
  const tolerant = async (part: () => void | Promise<void>): Promise<void> => {
    try {
      await part();
    } catch (error) {
      if (!shapeRefused) throw error;
    }
  };
  await tolerant(() => manifestProblems(manifest, c));
  for (let e = 0; e < (Array.isArray(manifest?.exercises) ? manifest.exercises.length : 0); e++) await tolerant(() => exerciseProblems(manifest, e, c));
  return c.problems;
}

function manifestProblems(manifest: PackManifest, c: Collector): void {
  if (manifest.formatVersion > PACK_FORMAT_VERSION) {
    c.field(['formatVersion'], `this pack is written for format ${manifest.formatVersion}, but this Gradient Lab reads format ${PACK_FORMAT_VERSION}: update Gradient Lab`);
  }
  if (manifest.late && !Number.isFinite(Date.parse(manifest.late.due))) {
    c.field(['late', 'due'], `'${manifest.late.due}' is not a date and time: write it as ISO 8601 with its zone, e.g. 2026-10-09T23:59:00-04:00`);
  }
  c.unique(manifest.lessons, (l) => l.id, (i) => ['lessons', i, 'id'], 'lesson id');
  manifest.lessons.forEach((lesson, l) => {
    if (!lesson.mastery) return;
    c.unique(lesson.mastery.questions, (q) => q.id, (i) => ['lessons', l, 'mastery', 'questions', i, 'id'], 'question id');
    lesson.mastery.questions.forEach((q, i) => {
      if (q.answer >= q.choices.length) c.field(['lessons', l, 'mastery', 'questions', i, 'answer'], `answer ${q.answer} is not a choice: choices are numbered 0 to ${q.choices.length - 1}`);
    });
  });
  c.unique(manifest.exercises, (e) => e.id, (i) => ['exercises', i, 'id'], 'exercise id');
  c.unique(manifest.exercises, exerciseDirName, (i) => ['exercises', i, manifest.exercises[i].dir ? 'dir' : 'id'], 'exercise folder');

  const lessonIds = new Set(manifest.lessons.map((l) => l.id));
  const exerciseIds = new Set(manifest.exercises.map((e) => e.id));
  manifest.exercises.forEach((exercise, e) => {
    if (!lessonIds.has(exercise.lesson)) c.field(['exercises', e, 'lesson'], `unknown lesson '${exercise.lesson}' (lessons: ${[...lessonIds].join(', ')})`);
    (exercise.prerequisites ?? []).forEach((id, p) => {
      if (id === exercise.id) c.field(['exercises', e, 'prerequisites', p], `'${id}' is the exercise itself`);
      else if (!exerciseIds.has(id)) c.field(['exercises', e, 'prerequisites', p], `unknown prerequisite '${id}' (no exercise has that id)`);
    });
  });
  prerequisiteCycles(manifest, c);
}

function prerequisiteCycles(manifest: PackManifest, c: Collector): void {
  const byId = new Map(manifest.exercises.map((e, i) => [e.id, i] as const));
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, trail: string[]): void => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      const cycle = [...trail.slice(trail.indexOf(id)), id];
      c.field(['exercises', byId.get(id)!, 'prerequisites'], `prerequisites go round in a circle: ${cycle.join(' -> ')}`);
      return;
    }
    state.set(id, 'visiting');
    const index = byId.get(id);
    if (index !== undefined) for (const next of manifest.exercises[index].prerequisites ?? []) if (next !== id && byId.has(next)) visit(next, [...trail, id]);
    state.set(id, 'done');
  };
  for (const exercise of manifest.exercises) visit(exercise.id, []);
}

async function exerciseProblems(manifest: PackManifest, e: number, c: Collector): Promise<void> {
  const exercise = manifest.exercises[e];
  const at = (...rest: Path): Path => ['exercises', e, ...rest];
  const folder = exerciseDirName(exercise);
  const folderWhy = unsafePath(folder);
  if (folderWhy) {
    c.field(at(exercise.dir ? 'dir' : 'id'), folderWhy);
    return;
  }
  if ((await fileKind(join(c.dir, ...folder.split('/')))) !== 'folder') {
    c.field(at(exercise.dir ? 'dir' : 'id'), `the exercise folder '${folder}' does not exist in the pack`);
    return;
  }
  const rel = (path: string) => posix.join(folder, path);
  const release = manifest.form === 'release';

  await c.requireFile(folder, exercise.instructions, at('instructions'), 'instructions file');

  c.unique(exercise.files, (f) => f.path, (i) => at('files', i, 'path'), 'file');
  if (!exercise.files.some((f) => f.role === 'learner')) c.field(at('files'), 'no file has role "learner": an exercise needs a file the learner writes');
  const defined = new Map<string, Set<string>>();
  for (let i = 0; i < exercise.files.length; i++) {
    const file = exercise.files[i];
    const text = await c.requireFile(folder, file.path, at('files', i, 'path'), `${file.role} file`);
    if (text === undefined) continue;
    markerProblems(c, rel(file.path), file.role, text, release, at('files', i, 'path'));
    defined.set(file.path, definedNames(text));
  }
  const misnamed = listedButUndefined(exercise, defined, at, c);
  exercise.files.forEach((file, i) => scriptParameterProblems(file, (...rest) => at('files', i, ...rest), c));

  c.unique(exercise.checks, (k) => k.id, (i) => at('checks', i, 'id'), 'check id');
  exercise.checks.forEach((check, k) => checkProblems(exercise, check, (...rest) => at('checks', k, ...rest), c, defined, misnamed));
  await testProblems(exercise, release, at, c);
  if (exercise.mutants?.equivalent) c.unique(exercise.mutants.equivalent, (m) => m.id, (i) => at('mutants', 'equivalent', i, 'id'), 'equivalent mutant');
  if (exercise.mutants?.declared) {
    c.unique(exercise.mutants.declared, (m) => m.id, (i) => at('mutants', 'declared', i, 'id'), 'declared mutant');
    exercise.mutants.declared.forEach((m, i) => {
      const learner = exercise.files.filter((f) => f.role === 'learner').map((f) => f.path);
      if (m.file && !learner.includes(m.file)) c.field(at('mutants', 'declared', i, 'file'), `'${m.file}' is not a learner file of this exercise (${learner.join(', ')}): a mutant edits the file the learner writes`);
    });
  }
}

function markerProblems(c: Collector, file: string, role: string, text: string, release: boolean, at: Path): void {
  if (release || role === 'given') {
    if (hasMarkers(text)) {
      c.field(at, release ? `${file} still has solution markers in a release pack: rebuild it with \`gradlab build\`` : `${file} is a given file but has solution markers; only learner and script files are stripped`);
    }
    return;
  }
  let blocks;
  try {
    blocks = markerBlocks(text);
  } catch (error) {
    if (!(error instanceof MarkerError)) throw error;
    for (const p of error.problems) c.inFile(file, p.line, p.message);
    return;
  }
  if (role === 'learner' && !blocks.some((b) => b.kind === 'SOLUTION')) {
    c.field(at, `${file} has no \`# BEGIN SOLUTION\` ... \`# END SOLUTION\` block: the learner would get the file as it is`);
  }
}

/** The functions, methods and classes a Python file defines, at any depth (a `Value`'s `__mul__` too). */
function definedNames(text: string): Set<string> {
  return new Set([...text.matchAll(/^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)/gm)].map((m) => m[1]));
}

/**
 * Each name in a file's `functions` that the file does not define, said where the name is: a typo there is the
 * problem, not the checks that name the function rightly. Returns the files that have such a name.
 */
function listedButUndefined(exercise: ExerciseSpec, defined: Map<string, Set<string>>, at: (...rest: Path) => Path, c: Collector): Set<string> {
  const files = new Set<string>();
  exercise.files.forEach((file, i) => {
    const names = defined.get(file.path);
    if (!names || file.role !== 'learner') return;
    (file.functions ?? []).forEach((name, j) => {
      if (names.has(name)) return;
      files.add(file.path);
      const guess = nearMiss(name, [...names]);
      c.field(at('files', i, 'functions', j), `'${name}' is listed in the functions of ${file.path}, but ${file.path} defines no function of that name${guess ? ` (did you mean ${guess}?)` : ` (it defines ${[...names].join(', ') || 'none'})`}`);
    });
  });
  return files;
}

/** Only a script takes parameters; names and flags are unique; each declaration's bounds hold its default. */
function scriptParameterProblems(file: ExerciseFile, at: (...rest: Path) => Path, c: Collector): void {
  const parameters = file.parameters ?? [];
  if (parameters.length === 0) return;
  if (file.role !== 'script') {
    c.field(at('parameters'), `${file.path} is a ${file.role} file; only a file with role "script" is run with parameters`);
    return;
  }
  c.unique(parameters, (p) => p.name, (i) => at('parameters', i, 'name'), 'parameter');
  const flagged = parameters.map((p, i) => [p, i] as const).filter(([p]) => p.flag);
  c.unique(flagged, ([p]) => p.flag!, (i) => at('parameters', flagged[i][1], 'flag'), 'flag');
  parameters.forEach((parameter, i) => {
    for (const problem of declarationProblems(parameter)) c.field(at('parameters', i, problem.field), problem.message);
  });
}

function checkProblems(exercise: ExerciseSpec, check: CheckSpec, at: (...rest: Path) => Path, c: Collector, defined: Map<string, Set<string>>, misnamed: Set<string>): void {
  const fileName = check.file ?? defaultLearnerFile(exercise);
  const file = exercise.files.find((f) => f.path === fileName);
  if (check.file && !file) c.field(at('file'), `'${check.file}' is not one of this exercise's files (${exercise.files.map((f) => f.path).join(', ')})`);
  if (check.function && file) {
    const functions = file.functions ?? [];
    // a function the file defines, while its list has a misspelt name: that name's problem says it all
    const coveredByTypo = misnamed.has(file.path) && defined.get(file.path)?.has(check.function);
    if (!functions.includes(check.function) && !coveredByTypo) {
      c.field(at('function'), `'${check.function}' is not among the functions of ${file.path} (${functions.length ? functions.join(', ') : 'it lists none'}): add it to that file's "functions" or fix the name`);
    }
  }
  (KIND_PROBLEMS[check.kind] as KindProblems<CheckKind>)(check, exercise, at, c);
}

type KindProblems<K extends CheckKind> = (check: Extract<CheckSpec, { kind: K }>, exercise: ExerciseSpec, at: (...rest: Path) => Path, c: Collector) => void;

/** What each kind of check must get right beyond the schema; keyed by kind, so a new kind asks for its entry. */
const KIND_PROBLEMS: { [K in CheckKind]: KindProblems<K> } = {
  gradcheck: (check, _exercise, at, c) => {
    const inputs = [...Object.keys(check.inputs), ...Object.keys(check.learnerInputs ?? {})];
    check.wrt.forEach((name, i) => {
      if (!inputs.includes(name)) c.field(at('wrt', i), `'${name}' is not one of the inputs (${inputs.join(', ')})`);
    });
    for (const name of Object.keys(check.labels ?? {})) if (!check.wrt.includes(name)) c.field(at('labels', name), `'${name}' is not in wrt (${check.wrt.join(', ')})`);
  },
  'value-graph': (check, _exercise, at, c) => {
    (check.focus ?? []).forEach((op, i) => {
      if (!check.ops.includes(op)) c.field(at('focus', i), `'${op}' is not in ops (${check.ops.join(', ')}): the graphs could not use it`);
    });
  },
  'training-loop': (check, _exercise, at, c) => {
    if (!(check.optimizer in check.setup)) c.field(at('optimizer'), `'${check.optimizer}' is not a name defined in setup (${Object.keys(check.setup).join(', ')})`);
  },
  run: (check, exercise, at, c) => {
    if (!exercise.files.some((f) => f.path === check.script)) c.field(at('script'), `'${check.script}' is not one of this exercise's files; list it in "files" with role "script"`);
    const metrics = Object.keys(check.metrics);
    check.conditions.forEach((condition, i) => {
      if (condition.below === undefined && condition.above === undefined && !condition.finite) c.field(at('conditions', i), 'a condition needs "below", "above" or "finite": true');
      if (!metrics.includes(condition.metric)) c.field(at('conditions', i, 'metric'), `'${condition.metric}' is not one of the check's metrics (${metrics.join(', ')})`);
    });
  },
  test: () => {}, // tests.py is checked as a whole (testProblems)
};

/** tests.py must implement every test check (authoring), or only the public ones plus transcripts (release). */
async function testProblems(exercise: ExerciseSpec, release: boolean, at: (...rest: Path) => Path, c: Collector): Promise<void> {
  const tests = exercise.checks.filter((k) => k.kind === 'test');
  const hidden = new Set(tests.filter((k) => k.hidden).map((k) => k.id));
  const expected = release ? tests.filter((k) => !k.hidden) : tests;
  const folder = exerciseDirName(exercise);
  const testsPath = exercise.tests ?? DEFAULT_TESTS;
  const testsField = exercise.tests ? at('tests') : at('checks');
  if (release && hidden.size > 0) await c.requireFile(folder, HIDDEN_TRANSCRIPTS, testsField, 'hidden-test transcript file');
  if (expected.length === 0) return;
  const text = await c.requireFile(folder, testsPath, testsField, 'tests file');
  if (text === undefined) return;
  const file = posix.join(folder, testsPath);
  const found = findTests(text);
  const checkKinds = new Map(exercise.checks.map((k) => [k.id, k.kind] as const));
  for (const check of expected) {
    if (!found.some((t) => t.id === check.id)) c.field(at('checks', exercise.checks.indexOf(check), 'id'), `test '${check.id}' has no \`@test("${check.id}")\` function in ${file}`);
  }
  for (const test of found) {
    if (release && hidden.has(test.id)) c.inFile(file, test.line, `the hidden test '${test.id}' is in a release pack: rebuild it with \`gradlab build\``);
    else if (!checkKinds.has(test.id)) c.inFile(file, test.line, `@test("${test.id}") matches no check of ${exercise.id} (checks: ${[...checkKinds.keys()].join(', ')})`);
    else if (checkKinds.get(test.id) !== 'test') c.inFile(file, test.line, `@test("${test.id}") names a ${checkKinds.get(test.id)} check; only "test" checks are implemented in ${testsPath}`);
  }
}
