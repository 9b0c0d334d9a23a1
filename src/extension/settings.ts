// The gradlab.* settings of package.json (contributes.configuration), one typed getter each: the one place that
// spells their keys. Import it as a namespace: `settings.pythonPath()`.
import * as vscode from 'vscode';
import type { DeviceSetting } from '../protocol/runs';
import type { GradcheckMode } from '../protocol/pack';
import type { Limits, SandboxChoice } from '../protocol/worker';

/** Each setting's key under `gradlab.`. */
export const SettingKey = {
  PythonPath: 'pythonPath',
  Sandbox: 'sandbox',
  CheckTimeoutSeconds: 'check.timeoutSeconds',
  CheckMemoryLimitMb: 'check.memoryLimitMb',
  CheckGradcheckMode: 'check.gradcheckMode',
  CheckOnSave: 'check.onSave',
  DiagnosticsEnabled: 'diagnostics.enabled',
  Device: 'device',
  Packs: 'packs',
} as const;
export type SettingKey = (typeof SettingKey)[keyof typeof SettingKey];

const SECTION = 'gradlab';

function config(): vscode.WorkspaceConfiguration {
  return vscode.workspace.getConfiguration(SECTION);
}

/** Whether a configuration change touches this setting. */
export function affects(event: vscode.ConfigurationChangeEvent, key: SettingKey): boolean {
  return event.affectsConfiguration(`${SECTION}.${key}`);
}

/** The interpreter the user chose; undefined when left empty (automatic). */
export function pythonPath(): string | undefined {
  return config().get<string>(SettingKey.PythonPath) || undefined;
}

/** The sandbox the user chose; undefined when left at its default, so that GRADLAB_SANDBOX in the environment (or
 * `auto`) decides. */
export function sandbox(): SandboxChoice | undefined {
  const i = config().inspect<SandboxChoice>(SettingKey.Sandbox);
  return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
}

export function setPythonPath(python: string): Thenable<void> {
  return config().update(SettingKey.PythonPath, python, vscode.ConfigurationTarget.Global);
}

/** Limits the user set explicitly (a default does not count): the exercise's own limits apply otherwise. */
export function chosenLimits(): Partial<Limits> {
  const explicit = (key: SettingKey) => {
    const i = config().inspect<number>(key);
    return i?.workspaceFolderValue ?? i?.workspaceValue ?? i?.globalValue;
  };
  const limits: Partial<Limits> = {};
  const timeoutS = explicit(SettingKey.CheckTimeoutSeconds);
  const memoryMb = explicit(SettingKey.CheckMemoryLimitMb);
  if (timeoutS !== undefined) limits.timeoutS = timeoutS;
  if (memoryMb !== undefined) limits.memoryMb = memoryMb;
  return limits;
}

export function gradcheckMode(): GradcheckMode {
  return config().get<GradcheckMode>(SettingKey.CheckGradcheckMode, 'auto');
}

export function checkOnSaveEnabled(): boolean {
  return config().get<boolean>(SettingKey.CheckOnSave, true);
}

export function diagnosticsEnabled(): boolean {
  return config().get<boolean>(SettingKey.DiagnosticsEnabled, true);
}

export function device(): DeviceSetting {
  return config().get<DeviceSetting>(SettingKey.Device, 'auto');
}

/** The packs listed besides the built-in one, as written (blank and non-string entries left out). */
export function packs(): string[] {
  return config()
    .get<unknown[]>(SettingKey.Packs, [])
    .filter((p): p is string => typeof p === 'string' && p.trim() !== '');
}
