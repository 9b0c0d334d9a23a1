// The fresh folders an integration run needs: a workspace whose settings name a Python with NumPy, a
// user-data-dir with workspace trust off (checks run Python, which a restricted window refuses), an
// empty extensions folder, and a folder for the in-host reporter's results.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requirePythonWithNumpy } from './python.mjs';
import { writeUserSettings } from './server.mjs';

/** `trusted: false` turns Workspace Trust on and never asks, so the folder stays untrusted (restricted mode). */
export function prepareTestWorkspace(prefix, { trusted = true } = {}) {
  const python = requirePythonWithNumpy();
  const temp = mkdtempSync(join(tmpdir(), prefix));
  const dirs = {
    temp,
    python,
    workspace: join(temp, 'workspace'),
    userDataDir: join(temp, 'user-data'),
    extensionsDir: join(temp, 'extensions'),
    resultsDir: join(temp, 'results'),
  };
  mkdirSync(join(dirs.workspace, '.vscode'), { recursive: true });
  writeFileSync(join(dirs.workspace, '.vscode', 'settings.json'), JSON.stringify({ 'gradlab.pythonPath': python }, null, 2) + '\n');
  writeUserSettings(
    dirs.userDataDir,
    trusted ? { 'security.workspace.trust.enabled': false } : { 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' },
  );
  return dirs;
}
