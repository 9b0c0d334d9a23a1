// Above a Python file that logs with gradlab: run it, or open the panel.
import * as vscode from 'vscode';

export class TrainingScriptLenses implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    const text = document.getText();
    if (!/^\s*(import gradlab|from gradlab import)/m.test(text) || !/gradlab\.(log|snapshot_|run\()|\blog\(/.test(text)) return [];
    const top = new vscode.Range(0, 0, 0, 0);
    return [
      new vscode.CodeLens(top, { title: '$(run) Run Training Script', command: 'gradlab.runTrainingScript', arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: '$(settings) Run with...', command: 'gradlab.runTrainingScriptWith', arguments: [document.uri] }),
      new vscode.CodeLens(top, { title: '$(graph-line) Open Training Panel', command: 'gradlab.openTrainingPanel' }),
    ];
  }
}
