// Warm from the start: when the workspace holds started exercises, the grader starts right after activation, in
// the background (its worker imports NumPy and forks its zygotes), and checks the starter form of one of them (the
// active editor's, else the first) so that the check kinds are loaded and the templates of the pack's code forked:
// the learner's first save is then a warm check. Its report is nobody's, and a real check stops it at once.
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { checkSubmission, formFolder } from '../core/grading/check';
import { missingPackages } from '../core/python/discover';
import type { Checker } from './checking';
import type { Ctx } from './ctx';
import { exerciseFolderUri, exerciseIdOf } from './exercises';

export function warmUp(ctx: Ctx, checker: Checker): vscode.Disposable {
  const abort = new AbortController();
  const stop = checker.onDidChange((e) => e.running && abort.abort());
  void warm(ctx, abort.signal)
    .catch((error: unknown) => abort.signal.aborted || ctx.log.debug(`warm-up: ${error instanceof Error ? error.message : String(error)}`))
    .finally(() => stop.dispose());
  return new vscode.Disposable(() => {
    abort.abort();
    stop.dispose();
  });
}

async function warm(ctx: Ctx, signal: AbortSignal): Promise<void> {
  const folder = ctx.workspaceFolder();
  if (!folder || !vscode.workspace.isTrusted) return;
  const started = (await ctx.packs.all()).flatMap((pack) =>
    pack.manifest.exercises.filter((exercise) => existsSync(exerciseFolderUri(folder, exercise.id).fsPath)).map((exercise) => ({ pack, exercise })),
  );
  if (started.length === 0 || signal.aborted) return;
  const active = vscode.window.activeTextEditor && exerciseIdOf(vscode.window.activeTextEditor.document.uri);
  const { pack, exercise } = started.find((ref) => ref.exercise.id === active) ?? started[0];
  const began = performance.now();
  const client = await ctx.grader();
  const hello = client && (await client.hello());
  if (!client || !hello || missingPackages(hello, exercise.requires ?? []).length || signal.aborted) return;
  await checkSubmission({ client, pack, exercise, submission: await formFolder(pack, exercise, 'starter'), signal });
  ctx.log.info(`grader warm in ${(performance.now() - began).toFixed(0)} ms (${exercise.id})`);
}
