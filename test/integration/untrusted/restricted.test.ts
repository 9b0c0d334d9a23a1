// Restricted mode: exercises, instructions and hints work; nothing runs Python, and the user is told why.
import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { exerciseFolder } from '../../../src/core/paths';
import type { CheckReport } from '../../../src/protocol/worker';
import { activateGradlab, workspaceDir } from '../support/gradlab';

/** Python processes started by this extension host (Linux /proc), whatever they run. */
function pythonChildren(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (parent === process.pid && /python/.test(command)) found.push(command);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

suite('Untrusted workspace', () => {
  suiteSetup(async () => {
    await activateGradlab();
  });

  test('the workspace is untrusted', () => {
    assert.equal(vscode.workspace.isTrusted, false);
  });

  test('Start Exercise still scaffolds the files and the instructions', async () => {
    await vscode.commands.executeCommand('gradlab.startExercise', '01-one-update');
    assert.ok(existsSync(join(exerciseFolder(workspaceDir(), '01-one-update'), 'one_update.py')));
    assert.ok(existsSync(join(exerciseFolder(workspaceDir(), '01-one-update'), 'README.md')));
  });

  test('Check Exercise runs nothing and starts no Python', async () => {
    const report = await vscode.commands.executeCommand<CheckReport | undefined>('gradlab.checkExercise', '01-one-update');
    assert.equal(report, undefined);
    assert.deepEqual(pythonChildren(), []);
  });

  test('Run Training Script starts no Python either', async () => {
    const script = vscode.Uri.file(join(exerciseFolder(workspaceDir(), '01-one-update'), 'train_one_update.py'));
    await vscode.commands.executeCommand('gradlab.runTrainingScript', script);
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(pythonChildren(), []);
  });

  test('hints and the exercise list work without trust', async () => {
    const hint = await vscode.commands.executeCommand<string | undefined>('gradlab.showHint', '01-one-update');
    // No check has failed yet: the first hint of 01 unlocks after a failed check, and saying so is the answer.
    assert.equal(hint, undefined);
    await vscode.commands.executeCommand('gradlab.exercises.focus');
  });
});
