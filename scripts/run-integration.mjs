// Runs the integration suite (test/integration, mocha inside the real extension host) in the VS Code
// server from the npm package code-server, opened by headless Chromium: the @vscode/test-electron model
// on a machine that cannot download VS Code desktop.
//
//   node scripts/run-integration.mjs [--no-build] [--extension <dir>] [--timeout <seconds>] [--tests <index.js>] [--untrusted] [--multi-root]
//
// --no-build      use the bundles already in dist/ and out/ (npm test builds once before every layer)
// --extension     load another extension folder instead of this repository (to try the harness itself)
// --tests         another suite entry with the same run() contract (bench/editor measures latency this way)
// --untrusted     Workspace Trust on and the folder left untrusted; runs test/integration/untrusted
// --multi-root    a workspace of two folders; runs test/integration/multiroot
// Exit code 0 when every test passed; 1 on a failure, a crash or a time-out. Logs and a screenshot of the
// window are kept under test-results/integration/.
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser } from './vscode/browser.mjs';
import { buildExtension } from './vscode/build-extension.mjs';
import { ensureCodeServer } from './vscode/code-server.mjs';
import { repoRoot } from './vscode/repo.mjs';
import { startServer, workbenchUrl } from './vscode/server.mjs';
import { prepareTestWorkspace } from './vscode/test-workspace.mjs';

const { values: options } = parseArgs({
  options: {
    'no-build': { type: 'boolean', default: false },
    extension: { type: 'string', default: repoRoot },
    timeout: { type: 'string', default: '300' },
    tests: { type: 'string' },
    untrusted: { type: 'boolean', default: false },
    'multi-root': { type: 'boolean', default: false },
  },
});
const timeoutMs = Number(options.timeout) * 1000;
const extensionDir = resolve(options.extension);
const testsEntry = options.tests
  ? resolve(options.tests)
  : join(repoRoot, 'out', 'test', 'integration', ...(options.untrusted ? ['untrusted'] : options['multi-root'] ? ['multiroot'] : []), 'index.js');
const reportDir = join(repoRoot, 'test-results', 'integration');

const cleanups = [];
async function cleanUp() {
  while (cleanups.length > 0) await cleanups.pop()().catch((err) => console.error(`clean-up: ${err.message}`));
}
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => cleanUp().finally(() => process.exit(130)));
}

/** Print the lines the in-host reporter appends to results.log as they come. */
function followResults(file) {
  let shown = 0;
  const flush = () => {
    if (!existsSync(file)) return;
    const text = readFileSync(file, 'utf8');
    if (text.length > shown) process.stdout.write(text.slice(shown));
    shown = text.length;
  };
  const timer = setInterval(flush, 250);
  return () => {
    clearInterval(timer);
    flush();
  };
}

async function main() {
  if (!options['no-build']) await buildExtension(['--tests']);
  if (!existsSync(testsEntry)) throw new Error(`${testsEntry} is missing: run \`node scripts/build.mjs --tests\` first.`);
  await ensureCodeServer();
  const { temp, python, workspace, userDataDir, extensionsDir, resultsDir } = prepareTestWorkspace('gradlab-integration-', {
    trusted: !options.untrusted,
  });
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });
  console.log(`Integration: VS Code server + Chromium, workspace ${workspace}, Python ${python}`);

  const server = await startServer({
    userDataDir,
    extensionsDir,
    logFile: join(reportDir, 'server.log'),
    env: { GRADLAB_TEST_RESULTS: resultsDir },
  });
  cleanups.push(() => server.stop());
  const browser = await launchBrowser();
  cleanups.push(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const browserLog = [];
  page.on('console', (m) => browserLog.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => browserLog.push(`[pageerror] ${e.message}`));
  let multiRoot;
  if (options['multi-root']) {
    const second = join(temp, 'second');
    mkdirSync(second, { recursive: true });
    multiRoot = join(temp, 'two-folders.code-workspace');
    writeFileSync(multiRoot, JSON.stringify({ folders: [{ path: workspace }, { path: second }], settings: { 'gradlab.pythonPath': python } }, null, 2));
  }
  await page.goto(workbenchUrl(server, { folder: workspace, workspace: multiRoot, extensionDevelopmentPath: extensionDir, extensionTestsPath: testsEntry }));

  const stopFollowing = followResults(join(resultsDir, 'results.log'));
  let hostExit;
  try {
    hostExit = Number((await server.waitForLog(/Extension Host Process exited with code: (\d+)/, timeoutMs))[1]);
  } catch (err) {
    console.error(`\nIntegration: ${err.message}`);
  }
  stopFollowing();

  const summaryFile = join(resultsDir, 'summary.json');
  const summary = existsSync(summaryFile) ? JSON.parse(readFileSync(summaryFile, 'utf8')) : undefined;
  const ok = hostExit === 0 && summary !== undefined && summary.failures === 0 && summary.passes > 0;
  if (!ok) {
    await page.screenshot({ path: join(reportDir, 'window.png') }).catch(() => {});
    writeFileSync(join(reportDir, 'browser-console.log'), browserLog.join('\n') + '\n');
    if (existsSync(join(resultsDir, 'results.log'))) copyFileSync(join(resultsDir, 'results.log'), join(reportDir, 'results.log'));
    if (!summary) {
      console.error(
        hostExit === undefined
          ? 'Integration: the suite did not finish.'
          : `Integration: the extension host exited with code ${hostExit} before the suite reported.`,
      );
    } else if (summary.passes === 0 && summary.failures === 0) {
      console.error('Integration: no test ran.');
    }
    console.error(`Logs: ${reportDir} (server.log, browser-console.log, window.png)`);
  }
  await cleanUp();
  if (ok) rmSync(temp, { recursive: true, force: true });
  else console.error(`Workspace kept for inspection: ${temp}`);
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  async (err) => {
    console.error(`Integration: ${err.message}`);
    await cleanUp();
    process.exit(1);
  },
);
