// Start Exercise and Check Exercise: which exercise (argument, active file, or a quick pick), then act.
import * as vscode from 'vscode';
import { scaffoldExercise } from '../../core/packs/scaffold';
import { findExercise } from '../../core/packs/load';
import type { ExerciseSpec } from '../../protocol/pack';
import type { CheckReport } from '../../protocol/worker';
import type { Checker } from '../checking';
import type { Ctx } from '../ctx';
import { exerciseFolderUri, exerciseIdOf, learnerFileUri } from '../exercises';

async function pickExercise(ctx: Ctx, placeHolder: string, onlyStarted: boolean): Promise<ExerciseSpec | undefined> {
  const pack = await ctx.pack();
  const folder = ctx.workspaceFolder();
  let exercises = [...pack.manifest.exercises].sort((a, b) => a.order - b.order);
  if (onlyStarted && folder) {
    const started = await Promise.all(
      exercises.map((e) => vscode.workspace.fs.stat(exerciseFolderUri(folder, e.id)).then(() => true, () => false)),
    );
    exercises = exercises.filter((_, i) => started[i]);
    if (exercises.length === 0) {
      void vscode.window.showInformationMessage('No exercise is started yet: run "Gradient Lab: Start Exercise" first.');
      return undefined;
    }
  }
  const lessons = new Map(pack.manifest.lessons.map((l) => [l.id, l.title]));
  const choice = await vscode.window.showQuickPick(
    exercises.map((e) => ({ label: e.title, description: e.id, detail: lessons.get(e.lesson), exercise: e })),
    { placeHolder, matchOnDescription: true },
  );
  return choice?.exercise;
}

/** The exercise a command is about: an id or a file Uri argument, else the active editor's, else asked. */
async function exerciseFor(ctx: Ctx, arg: unknown, placeHolder: string, onlyStarted: boolean): Promise<ExerciseSpec | undefined> {
  const pack = await ctx.pack();
  const fromUri = (uri: vscode.Uri | undefined) => (uri ? exerciseIdOf(uri) : undefined);
  const id =
    typeof arg === 'string' ? arg
    : arg instanceof vscode.Uri ? fromUri(arg)
    : onlyStarted ? fromUri(vscode.window.activeTextEditor?.document.uri)
    : undefined;
  if (id) return findExercise(pack, id);
  return pickExercise(ctx, placeHolder, onlyStarted);
}

function requireFolder(ctx: Ctx): vscode.WorkspaceFolder | undefined {
  const folder = ctx.workspaceFolder();
  if (!folder) {
    void vscode.window
      .showWarningMessage('Gradient Lab puts exercises in a workspace folder: open a folder first.', 'Open Folder')
      .then((c) => c && vscode.commands.executeCommand('workbench.action.files.openFolder'));
  }
  return folder;
}

export function startExercise(ctx: Ctx) {
  return async (arg?: unknown): Promise<vscode.Uri | undefined> => {
    const exercise = await exerciseFor(ctx, arg, 'Which exercise do you want to start?', false);
    const folder = exercise && requireFolder(ctx);
    if (!exercise || !folder) return undefined;
    const pack = await ctx.pack();
    const result = await scaffoldExercise(pack, exercise.id, folder.uri.fsPath);
    const learnerFile = learnerFileUri(folder, exercise);
    if (result.created.length === 0) {
      void vscode.window.showInformationMessage(`${exercise.title} is already started: your files were kept as they are.`);
    }
    ctx.log.info(`start ${exercise.id}: created ${result.created.length} file(s), kept ${result.existing.length}`);
    await vscode.window.showTextDocument(learnerFile, { preview: false, viewColumn: vscode.ViewColumn.One });
    const instructions = vscode.Uri.joinPath(exerciseFolderUri(folder, exercise.id), exercise.instructions);
    try {
      await vscode.commands.executeCommand('markdown.showPreviewToSide', instructions);
    } catch {
      await vscode.window.showTextDocument(instructions, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
    }
    return learnerFile;
  };
}

export function checkExercise(ctx: Ctx, checker: Checker) {
  return async (arg?: unknown): Promise<CheckReport | undefined> => {
    const exercise = await exerciseFor(ctx, arg, 'Which exercise do you want to check?', true);
    const folder = exercise && requireFolder(ctx);
    if (!exercise || !folder) return undefined;
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `$(beaker) Checking ${exercise.id}` },
      () => checker.check(exercise, folder),
    );
  };
}
