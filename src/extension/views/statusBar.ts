// One status-bar item: exercises passed out of the built-in pack's, or while checks run how many are still
// running (their results stream in one by one); a click opens the Exercises view.
import * as vscode from 'vscode';
import type { Checker } from '../checking';
import type { Ctx } from '../ctx';

export function createStatusBar(ctx: Ctx, checker: Checker): vscode.Disposable & { text(): string } {
  const item = vscode.window.createStatusBarItem('gradlab.progress', vscode.StatusBarAlignment.Left, 50);
  item.name = 'Gradient Lab progress';
  item.command = 'gradlab.exercises.focus';
  /** checks with no result yet, per running check of an exercise in a folder */
  const remaining = new Map<string, number>();
  const update = async () => {
    const running = [...remaining.values()].reduce((sum, n) => sum + n, 0);
    const pack = await ctx.packs.builtin().catch(() => undefined);
    const folder = ctx.workspaceFolder();
    if (!pack) return item.hide();
    const passed = folder ? ctx.progress(folder).passedCount(pack.manifest.id) : 0;
    const total = pack.manifest.exercises.length;
    const checking = remaining.size > 0;
    const words = `${running} check${running === 1 ? '' : 's'} running`;
    item.text = checking ? `$(sync~spin) ${passed}/${total}, ${words}` : `$(beaker) ${passed}/${total}`;
    item.tooltip = checking ? `Gradient Lab: ${words}; ${passed} of ${total} exercises passed.` : `Gradient Lab: ${passed} of ${total} exercises passed. Click to open the exercises.`;
    item.accessibilityInformation = { label: item.tooltip };
    item.show();
  };
  void update();
  const disposable = vscode.Disposable.from(
    item,
    ctx.onDidChange(() => void update()),
    checker.onDidChange((e) => {
      const key = `${e.folder.uri.toString()}\0${e.ref.exercise.id}`;
      if (e.running) remaining.set(key, e.remaining ?? 0);
      else remaining.delete(key);
      void update();
    }),
  );
  return Object.assign(disposable, { text: () => item.text });
}
