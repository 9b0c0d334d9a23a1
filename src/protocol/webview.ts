// The host <-> training-panel webview boundary, described once (the GitLens pattern: typed message constants and a
// `ready` handshake). The webview imports this file and nothing else from the host side.
//
// Flow: the webview starts, posts `ready`; the host answers `init` with everything it holds, then streams `runs`,
// `points` and `snapshots` deltas. While the panel is hidden the host keeps the deltas (its run registry holds all
// data), and a webview that is recreated posts `ready` again and gets a fresh `init`: nothing is lost.
// Numbers travel as Float64Array, which VS Code transfers without JSON encoding.

import type { ParameterValue, ScriptParameter } from './parameters';
import type { HistoryRecord, NonFiniteKind, RunStatus } from './runs';

export const WEBVIEW_PROTOCOL_VERSION = 1;

/** The panel's viewType (also in package.json's `onWebviewPanel:` activation event). */
export const TRAINING_VIEW_TYPE = 'gradlabTraining';

/** live: streamed from a script started here; history: loaded from a file; reference: the exercise's solution. */
export type RunKind = 'live' | 'history' | 'reference';

export interface RunInfo {
  id: string;
  name: string;
  kind: RunKind;
  status: RunStatus;
  backend?: string;
  device?: string;
  deviceName?: string;
  /** why the device differs from the request (a GPU was asked for and none found) */
  deviceNote?: string;
  config?: Record<string, unknown>;
  /** runs of one sweep share a group */
  group?: string;
  script?: string;
  /** Unix milliseconds */
  startedAt?: number;
  error?: string;
  /** the history file the run was read from or streamed to */
  file?: string;
  exerciseId?: string;
  /** things worth knowing about the data: steps that went back, non-finite values, dropped snapshots */
  warnings: string[];
}

export interface NonFiniteMark {
  row: number;
  metric: string;
  kind: NonFiniteKind;
}

/** Metric rows of one run, from row `from` to the run's current row count (rows before `from` are unchanged). */
export interface PointsBlock {
  runId: string;
  from: number;
  steps: Float64Array;
  /** seconds since the run started; NaN where unknown */
  t: Float64Array;
  /** every metric the run has logged so far; NaN where the row has no finite value for it */
  columns: Record<string, Float64Array>;
  /** the rows in this block whose value was NaN or infinite (their column holds NaN) */
  nonFinite: NonFiniteMark[];
}

/** The kinds of snapshot a run holds, each with the history record type its snapshots come from. */
export const SNAPSHOT_KINDS = { fits: 'fit', boundaries: 'boundary', landscapes: 'landscape' } as const;
export type SnapshotKind = keyof typeof SNAPSHOT_KINDS;

/** A snapshot is its history record without `type` and `run`. */
type SnapshotOf<K extends SnapshotKind> = Omit<Extract<HistoryRecord, { type: (typeof SNAPSHOT_KINDS)[K] }>, 'type' | 'run'>;
export type FitSnapshot = SnapshotOf<'fits'>;
export type BoundarySnapshot = SnapshotOf<'boundaries'>;
export type LandscapeSnapshot = SnapshotOf<'landscapes'>;

/** A run's snapshots, by kind, oldest first. */
export type Snapshots = { [K in SnapshotKind]: SnapshotOf<K>[] };

/** Snapshots appended to a run since the previous block. */
export interface SnapshotsBlock extends Snapshots {
  runId: string;
}

/** The experiment bar: the training script the panel's Train button runs, with the parameters its pack declares. */
export interface ExperimentBar {
  /** absolute path of the learner's copy of the script */
  script: string;
  parameters: ScriptParameter[];
}

export interface Notice {
  level: 'info' | 'warning' | 'error';
  message: string;
}

// ---- host -> webview -------------------------------------------------------------------------------------------

export const ToWebview = {
  /** everything the host holds; answers every `ready` */
  Init: 'init',
  /** runs added or changed (status, device, warnings) */
  Runs: 'runs',
  Points: 'points',
  Snapshots: 'snapshots',
  /** runs the user removed from the panel */
  Remove: 'remove',
  /** a message for the panel's notice area (bad history lines, a failed export) */
  Notice: 'notice',
  /** whether a training script is running (shows Stop) */
  Running: 'running',
} as const;

