// Check on save (setting gradlab.check.onSave, on by default): debounced per exercise; the Checker
// cancels an older check of the same exercise when the newer one starts. Saving a given (read-only) file
// is pointed out: the grader always uses the pack's own copy.
import * as vscode from 'vscode';
import type { Checker } from './checking';
import type { Ctx } from './ctx';
import { exerciseIdOf } from './exercises';
import * as settings from './settings';

const DEBOUNCE_MS = 100;

export function checkOnSave(ctx: Ctx, checker: Checker): vscode.Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  const warnedGiven = new Set<string>();
  let toldUntrusted = false;
  const listener = vscode.workspace.onDidSaveTextDocument(async (document) => {
    const savedAt = Date.now();
    const exerciseId = exerciseIdOf(document.uri);
    if (!exerciseId) return;
    const ref = await ctx.packs.find(exerciseId);
    const folder = vscode.workspace.getWorkspaceFolder(document.uri);
    if (!ref || !folder) return;
    const file = ref.exercise.files.find((f) => document.uri.fsPath.endsWith(`/${f.path}`) || document.uri.fsPath.endsWith(`\\${f.path}`));
    if (file?.role === 'given' && !warnedGiven.has(document.uri.fsPath)) {
      warnedGiven.add(document.uri.fsPath);
      void vscode.window.showWarningMessage(`${file.path} is given code: checks always use the pack's own copy, so your edits to it are not graded. Write your code in ${ref.exercise.files.find((f) => f.role === 'learner')?.path}.`);
      return;
    }
    if (file?.role !== 'learner' || !settings.checkOnSaveEnabled()) return;
    if (!vscode.workspace.isTrusted) {
      // Say why once per session, not on every save.
      if (!toldUntrusted) toldUntrusted = !ctx.requireTrust('Checking on save');
      return;
    }
    clearTimeout(timers.get(exerciseId));
    timers.set(
      exerciseId,
      setTimeout(() => {
        timers.delete(exerciseId);
        void checker.checkSaved(ref, folder, savedAt);
      }, DEBOUNCE_MS),
    );
  });
  return new vscode.Disposable(() => {
    listener.dispose();
    for (const t of timers.values()) clearTimeout(t);
  });
}
