// What `activate()` returns: used by the integration tests (and by other extensions) to observe what the
// learner sees, without scraping the UI.
import type * as vscode from 'vscode';
import type { CheckReport, CheckResult, CheckStatus } from '../protocol/worker';
import type { ExerciseStatus } from '../core/progress/store';
import type { TrainingPanelObserver } from './panel/observer';

export interface GradlabApi {
  readonly testController: vscode.TestController;
  /** The latest report of an exercise's checks, as shown in the Testing view. */
  lastReport(exerciseId: string): CheckReport | undefined;
  /** The state each check's test item was given in the latest run, by check id. */
  testStates(exerciseId: string): Record<string, CheckStatus | 'skipped'>;
  /** The results of the exercise's latest run so far, in the order they streamed in (a new array for each run). */
  streamedResults(exerciseId: string): readonly CheckResult[];
  /** The status the Exercises view shows for an exercise in the current workspace folder. */
  exerciseStatus(exerciseId: string): Promise<ExerciseStatus>;
  /** The text of the status-bar item, e.g. "$(beaker) 3/12". */
  statusBarText(): string;
  /** The training panel: every run it holds, and the webview's draw reports. */
  readonly training: TrainingPanelObserver;
}
