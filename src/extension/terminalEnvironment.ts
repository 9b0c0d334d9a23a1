// `import gradlab` in the learner's own terminals: `python train_classifier.py` typed in the integrated terminal,
// and the Python extension's Run button, which types the same into a terminal of its own. Every terminal VS Code
// starts gets the runtime folder put first on PYTHONPATH, before whatever PYTHONPATH the learner has (prepend
// keeps it). The collection persists, so terminals restored at the next start have it before we activate.
import { delimiter } from 'node:path';
import type * as vscode from 'vscode';

export function contributeRuntimeToTerminals(collection: vscode.GlobalEnvironmentVariableCollection, runtime: string): void {
  collection.description = 'Puts Gradient Lab\'s Python package first on PYTHONPATH, so that training scripts can `import gradlab`.';
  collection.prepend('PYTHONPATH', runtime + delimiter);
}
