// The Python extension is a soft dependency: when ms-python.python is installed we follow its active
// environment; when it is not, nothing here fails.
import * as vscode from 'vscode';
import { PythonExtension, PVSC_EXTENSION_ID } from '@vscode/python-extension';

let api: Promise<PythonExtension | undefined> | undefined;

function pythonExtension(): Promise<PythonExtension | undefined> {
  if (!vscode.extensions.getExtension(PVSC_EXTENSION_ID)) return Promise.resolve(undefined);
  api ??= PythonExtension.api().catch(() => undefined);
  return api;
}

/** The executable of the Python extension's active environment for `resource`, if there is one. */
export async function activeInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  const python = await pythonExtension();
  if (!python) return undefined;
  const path = python.environments.getActiveEnvironmentPath(resource);
  const resolved = await python.environments.resolveEnvironment(path).catch(() => undefined);
  return resolved?.executable.uri?.fsPath ?? path.path;
}

/** Fires when the user picks another environment in the Python extension. */
export async function onActiveInterpreterChange(listener: () => void): Promise<vscode.Disposable> {
  const python = await pythonExtension();
  return python ? python.environments.onDidChangeActiveEnvironmentPath(listener) : new vscode.Disposable(() => undefined);
}
