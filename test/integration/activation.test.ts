import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { packageRoot } from '../../src/core/paths';
import { COMMANDS } from '../../src/extension/commands/table';
import { SettingKey } from '../../src/extension/settings';
import { activateGradlab } from './support/gradlab';

const contributes = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')).contributes as {
  commands: { command: string }[];
  configuration: { properties: Record<string, unknown> };
};

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

  test('the command table holds exactly the commands of package.json, and each is registered', async () => {
    await activateGradlab();
    const contributed = contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(Object.keys(COMMANDS).sort(), contributed);
    const registered = new Set(await vscode.commands.getCommands(true));
    for (const command of contributed) assert.ok(registered.has(command), `command ${command} is not registered`);
  });

  test('settings.ts has a key for exactly the settings of package.json', () => {
    assert.deepEqual(Object.values(SettingKey).map((key) => `gradlab.${key}`).sort(), Object.keys(contributes.configuration.properties).sort());
  });
});
