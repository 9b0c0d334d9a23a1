// The host <-> grading-worker boundary, described once. The Python mirror is runtime/gradlab/protocol.py;
// change both together and bump PROTOCOL_VERSION.
//
// Transport: `python <runtime>/launch.py gradlab.worker` on stdio. Every message is one frame:
//   Content-Length: <byte length of the UTF-8 body>\r\n\r\n<JSON body>
// Requests carry an integer `id` and get exactly one response with the same id; notifications carry none.
// A `check` request streams: each check's result goes out as a `result` notification the moment it is known, and
// the response then closes the request with the whole report (the authoritative one: see ResultParams).

import type { CheckKind, ExerciseSpec, GradcheckMode, PackForm } from './pack';

export const PROTOCOL_VERSION = 5;

/**
 * Environment variable of the worker's process: heavy packages (comma-separated, e.g. `torch`) its sandbox imports
 * right after start instead of on the first check that needs them. Read by gradlab.sandbox.zygote.
 */
export const PRELOAD_VARIABLE = 'GRADLAB_PRELOAD';

/**
 * Environment variable of the worker's process: whether the learner's processes run in OS-level isolation
 * (bubblewrap namespaces, runtime/gradlab/sandbox/isolation.py). `required` refuses every check where it cannot
 * isolate (`gradlab grade`), `auto` isolates where it can (the extension, `gradlab check`), `off` never does.
 */
export const ISOLATION_VARIABLE = 'GRADLAB_ISOLATION';
export type IsolationMode = 'required' | 'auto' | 'off';

/**
 * Environment variable of the worker's process: which sandbox makes the learner's processes
 * (runtime/gradlab/sandbox/choice.py). `fork` forks them from a zygote that imported NumPy (Linux, macOS); `spawn`
 * takes a pre-started interpreter per check from a pool (every platform, the only one on Windows); `auto` is fork on
 * Linux and spawn elsewhere. Set from the setting gradlab.sandbox and `--sandbox`; unset, the environment's own
 * value reaches the worker.
 */
export const SANDBOX_VARIABLE = 'GRADLAB_SANDBOX';
export const SANDBOX_CHOICES = ['auto', 'fork', 'spawn'] as const;
export type SandboxChoice = (typeof SANDBOX_CHOICES)[number];
/** the sandbox that ran: what `auto` chose, or what was asked for */
export type SandboxKind = Exclude<SandboxChoice, 'auto'>;

export const WorkerMethod = {
  /** What the interpreter can do: Python, NumPy and PyTorch versions, sandbox support. */
  Hello: 'hello',
  /** Run one exercise's checks on one submission. */
  Check: 'check',
  /** Run hidden tests against the reference solution and return their transcripts (pack build). */
  Record: 'record',
  /** Generate mutants (the usual mistakes) of a solution file's solution regions (pack validate). */
  Mutants: 'mutants',
  /** Finish the current request, then exit. */
  Shutdown: 'shutdown',
} as const;
export type WorkerMethod = (typeof WorkerMethod)[keyof typeof WorkerMethod];

export const WorkerNotification = {
  /** host -> worker: abandon the request with this id (a newer save arrived); it answers with code `cancelled`. */
  Cancel: 'cancel',
  /** worker -> host: a line for the host's log channel (never learner output). */
  Log: 'log',
  /** worker -> host: one check of a running `check` request has its result (ResultParams); the response follows. */
  Result: 'result',
} as const;
export type WorkerNotification = (typeof WorkerNotification)[keyof typeof WorkerNotification];

export interface RequestMessage<P = unknown> {
  id: number;
  method: WorkerMethod;
  params: P;
}

export interface NotificationMessage<P = unknown> {
  method: WorkerNotification;
  params: P;
}

