// `import gradlab` in the learner's own terminal, in the real VS Code: a training script typed into the integrated
// terminal (or run by the Python extension's Run button, which types it into a terminal too) finds the runtime
// first on PYTHONPATH, and the PYTHONPATH the learner had is still there after it.
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import * as vscode from 'vscode';
import { runtimeDir } from '../../src/core/paths';
import { activateGradlab, waitFor, workspaceDir } from './support/gradlab';

suite('Terminal: import gradlab in a script the learner runs', () => {
  test('a new terminal runs a script that imports gradlab, with the runtime first and the learner PYTHONPATH kept', async function () {
    this.timeout(60_000);
    await activateGradlab();
    const python = vscode.workspace.getConfiguration('gradlab').get<string>('pythonPath');
    assert.ok(python, 'the launcher sets gradlab.pythonPath in the workspace');
    const folder = mkdtempSync(join(workspaceDir(), 'terminal-'));
    const own = join(folder, 'own-modules');
    const result = join(folder, 'result.json');
    writeFileSync(
      join(folder, 'probe_import.py'),
      'import json, os, sys\nimport gradlab\n' +
        `json.dump({"file": gradlab.__file__, "path": os.environ.get("PYTHONPATH", "")}, open(${JSON.stringify(result)}, "w"))\n`,
    );
    const terminal = vscode.window.createTerminal({ name: 'gradlab probe', cwd: folder, env: { PYTHONPATH: own } });
    try {
      terminal.sendText(`"${python}" probe_import.py`);
      await waitFor(() => existsSync(result) && readFileSync(result, 'utf8').endsWith('}'), 'the script in the terminal to import gradlab', 45_000);
      const seen = JSON.parse(readFileSync(result, 'utf8')) as { file: string; path: string };
      assert.ok(seen.file.startsWith(join(runtimeDir(), 'gradlab')), `gradlab came from ${seen.file}, not the extension's runtime`);
      const entries = seen.path.split(delimiter);
      assert.equal(entries[0], runtimeDir());
      assert.ok(entries.includes(own), `the learner's PYTHONPATH ${own} was dropped: ${seen.path}`);
    } finally {
      terminal.dispose();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
