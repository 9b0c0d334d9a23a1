// Verdicts stream in per check, the checks of the function just edited first, and the newest save always wins:
// a burst of saves ends with the last save's full report, never an older one's results shown as the newest.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder } from '../../src/core/paths';
import type { GradlabApi } from '../../src/extension/api';
import type { CheckReport } from '../../src/protocol/worker';
import { activateGradlab, replaceAndSave, waitFor, workspaceDir } from './support/gradlab';

const EXERCISE = '08-cross-entropy';
const FILE = 'cross_entropy.py';
const RIGHT = '    return (softmax(logits) - one_hot(labels, logits.shape[1])) / len(labels)';
const WRONG = '    return softmax(logits) - one_hot(labels, logits.shape[1])'; // a sum where the loss is a mean

suite('Verdicts stream per check, the newest save wins', () => {
  let api: GradlabApi;
  let uri: vscode.Uri;
  let solution: string;

  /** The report of the next check after `before`, once every one of its results has streamed in. */
  async function nextReport(before: CheckReport | undefined, what: string): Promise<CheckReport> {
    return waitFor(() => {
      const report = api.lastReport(EXERCISE);
      return report !== before && report;
    }, what, 60_000);
  }

  suiteSetup(async () => {
    api = await activateGradlab();
    await vscode.commands.executeCommand('gradlab.startExercise', EXERCISE);
    uri = vscode.Uri.file(join(exerciseFolder(workspaceDir(), EXERCISE), FILE));
    solution = solutionForm(readFileSync(join(builtinAuthoringPackDir(), EXERCISE, FILE), 'utf8'));
    assert.ok(solution.includes(RIGHT));
  });

  test('each result is marked as it arrives, and the report holds the same verdicts', async () => {
    const before = api.lastReport(EXERCISE);
    await replaceAndSave(uri, solution);
    const report = await nextReport(before, 'the solution to be checked');
    assert.equal(report.passed, true, report.checks.map((c) => `${c.id}: ${c.message}`).join('\n'));
    const streamed = api.streamedResults(EXERCISE);
    assert.deepEqual(streamed.map((r) => r.id).sort(), report.checks.map((c) => c.id).sort(), 'every check streamed once');
    assert.deepEqual(Object.values(api.testStates(EXERCISE)), report.checks.map(() => 'passed'));
    assert.doesNotMatch(api.statusBarText(), /running/, 'the status bar still counts running checks');
  });

  test('an edit inside one function puts its gradient check first', async () => {
    const document = await vscode.workspace.openTextDocument(uri);
    const line = document.getText().split('\n').indexOf(RIGHT);
    const before = api.lastReport(EXERCISE);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, document.lineAt(line).range, WRONG);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await document.save());
    const report = await nextReport(before, 'the edited file to be checked');
    assert.equal(api.streamedResults(EXERCISE)[0].id, 'softmax-ce-grad-fd', api.streamedResults(EXERCISE).map((r) => r.id).join(', '));
    assert.equal(report.checks.find((c) => c.id === 'softmax-ce-grad-fd')?.status, 'failed');
  });

  test('ten saves in a second end with the last save\'s full report, then the next save gets its own', async () => {
    const before = api.lastReport(EXERCISE);
    for (let i = 0; i < 10; i++) {
      // even saves right, odd ones wrong: the last (i = 9) is wrong
      await replaceAndSave(uri, (i % 2 ? solution.replace(RIGHT, WRONG) : solution) + `\n# save ${i}\n`);
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await nextReport(before, 'the burst to be checked');
    // an earlier save's check may have finished before the next save: wait until the newest run has ended
    const settled = () => {
      const report = api.lastReport(EXERCISE);
      const streamed = api.streamedResults(EXERCISE);
      return !/running/.test(api.statusBarText()) && report && streamed.length === report.checks.length && report;
    };
    await waitFor(settled, 'every check of the burst to end', 60_000);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a last save's check that had not started yet would now
    const report = await waitFor(settled, 'every check of the burst to end', 60_000);
    assert.equal(report.checks.find((c) => c.id === 'softmax-ce-grad-fd')?.status, 'failed', 'the newest report is the last save\'s');
    const states = api.testStates(EXERCISE);
    for (const check of report.checks) assert.equal(states[check.id], check.status, `the Testing view shows ${check.id} as the last save left it`);
    const streamed = api.streamedResults(EXERCISE);
    assert.equal(streamed.find((r) => r.id === 'softmax-ce-grad-fd')?.status, 'failed', 'the latest run\'s streamed results are the last save\'s');

    const after = api.lastReport(EXERCISE);
    await replaceAndSave(uri, solution);
    const fixed = await nextReport(after, 'the fixed file to be checked');
    assert.equal(fixed.passed, true);
    assert.equal(api.streamedResults(EXERCISE).length, fixed.checks.length);
  });
});
