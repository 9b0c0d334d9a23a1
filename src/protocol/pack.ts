// The exercise-pack manifest as it crosses every boundary: read and validated once by src/core/packs
// (against schemas/pack.schema.json), then handed whole to the worker inside CheckParams, so the Python
// runtime never parses a manifest itself. docs/pack-format.md explains each field for authors.

import type { ScriptParameter } from './parameters';

export const PACK_FORMAT_VERSION = 1;

/** `authoring`: solutions inside the learner files, hidden tests as Python. `release`: what `gradlab build` writes. */
export type PackForm = 'authoring' | 'release';

export interface PackManifest {
  $schema?: string;
  formatVersion: number;
  id: string;
  title: string;
  version: string;
  description?: string;
  form: PackForm;
  /** the due date and late policy of `gradlab grade` */
  late?: LatePolicySpec;
  lessons: LessonSpec[];
  exercises: ExerciseSpec[];
}

/** When work is due and what lateness costs; percentages of the points earned. */
export interface LatePolicySpec {
  /** ISO 8601 with a zone */
  due: string;
  /** percent per day late or part of one (default 10) */
  penaltyPerDay?: number;
  /** the most percent taken (default 100) */
  cap?: number;
  /** minutes after `due` that still count as on time (default 0) */
  graceMinutes?: number;
}

export interface LessonSpec {
  id: string;
  title: string;
  mastery?: MasterySpec;
}

export interface MasterySpec {
  /** fraction of questions to answer right, e.g. 0.75 */
  passMark: number;
  questions: MasteryQuestion[];
}

export interface MasteryQuestion {
  id: string;
  prompt: string;
  choices: string[];
  /** index into choices */
  answer: number;
  explanation?: string;
}

export type PythonPackage = 'numpy' | 'torch';

export type FileRole =
  /** the learner edits it; its solution regions are stripped in the release */
  | 'learner'
  /** read-only support code; graded from the pack's copy, never the learner's */
  | 'given'
  /** a training script the learner runs (and may edit); not graded as a learner file */
  | 'script';

export interface ExerciseFile {
  path: string;
  role: FileRole;
  /** the functions (or classes) the learner writes in this file, for CodeLens and locations */
  functions?: string[];
  /** a script's command-line parameters, for the training panel's experiment bar and "Run Training Script with..." */
  parameters?: ScriptParameter[];
}

export interface ExerciseLimits {
  timeoutS?: number;
  memoryMb?: number;
}

export interface HintPolicy {
  /** failed checks needed before each further hint unlocks (0: all hints available at once) */
  attemptsPerHint: number;
}

export interface Tolerance {
  rtol?: number;
  atol?: number;
}

export interface CheckBase {
  id: string;
  title: string;
  /** default 1 */
  points?: number;
  /** reported by title, verdict and hint only; its source never reaches the learner */
  hidden?: boolean;
  /** the learner function the check is about: failures are shown there */
  function?: string;
  /** the learner file holding `function`; default: the exercise's first learner file */
  file?: string;
  /** ordered from nudge to near-answer, shown when this check fails */
  hints?: string[];
  tolerance?: Tolerance;
  /** the check is about the exercise's kinks and accepts every valid one-sided answer there: how (validate trusts it) */
  onKink?: string;
}

/** Per element up to a size, random directions above (auto); every element (full); a few random directions (fast). */
export type GradcheckMode = 'auto' | 'full' | 'fast';

export interface GradcheckSpec extends CheckBase {
  kind: 'gradcheck';
  /** name -> Python expression, evaluated in order in the pack's given code with `np`, `rng` and earlier names */
  inputs: Record<string, string>;
  /**
   * name -> Python expression evaluated in the learner's process after `inputs` (with them bound): values only the
   * learner's code can give, such as the mask its dropout drew, for the loss to use as plain numbers
   */
  learnerInputs?: Record<string, string>;
  /** Python expression of the scalar loss, in terms of the input names, computed by the pack's given code only */
  loss: string;
  /** Python expression of the analytic gradient: one value per `wrt` name (a tuple when several) */
  gradient: string;
  /** the input names differentiated; a name may hold a float, an array or a dict of arrays */
  wrt: string[];
  /** words for each wrt name in messages, e.g. {"w": "grad_w"} */
  labels?: Record<string, string>;
  /** random points tried, default 3 */
  trials?: number;
  /** overrides the host's setting */
  mode?: GradcheckMode;
  /** random directions in fast mode, default 4 (never fewer) */
  directions?: number;
  /** pre-activation of a ReLU, to recognise a missing mask: expression and the parameters its unit axis feeds */
  relu?: { preactivation: string; params: string[] };
}

