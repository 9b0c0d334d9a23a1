// A person's hands in the served VS Code: a window on a fresh folder in a chosen colour theme, the command
// palette, quick picks, tabs, views, the editor and webviews, found the way the workbench draws them.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Frame, type Locator, type Page } from 'playwright-core';

/** What the launcher (scripts/run-e2e.mjs) hands over in the environment. */
export function fromLauncher(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e suite with \`npm run test:e2e\`.`);
  return value;
}

/** VS Code's built-in themes the journeys are photographed in, and the class each puts on the workbench. */
export const THEMES = {
  light: { setting: 'Default Light Modern', workbenchClass: 'vs' },
  dark: { setting: 'Default Dark Modern', workbenchClass: 'vs-dark' },
  'high-contrast': { setting: 'Default High Contrast', workbenchClass: 'hc-black' },
} as const;
export type Theme = keyof typeof THEMES;

/** The part of the page's globals the paste helper uses (the suite is compiled without DOM types). */
interface Clipboarded {
  navigator: { clipboard: { writeText(text: string): Promise<void> } };
}

export interface LearnerWindow {
  readonly page: Page;
  /** the fresh workspace folder this window opens */
  readonly workspace: string;
  /** Open the window on the workspace in its theme and trust the folder, as a new learner does. */
  open(): Promise<void>;
}

/**
 * One learner's browser window on a fresh folder, in one colour theme. Registers mocha hooks, so call it
 * inside a `describe`: every step (test) leaves a screenshot, named after it, in
 * test-results/e2e/<theme>/<journey>/ (with -FAILED when the step failed).
 */
export function learnerWindow(journey: string, theme: Theme): LearnerWindow {
  const screenshots = join(fromLauncher('GRADLAB_E2E_SCREENSHOTS'), theme, journey);
  const workspace = join(fromLauncher('GRADLAB_E2E_WORKSPACES'), `${journey}-${theme}`);
  let browser: Browser | undefined;
  let page: Page | undefined;
  let step = 0;

  before(async () => {
    browser = await chromium.connect(fromLauncher('GRADLAB_E2E_BROWSER'));
    // Clipboard access, so the learner can paste code as people do (typing it would meet auto-indent).
    const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, permissions: ['clipboard-read', 'clipboard-write'] });
    page = await context.newPage();
    page.setDefaultTimeout(30_000);
    mkdirSync(screenshots, { recursive: true });
  });

  afterEach(async function () {
    const test = this.currentTest;
    if (!test || !page) return;
    step += 1;
    const slug = test.title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
    const failed = test.state === 'failed' ? '-FAILED' : '';
    await page.screenshot({ path: join(screenshots, `${String(step).padStart(2, '0')}-${slug}${failed}.png`) });
  });

  after(async () => {
    await browser?.close();
  });

  return {
    get page() {
      if (!page) throw new Error('the browser window is not open yet (its before hook failed)');
      return page;
    },
    workspace,
    async open() {
      mkdirSync(workspace, { recursive: true });
      // The web client reads the user settings when it loads, so the theme goes there first.
      const settingsFile = fromLauncher('GRADLAB_E2E_USER_SETTINGS');
      const settings = JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>;
      writeFileSync(settingsFile, JSON.stringify({ ...settings, 'workbench.colorTheme': THEMES[theme].setting }, null, 2) + '\n');
      const window = this.page;
      await window.goto(`${fromLauncher('GRADLAB_E2E_ORIGIN')}/?folder=${encodeURI(workspace)}`);
      await window.locator(`.monaco-workbench.${THEMES[theme].workbenchClass}`).waitFor({ state: 'visible', timeout: 60_000 });
      // A new folder asks for trust; checking runs the learner's Python, so the learner trusts it.
      await window.getByRole('button', { name: 'Yes, I trust the authors' }).click();
      await window.locator('.statusbar').filter({ hasNotText: 'Restricted Mode' }).waitFor({ state: 'visible' });
    },
  };
}

/** Open the command palette (F1), type a command's title and run it. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
}

/** Wait for the quick pick that asks `placeholder`, type `filter` and take the first match. */
export async function pickFromQuickPick(page: Page, placeholder: string, filter: string): Promise<void> {
  const input = page.locator(`.quick-input-widget input[placeholder="${placeholder}"]`);
  await input.waitFor({ state: 'visible' });
  await input.fill(filter);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: filter }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden' });
}

/** Quick Open (Ctrl+P): type a file name and open it. */
export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await editorTab(page, name).waitFor({ state: 'visible' });
}

/** The editor tab whose label is `name`. */
export function editorTab(page: Page, name: string) {
  return page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: name }) });
}

/** The rendered line of a text editor that contains `text`. */
export function editorLine(page: Page, text: string): Locator {
  return page.locator('.part.editor .view-line', { hasText: text });
}

/**
 * Click into the editor on the line containing `text`, before the first token that starts with `token`
 * (else near the line's start). By the mouse's coordinates: Playwright's element click would first scroll
 * the line (wider than the editor) into view, shifting the editor's text sideways under Monaco.
 */
