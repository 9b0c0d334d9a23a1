// The learner's exercise commands. Each takes an exercise id, a file Uri or a tree node, else uses the
// active editor's exercise, else asks with a quick pick.
import { copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { scaffoldExercise } from '../../core/packs/scaffold';
import { hintsFor } from '../../core/progress/hints';
import type { CheckReport } from '../../protocol/worker';
import type { Checker } from '../checking';
import type { Ctx } from '../ctx';
import { exerciseFolderUri, exerciseIdOf, learnerFileUri } from '../exercises';
import type { ExerciseRef } from '../packs';

/** Tree nodes and CodeLens arguments carry the exercise id in `exerciseId`. */
function idOf(arg: unknown): string | undefined {
  if (typeof arg === 'string') return arg;
  if (arg instanceof vscode.Uri) return exerciseIdOf(arg);
  if (arg && typeof arg === 'object' && typeof (arg as { exerciseId?: unknown }).exerciseId === 'string') return (arg as { exerciseId: string }).exerciseId;
  return undefined;
}

async function isStarted(ctx: Ctx, id: string): Promise<boolean> {
  const folder = ctx.workspaceFolder();
  return !!folder && existsSync(exerciseFolderUri(folder, id).fsPath);
}

async function pickExercise(ctx: Ctx, placeHolder: string, onlyStarted: boolean): Promise<ExerciseRef | undefined> {
  const items: Array<vscode.QuickPickItem & { ref?: ExerciseRef }> = [];
  for (const pack of await ctx.packs.all()) {
    const lessons = new Map(pack.manifest.lessons.map((l) => [l.id, l.title] as const));
    const exercises = [...pack.manifest.exercises].sort((a, b) => a.order - b.order);
    const shown = [];
    for (const e of exercises) if (!onlyStarted || (await isStarted(ctx, e.id))) shown.push(e);
    if (shown.length) items.push({ label: pack.manifest.title, kind: vscode.QuickPickItemKind.Separator });
    for (const exercise of shown) items.push({ label: exercise.title, description: exercise.id, detail: lessons.get(exercise.lesson), ref: { pack, exercise } });
  }
  if (!items.length) {
    void vscode.window.showInformationMessage('No exercise is started yet: run "Gradient Lab: Start Exercise" first.');
    return undefined;
  }
  return (await vscode.window.showQuickPick(items, { placeHolder, matchOnDescription: true }))?.ref;
}

async function exerciseFor(ctx: Ctx, arg: unknown, placeHolder: string, onlyStarted: boolean): Promise<ExerciseRef | undefined> {
  const id = idOf(arg) ?? (onlyStarted ? idOf(vscode.window.activeTextEditor?.document.uri) : undefined);
  if (!id) return pickExercise(ctx, placeHolder, onlyStarted);
  const ref = await ctx.packs.find(id);
  if (!ref) void vscode.window.showErrorMessage(`No open pack has an exercise "${id}".`);
  return ref;
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

async function showInstructionsOf(ref: ExerciseRef, folder: vscode.WorkspaceFolder): Promise<void> {
  const instructions = vscode.Uri.joinPath(exerciseFolderUri(folder, ref.exercise.id), ref.exercise.instructions);
  try {
    await vscode.commands.executeCommand('markdown.showPreviewToSide', instructions);
  } catch {
    await vscode.window.showTextDocument(instructions, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true });
  }
}

export function startExercise(ctx: Ctx) {
  return async (arg?: unknown): Promise<vscode.Uri | undefined> => {
    const ref = await exerciseFor(ctx, arg, 'Which exercise do you want to start?', false);
    const folder = ref && requireFolder(ctx);
    if (!ref || !folder) return undefined;
    const result = await scaffoldExercise(ref.pack, ref.exercise.id, folder.uri.fsPath);
    if (result.created.length === 0) {
      void vscode.window.showInformationMessage(`${ref.exercise.title} is already started: your files were kept as they are.`);
    }
    ctx.log.info(`start ${ref.exercise.id}: created ${result.created.length} file(s), kept ${result.existing.length}`);
    ctx.progress(folder).markStarted(ref.pack.manifest.id, ref.exercise.id);
    const learnerFile = learnerFileUri(folder, ref.exercise);
    await vscode.window.showTextDocument(learnerFile, { preview: false, viewColumn: vscode.ViewColumn.One });
    await showInstructionsOf(ref, folder);
    ctx.changed();
    return learnerFile;
  };
}

export function showInstructions(ctx: Ctx) {
  return async (arg?: unknown): Promise<void> => {
    const ref = await exerciseFor(ctx, arg, 'Instructions of which exercise?', false);
    const folder = ref && requireFolder(ctx);
    if (!ref || !folder) return;
    if (!(await isStarted(ctx, ref.exercise.id))) {
      // Not scaffolded yet: read them from the pack itself.
      const source = vscode.Uri.file(join(ref.pack.dir, ref.exercise.dir ?? ref.exercise.id, ref.exercise.instructions));
      await vscode.commands.executeCommand('markdown.showPreview', source);
      return;
    }
    await showInstructionsOf(ref, folder);
  };
}

export function checkExercise(ctx: Ctx, checker: Checker) {
  return async (arg?: unknown): Promise<CheckReport | undefined> => {
    const ref = await exerciseFor(ctx, arg, 'Which exercise do you want to check?', true);
    const folder = ref && requireFolder(ctx);
    if (!ref || !folder) return undefined;
    if (!(await isStarted(ctx, ref.exercise.id))) {
      void vscode.window.showWarningMessage(`${ref.exercise.title} is not started yet (no ${exerciseFolderUri(folder, ref.exercise.id).fsPath}).`, 'Start Exercise').then((c) => c && vscode.commands.executeCommand('gradlab.startExercise', ref.exercise.id));
      return undefined;
    }
    return checker.check(ref, folder);
  };
}

/** Reset: the learner's files are moved to a timestamped backup first, then the starter is written again. */
export function resetExercise(ctx: Ctx) {
  return async (arg?: unknown): Promise<string | undefined> => {
    const ref = await exerciseFor(ctx, arg, 'Which exercise do you want to reset?', true);
    const folder = ref && requireFolder(ctx);
    if (!ref || !folder) return undefined;
    const confirm = typeof arg === 'object' && arg && (arg as { confirmed?: boolean }).confirmed ? 'Reset' : await vscode.window.showWarningMessage(
      `Reset ${ref.exercise.title} to its starter code? Your current files are kept in a backup folder.`,
      { modal: true },
      'Reset',
    );
    if (confirm !== 'Reset') return undefined;
    const dir = exerciseFolderUri(folder, ref.exercise.id).fsPath;
    const backup = join(folder.uri.fsPath, '.gradlab', 'backups', ref.exercise.id, new Date().toISOString().replace(/[:.]/g, '-'));
    mkdirSync(backup, { recursive: true });
    for (const file of ref.exercise.files.filter((f) => f.role !== 'given')) {
      const path = join(dir, file.path);
      if (!existsSync(path)) continue;
      // An open editor with unsaved edits would write them back over the starter: save them into the backup.
      const open = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === path);
      if (open?.isDirty) await open.save();
      copyFileSync(path, join(backup, file.path));
      rmSync(path);
    }
    await scaffoldExercise(ref.pack, ref.exercise.id, folder.uri.fsPath);
    ctx.progress(folder).forget(ref.pack.manifest.id, ref.exercise.id);
    ctx.progress(folder).markStarted(ref.pack.manifest.id, ref.exercise.id);
    ctx.changed();
    void vscode.window.showInformationMessage(`${ref.exercise.title} was reset. Your previous files are in ${backup}.`, 'Reveal Backup').then((c) => c && vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(backup)));
    return backup;
  };
}

