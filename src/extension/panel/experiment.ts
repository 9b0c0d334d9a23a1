// The experiment of an exercise: its training script (the learner's copy in the workspace) with the parameters the
// pack declares for it, for the panel's experiment bar; and "Run Training Script with...", which asks for the values
// with quick picks and input boxes that refuse a value outside its declaration as it is typed.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { defaultValues, type ParameterValues } from '../../core/packs/parameters';
import { exerciseFolder } from '../../core/paths';
import { shownValue, valueProblem, type ScriptParameter } from '../../protocol/parameters';
import type { ExperimentBar } from '../../protocol/webview';
import type { PanelDeps } from './deps';
import { exerciseOfFile } from './exercises';

/** The first script of the exercise with declared parameters, as scaffolded in `workspaceDir`; undefined without one. */
export async function experimentOf(deps: PanelDeps, exerciseId: string, workspaceDir: string): Promise<ExperimentBar | undefined> {
  const exercise = await deps.findExercise(exerciseId);
  const file = exercise?.files.find((f) => f.role === 'script' && f.parameters?.length);
  if (!file) return undefined;
  const script = join(exerciseFolder(workspaceDir, exerciseId), ...file.path.split('/'));
  return existsSync(script) ? { script, parameters: file.parameters! } : undefined;
}

/** The parameters declared for a script file of an exercise in the workspace, or undefined when it has none. */
export async function parametersOfScript(deps: PanelDeps, workspaceDir: string, script: string): Promise<ScriptParameter[] | undefined> {
  const exerciseId = exerciseOfFile(workspaceDir, script);
  if (!exerciseId) return undefined;
  const exercise = await deps.findExercise(exerciseId);
  const file = exercise?.files.find((f) => f.role === 'script' && join(exerciseFolder(workspaceDir, exerciseId), ...f.path.split('/')) === script);
  return file?.parameters?.length ? file.parameters : undefined;
}

interface ParameterItem extends vscode.QuickPickItem {
  parameter?: ScriptParameter;
}

/**
 * Asks for the values: a list of the parameters with their current values and "Train with these values" on top;
 * picking a parameter asks for its value. Undefined when the learner cancels.
 */
export async function askValues(script: string, parameters: ScriptParameter[], start: ParameterValues): Promise<ParameterValues | undefined> {
  const values = { ...defaultValues(parameters), ...start };
  for (;;) {
    const run: ParameterItem = { label: '$(run) Train with these values', detail: parameters.map((p) => `${p.name}=${String(values[p.name])}`).join('  ') };
    const items: ParameterItem[] = [run, ...parameters.map((p) => ({ label: p.label, description: shownValue(values[p.name]), detail: describeRange(p), parameter: p }))];
    const picked = await vscode.window.showQuickPick(items, { title: `Run ${basename(script)} with...`, placeHolder: 'Pick a parameter to change it, or train', ignoreFocusOut: true });
    if (!picked) return undefined;
    if (!picked.parameter) return values;
    const value = await askValue(picked.parameter, values[picked.parameter.name]);
    if (value !== undefined) values[picked.parameter.name] = value;
  }
}

async function askValue(parameter: ScriptParameter, current: ParameterValues[string]): Promise<ParameterValues[string] | undefined> {
  if (parameter.kind === 'choice' || parameter.kind === 'boolean') {
    const options = parameter.kind === 'choice' ? parameter.choices : ['on', 'off'];
    const picked = await vscode.window.showQuickPick(
      options.map((label) => ({ label, description: label === (parameter.kind === 'boolean' ? (current ? 'on' : 'off') : current) ? 'current' : undefined })),
      { title: parameter.label, placeHolder: `${parameter.label} (${parameter.flag ?? 'positional'})` },
    );
    if (!picked) return undefined;
    return parameter.kind === 'boolean' ? picked.label === 'on' : picked.label;
  }
  const typed = await vscode.window.showInputBox({
    title: parameter.label,
    prompt: describeRange(parameter),
    value: String(current),
    validateInput: (text) => valueProblem(parameter, parseNumber(text)),
  });
  return typed === undefined ? undefined : parseNumber(typed);
}

/** A typed number, or NaN for text that is not one (which valueProblem refuses with the bounds). */
function parseNumber(text: string): number {
  return text.trim() === '' ? Number.NaN : Number(text);
}

function describeRange(parameter: ScriptParameter): string {
  const flag = parameter.flag ?? 'positional';
  switch (parameter.kind) {
    case 'choice':
      return `${flag}: ${parameter.choices.join(' / ')}`;
    case 'boolean':
      return `${flag}: on or off`;
    case 'integer':
      return `${flag}: a whole number from ${parameter.min} to ${parameter.max}`;
    case 'number':
      return `${flag}: from ${parameter.min} to ${parameter.max}${parameter.scale === 'log' ? ' (log scale)' : ''}`;
  }
}

/** The workspace folder of a file, else its own folder. */
export function folderOf(file: vscode.Uri): string {
  return vscode.workspace.getWorkspaceFolder(file)?.uri.fsPath ?? dirname(file.fsPath);
}
