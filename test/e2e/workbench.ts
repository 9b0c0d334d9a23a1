// A person's hands in the served VS Code: the command palette, quick picks, tabs, views and webviews,
// found the way the workbench draws them.
import type { Frame, Page } from 'playwright-core';

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

/** Rows of the Testing view's tree whose icon shows `state`. */
export function testRows(page: Page, state: 'passed' | 'failed') {
  const icon = state === 'passed' ? '.codicon-testing-passed-icon' : '.codicon-testing-failed-icon, .codicon-testing-error-icon';
  return page.locator('.test-explorer .monaco-list-row').filter({ has: page.locator(icon) });
}

/** Webviews are nested iframes served from the webview host (…/webview/browser/pre/…). */
export function webviewFrames(page: Page): Frame[] {
  return page.frames().filter((frame) => frame.url().includes('/webview/browser/pre/'));
}

/** Poll `probe` until it resolves true; throw naming `what` after `ms`. */
export async function waitUntil(page: Page, probe: () => Promise<boolean>, what: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
    await page.waitForTimeout(250);
  }
}
