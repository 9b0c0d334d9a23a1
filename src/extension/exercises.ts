// Where exercises live in a workspace (gradlab/<exercise-id>/...) and where a learner's function is.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { ExerciseSpec } from '../protocol/pack';
import type { CheckResult } from '../protocol/worker';
import { exerciseFolder } from '../core/paths';

export function exerciseFolderUri(folder: vscode.WorkspaceFolder, exerciseId: string): vscode.Uri {
  return vscode.Uri.file(exerciseFolder(folder.uri.fsPath, exerciseId));
}

/** The exercise id a file belongs to, when it sits under <workspace>/gradlab/<id>/. */
export function exerciseIdOf(uri: vscode.Uri): string | undefined {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (!folder) return undefined;
  const parts = path.relative(folder.uri.fsPath, uri.fsPath).split(path.sep);
  return parts.length >= 3 && parts[0] === 'gradlab' ? parts[1] : undefined;
}

export function learnerFileUri(folder: vscode.WorkspaceFolder, exercise: ExerciseSpec, file?: string): vscode.Uri {
  const name = file ?? exercise.files.find((f) => f.role === 'learner')?.path ?? exercise.files[0].path;
  return vscode.Uri.joinPath(exerciseFolderUri(folder, exercise.id), name);
}

/** The line of `def name` / `class name` in a file's current text (the editor's, if open). */
export async function definitionLine(uri: vscode.Uri, name: string): Promise<number | undefined> {
  let text: string;
  try {
    text = (await vscode.workspace.openTextDocument(uri)).getText();
  } catch {
    return undefined;
  }
  const pattern = new RegExp(`^\\s*(?:async\\s+)?(?:def|class)\\s+${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  const index = text.split(/\r?\n/).findIndex((line) => pattern.test(line));
  return index < 0 ? undefined : index;
}

/** Where a check's failure is shown: the worker's line when it gave one, else the function's definition. */
export async function locateResult(folder: vscode.WorkspaceFolder, exercise: ExerciseSpec, result: CheckResult): Promise<vscode.Location> {
  const spec = exercise.checks.find((c) => c.id === result.id);
  const uri = learnerFileUri(folder, exercise, result.file ?? spec?.file);
  const fn = result.function ?? spec?.function;
  let line = result.line !== undefined ? result.line - 1 : undefined;
  if (line === undefined && fn) line = await definitionLine(uri, fn.split('.').pop()!);
  return new vscode.Location(uri, new vscode.Position(Math.max(0, line ?? 0), 0));
}