export interface InitMessage {
  type: typeof ToWebview.Init;
  runs: RunInfo[];
  points: PointsBlock[];
  snapshots: SnapshotsBlock[];
  notices: Notice[];
  exerciseId?: string;
  running: boolean;
  /** absent: the exercise has no script with declared parameters (or the panel shows no exercise) */
  experiment?: ExperimentBar;
}
export interface RunsMessage {
  type: typeof ToWebview.Runs;
  runs: RunInfo[];
}
export interface PointsMessage {
  type: typeof ToWebview.Points;
  blocks: PointsBlock[];
}
export interface SnapshotsMessage {
  type: typeof ToWebview.Snapshots;
  blocks: SnapshotsBlock[];
}
export interface RemoveMessage {
  type: typeof ToWebview.Remove;
  runIds: string[];
}
export interface NoticeMessage {
  type: typeof ToWebview.Notice;
  notice: Notice;
}
export interface RunningMessage {
  type: typeof ToWebview.Running;
  running: boolean;
  script?: string;
}

export type HostMessage =
  | InitMessage
  | RunsMessage
  | PointsMessage
  | SnapshotsMessage
  | RemoveMessage
  | NoticeMessage
  | RunningMessage;

// ---- webview -> host -------------------------------------------------------------------------------------------

export const FromWebview = {
  Ready: 'ready',
  /** the charts drew: how long it took and what, for the tests and the log (updates at most once a second, the
   * latest always reported) */
  Rendered: 'rendered',
  ExportCsv: 'exportCsv',
  SavePng: 'savePng',
  /** ask the host to pick history files to add */
  AddHistory: 'addHistory',
  RemoveRun: 'removeRun',
  /** stop the running training script */
  Stop: 'stop',
  /** run the experiment bar's script with these values */
  Train: 'train',
  /** an error inside the webview, for the log */
  Error: 'error',
} as const;

export interface ReadyMessage {
  type: typeof FromWebview.Ready;
  protocol: number;
}
export interface RenderedMessage {
  type: typeof FromWebview.Rendered;
  /** init: the first draw after an `init`; update: a draw after deltas */
  reason: 'init' | 'update';
  runs: number;
  points: number;
  /** non-finite values marked on the charts drawn (arrows at the edge a NaN or infinity ran off) */
  flagged: number;
  /** from the message's arrival to the end of the draw, in milliseconds */
  ms: number;
  /** the draw failed: what went wrong (the panel keeps its previous picture) */
  error?: string;
}
export interface ExportCsvMessage {
  type: typeof FromWebview.ExportCsv;
  runId: string;
}
export interface SavePngMessage {
  type: typeof FromWebview.SavePng;
  /** suggested file name without extension */
  name: string;
  /** data:image/png;base64,... */
  dataUrl: string;
}
export interface AddHistoryMessage {
  type: typeof FromWebview.AddHistory;
}
export interface RemoveRunMessage {
  type: typeof FromWebview.RemoveRun;
  runId: string;
}
export interface StopMessage {
  type: typeof FromWebview.Stop;
}
export interface TrainMessage {
  type: typeof FromWebview.Train;
  values: Record<string, ParameterValue>;
}
export interface ErrorMessage {
  type: typeof FromWebview.Error;
  message: string;
}

export type WebviewMessage =
  | ReadyMessage
  | RenderedMessage
  | ExportCsvMessage
  | SavePngMessage
  | AddHistoryMessage
  | RemoveRunMessage
  | StopMessage
  | TrainMessage
  | ErrorMessage;

// ---- persisted state -------------------------------------------------------------------------------------------

/** What the webview saves with setState and VS Code hands back to the panel serializer after a reload. */
export interface PanelState {
  v: typeof WEBVIEW_PROTOCOL_VERSION;
  exerciseId?: string;
  /** history files whose runs were shown, reloaded by the host on restore */
  files: string[];
  hiddenRuns: string[];
  logScale: boolean;
  tab: string;
  /** the run whose fit, boundary, landscape and table are shown */
  focusRun?: string;
  /** the metric shown in the "other metrics" chart */
  otherMetric?: string;
  /** the experiment bar's values, per script, so a reload keeps what the learner chose */
  experimentValues?: Record<string, Record<string, ParameterValue>>;
}
