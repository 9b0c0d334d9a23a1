// What `activate()` returns: used by the integration tests (and by other extensions) to observe what the
// learner sees, without scraping the UI.
import type * as vscode from 'vscode';
import type { CheckReport, CheckStatus } from '../protocol/worker';

export interface GradlabApi {
  readonly testController: vscode.TestController;
  /** The latest report of an exercise's checks, as shown in the Testing view. */
  lastReport(exerciseId: string): CheckReport | undefined;
  /** The state each check's test item was given in the latest run, by check id. */
  testStates(exerciseId: string): Record<string, CheckStatus | 'skipped'>;
}
