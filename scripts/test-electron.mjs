// `npm run test:electron`: the integration suite (test/integration) in VS Code desktop through
// @vscode/test-electron, where VS Code can be downloaded (it cannot on machines that reach only the npm
// registry; there `npm run test:integration` runs the same suite in the VS Code server). On Linux
// without a display, run it under `xvfb-run -a`.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { buildExtension } from './vscode/build-extension.mjs';
import { repoRoot } from './vscode/repo.mjs';
import { prepareTestWorkspace } from './vscode/test-workspace.mjs';

// The VS Code the served tests use (code-server 4.100.3), so both runs see the same API.
const VSCODE_VERSION = '1.100.3';

async function main() {
  await buildExtension(['--tests']);
  let vscodeExecutablePath;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode(VSCODE_VERSION);
  } catch (err) {
    throw new Error(
      `could not download VS Code ${VSCODE_VERSION} desktop (${err.message}). This needs access to ` +
        'update.code.visualstudio.com; without it, `npm run test:integration` runs the same suite in the VS Code server.',
    );
  }
  const { temp, workspace, userDataDir, extensionsDir, resultsDir } = prepareTestWorkspace('gradlab-electron-');
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: join(repoRoot, 'out', 'test', 'integration', 'index.js'),
      launchArgs: [workspace, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir, '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
      extensionTestsEnv: { GRADLAB_TEST_RESULTS: resultsDir },
    });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`test:electron: ${err.message}`);
  process.exit(1);
});
