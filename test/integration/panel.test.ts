import * as vscode from 'vscode';
import { activateGradlab, allTabs, waitFor } from './support/gradlab';

suite('Training panel', () => {
  test('Open Training Panel shows the training webview', async () => {
    await activateGradlab();
    await vscode.commands.executeCommand('gradlab.openTrainingPanel');
    await waitFor(
      () => allTabs().some((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('gradlabTraining')),
      'a webview tab whose viewType contains gradlabTraining',
    );
  });
});
