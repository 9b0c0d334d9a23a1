// Exercise 01 as a learner meets it: start, check the starter (fails), edit, check the solution (passes).
// The tests run in order and share the scaffolded file.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder } from '../../src/core/paths';
import type { GradlabApi } from '../../src/extension/api';
import type { CheckReport } from '../../src/protocol/worker';
import { activateGradlab, allTabs, replaceAndSave, waitFor, workspaceDir } from './support/gradlab';

const EXERCISE = '01-one-update';
const LEARNER_FILE = 'one_update.py';

async function check(): Promise<CheckReport> {
  const report = await vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', EXERCISE);
  assert.ok(report, 'gradlab.checkExercise resolved to no report');
  assert.equal(report.exercise, EXERCISE);
  assert.ok(report.checks.length > 0, 'the report holds no checks');
  return report;
}

function describe(report: CheckReport): string {
  return report.checks.map((c) => `${c.id}: ${c.status} ${c.message}`).join('\n');
}

suite('Exercise 01-one-update, start to pass', () => {
  let api: GradlabApi;
  let file: vscode.Uri;

  suiteSetup(async () => {
    api = await activateGradlab();
    file = vscode.Uri.file(join(exerciseFolder(workspaceDir(), EXERCISE), LEARNER_FILE));
  });

  test('Start Exercise scaffolds the learner file and opens it', async () => {
    assert.equal(existsSync(file.fsPath), false, `${file.fsPath} exists before the exercise was started`);
    await vscode.commands.executeCommand('gradlab.startExercise', EXERCISE);
    assert.ok(existsSync(file.fsPath), `Start Exercise did not create ${file.fsPath}`);
    await waitFor(
      () => allTabs().some((tab) => tab.input instanceof vscode.TabInputText && tab.input.uri.fsPath === file.fsPath),
      `an editor tab for ${LEARNER_FILE}`,
    );
  });

  test('Check Exercise fails the starter and the Testing API shows each check', async () => {
    const report = await check();
    assert.equal(report.passed, false, `the starter passed:\n${describe(report)}`);
    assert.deepEqual(
      report.checks.filter((c) => c.passed).map((c) => c.id),
      [],
      'checks passed although every starter function raises NotImplementedError',
    );
    const states = api.testStates(EXERCISE);
    assert.deepEqual(Object.keys(states).sort(), report.checks.map((c) => c.id).sort(), 'test items differ from the checks');
    for (const c of report.checks) assert.equal(states[c.id], c.status, `test item ${c.id}`);
    assert.ok(Object.values(states).some((s) => s === 'failed' || s === 'errored'), 'no test item failed');
    assert.deepEqual(api.lastReport(EXERCISE), report);
  });

  test('Start Exercise never overwrites the learner file', async () => {
    const edited = `${readFileSync(file.fsPath, 'utf8')}\n# the learner's own note\n`;
    await replaceAndSave(file, edited);
    await vscode.commands.executeCommand('gradlab.startExercise', EXERCISE);
    assert.equal(readFileSync(file.fsPath, 'utf8'), edited);
  });

  test('Check Exercise passes the reference solution, every item green', async () => {
    const authoring = readFileSync(join(builtinAuthoringPackDir(), EXERCISE, LEARNER_FILE), 'utf8');
    await replaceAndSave(file, solutionForm(authoring));
    const report = await check();
    assert.equal(report.passed, true, `the solution failed:\n${describe(report)}`);
    const states = api.testStates(EXERCISE);
    assert.deepEqual(Object.keys(states).sort(), report.checks.map((c) => c.id).sort(), 'test items differ from the checks');
    for (const [id, state] of Object.entries(states)) assert.equal(state, 'passed', `test item ${id}`);
  });
});
