// Installs the VS Code server from the npm package `code-server` into a cache folder, following
// ../../../shared/vscode-server.md (these machines reach the npm registry and Debian, not GitHub or
// Microsoft's CDN). Skipped when a verified install of the same version is already there.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { npmCommand, repoRoot, runCommand } from './repo.mjs';

export const CODE_SERVER_VERSION = '4.100.3';
const RIPGREP_CACHE = 'vscode-ripgrep-cache-1.15.11';
const RIPGREP_ARCHIVE = 'ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz';

export const cacheDir = join(repoRoot, '.vscode-test', 'code-server');
const packageDir = join(cacheDir, 'node_modules', 'code-server');
const vscodeDir = join(packageDir, 'lib', 'vscode');
/** The VS Code server's entry point (serves the web client, installs extensions). */
export const serverMain = join(vscodeDir, 'out', 'server-main.js');
const marker = join(cacheDir, 'installed.json');

/** Files that exist only when code-server's postinstall and the native builds really ran. */
const proofs = [
  serverMain,
  join(vscodeDir, 'node_modules', 'node-pty', 'build', 'Release', 'pty.node'),
  join(vscodeDir, 'node_modules', '@vscode', 'spdlog', 'build', 'Release', 'spdlog.node'),
  join(vscodeDir, 'node_modules', '@vscode', 'ripgrep', 'bin', 'rg'),
  join(vscodeDir, 'extensions', 'node_modules', 'typescript', 'package.json'),
];

function installed() {
  if (!existsSync(marker)) return false;
  try {
    return JSON.parse(readFileSync(marker, 'utf8')).version === CODE_SERVER_VERSION && proofs.every((p) => existsSync(p));
  } catch {
    return false;
  }
}

/**
 * @vscode/ripgrep's postinstall downloads ripgrep from GitHub unless its cache holds the archive; seed
 * the cache with Debian's binary (the archive holds one file, `rg`, at its root).
 */
function seedRipgrepCache() {
  const dir = join(process.env.TMPDIR || '/tmp', RIPGREP_CACHE);
  const archive = join(dir, RIPGREP_ARCHIVE);
  if (existsSync(archive)) return;
  const rg = ['/usr/bin/rg', '/usr/local/bin/rg'].find((p) => existsSync(p));
  if (!rg) {
    throw new Error('ripgrep is missing: install it (Debian: `apt-get install ripgrep`); the VS Code server needs `rg` for search.');
  }
  mkdirSync(dir, { recursive: true });
  const staging = mkdtempSync(join(tmpdir(), 'gradlab-rg-'));
  try {
    copyFileSync(rg, join(staging, 'rg'));
    const tar = spawnSync('tar', ['czf', archive, '-C', staging, 'rg'], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`could not write ${archive}: ${tar.stderr || tar.error}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** Install code-server into .vscode-test/code-server unless it is already there; returns `serverMain`. */
export async function ensureCodeServer({ log = console.log } = {}) {
  if (installed()) return serverMain;
  if (Number(process.versions.node.split('.')[0]) !== 20) {
    throw new Error(`code-server ${CODE_SERVER_VERSION} (VS Code 1.100) needs Node 20; this is Node ${process.versions.node}.`);
  }
  log(`Installing the VS Code server (code-server@${CODE_SERVER_VERSION}) into ${cacheDir}; this takes about 1.5 minutes, once.`);
  const started = Date.now();
  rmSync(cacheDir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  seedRipgrepCache();
  // A project of its own, so the server's dependencies never mix with the extension's. npm 11 runs a
  // dependency's install scripts only when allowScripts approves it: code-server's postinstall installs
  // VS Code's own dependencies (node-pty, spdlog, ripgrep...) and builds them. argon2 (password login
  // of code-server's own launcher, unused here) stays unapproved.
  writeFileSync(
    join(cacheDir, 'package.json'),
    JSON.stringify(
      {
        name: 'gradlab-vscode-server-cache',
        private: true,
        description: 'The VS Code server for running Gradient Lab in tests and `npm start`; written by scripts/vscode/code-server.mjs.',
        allowScripts: { [`code-server@${CODE_SERVER_VERSION}`]: true },
      },
      null,
      2,
    ) + '\n',
  );
  const logFile = join(cacheDir, 'install.log');
  const out = openSync(logFile, 'w');
  try {
    await runCommand(npmCommand, ['install', '--no-save', '--no-audit', '--no-fund', `code-server@${CODE_SERVER_VERSION}`], {
      cwd: cacheDir,
      stdio: ['ignore', out, out],
      // Running as root, code-server's postinstall refuses without unsafe-perm; node-pty's build runs
      // `npx node-gyp`, which must not stop to ask.
      env: { ...process.env, npm_config_unsafe_perm: 'true', npm_config_yes: 'true' },
    });
  } catch (err) {
    throw new Error(`${err.message}. The npm output is in ${logFile}.`);
  } finally {
    closeSync(out);
  }
  const missing = proofs.filter((p) => !existsSync(p));
  if (missing.length > 0) {
    throw new Error(
      `code-server installed but its postinstall did not finish: missing ${missing.join(', ')}. ` +
        `Native modules need the Debian packages libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config; see ${logFile}.`,
    );
  }
  writeFileSync(marker, JSON.stringify({ version: CODE_SERVER_VERSION, installedAt: new Date().toISOString() }) + '\n');
  log(`VS Code server installed in ${Math.round((Date.now() - started) / 1000)} s.`);
  return serverMain;
}

/** Install a .vsix into `extensionsDir` with the server's own CLI (what a person does with `code --install-extension`). */
export async function installExtension(vsix, extensionsDir) {
  await runCommand(process.execPath, [serverMain, '--install-extension', vsix, '--extensions-dir', extensionsDir, '--force'], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
