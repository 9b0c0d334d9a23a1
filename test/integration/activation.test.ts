import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activateGradlab } from './support/gradlab';

suite('Activation', () => {
  test('gradlab.gradlab activates and returns its API', async () => {
    const api = await activateGradlab();
    assert.equal(api.testController.id.length > 0, true, 'the API has no test controller');
    assert.equal(typeof api.lastReport, 'function');
    assert.equal(typeof api.testStates, 'function');
  });

  test('the learner commands are registered', async () => {
    await activateGradlab();
    const commands = new Set(await vscode.commands.getCommands(true));
    for (const command of ['gradlab.startExercise', 'gradlab.checkExercise', 'gradlab.openTrainingPanel']) {
      assert.ok(commands.has(command), `command ${command} is not registered`);
    }
  });
});
