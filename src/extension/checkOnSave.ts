// Check on save (setting gradlab.check.onSave, on by default). An explicit save is one event and is checked at
// once (the Checker cancels the older check of the same exercise); saves the editor makes by itself (auto-save
// after a delay or on focus change) come in bursts and wait a little for the burst to end. The lines changed since
// the last check name the functions whose checks run first. Saving a given (read-only) file is pointed out: the
// grader always uses the pack's own copy.
import * as vscode from 'vscode';
import { enclosingFunctions } from '../core/grading/edited';
import type { Checker } from './checking';
import type { Ctx } from './ctx';
import { exerciseIdOf } from './exercises';
import * as settings from './settings';

const AUTO_SAVE_DEBOUNCE_MS = 30;

export function checkOnSave(ctx: Ctx, checker: Checker): vscode.Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  /** the functions edited by the saves of a burst still waiting */
  const pendingFocus = new Map<string, string[]>();
  const warnedGiven = new Set<string>();
  /** why each document is being saved, from onWillSave to onDidSave */
  const reasons = new Map<string, vscode.TextDocumentSaveReason>();
  /** lines (0-based) of each exercise document changed since its last check */
  const changed = new Map<string, Set<number>>();
  let toldUntrusted = false;
  const editing = vscode.workspace.onDidChangeTextDocument((e) => {
    if (!exerciseIdOf(e.document.uri)) return;
    const lines = changed.get(e.document.uri.toString()) ?? new Set<number>();
    for (const change of e.contentChanges) {
      const added = change.text.split('\n').length - 1;
      for (let line = change.range.start.line; line <= change.range.start.line + added; line++) lines.add(line);
    }
    changed.set(e.document.uri.toString(), lines);
  });
  const willSave = vscode.workspace.onWillSaveTextDocument((e) => reasons.set(e.document.uri.toString(), e.reason));
  const listener = vscode.workspace.onDidSaveTextDocument(async (document) => {
    const savedAt = Date.now();
    const key = document.uri.toString();
    const reason = reasons.get(key);
    reasons.delete(key);
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
    const timerKey = `${folder.uri.toString()}\0${exerciseId}`;
    // a burst's saves each changed something: the check after it runs all their functions' checks first
    const focus = [...new Set([...(pendingFocus.get(timerKey) ?? []), ...enclosingFunctions(document.getText(), changed.get(key) ?? [])])];
    changed.delete(key);
    clearTimeout(timers.get(timerKey));
    timers.delete(timerKey);
    pendingFocus.set(timerKey, focus);
    const start = () => {
      pendingFocus.delete(timerKey);
      void checker.checkSaved(ref, folder, savedAt, focus);
    };
    if (reason === vscode.TextDocumentSaveReason.Manual || reason === undefined) return start();
    timers.set(
      timerKey,
      setTimeout(() => {
        timers.delete(timerKey);
        start();
      }, AUTO_SAVE_DEBOUNCE_MS),
    );
  });
  return new vscode.Disposable(() => {
    listener.dispose();
    willSave.dispose();
    editing.dispose();
    for (const t of timers.values()) clearTimeout(t);
  });
}
