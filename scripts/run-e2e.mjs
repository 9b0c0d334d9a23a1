// Runs the e2e suite (test/e2e): a person's clicks in a real VS Code. Packages the .vsix, installs it
// into a fresh extensions folder with the server's own CLI, starts the VS Code server and a headless
// Chromium, and runs the specs (mocha) against them; each spec opens its own fresh workspace folder in
// its own window and colour theme (test/e2e/workbench.ts). Screenshots of every step go to
// test-results/e2e/<theme>/<journey>/.
//
//   node scripts/run-e2e.mjs [--vsix <file>] [--no-build] [--grep <text>]
//
// --vsix      install this .vsix instead of packaging one (to try the harness itself)
// --no-build  the specs under out/test/e2e are already built (npm test builds once before every layer)
// --grep      run only the steps whose full title contains <text> (a journey's title, to work on it)
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
import { startServer, writeUserSettings } from './vscode/server.mjs';

const { values: options } = parseArgs({
  options: {
    vsix: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
    grep: { type: 'string' },
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
  const workspaces = join(temp, 'workspaces');
  const userDataDir = join(temp, 'user-data');
  const extensionsDir = join(temp, 'extensions');
  mkdirSync(workspaces, { recursive: true });
  await installExtension(vsix, extensionsDir);
  const userSettings = writeUserSettings(userDataDir, { 'gradlab.pythonPath': python });
  rmSync(screenshotDir, { recursive: true, force: true });
  mkdirSync(screenshotDir, { recursive: true });

  const server = await startServer({ userDataDir, extensionsDir, logFile: join(screenshotDir, 'server.log') });
  cleanups.push(() => server.stop());
  const browserServer = await launchBrowserServer();
  cleanups.push(() => browserServer.close());
  console.log(`E2E: ${vsix} installed; workspaces under ${workspaces}; Python ${python}`);

  // What the specs need, handed over in the environment (they run in this process). A spec writes its
  // colour theme into the user settings before it opens its window: the web client reads them at load.
  Object.assign(process.env, {
    GRADLAB_E2E_BROWSER: browserServer.wsEndpoint(),
    GRADLAB_E2E_ORIGIN: server.origin,
    GRADLAB_E2E_WORKSPACES: workspaces,
    GRADLAB_E2E_USER_SETTINGS: userSettings,
    GRADLAB_E2E_SCREENSHOTS: screenshotDir,
  });
  // Steps build on each other: stop at the first one that fails (its screenshot says where).
  const mocha = new Mocha({ ui: 'bdd', bail: true, timeout: 120_000, reporter: 'spec', ...(options.grep ? { grep: options.grep } : {}) });
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