export async function clickInEditor(page: Page, text: string, token?: string): Promise<void> {
  const line = editorLine(page, text);
  const target = token ? line.locator('span > span').filter({ hasText: new RegExp(`^${token.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first() : line;
  // CodeLenses arrive after the text and push the lines down: aim once the line has stopped moving.
  let box = await target.boundingBox();
  for (let settled = Date.now() + 5_000; Date.now() < settled; ) {
    await page.waitForTimeout(300);
    const now = await target.boundingBox();
    if (box && now && now.x === box.x && now.y === box.y) break;
    box = now;
  }
  if (!box) throw new Error(`the editor line with "${text}" is not on screen`);
  await page.mouse.click(box.x + 1, box.y + box.height / 2);
}

/**
 * Replace the whole text of the editor that shows the line `lineText` by pasting `text`, then wait until the
 * editor shows the line `showing` (a line of `text`), so that a paste that went astray fails here.
 */
export async function pasteOver(page: Page, lineText: string, text: string, showing: string): Promise<void> {
  await page.evaluate((value) => (globalThis as unknown as Clipboarded).navigator.clipboard.writeText(value), text);
  await clickInEditor(page, lineText);
  await page.locator('.part.editor .monaco-editor.focused').waitFor({ state: 'visible' });
  // Keys pressed at machine speed outrun the editor (pasting reads the clipboard asynchronously): each
  // key waits for the status bar to show what the one before did, as a person glancing at it would.
  const selection = page.locator('[id="status.editor.selection"]');
  await page.keyboard.press('Control+A');
  await selection.filter({ hasText: 'selected' }).waitFor({ state: 'visible' });
  await page.keyboard.press('Control+V');
  await selection.filter({ hasNotText: 'selected' }).waitFor({ state: 'visible' });
  await page.keyboard.press('Control+Home');
  await editorLine(page, showing).waitFor({ state: 'visible' });
}

/** Save the active editor and wait until its tab no longer shows unsaved changes. */
export async function save(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+S');
  await page.locator('.tabs-container .tab.dirty', { has: page.locator('.label-name', { hasText: name }) }).waitFor({ state: 'detached' });
}

/** A row of the Exercises view (the Gradient Lab activity-bar container), by exercise title. */
export function exerciseRow(page: Page, title: string): Locator {
  return page.locator(`[id="workbench.view.extension.gradlab"] .monaco-list-row[aria-label^="${title},"]`);
}

/** The Exercises view's row of a pack, whose description counts passed exercises. */
export function packRow(page: Page, title: string): Locator {
  return page.locator(`[id="workbench.view.extension.gradlab"] .monaco-list-row[aria-label^="${title} "]`);
}

/** Wait until the exercise's row reads `status` (its accessible label) and shows `icon` (a codicon name). */
export async function expectExerciseStatus(page: Page, title: string, status: string, icon: string): Promise<void> {
  await page.locator(`[id="workbench.view.extension.gradlab"] .monaco-list-row[aria-label="${title}, ${status}"]`).locator(`.codicon-${icon}`).waitFor({ state: 'visible' });
}

/** Gradient Lab's progress item in the status bar (`$(beaker) N/12`). */
export function progressItem(page: Page): Locator {
  return page.locator('[id="gradlab.gradlab.gradlab.progress"]');
}

/** Rows of the Testing view's tree whose icon shows `state`. */
export function testRows(page: Page, state: 'passed' | 'failed') {
  const icon = state === 'passed' ? '.codicon-testing-passed-icon' : '.codicon-testing-failed-icon, .codicon-testing-error-icon';
  return page.locator('.test-explorer .monaco-list-row').filter({ has: page.locator(icon) });
}

/** The Testing view's row of a test item, by its label. */
export function testRow(page: Page, label: string): Locator {
  return page.locator('.test-explorer .monaco-list-row', { hasText: label });
}

/** Expand a collapsed row of a tree (Testing view, Exercises view). */
export async function expandRow(row: Locator): Promise<void> {
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.locator('.monaco-tl-twistie').click();
}

/** A notification toast that contains `text`, once it has slid in (a screenshot during the slide shows nothing). */
export function notification(page: Page, text: string | RegExp): Locator {
  return page.locator('.notifications-toasts .notification-toast.notification-fade-in-done', { hasText: text });
}

/** Webviews are nested iframes served from the webview host (…/webview/browser/pre/…). */
export function webviewFrames(page: Page): Frame[] {
  return page.frames().filter((frame) => frame.url().includes('/webview/browser/pre/'));
}

/**
 * Wait until a webview (the Markdown preview of an exercise's instructions) shows `text`. The preview takes
 * the focus once it has loaded: a learner reads it first, and so must a step before typing into the code.
 */
export async function waitForInstructions(page: Page, text: string): Promise<void> {
  await waitUntil(
    page,
    async () => {
      for (const frame of webviewFrames(page)) if ((await frame.getByRole('heading', { name: text }).count().catch(() => 0)) > 0) return true;
      return false;
    },
    `a webview (the instructions' Markdown preview) with the heading "${text}"`,
    30_000,
  );
}

/** Evaluated in a webview frame: uPlot draws into a canvas inside `.uplot`; a drawn one has opaque pixels. */
export const CANVAS_DRAWN = `Array.from(document.querySelectorAll('.uplot canvas')).some((canvas) => {
  const context = canvas.getContext('2d');
  if (!context || canvas.width === 0 || canvas.height === 0) return false;
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
})`;

/** Wait until a webview frame of the training panel lists the run `runLabel` and has a drawn uPlot canvas. */
export async function waitForDrawnRun(page: Page, runLabel: string | RegExp, ms: number): Promise<void> {
  await waitUntil(
    page,
    async () => {
      for (const frame of webviewFrames(page)) {
        const listed = (await frame.getByText(runLabel, { exact: true }).count().catch(() => 0)) > 0;
        if (listed && (await frame.evaluate<boolean>(CANVAS_DRAWN).catch(() => false))) return true;
      }
      return false;
    },
    `the run ${runLabel} and a drawn uPlot canvas in a webview frame of the training panel`,
    ms,
  );
}

/** Poll `probe` until it resolves true; throw naming `what` after `ms`. */
export async function waitUntil(page: Page, probe: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}
