// One status-bar item: exercises passed out of the built-in pack's, spinning while a check runs;
// a click opens the Exercises view.
import * as vscode from 'vscode';
import type { Checker } from '../checking';
import type { Ctx } from '../ctx';

export function createStatusBar(ctx: Ctx, checker: Checker): vscode.Disposable & { text(): string } {
  const item = vscode.window.createStatusBarItem('gradlab.progress', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Gradient Lab progress';
  item.command = 'gradlab.exercises.focus';
  let running = 0;
  const update = async () => {
    const pack = await ctx.packs.builtin().catch(() => undefined);
    const folder = ctx.workspaceFolder();
    if (!pack) return item.hide();
    const passed = folder ? ctx.progress(folder).passedCount(pack.manifest.id) : 0;
    const total = pack.manifest.exercises.length;
    item.text = `${running > 0 ? '$(sync~spin)' : '$(beaker)'} ${passed}/${total}`;
    item.tooltip = running > 0 ? 'Gradient Lab: checking…' : `Gradient Lab: ${passed} of ${total} exercises passed. Click to open the exercises.`;
    item.accessibilityInformation = { label: item.tooltip };
    item.show();
  };
  void update();
  const disposable = vscode.Disposable.from(
    item,
    ctx.onDidChange(() => void update()),
    checker.onDidChange((e) => {
      running = Math.max(0, running + (e.running ? 1 : -1));
      void update();
    }),
  );
  return Object.assign(disposable, { text: () => item.text });
}