export interface ValueGraphSpec extends CheckBase {
  kind: 'value-graph';
  /** the learner's scalar-autograd class, default "Value" */
  class?: string;
  /** operations the engine may use: add radd sub rsub mul rmul neg truediv rtruediv pow relu */
  ops: string[];
  /** operations this exercise asks the learner to write: tested alone first so the first wrong one is named */
  focus?: string[];
  /** random expression graphs, default 25 */
  graphs?: number;
  seed?: number;
}

export interface TrainingLoopSpec extends CheckBase {
  kind: 'training-loop';
  /** name -> Python expression, evaluated in order in the learner's namespace (seeded problem, model, optimizer) */
  setup: Record<string, string>;
  /** the expression that runs the learner's loop, e.g. "train(model, x, y, optimizer, 5)" */
  run: string;
  /** expression listing the parameter objects (each with .data and .grad) */
  parameters: string;
  /** name from setup whose step() is observed */
  optimizer: string;
  /** the update rule it implements, to name the term that differs and accept its other correct forms */
  rule?: OptimizerRule;
}

/** An update rule a training-loop check knows the usual variants of, with the settings its setup uses. */
export interface OptimizerRule {
  name: 'adam';
  lr: number;
  /** default [0.9, 0.999] */
  betas?: [number, number];
  /** default 1e-8 */
  eps?: number;
}

export interface TestSpec extends CheckBase {
  kind: 'test';
}

/** A condition on one of the run check's metrics, computed from what the script trained. */
export interface RunCondition {
  metric: string;
  below?: number;
  above?: number;
  /** the metric must be a finite number */
  finite?: boolean;
}

export interface RunSpec extends CheckBase {
  kind: 'run';
  /** the training script, relative to the exercise folder (the pack's copy runs, never the learner's) */
  script: string;
  /** its command-line arguments */
  args?: string[];
  /** Python expression, evaluated in the script's namespace after loading it (not as __main__), that trains and returns the result, e.g. "main()" */
  call: string;
  /** name -> Python expression, evaluated in order in the pack's given code with `np` and `rng`: the grader's data */
  data?: Record<string, string>;
  /** name -> Python expression of a number, in the pack's given code, with `result` (what `call` returned) and the data */
  metrics: Record<string, string>;
  conditions: RunCondition[];
}

export type CheckSpec = GradcheckSpec | ValueGraphSpec | TrainingLoopSpec | TestSpec | RunSpec;

/** The check kinds, derived from the spec types: a new kind is a new spec type in CheckSpec and nothing more here. */
export type CheckKind = CheckSpec['kind'];

/**
 * A mistake of the author's own: an edit of a learner file's solution form, which `gradlab validate` tries and
 * reports like the generated mutants, under the id `declared:<id>`.
 */
export interface DeclaredMutant {
  id: string;
  /** the learner file (default: the exercise's first learner file) */
  file?: string;
  /** text of the solution form occurring exactly once in the file */
  replace: string;
  with: string;
  description?: string;
}

export interface EquivalentMutant {
  id: string;
  why: string;
}

/** A point where a function the checks go through has no single derivative; `gradlab validate` keeps checks off it. */
export interface KinkSpec {
  /** the function (or `Class.method`) whose arguments hold the value */
  function: string;
  /** Python expression of the values, in terms of the function's parameter names, with `np` */
  value: string;
  /** where the kink is, default 0 */
  at?: number;
  /** how close counts as on the kink, default 1e-8 (the gradient checks' finest finite-difference step) */
  tolerance?: number;
  /** what has no single derivative there, in validate's warning */
  why: string;
}

export interface ExerciseSpec {
  id: string;
  title: string;
  lesson: string;
  order: number;
  prerequisites?: string[];
  /** folder inside the pack, default: the id */
  dir?: string;
  /** Markdown file inside the exercise folder */
  instructions: string;
  requires?: PythonPackage[];
  limits?: ExerciseLimits;
  files: ExerciseFile[];
  /** Python file with the `@test` implementations, default "tests.py" */
  tests?: string;
  hints?: string[];
  hintPolicy?: HintPolicy;
  checks: CheckSpec[];
  kinks?: KinkSpec[];
  mutants?: { equivalent?: EquivalentMutant[]; declared?: DeclaredMutant[] };
}