export const ErrorCode = {
  /** malformed request or unknown method */
  BadRequest: 'bad-request',
  /** the pack or exercise could not be loaded (message says which file and why) */
  Pack: 'pack',
  /** the exercise needs a package the interpreter lacks (NumPy, PyTorch) */
  MissingDependency: 'missing-dependency',
  /** the sandbox asked for cannot run here (GRADLAB_SANDBOX unknown, or fork where there is none) */
  UnsupportedPlatform: 'unsupported-platform',
  /** isolation is required and this machine cannot isolate (bubblewrap missing, user namespaces refused) */
  IsolationUnavailable: 'isolation-unavailable',
  /** answered a Cancel notification */
  Cancelled: 'cancelled',
  /** a bug in the worker itself */
  Internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export interface ResponseError {
  code: ErrorCode;
  message: string;
  /** for `missing-dependency`: the missing package names */
  missing?: string[];
}

export interface ResponseMessage<R = unknown> {
  id: number;
  result?: R;
  error?: ResponseError;
}

export interface LogParams {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface CancelParams {
  id: number;
}

/**
 * One check's result while its `check` request runs, in the order the checks finish. The response's report holds
 * every result again, and wins where the two differ: a failure can gain a pointer to the cause another check found
 * later (a test that finished before the gradient check that explains it).
 */
export interface ResultParams {
  /** the `check` request's id */
  id: number;
  result: CheckResult;
  /** checks of the request with no result yet */
  remaining: number;
}

// ---- hello ----

export interface PackageInfo {
  available: boolean;
  version?: string;
  /** why the import failed, when it did */
  error?: string;
}

export interface HelloResult {
  protocolVersion: number;
  runtimeVersion: string;
  python: { version: string; executable: string; implementation: string };
  platform: string;
  numpy: PackageInfo & { blas?: string };
  torch: PackageInfo & { cuda?: boolean; device?: string };
  /** the sandbox that runs the learner's code, or null when none can (the checks are refused, saying why) */
  sandbox: SandboxKind | null;
  /** whether the learner's processes run in OS-level isolation, and why not when they do not */
  isolation: { mode: IsolationMode; isolated: boolean; reason?: string };
}

// ---- check ----

export interface Limits {
  /** wall-clock and CPU seconds per check */
  timeoutS: number;
  /** address space a check may add, MiB */
  memoryMb: number;
  /** captured stdout+stderr kept per check, KiB */
  outputKb: number;
}

export const DEFAULT_LIMITS: Limits = { timeoutS: 10, memoryMb: 1024, outputKb: 64 };

/** The pack as the worker needs it: validated by the host, never re-parsed in Python. */
export interface PackRef {
  /** absolute path of the pack folder */
  dir: string;
  form: PackForm;
}

export interface CheckParams {
  pack: PackRef;
  exercise: ExerciseSpec;
  /** absolute path of a folder holding the learner's files under their exercise names */
  submission: string;
  /**
   * a folder holding the starter form of the learner files: the pack's given code, from which the worker draws
   * inputs, computes losses and metrics, and which it lays over any given code the submission edited
   */
  given: string;
  /**
   * authoring form only: a folder holding the solution form of the learner files, used for
   * reference values (hidden tests run as real code; training-loop trajectories)
   */
  reference?: string;
  limits: Limits;
  gradcheck: GradcheckMode;
  /** run only these check ids (all when absent) */
  only?: string[];
  /** functions the learner just edited: their checks run first, gradient-level ones leading (results stream) */
  focus?: string[];
  /** a grading run's own seed: hidden tests and gradient checks draw new inputs from it (absent: the fixed ones) */
  seed?: number;
  /**
   * absolute paths (folders or files) the learner's processes may not open at all, beyond the pack and the
   * reference folder: other students' submissions, the gradebook, the grader's temporary folders
   */
  private?: string[];
  /**
   * `gradlab validate` on the solution: watch the exercise's declared kinks during every check (except training
   * runs, whose verdict is a threshold) and report the values that come within tolerance (CheckReport.kinks)
   */
  auditKinks?: boolean;
}

export type CheckStatus = 'passed' | 'failed' | 'errored' | 'timeout';

export interface CheckResult {
  id: string;
  title: string;
  kind: CheckKind;
  hidden: boolean;
  status: CheckStatus;
  passed: boolean;
  /** what happened, in plain words; for hidden checks only the verdict, never test source or values */
  message: string;
  /**
   * author mode: a hidden check that did not pass, graded with an authoring pack (`validate`, `check --pack`,
   * `gradlab grade`), in full for the pack's author. Never shown to learners; a release never carries it.
   */
  instructor?: HiddenDetails;
  /** the kind of mistake, when the numbers name one ("grad_w is exactly half the numeric gradient...") */
  diagnosis?: string;
  points: number;
  maxPoints: number;
  /** where in the learner's files: file relative to the submission folder, function name, 1-based line */
  file?: string;
  function?: string;
  line?: number;
  /** for a diff view; absent for hidden checks */
  expected?: string;
  actual?: string;
  /** learner stdout+stderr captured during this check, bounded */
  output?: string;
  outputTruncated?: boolean;
  warnings?: string[];
  durationMs: number;
}

/** What a hidden check found, for its author only (CheckResult.instructor). */
export interface HiddenDetails {
  message: string;
  diagnosis?: string;
  expected?: string;
  actual?: string;
  /** the inputs the check's spec draws, as its expressions (a gradient check's `inputs`) */
  inputs?: Record<string, string>;
  output?: string;
  outputTruncated?: boolean;
  warnings?: string[];
}

/** Something about the submission besides the checks: given code it edited, which grading ignores. */
export interface ReportNote {
  file: string;
  line?: number;
  message: string;
}

/** A check that went through a declared kink (CheckParams.auditKinks): its answer there is not unique. */
export interface KinkFinding {
  check: string;
  /** the KinkSpec's function and value */
  function: string;
  value: string;
  at: number;
  /** the closest any value came to `at`, over every call of the function during the check (absent: none measured) */
  distance?: number;
  /** calls of the function whose values came within tolerance, of all its calls during the check */
  calls: number;
  of: number;
  why: string;
  /** the value expression could not be evaluated on the function's arguments: the pack's declaration is wrong */
  error?: string;
}

export interface CheckReport {
  exercise: string;
  passed: boolean;
  points: number;
  maxPoints: number;
  checks: CheckResult[];
  notes?: ReportNote[];
  kinks?: KinkFinding[];
  durationMs: number;
  /** the sandbox that ran the learner's code */
  sandbox: SandboxKind;
}

// ---- record (pack build) ----

export interface RecordParams {
  pack: PackRef;
  exercise: ExerciseSpec;
  /** the solution form of the learner files */
  reference: string;
  /** the starter form of the learner files (see CheckParams.given) */
  given: string;
  limits: Limits;
}

/** Opaque to the host: written to the release as the exercise's hidden-test transcripts. */
export interface RecordResult {
  transcripts: unknown;
  /** baked reference data for checks that compare with the solution (training-loop trajectories) */
  references: unknown;
  /** milliseconds each check took on the reference solution: written to the release, where it orders the checks */
  costs: Record<string, number>;
}

// ---- mutants (pack validate) ----

export interface MutantsParams {
  /** solution-form source of one learner file */
  source: string;
  /** 1-based inclusive line ranges of the solution regions in `source` */
  regions: Array<[number, number]>;
}

export interface Mutant {
  /** stable across runs of the same source: `<function>:<operator>:<n>` */
  id: string;
  line: number;
  /** the usual mistake, in words: "dropped the factor 2 in `2 * error.mean()`" */
  description: string;
  source: string;
}

export interface MutantsResult {
  mutants: Mutant[];
}
