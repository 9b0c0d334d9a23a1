// The learner's experience around exercise 02-grad-w: check on save, the diagnosis at the function, hints,
// progress in the tree and status bar, reset with backup, and the bad inputs a learner can produce.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { solutionForm, starterForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder } from '../../src/core/paths';
import { progressPath } from '../../src/core/progress/store';
import type { GradlabApi } from '../../src/extension/api';
import type { CheckReport } from '../../src/protocol/worker';
import { activateGradlab, replaceAndSave, waitFor, workspaceDir } from './support/gradlab';

const EXERCISE = '02-grad-w';
const FILE = 'linear_mse.py';

suite('Learner experience on 02-grad-w', () => {
  let api: GradlabApi;
  let file: vscode.Uri;
  let solution: string;

  suiteSetup(async () => {
    api = await activateGradlab();
    file = vscode.Uri.file(join(exerciseFolder(workspaceDir(), EXERCISE), FILE));
    solution = solutionForm(readFileSync(join(builtinAuthoringPackDir(), EXERCISE, FILE), 'utf8'));
  });

  async function reportAfter(action: () => Promise<void>): Promise<CheckReport> {
    const before = api.lastReport(EXERCISE);
    await action();
    return waitFor(() => {
      const now = api.lastReport(EXERCISE);
      return now !== before && now;
    }, 'a check report after saving', 60_000);
  }

  test('Start marks the exercise in progress', async () => {
    await vscode.commands.executeCommand('gradlab.startExercise', EXERCISE);
    assert.ok(existsSync(file.fsPath));
    assert.equal(await api.exerciseStatus(EXERCISE), 'in-progress');
    await vscode.commands.executeCommand('gradlab.exercises.focus');
  });

  test('Saving a grad_w without the factor 2 fails its gradient check, with the diagnosis at grad_w', async () => {
    const dropped = solution.replace('return float(2 * np.mean(error * x))', 'return float(np.mean(error * x))');
    assert.notEqual(dropped, solution, 'the reference solution changed shape: update this test');
    const report = await reportAfter(() => replaceAndSave(file, dropped));
    const fd = report.checks.find((c) => c.id === 'grad-w-fd');
    assert.ok(fd, 'no grad-w-fd check in the report');
    assert.equal(fd.status, 'failed', fd.message);
    assert.match(`${fd.message} ${fd.diagnosis ?? ''}`, /half|factor (of )?2/i);
    assert.equal(api.testStates(EXERCISE)['grad-w-fd'], 'failed');
    const line = (await vscode.workspace.openTextDocument(file)).getText().split('\n').findIndex((l) => l.startsWith('def grad_w'));
    const diagnostics = await waitFor(() => vscode.languages.getDiagnostics(file).filter((d) => d.source === 'Gradient Lab'), 'Gradient Lab diagnostics');
    assert.ok(diagnostics.some((d) => d.range.start.line === line && d.code === 'grad-w-fd'), `no diagnostic at def grad_w (line ${line + 1})`);
    assert.equal(await api.exerciseStatus(EXERCISE), 'failed');
  });

  test('A hint is available after a failed check', async () => {
    const hint = await vscode.commands.executeCommand<string | undefined>('gradlab.showHint', EXERCISE);
    assert.ok(hint && hint.length > 10, `no hint: ${hint}`);
  });

  test('Fixing and saving passes, and the tree and status bar advance', async () => {
    const countBefore = Number(/(\d+)\/\d+/.exec(api.statusBarText())?.[1]);
    const report = await reportAfter(() => replaceAndSave(file, solution));
    assert.equal(report.passed, true, report.checks.map((c) => `${c.id}: ${c.message}`).join('\n'));
    assert.equal(await api.exerciseStatus(EXERCISE), 'passed');
    await waitFor(() => Number(/(\d+)\/12/.exec(api.statusBarText())?.[1]) === countBefore + 1, `the status bar to count one more passed exercise (was ${api.statusBarText()})`);
    await waitFor(() => vscode.languages.getDiagnostics(file).filter((d) => d.source === 'Gradient Lab').length === 0 || undefined, 'diagnostics to clear');
  });

  test('Reset keeps a timestamped backup and restores the starter', async () => {
    const backup = await vscode.commands.executeCommand<string>('gradlab.resetExercise', { exerciseId: EXERCISE, confirmed: true });
    assert.ok(backup && existsSync(join(backup, FILE)), 'no backup folder with the learner file');
    assert.equal(readFileSync(join(backup, FILE), 'utf8'), solution);
    assert.equal(readFileSync(file.fsPath, 'utf8'), starterForm(readFileSync(join(builtinAuthoringPackDir(), EXERCISE, FILE), 'utf8')));
  });

  test('A deleted learner file is reported, not graded, and nothing else breaks', async () => {
    rmSync(file.fsPath);
    const report = await vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', EXERCISE);
    assert.equal(report, undefined);
    assert.ok(Object.values(api.testStates(EXERCISE)).length > 0);
    await vscode.commands.executeCommand('gradlab.resetExercise', { exerciseId: EXERCISE, confirmed: true });
    assert.ok(existsSync(file.fsPath), 'reset did not bring the starter back');
  });

  test('A broken progress file is set aside, and only progress is lost', async () => {
    const progress = progressPath(workspaceDir());
    writeFileSync(progress, '{ this is not json');
    assert.equal(await api.exerciseStatus(EXERCISE), 'not-started');
    assert.ok(readdirSync(join(workspaceDir(), '.gradlab')).some((n) => n.startsWith('progress.json.broken-')), 'the broken file was not kept');
    assert.ok(existsSync(file.fsPath), 'the learner file is gone');
    await vscode.commands.executeCommand('gradlab.startExercise', EXERCISE);
    assert.equal(await api.exerciseStatus(EXERCISE), 'in-progress');
  });

  test('Opening a pack with an invalid manifest is refused and the built-in pack keeps working', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'gradlab-badpack-'));
    writeFileSync(join(bad, 'pack.json'), JSON.stringify({ formatVersion: 1, id: 'broken', exercises: [{ id: 'x', kind: 'nope' }] }));
    assert.equal(await vscode.commands.executeCommand('gradlab.openPack', bad), undefined);
    assert.equal(await api.exerciseStatus(EXERCISE), 'in-progress');
  });

  test('Switching the interpreter in the middle of a check loses no verdict', async () => {
    // On disk directly: the editor's copy of this file went through a delete and a reset above.
    writeFileSync(file.fsPath, solution);
    const config = vscode.workspace.getConfiguration('gradlab');
    const python = config.get<string>('pythonPath');
    assert.ok(python, 'the launcher sets gradlab.pythonPath');
    const running = vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', EXERCISE);
    await new Promise((resolve) => setTimeout(resolve, 50));
    // The same interpreter under another spelling: a real switch for the extension, which restarts its worker.
    await config.update('pythonPath', `${dirname(python)}/./${basename(python)}`, vscode.ConfigurationTarget.Workspace);
    const first = await running;
    assert.ok(first === undefined || first.exercise === EXERCISE);
    const next = await vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', EXERCISE);
    assert.ok(next, 'no report after the interpreter changed');
    assert.equal(next.passed, true, next.checks.map((c) => `${c.id}: ${c.message}`).join('\n'));
  });

  test('A mastery check asks each question and records the score', async () => {
    const answering = setInterval(() => void vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'), 300);
    try {
      const result = await vscode.commands.executeCommand<{ correct: number; total: number; passed: boolean }>('gradlab.takeMastery', 'one-update');
      assert.ok(result, 'the mastery check returned nothing');
      assert.ok(result.total >= 3, `only ${result.total} questions`);
      assert.ok(result.correct >= 0 && result.correct <= result.total);
    } finally {
      clearInterval(answering);
    }
  });
});
