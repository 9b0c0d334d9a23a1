// Which exercise a training run or the panel belongs to, so the panel can show that exercise's reference run.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { exerciseFolder } from '../../core/paths';
import { hasReferenceRun, referenceExercises } from '../../core/runs/reference';

/** The exercise of a file: its folder is a scaffolded exercise (<workspace>/gradlab/<id>/) or one with a reference run. */
export function exerciseOfFile(workspaceDir: string, file: string): string | undefined {
  const folder = dirname(file);
  const id = basename(folder);
  return exerciseFolder(workspaceDir, id) === folder || hasReferenceRun(id) ? id : undefined;
}

/**
 * The exercise the learner is on when the panel is opened without one: the active editor's, else the first
 * scaffolded exercise of the workspace that has a reference run (so the panel has a curve before any code runs).
 */
export function currentExercise(): string | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  const folder = active && vscode.workspace.getWorkspaceFolder(active);
  if (active && folder) {
    const id = exerciseOfFile(folder.uri.fsPath, active.fsPath);
    if (id) return id;
  }
  const workspaces = vscode.workspace.workspaceFolders ?? [];
  return referenceExercises().find((id) => workspaces.some((w) => existsSync(exerciseFolder(w.uri.fsPath, id))));
}
