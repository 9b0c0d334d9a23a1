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

/** The editor tab whose label is `name`. */
export function editorTab(page: Page, name: string) {
  return page.locator('.tabs-container .tab', { has: page.locator('.label-name', { hasText: name }) });
}

/** Webviews are nested iframes served from the webview host (…/webview/browser/pre/…). */
export function webviewFrames(page: Page): Frame[] {
  return page.frames().filter((frame) => frame.url().includes('/webview/browser/pre/'));
}
