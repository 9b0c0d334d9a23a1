// The training panel's part of the extension, registered: the one run registry every run goes through, the
// controller (its commands are in commands/table.ts), the panel serializer (restore after reload) and the CodeLens
// on training scripts.
import * as vscode from 'vscode';
import { RunRegistry } from '../../core/runs/registry';
import { TRAINING_VIEW_TYPE } from '../../protocol/webview';
import { TrainingController } from './controller';
import type { PanelDeps } from './deps';
import { watchWorkspaceHistory } from './historyWatcher';
import { TrainingScriptLenses } from './lenses';
import type { TrainingPanelObserver } from './observer';

/** What registerTrainingPanel returns: a Disposable, the controller the commands drive, and what tests observe. */
export interface TrainingPanelHandle extends vscode.Disposable, TrainingPanelObserver {
  readonly controller: TrainingController;
}

export function registerTrainingPanel(deps: PanelDeps): TrainingPanelHandle {
  const registry = new RunRegistry();
  const controller = new TrainingController(deps, registry);
  const serializer: vscode.WebviewPanelSerializer = {
    deserializeWebviewPanel: (panel, state) => controller.restore(panel, state),
  };
  const disposables: vscode.Disposable[] = [
    controller,
    vscode.window.registerWebviewPanelSerializer(TRAINING_VIEW_TYPE, serializer),
    vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, new TrainingScriptLenses()),
    watchWorkspaceHistory(registry, (file) => controller.streams(file), deps.log),
  ];
  return {
    controller,
    registry,
    lastRender: () => controller.lastRendered,
    nextRender: () => controller.nextRender(),
    notices: () => controller.notices(),
    experiment: () => controller.experiment,
    train: (values) => controller.train(values),
    serializer,
    dispose: () => disposables.forEach((d) => d.dispose()),
  };
}
