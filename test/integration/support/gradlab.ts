// What every integration suite needs: the extension under test, the workspace the launcher opened,
// and small waits and edits done the way a person's editor does them.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { GradlabApi } from '../../../src/extension/api';

export const EXTENSION_ID = 'gradlab.gradlab';

/** Activate Gradient Lab (as its first command would) and return what activate() returned. */
export async function activateGradlab(): Promise<GradlabApi> {
  const extension = vscode.extensions.getExtension<GradlabApi>(EXTENSION_ID);
  assert.ok(extension, `extension ${EXTENSION_ID} is not loaded in this VS Code`);
  return extension.activate();
}

/** The folder the launcher opened (a fresh temporary workspace). */
export function workspaceDir(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'VS Code opened no workspace folder: the launcher must pass one');
  return folder.uri.fsPath;
}

/** Poll `probe` until it returns a truthy value; fail naming `what` after `ms`. */
export async function waitFor<T>(probe: () => T | undefined | false, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Every tab in every editor group. */
export function allTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all.flatMap((group) => group.tabs);
}

/** Replace a file's whole text through its editor document and save it, as typing and Ctrl+S would. */
export async function replaceAndSave(uri: vscode.Uri, text: string): Promise<void> {
  const document = await vscode.workspace.openTextDocument(uri);
  const edit = new vscode.WorkspaceEdit();
  edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(document.getText().length)), text);
  assert.ok(await vscode.workspace.applyEdit(edit), `could not edit ${uri.fsPath}`);
  assert.ok(await document.save(), `could not save ${uri.fsPath}`);
}
