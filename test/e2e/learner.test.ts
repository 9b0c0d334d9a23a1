// A new learner with the packaged extension, through the UI only: start exercise 01 from the command
// palette, check the starter and see the failures in the Testing view, write the solution and see every
// check pass, run the training script and see its loss curve drawn in the training panel. One step per
// test; the launcher (scripts/run-e2e.mjs) stops at the first failure, and every step leaves a screenshot.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir } from '../../src/core/paths';
import { clickInEditor, editorTab, learnerWindow, openFile, pasteOver, pickFromQuickPick, runCommand, save, testRows, waitForDrawnRun, waitForInstructions, waitUntil } from './workbench';

describe('A learner with the packaged Gradient Lab in VS Code', () => {
  const learner = learnerWindow('01-one-update', 'dark');

  it('opens the workspace in VS Code and trusts its authors', async () => {
    await learner.open();
  });

  it('starts exercise 01 from the command palette and sees one_update.py beside its instructions', async () => {
    const { page } = learner;
    await runCommand(page, 'Gradient Lab: Start Exercise');
    await pickFromQuickPick(page, 'Which exercise do you want to start?', '01-one-update');
    await editorTab(page, 'one_update.py').waitFor({ state: 'visible', timeout: 30_000 });
    // The instructions open beside the code (a Markdown preview tab, "Preview README.md").
    await editorTab(page, 'README.md').waitFor({ state: 'visible', timeout: 30_000 });
    await waitForInstructions(page, 'One gradient-descent update');
  });

  it('checks the starter and sees failed checks in the Testing view', async () => {
    const { page } = learner;
    // Into the code, as a learner does before checking it (the instructions preview had the focus).
    await clickInEditor(page, 'def predict');
    await runCommand(page, 'Gradient Lab: Check Exercise');
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    await testRows(page, 'failed').first().waitFor({ state: 'visible', timeout: 60_000 });
  });

  it('writes the solution, saves, and sees every check pass', async () => {
    const { page } = learner;
    const solution = solutionForm(readFileSync(join(builtinAuthoringPackDir(), '01-one-update', 'one_update.py'), 'utf8'));
    await pasteOver(page, 'def predict', solution, 'return error * x, error');
    await save(page, 'one_update.py');
    // Checking on save is on by default: the tree turns green without another command.
    await waitUntil(
      page,
      async () => (await testRows(page, 'failed').count()) === 0 && (await testRows(page, 'passed').count()) > 0,
      'the Testing view to show only passed checks',
      60_000,
    );
  });

  it('runs the training script and sees its loss curve drawn in the training panel', async () => {
    const { page } = learner;
    await openFile(page, 'train_one_update.py');
    await runCommand(page, 'Gradient Lab: Run Training Script');
    await runCommand(page, 'Gradient Lab: Open Training Panel');
    // The learner's run is named after its script.
    await waitForDrawnRun(page, 'train_one_update', 60_000);
  });
});
