// The run-history format, described once: what `gradlab.log` and the snapshots write (JSON Lines, one record
// per line), what streams live from a training script to the host, and what the `run` check kind reads.
// The Python mirror is runtime/gradlab/runs.py; change both together and bump HISTORY_FORMAT_VERSION.
//
// Transport:
//   - history: the file named by GRADLAB_HISTORY (set by VS Code and the grader), else
//     `.gradlab/runs/<YYYYMMDD-HHMMSS>-<run name>.jsonl` under the workspace: the nearest folder at or above the
//     script's working folder that holds a `.gradlab` folder (else the working folder), so that a run started from a
//     terminal lands where the open training panel watches. Records are appended;
//     one file may interleave several runs (a sweep), told apart by `run`.
//   - live stream: when GRADLAB_STREAM_FD is set, the same lines are also written to that file descriptor (a pipe
//     the host opened as fd 3). Lines are flushed on a short timer, at exit and on a crash, never per call.
//
// Non-finite numbers: JSON has no NaN or Infinity. A metric that is NaN, +inf or -inf is written as `null` in
// `metrics` and named in `nonFinite` with its kind, so readers keep the step and can flag it. In array payloads
// (fit, boundary, landscape) a non-finite element is written as `null` without a flag.

export const HISTORY_FORMAT_VERSION = 1;

/** Environment variables a training script reads. */
export const RunEnv = {
  /** absolute path of the history file to append to */
  History: 'GRADLAB_HISTORY',
  /** file descriptor number of the live stream pipe */
  StreamFd: 'GRADLAB_STREAM_FD',
  /** `auto` | `cpu` | `gpu` */
  Device: 'GRADLAB_DEVICE',
} as const;

/** The descriptor the host opens for the live stream (the first one after stdin, stdout and stderr). */
export const STREAM_FD = 3;

/** Where runs go by default, relative to the working folder (and where the host keeps a workspace's runs). */
export const HISTORY_DIR = '.gradlab/runs';

export type DeviceSetting = 'auto' | 'cpu' | 'gpu';

/** `running` is never written: it is what a reader says about a run with a start and no end yet. */
export type RunStatus = 'running' | 'ok' | 'failed' | 'stopped';

export type NonFiniteKind = 'nan' | 'inf' | '-inf';

export interface RunStartRecord {
  type: 'run-start';
  /** format version of the writer */
  v: number;
  /** unique within a history file, e.g. "train_sine-3f2a9c1b" */
  run: string;
  name: string;
  /** wall-clock start, Unix seconds */
  time: number;
  /** the hyper-parameters the script passed to gradlab.run(config=...) (JSON-safe) */
  config?: Record<string, unknown>;
  /** numpy | torch | cupy | python */
  backend: string;
  /** cpu | cuda:0 | mps ... */
  device: string;
  /** human name of the device, e.g. "NVIDIA H100 80GB HBM3" or the CPU model */
  deviceName?: string;
  /** why the device differs from the request, e.g. a GPU was requested and none was found */
  deviceNote?: string;
  /** the sweep this run belongs to: runs with the same group were trained together */
  group?: string;
  /** the script file (argv[0]) */
  script?: string;
  pid?: number;
}

export interface MetricRecord {
  type: 'metric';
  run: string;
  /** a whole number; should grow within a run (readers keep and report a step that goes back) */
  step: number;
  /** seconds since the run started */
  t?: number;
  /** name -> value; null when the value was not finite (see nonFinite) */
  metrics: Record<string, number | null>;
  nonFinite?: Record<string, NonFiniteKind>;
}

/** A 1-D regression snapshot: the data, the model's predictions, and optionally the noise-free function. */
export interface FitRecord {
  type: 'fit';
  run: string;
  step: number;
  x: (number | null)[];
  /** the observed targets (data points) */
  yTrue: (number | null)[];
  /** the model's predictions at x */
  yPred: (number | null)[];
  /** the true function at x, when the script knows it */
  yFunc?: (number | null)[];
}

/** A 2-D classification snapshot: the model's output on a grid, and optionally the data points. */
export interface BoundaryRecord {
  type: 'boundary';
  run: string;
  step: number;
  /** [xMin, xMax, yMin, yMax] */
  bounds: [number, number, number, number];
  nx: number;
  ny: number;
  /** nx * ny model outputs, row-major from yMin up, x varying fastest; probabilities of class 1 or scores */
  values: (number | null)[];
  /** data points [x, y] and their 0/1 labels */
  points?: [number, number][];
  labels?: number[];
}

/** A 1-D loss-landscape slice: the loss as one parameter varies and the others stay fixed. */
export interface LandscapeRecord {
  type: 'landscape';
  run: string;
  step: number;
  /** the parameter varied; metric records logging a metric of this name are the learner's steps on the slice */
  param: string;
  values: (number | null)[];
  losses: (number | null)[];
  /** the other parameters' fixed values, for the chart's title */
  fixed?: Record<string, number>;
}

export interface RunEndRecord {
  type: 'run-end';
  run: string;
  status: Exclude<RunStatus, 'running'>;
  /** seconds since the run started */
  t?: number;
  /** what went wrong, e.g. "ZeroDivisionError: division by zero" or "killed by SIGKILL" */
  error?: string;
}

export type HistoryRecord = RunStartRecord | MetricRecord | FitRecord | BoundaryRecord | LandscapeRecord | RunEndRecord;