export function showHint(ctx: Ctx) {
  return async (arg?: unknown): Promise<string | undefined> => {
    const ref = await exerciseFor(ctx, arg, 'A hint for which exercise?', true);
    const folder = ref && requireFolder(ctx);
    if (!ref || !folder) return undefined;
    const progress = ctx.progress(folder);
    const entry = progress.exercise(ref.pack.manifest.id, ref.exercise.id);
    const failing = Object.entries(entry?.checks ?? {}).filter(([, s]) => s !== 'passed').map(([id]) => id);
    const state = hintsFor(ref.exercise, failing, entry?.failedAttempts ?? 0);
    if (state.all.length === 0) {
      void vscode.window.showInformationMessage(`${ref.exercise.title} has no hints.`);
      return undefined;
    }
    if (state.unlocked === 0) {
      void vscode.window.showInformationMessage(`The first hint unlocks after ${state.attemptsToNext} more failed check${state.attemptsToNext === 1 ? '' : 's'}: try, save, and read the verdict first.`);
      return undefined;
    }
    const seen = entry?.hintsSeen ?? 0;
    const index = Math.min(seen, state.unlocked - 1);
    const hint = state.all[index];
    progress.recordHintSeen(ref.pack.manifest.id, ref.exercise.id, index + 1);
    const more = index + 1 < state.unlocked ? 'Next Hint' : undefined;
    const later = index + 1 >= state.unlocked && state.attemptsToNext > 0 ? ` (the next unlocks after ${state.attemptsToNext} more failed check${state.attemptsToNext === 1 ? '' : 's'})` : '';
    ctx.changed();
    void vscode.window.showInformationMessage(`Hint ${index + 1}/${state.all.length}: ${hint}${later}`, ...(more ? [more] : [])).then((c) => c && vscode.commands.executeCommand('gradlab.showHint', ref.exercise.id));
    return hint;
  };
}

export function openPack(ctx: Ctx) {
  return async (arg?: unknown): Promise<string | undefined> => {
    let source = typeof arg === 'string' ? arg : undefined;
    if (!source) {
      const how = await vscode.window.showQuickPick(
        [
          { label: '$(folder) Folder…', value: 'folder' },
          { label: '$(file-zip) .zip file…', value: 'zip' },
          { label: '$(repo) Git repository URL…', value: 'git' },
        ],
        { placeHolder: 'Open an exercise pack from' },
      );
      if (!how) return undefined;
      if (how.value === 'git') {
        source = await vscode.window.showInputBox({ prompt: 'Git URL of the pack', placeHolder: 'https://github.com/org/pack.git' });
      } else {
        const picked = await vscode.window.showOpenDialog({
          canSelectFolders: how.value === 'folder',
          canSelectFiles: how.value === 'zip',
          filters: how.value === 'zip' ? { 'Exercise pack': ['zip'] } : undefined,
          openLabel: 'Open Pack',
        });
        source = picked?.[0]?.fsPath;
      }
    }
    if (!source) return undefined;
    try {
      const pack = await ctx.packs.open(source);
      void vscode.window.showInformationMessage(`Opened "${pack.manifest.title}" (${pack.manifest.exercises.length} exercises).`);
      ctx.changed();
      return pack.manifest.id;
    } catch (error) {
      void vscode.window.showErrorMessage(`This pack cannot be opened: ${(error as Error).message}`);
      return undefined;
    }
  };
}
