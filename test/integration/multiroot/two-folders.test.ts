// Two workspace folders: exercises go to the folder of the active editor, progress is kept per folder, and
// checking in one folder leaves the other alone.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { exerciseFolder } from '../../../src/core/paths';
import { progressPath } from '../../../src/core/progress/store';
import type { GradlabApi } from '../../../src/extension/api';
import type { CheckReport } from '../../../src/protocol/worker';
import { activateGradlab } from '../support/gradlab';

suite('Two workspace folders', () => {
  let api: GradlabApi;
  let first: string;
  let second: string;

  suiteSetup(async () => {
    api = await activateGradlab();
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 2, 'the launcher opens a workspace of two folders');
    [first, second] = folders.map((f) => f.uri.fsPath);
  });

  test('Start Exercise scaffolds into the folder of the active editor', async () => {
    const note = join(second, 'notes.md');
    writeFileSync(note, '# my notes\n');
    await vscode.window.showTextDocument(vscode.Uri.file(note));
    await vscode.commands.executeCommand('gradlab.startExercise', '01-one-update');
    assert.ok(existsSync(join(exerciseFolder(second, '01-one-update'), 'one_update.py')), 'not scaffolded into the second folder');
    assert.equal(existsSync(exerciseFolder(first, '01-one-update')), false, 'scaffolded into the first folder too');
  });

  test('a check runs in that folder and its progress is kept there only', async () => {
    // The learner file, in the second folder, is the active editor (the instructions preview may have taken focus).
    await vscode.window.showTextDocument(vscode.Uri.file(join(exerciseFolder(second, '01-one-update'), 'one_update.py')));
    const report = await vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', '01-one-update');
    assert.ok(report, 'no report');
    assert.equal(report.passed, false, 'the starter passed');
    assert.ok(existsSync(progressPath(second)), 'no progress in the second folder');
    assert.equal(existsSync(progressPath(first)), false, 'progress written to the first folder');
    await vscode.window.showTextDocument(vscode.Uri.file(join(exerciseFolder(second, '01-one-update'), 'one_update.py')));
    assert.equal(await api.exerciseStatus('01-one-update'), 'failed');
  });

  test('from the first folder, the same exercise is not started', async () => {
    const note = join(first, 'todo.md');
    writeFileSync(note, '# todo\n');
    await vscode.window.showTextDocument(vscode.Uri.file(note));
    assert.equal(await api.exerciseStatus('01-one-update'), 'not-started');
    const report = await vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', '01-one-update');
    assert.equal(report, undefined, 'checked an exercise that is not started in this folder');
  });

  test('removing a folder while its check runs loses nothing, and the other folder keeps working', async () => {
    const learner = join(exerciseFolder(second, '01-one-update'), 'one_update.py');
    const before = readFileSync(learner, 'utf8');
    await vscode.window.showTextDocument(vscode.Uri.file(learner));
    const running = vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', '01-one-update');
    const removed = new Promise((resolve) => vscode.workspace.onDidChangeWorkspaceFolders(resolve));
    assert.ok(vscode.workspace.updateWorkspaceFolders(1, 1), 'VS Code refused to remove the folder');
    await removed;
    const report = await running;
    assert.ok(report === undefined || report.exercise === '01-one-update');
    assert.equal(readFileSync(learner, 'utf8'), before, 'the learner file changed');
    await vscode.commands.executeCommand('gradlab.startExercise', '01-one-update');
    assert.ok(existsSync(join(exerciseFolder(first, '01-one-update'), 'one_update.py')), 'not scaffolded into the remaining folder');
    const next = await vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', '01-one-update');
    assert.ok(next, 'no check in the remaining folder');
    assert.equal(next.passed, false);
  });
});
