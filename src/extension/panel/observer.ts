// What tests and the e2e harness observe of the training panel (GradlabApi.training), without scraping the webview.
import type * as vscode from 'vscode';
import type { RunRegistry } from '../../core/runs/registry';
import type { TrainingExit } from '../../core/runs/launcher';
import type { ParameterValue } from '../../protocol/parameters';
import type { ExperimentBar, Notice, RenderedMessage } from '../../protocol/webview';

export interface TrainingPanelObserver {
  readonly registry: RunRegistry;
  /** the latest draw report of the webview (how long drawing took), if it has drawn */
  lastRender(): RenderedMessage | undefined;
  /** resolves with the next draw report */
  nextRender(): Promise<RenderedMessage>;
  /** the notices the open panel shows at its top (bad history lines, files that could not be read); none when closed */
  notices(): Notice[];
  /** the experiment bar the open panel shows, if any */
  experiment(): ExperimentBar | undefined;
  /** what the bar's Train button does (the webview posts `train` with its values): resolves when the run ends */
  train(values: Record<string, ParameterValue>): Promise<TrainingExit | undefined>;
  /** the serializer VS Code calls to restore the panel after a reload */
  readonly serializer: vscode.WebviewPanelSerializer;
}
