// What the training panel needs from the rest of the extension, handed in so the panel depends on no Ctx.
import type * as vscode from 'vscode';
import type { ExerciseSpec } from '../../protocol/pack';

export interface PanelDeps {
  context: vscode.ExtensionContext;
  log: vscode.LogOutputChannel;
  /** absolute interpreter path after validation; undefined when there is none (the user was already told) */
  resolvePython(): Promise<string | undefined>;
  /** the folder holding the `gradlab` Python package; goes on PYTHONPATH */
  runtimeDir: string;
  /** true when the workspace is trusted; otherwise tells the user why `action` needs trust (without waiting) */
  requireTrust(action: string): boolean;
  /** the exercise of that id in the open packs, for its scripts' declared parameters */
  findExercise(exerciseId: string): Promise<ExerciseSpec | undefined>;
}
