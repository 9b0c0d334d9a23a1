// Runs the e2e suite (test/e2e): a person's clicks in a real VS Code. Packages the .vsix, installs it
// into a fresh extensions folder with the server's own CLI, starts the VS Code server on a fresh
// workspace and a headless Chromium, and runs the specs (mocha) against them. Screenshots of every step
// go to test-results/e2e/.
//
//   node scripts/run-e2e.mjs [--vsix <file>] [--no-build]
//
// --vsix      install this .vsix instead of packaging one (to try the harness itself)
// --no-build  the specs under out/test/e2e are already built (npm test builds once before every layer)
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import Mocha from 'mocha';
import { packageExtension } from './package.mjs';
import { launchBrowserServer } from './vscode/browser.mjs';
import { ensureCodeServer, installExtension } from './vscode/code-server.mjs';
import { requirePythonWithNumpy } from './vscode/python.mjs';
import { repoRoot, runCommand } from './vscode/repo.mjs';
import { startServer, workbenchUrl, writeUserSettings } from './vscode/server.mjs';

const { values: options } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});
const specsDir = join(repoRoot, 'out', 'test', 'e2e');
const screenshotDir = join(repoRoot, 'test-results', 'e2e');

const cleanups = [];
async function cleanUp() {
  while (cleanups.length > 0) await cleanups.pop()().catch((err) => console.error(`clean-up: ${err.message}`));
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => cleanUp().finally(() => process.exit(130)));
}

async function main() {
  const vsix = options.vsix ? resolve(options.vsix) : await packageExtension();
  if (!options['no-build']) await runCommand(process.execPath, ['scripts/build.mjs', '--tests']);
  const specs = existsSync(specsDir) ? readdirSync(specsDir).filter((n) => n.endsWith('.test.js')).sort() : [];
  if (specs.length === 0) throw new Error(`no e2e specs (*.test.js) in ${specsDir}: run \`node scripts/build.mjs --tests\`.`);
  const python = requirePythonWithNumpy();
  await ensureCodeServer();

  const temp = mkdtempSync(join(tmpdir(), 'gradlab-e2e-'));
  const workspace = join(temp, 'workspace');
  const userDataDir = join(temp, 'user-data');
  const extensionsDir = join(temp, 'extensions');
  mkdirSync(workspace, { recursive: true });
  await installExtension(vsix, extensionsDir);
  writeUserSettings(userDataDir, { 'gradlab.pythonPath': python });
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });

  const server = await startServer({ userDataDir, extensionsDir, logFile: join(screenshotDir, 'server.log') });
  cleanups.push(() => server.stop());
  const browserServer = await launchBrowserServer();
  cleanups.push(() => browserServer.close());
  console.log(`E2E: ${vsix} installed; workspace ${workspace}; Python ${python}`);

  // What the specs need, handed over in the environment (they run in this process).
  Object.assign(process.env, {
    GRADLAB_E2E_BROWSER: browserServer.wsEndpoint(),
    GRADLAB_E2E_URL: workbenchUrl(server, { folder: workspace }),
    GRADLAB_E2E_SCREENSHOTS: screenshotDir,
  });
  // Steps build on each other: stop at the first one that fails (its screenshot says where).
  const mocha = new Mocha({ ui: 'bdd', bail: true, timeout: 120_000, reporter: 'spec' });
  for (const name of specs) mocha.addFile(join(specsDir, name));
  const stats = await new Promise((resolve) => {
    const runner = mocha.run(() => resolve(runner.stats));
  });

  await cleanUp();
  const ok = stats.failures === 0 && stats.passes > 0;
  if (ok) rmSync(temp, { recursive: true, force: true });
  else console.error(stats.passes === 0 && stats.failures === 0 ? 'E2E: no step ran.' : `E2E: failed; workspace kept in ${temp}`);
  console.log(`Screenshots and the server log: ${screenshotDir}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(`E2E: ${err.message}`);
    await cleanUp();
    process.exit(1);
  },
);
