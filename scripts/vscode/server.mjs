// Starts the VS Code server on a free loopback port and builds the workbench URLs that open a folder,
// optionally with an extension under development and its test runner (the @vscode/test-electron model).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { serverMain } from './code-server.mjs';

/** Settings that keep a test or demo session quiet: no gallery calls, no welcome page, no tips. */
const quietSettings = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'chat.commandCenter.enabled': false,
};

/**
 * Write the user settings the web client reads (code-server keeps them on the server, under the
 * user-data-dir): the quiet defaults, then `settings`, then (with keepExisting) what is already in the
 * file, so that choices a person made in an earlier session survive.
 */
export function writeUserSettings(userDataDir, settings, { keepExisting = false } = {}) {
  const file = join(userDataDir, 'User', 'settings.json');
  let existing = {};
  if (keepExisting && existsSync(file)) {
    try {
      existing = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      console.warn(`Keeping ${file} as it is: it is not plain JSON.`);
      return file;
    }
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify({ ...quietSettings, ...settings, ...existing }, null, 2) + '\n');
  return file;
}

/**
 * Start the server on `port` (0: a free one); resolves once it listens. `logFile` receives all its
 * output.
 * Returns { port, origin, waitForLog(regex, ms), exited, stop() }.
 */
export async function startServer({ userDataDir, extensionsDir, logFile, port = 0, env = {} }) {
  mkdirSync(userDataDir, { recursive: true });
  mkdirSync(extensionsDir, { recursive: true });
  const child = spawn(
    process.execPath,
    [
      serverMain,
      '--host', '127.0.0.1',
      '--port', String(port),
      '--without-connection-token',
      '--accept-server-license-terms',
      '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir,
    ],
    // Its own process group, so stop() ends the extension host and pty host with it.
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, ...env } },
  );
  const logStream = logFile ? createWriteStream(logFile) : undefined;
  let text = '';
  const watchers = new Set();
  const onData = (chunk) => {
    const s = chunk.toString();
    // The tail is enough to wait on; a server that runs for hours must not grow without bound.
    text = (text + s).slice(-1_000_000);
    logStream?.write(s);
    for (const w of watchers) w();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  let running = true;
  exited.then(() => {
    running = false;
    for (const w of watchers) w();
  });

  /** Resolves with the first match of `regex` in the server's output; rejects on time-out or exit. */
  function waitForLog(regex, ms) {
    return new Promise((resolve, reject) => {
      const finish = (fn, value) => {
        watchers.delete(check);
        clearTimeout(timer);
        fn(value);
      };
      const check = () => {
        const m = regex.exec(text);
        if (m) finish(resolve, m);
        else if (!running) finish(reject, new Error(`the VS Code server exited before printing ${regex}:\n${text.slice(-2000)}`));
      };
      const timer = setTimeout(() => finish(reject, new Error(`the VS Code server did not print ${regex} within ${ms / 1000} s`)), ms);
      watchers.add(check);
      check();
    });
  }

  async function stop() {
    if (running) {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
      const killer = setTimeout(() => {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(killer);
    }
    await new Promise((resolve) => (logStream ? logStream.end(resolve) : resolve()));
  }

  try {
    port = Number((await waitForLog(/Extension host agent listening on (\d+)/, 60_000))[1]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, origin: `http://127.0.0.1:${port}`, waitForLog, exited, stop };
}

/**
 * The workbench URL for `folder`; with `extensionDevelopmentPath` (and `extensionTestsPath`) the window
 * loads that extension from disk (and runs its tests), as `code --extensionDevelopmentPath` does.
 */
export function workbenchUrl(server, { folder, workspace, extensionDevelopmentPath, extensionTestsPath }) {
  const remote = (path) => `vscode-remote://127.0.0.1:${server.port}${path}`;
  const payload = [];
  if (extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(extensionDevelopmentPath)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  // encodeURI keeps the folder's slashes, so the URL stays readable.
  // A .code-workspace file opens a multi-root workspace instead of one folder.
  const query = workspace ? `workspace=${encodeURI(workspace)}` : `folder=${encodeURI(folder)}`;
  return `${server.origin}/?${payload.length > 0 ? `${query}&payload=${encodeURIComponent(JSON.stringify(payload))}` : query}`;
}
