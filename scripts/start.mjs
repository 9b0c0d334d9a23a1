// `npm start`: build Gradient Lab and run it in a real VS Code (the VS Code server from the npm package
// code-server) on loopback; prints the URL to open in a browser. Runs until Ctrl+C.
//
//   npm start [-- [<workspace folder>] [--port <n>]]
//
// The workspace defaults to .vscode-test/workspace; settings, extensions and the server's log stay under
// .vscode-test/ between runs. The extension is loaded from this checkout (extensionDevelopmentPath), so
// after `npm run watch` rebuilds it, "Developer: Reload Window" picks up the change.
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildExtension } from './vscode/build-extension.mjs';
import { ensureCodeServer } from './vscode/code-server.mjs';
import { requirePythonWithNumpy } from './vscode/python.mjs';
import { repoRoot } from './vscode/repo.mjs';
import { startServer, workbenchUrl, writeUserSettings } from './vscode/server.mjs';

const { values: options, positionals } = parseArgs({
  allowPositionals: true,
  options: { port: { type: 'string', default: '0' } },
});
const home = join(repoRoot, '.vscode-test');
const workspace = resolve(positionals[0] ?? join(home, 'workspace'));
const userDataDir = join(home, 'user-data');

async function main() {
  await buildExtension();
  await ensureCodeServer();
  mkdirSync(workspace, { recursive: true });

  const settings = {};
  try {
    settings['gradlab.pythonPath'] = requirePythonWithNumpy();
  } catch (err) {
    console.warn(`NOTE: ${err.message} Gradient Lab will ask for an interpreter when you check an exercise.`);
  }
  const settingsFile = writeUserSettings(userDataDir, settings, { keepExisting: true });

  const server = await startServer({
    userDataDir,
    extensionsDir: join(home, 'extensions'),
    logFile: join(home, 'server.log'),
    port: Number(options.port),
  });
  let stopping = false;
  const stop = async (code) => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => stop(0));
  process.on('SIGTERM', () => stop(0));
  server.exited.then(({ code }) => {
    if (stopping) return;
    console.error(`The VS Code server stopped (exit code ${code}); its log is ${join(home, 'server.log')}.`);
    process.exit(code || 1);
  });

  const url = workbenchUrl(server, { folder: workspace, extensionDevelopmentPath: repoRoot });
  console.log(
    [
      '',
      'Gradient Lab is running in VS Code. Open this URL in a browser on this machine:',
      '',
      `  ${url}`,
      '',
      `Workspace: ${workspace}`,
      `Python:    ${settings['gradlab.pythonPath'] ?? '(none with NumPy found)'}  (user settings: ${settingsFile})`,
      `Server log: ${join(home, 'server.log')}`,
      'When VS Code asks, trust the folder: checking an exercise runs its Python code.',
      'Then, from the command palette (F1): "Gradient Lab: Start Exercise". Ctrl+C stops the server.',
      '',
    ].join('\n'),
  );
}

main().catch((err) => {
  console.error(`npm start: ${err.message}`);
  process.exit(1);
});
