// A learner's training runs in the training panel, through the UI only (issue 6): run exercise 01's training
// script from the command palette and watch the panel draw its curve beside the reference run, run it again and
// compare the two runs in the legend, switch the loss chart to a log scale, read the numbers in the table view,
// and reload the window to find the panel restored with its runs. One step per test; the launcher stops at the
// first failure. Every step leaves a screenshot of the window (test-results/e2e/dark/training/) and the panel
// steps a close-up of the panel (test-results/e2e/training/).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder } from '../../src/core/paths';
import { CANVAS_DRAWN, clickInEditor, editorTab, fromLauncher, learnerWindow, pickFromQuickPick, runCommand, waitUntil, webviewFrames } from './workbench';

const EXERCISE = '01-one-update';
/** A run is named after its script (and labelled with its start time when the script ran more than once). */
const RUN = 'train_one_update';

/** Evaluated in the panel's frame: whether the toolbar's log-scale checkbox is checked. */
const LOG_SCALE_CHECKED = `document.querySelector('.toolbar vscode-checkbox')?.checked === true`;

/** The frame of the training panel's content (inside the webview host's frames), once it shows its legend. */
async function panelFrame(page: Page): Promise<Frame | undefined> {
  for (const frame of webviewFrames(page)) {
    if ((await frame.locator('main#app aside.legend').count().catch(() => 0)) > 0) return frame;
  }
  return undefined;
}

/** Evaluated in the panel's frame: the legend's labels of the learner's runs (not the reference). */
const RUN_LABELS = `Array.from(document.querySelectorAll('aside.legend li.run:not(.reference) vscode-checkbox')).map((box) => box.label)`;

/**
 * Wait until the panel lists `runs` runs of the script, told apart by their labels, beside the reference run, and has
 * drawn a chart.
 */
async function waitForRuns(page: Page, runs: number, ms = 60_000): Promise<Frame> {
  let found: Frame | undefined;
  await waitUntil(
    page,
    async () => {
      const frame = await panelFrame(page);
      if (!frame) return false;
      const labels = await frame.evaluate<string[]>(RUN_LABELS).catch(() => []);
      const reference = await frame.locator('aside.legend li.run.reference').count().catch(() => 0);
      const distinct = new Set(labels).size === runs && labels.every((label) => label.startsWith(RUN));
      if (labels.length !== runs || !distinct || reference !== 1 || !(await frame.evaluate<boolean>(CANVAS_DRAWN).catch(() => false))) return false;
      found = frame;
      return true;
    },
    `the training panel to list ${runs} run(s) of ${RUN} with distinct labels beside the reference run, and draw them`,
    ms,
  );
  return found as Frame;
}

/** A close-up of the training panel (its webview's area of the window) in test-results/e2e/training/. */
async function closeUp(page: Page, frame: Frame, name: string): Promise<void> {
  const host = await frame.parentFrame()?.frameElement();
  const box = await host?.boundingBox();
  if (!box) throw new Error('the training panel is not on screen');
  const dir = join(fromLauncher('GRADLAB_E2E_SCREENSHOTS'), 'training');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`), clip: box });
}

describe('A learner compares training runs in the panel (dark theme)', () => {
  const learner = learnerWindow('training', 'dark');

  it('opens a fresh folder in VS Code and trusts its authors', async () => {
    await learner.open();
  });

  it('starts exercise 01, whose functions the learner has already written', async () => {
    const { page } = learner;
    await runCommand(page, 'Gradient Lab: Start Exercise');
    await pickFromQuickPick(page, 'Which exercise do you want to start?', EXERCISE);
    await editorTab(page, 'one_update.py').waitFor({ state: 'visible', timeout: 30_000 });
    // The functions solved outside this journey (exercise 01's own journey writes them through the editor).
    const solution = solutionForm(readFileSync(join(builtinAuthoringPackDir(), EXERCISE, 'one_update.py'), 'utf8'));
    writeFileSync(join(exerciseFolder(learner.workspace, EXERCISE), 'one_update.py'), solution);
  });

  it('runs train_one_update.py from the command palette and watches the panel draw its loss curve', async () => {
    const { page } = learner;
    // From the Explorer, where Start Exercise put it beside the learner's file.
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'train_one_update.py' }).dblclick();
    await editorTab(page, 'train_one_update.py').waitFor({ state: 'visible' });
    await clickInEditor(page, 'def main');
    await runCommand(page, 'Gradient Lab: Run Training Script');
    await closeUp(page, await waitForRuns(page, 1), '01-live-curve');
  });

  it('runs it a second time and sees both runs in the legend', async () => {
    const { page } = learner;
    await editorTab(page, 'train_one_update.py').click();
    await clickInEditor(page, 'def main');
    await runCommand(page, 'Gradient Lab: Run Training Script');
    await closeUp(page, await waitForRuns(page, 2), '02-two-runs');
  });

  it('switches the loss chart to a log scale', async () => {
    const { page } = learner;
    const frame = await waitForRuns(page, 2);
    await frame.getByText('Log scale (loss)', { exact: true }).click();
    await waitUntil(page, () => frame.evaluate<boolean>(LOG_SCALE_CHECKED), 'the log-scale checkbox to be checked', 10_000);
    await closeUp(page, frame, '03-log-scale');
  });

  it('opens the table view and reads the numbers of the latest run', async () => {
    const { page } = learner;
    const frame = await waitForRuns(page, 2);
    await frame.locator('vscode-tab-header', { hasText: 'Table' }).click();
    await frame.locator('table caption', { hasText: new RegExp(`^Summary of ${RUN} \\(\\d\\d:\\d\\d:\\d\\d\\): 5 logged steps$`) }).waitFor({ state: 'visible' });
    await frame.locator('table caption', { hasText: 'All 5 rows' }).waitFor({ state: 'visible' });
    await closeUp(page, frame, '04-table');
  });

  it('goes back to the curves, reloads the window, and finds the panel restored with both runs', async () => {
    const { page } = learner;
    const before = await waitForRuns(page, 2);
    await before.locator('vscode-tab-header', { hasText: 'Curves' }).click();
    const reloaded = page.waitForEvent('load', { timeout: 60_000 });
    await runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    const frame = await waitForRuns(page, 2);
    await waitUntil(page, () => frame.evaluate<boolean>(LOG_SCALE_CHECKED), 'the restored panel to keep its log scale', 10_000);
    await closeUp(page, frame, '05-restored-after-reload');
  });
});
