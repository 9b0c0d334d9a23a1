// A new learner with the packaged extension, through the UI only: start exercise 01 from the command
// palette, check the starter and see the failures in the Testing view, write the solution and see every
// check pass, run the training script and see its loss curve drawn in the training panel. One step per
// test; the launcher (scripts/run-e2e.mjs) stops at the first failure, and every step leaves a screenshot.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir } from '../../src/core/paths';
import { editorTab, openFile, pickFromQuickPick, runCommand, testRows, waitUntil, webviewFrames } from './workbench';

/** Evaluated in a webview frame: uPlot draws into a canvas inside `.uplot`; a drawn one has opaque pixels. */
const CANVAS_DRAWN = `Array.from(document.querySelectorAll('.uplot canvas')).some((canvas) => {
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0 || canvas.height === 0) return false;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
})`;

/** The part of the page's globals the paste step uses (the suite is compiled without DOM types). */
interface Clipboarded {
  navigator: { clipboard: { writeText(text: string): Promise<void> } };
}

function fromLauncher(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suite with \`npm run test:e2e\`.`);
  return value;
}

describe('A learner with the packaged Gradient Lab in VS Code', () => {
  let browser: Browser;
  let page: Page;
  let step = 0;

  before(async () => {
    browser = await chromium.connect(fromLauncher('GRADLAB_E2E_BROWSER'));
    // Clipboard access, so the learner can paste code as people do (typing it would meet auto-indent).
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (!test) return;
    step += 1;
    const slug = test.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const failed = test.state === 'failed' ? '-FAILED' : '';
    await page.screenshot({ path: join(fromLauncher('GRADLAB_E2E_SCREENSHOTS'), `${String(step).padStart(2, '0')}-${slug}${failed}.png`) });
  });

  after(async () => {
    await browser?.close();
  });

  it('opens the workspace in VS Code and trusts its authors', async () => {
    await page.goto(fromLauncher('GRADLAB_E2E_URL'));
    await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout: 60_000 });
    // A new folder asks for trust; checking runs the learner's Python, so the learner trusts it.
    await page.getByRole('button', { name: 'Yes, I trust the authors' }).click();
    await page.locator('.statusbar').filter({ hasNotText: 'Restricted Mode' }).waitFor({ state: 'visible' });
  });

  it('starts exercise 01 from the command palette and sees one_update.py beside its instructions', async () => {
    await runCommand(page, 'Gradient Lab: Start Exercise');
    await pickFromQuickPick(page, 'Which exercise do you want to start?', '01-one-update');
    await editorTab(page, 'one_update.py').waitFor({ state: 'visible', timeout: 30_000 });
    // The instructions open beside the code (a Markdown preview tab, "Preview README.md").
    await editorTab(page, 'README.md').waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('checks the starter and sees failed checks in the Testing view', async () => {
    // Into the code, as a learner does before checking it (the instructions preview had the focus).
    await page.locator('.view-line', { hasText: 'def predict' }).click();
    await runCommand(page, 'Gradient Lab: Check Exercise');
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    await testRows(page, 'failed').first().waitFor({ state: 'visible', timeout: 60_000 });
  });

  it('writes the solution, saves, and sees every check pass', async () => {
    const solution = solutionForm(readFileSync(join(builtinAuthoringPackDir(), '01-one-update', 'one_update.py'), 'utf8'));
    await page.locator('.view-line', { hasText: 'def predict' }).click();
    await page.evaluate((text) => (globalThis as unknown as Clipboarded).navigator.clipboard.writeText(text), solution);
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+V');
    await page.keyboard.press('Control+S');
    // Checking on save is on by default: the tree turns green without another command.
    await waitUntil(
      page,
      async () => (await testRows(page, 'failed').count()) === 0 && (await testRows(page, 'passed').count()) > 0,
      'the Testing view to show only passed checks',
      60_000,
    );
  });

  it('runs the training script and sees its loss curve drawn in the training panel', async () => {
    await openFile(page, 'train_one_update.py');
    await runCommand(page, 'Gradient Lab: Run Training Script');
    await runCommand(page, 'Gradient Lab: Open Training Panel');
    await waitUntil(
      page,
      async () => {
        for (const frame of webviewFrames(page)) {
          // The learner's run (named after its script) is listed, and a chart is drawn beside it.
          const listed = (await frame.getByText('train_one_update', { exact: true }).count().catch(() => 0)) > 0;
          if (listed && (await frame.evaluate<boolean>(CANVAS_DRAWN).catch(() => false))) return true;
        }
        return false;
      },
      'the run train_one_update and a drawn uPlot canvas in a webview frame of the training panel',
      60_000,
    );
  });
});
