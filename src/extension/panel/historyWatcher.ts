// Runs started anywhere show up: the workspace's history folder is watched, and a history file that appears or grows
// there (a script run from a terminal, or outside VS Code) is followed into the registry, so the open panel draws it
// live. The file of a script this extension is running is left to its own stream.
import { join } from 'node:path';
import * as vscode from 'vscode';
import { HistoryFollower } from '../../core/runs/follow';
import type { RunRegistry } from '../../core/runs/registry';
import { HISTORY_DIR } from '../../protocol/runs';

export function watchWorkspaceHistory(registry: RunRegistry, streamedHere: (file: string) => boolean, log: vscode.LogOutputChannel): vscode.Disposable {
  const follower = new HistoryFollower(registry, (file, line) => log.warn(`${file}: line ${line.line} skipped: ${line.reason}: ${line.text}`));
  const watchers = new Map<string, vscode.Disposable>();
  const follow = (uri: vscode.Uri) => {
    if (!streamedHere(uri.fsPath)) void follower.poll(uri.fsPath);
  };
  const watch = (folder: vscode.WorkspaceFolder) => {
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(folder, `${HISTORY_DIR}/*.jsonl`));
    watchers.set(folder.uri.toString(), vscode.Disposable.from(
      watcher,
      watcher.onDidCreate(follow),
      watcher.onDidChange(follow),
      watcher.onDidDelete((uri) => follower.forget(uri.fsPath)),
    ));
    log.trace(`following new runs in ${join(folder.uri.fsPath, HISTORY_DIR)}`);
  };
  for (const folder of vscode.workspace.workspaceFolders ?? []) watch(folder);
  const folders = vscode.workspace.onDidChangeWorkspaceFolders((change) => {
    for (const folder of change.added) watch(folder);
    for (const folder of change.removed) {
      watchers.get(folder.uri.toString())?.dispose();
      watchers.delete(folder.uri.toString());
    }
  });
  return {
    dispose() {
      folders.dispose();
      for (const watcher of watchers.values()) watcher.dispose();
    },
  };
}
