// The training panel's commands, as factories of its controller (registered with the others in commands/table.ts).
import * as vscode from 'vscode';
import type { TrainingController } from './controller';
import { currentExercise } from './exercises';

export function openTrainingPanel(training: TrainingController) {
  return (exerciseId?: unknown) => training.open(typeof exerciseId === 'string' ? exerciseId : currentExercise());
}

export function runTrainingScript(training: TrainingController) {
  return (uri?: unknown) => training.runScript(uri instanceof vscode.Uri ? uri : undefined);
}

export function runTrainingScriptWith(training: TrainingController) {
  return (uri?: unknown) => training.runScriptWith(uri instanceof vscode.Uri ? uri : undefined);
}

export function stopTrainingScript(training: TrainingController) {
  return () => training.stop();
}
