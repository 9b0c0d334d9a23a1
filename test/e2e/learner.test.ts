// A new learner with the packaged extension: start exercise 01 from the command palette, check it, see
// the failure in the Testing view, open the training panel and see a drawn chart. One step per test;
// the launcher (scripts/run-e2e.mjs) stops at the first failure, and every step leaves a screenshot.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { editorTab, pickFromQuickPick, runCommand, webviewFrames } from './workbench';

/** Evaluated in a webview frame: uPlot draws into a canvas inside `.uplot`; a drawn one has opaque pixels. */
const CANVAS_DRAWN = `Array.from(document.querySelectorAll('.uplot canvas')).some((canvas) => {
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0 || canvas.height === 0) return false;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
})`;

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
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
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

  it('starts exercise 01 from the command palette and sees one_update.py open', async () => {
    await runCommand(page, 'Gradient Lab: Start Exercise');
    await pickFromQuickPick(page, 'Which exercise do you want to start?', '01-one-update');
    await editorTab(page, 'one_update.py').waitFor({ state: 'visible', timeout: 30_000 });
  });

  it('checks the exercise and sees a failed check in the Testing view', async () => {
    await editorTab(page, 'one_update.py').click();
    await page.mouse.move(700, 500); // off the tab, so its hover does not cover the screenshot
    await runCommand(page, 'Gradient Lab: Check Exercise');
    await runCommand(page, 'Testing: Focus on Test Explorer View');
    const failed = page.locator('.test-explorer .monaco-list-row').filter({
      has: page.locator('.codicon-testing-failed-icon, .codicon-testing-error-icon'),
    });
    await failed.first().waitFor({ state: 'visible', timeout: 60_000 });
  });

  it('opens the training panel and sees a drawn chart', async () => {
    await runCommand(page, 'Gradient Lab: Open Training Panel');
    const deadline = Date.now() + 60_000;
    let drawn = false;
    while (!drawn && Date.now() < deadline) {
      for (const frame of webviewFrames(page)) {
        drawn ||= await frame.evaluate<boolean>(CANVAS_DRAWN).catch(() => false);
      }
      if (!drawn) await page.waitForTimeout(250);
    }
    assert.ok(drawn, 'no drawn uPlot canvas in any webview frame of the training panel');
  });
});
