// Where Python lives on Windows, and the one there that is not Python. Paths are path.win32's (drive letters,
// backslashes, any case), so that all of it is tested on any system with a fake machine.
//
// Windows ships `python.exe` in %LOCALAPPDATA%\Microsoft\WindowsApps as an App Execution Alias: a zero-size
// reparse point that, while no Python from the Store is installed, opens the Store instead of running anything
// (from a program: exit code 9009 and nothing on stdout). When such an alias is the interpreter that could not be
// started, the learner needs to hear that, not "could not be started".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';

/** What the check needs from the machine; the real one by default, a fake one in tests. */
export interface WindowsFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** size of a file in bytes, or undefined when there is none */
  fileSize: (file: string) => number | undefined;
  /** the names in a folder ([] when there is none) */
  listDir: (dir: string) => string[];
  /** the first line a command prints, or undefined when it cannot be run or fails */
  firstLine: (command: string, args: string[]) => string | undefined;
}

export const thisMachine = (): WindowsFacts => ({
  platform: process.platform,
  env: process.env,
  fileSize: (file) => {
    try {
      return statSync(file).size;
    } catch {
      return undefined;
    }
  },
  listDir: (dir) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  },
  firstLine: (command, args) => {
    const done = spawnSync(command, args, { encoding: 'utf8', timeout: 10_000, windowsHide: true });
    return done.status === 0 ? done.stdout.split(/\r?\n/)[0].trim() || undefined : undefined;
  },
});

/** A virtual environment's interpreter: Scripts\python.exe on Windows, bin/python elsewhere. */
export function venvPython(venv: string, platform: NodeJS.Platform): string {
  return platform === 'win32' ? path.win32.join(venv, 'Scripts', 'python.exe') : path.posix.join(venv, 'bin', 'python');
}

/**
 * Interpreters a Windows machine has beyond PATH, most likely first: the active virtual or conda environment, the
 * Python the `py -3` launcher picks, python.org's per-user installs (%LOCALAPPDATA%\Programs\Python\Python3XY,
 * newest first), then conda's usual base installs. Only those that exist.
 */
export function windowsInterpreters(facts: WindowsFacts = thisMachine()): string[] {
  if (facts.platform !== 'win32') return [];
  const win = path.win32;
  const env = facts.env;
  const found: string[] = [];
  if (env.VIRTUAL_ENV) found.push(venvPython(env.VIRTUAL_ENV, 'win32'));
  // a conda environment keeps python.exe at its top, not under Scripts
  if (env.CONDA_PREFIX) found.push(win.join(env.CONDA_PREFIX, 'python.exe'));
  const launcher = facts.firstLine('py', ['-3', '-c', 'import sys; print(sys.executable)']);
  if (launcher) found.push(launcher);
  if (env.LOCALAPPDATA) {
    const programs = win.join(env.LOCALAPPDATA, 'Programs', 'Python');
    const installs = facts.listDir(programs).filter((name) => /^Python3\d+/i.test(name));
    const minor = (name: string) => Number(/^Python3(\d+)/i.exec(name)?.[1]);
    installs.sort((a, b) => minor(b) - minor(a));
    found.push(...installs.map((name) => win.join(programs, name, 'python.exe')));
  }
  for (const base of [env.USERPROFILE, env.LOCALAPPDATA, env.ProgramData]) {
    if (!base) continue;
    for (const conda of ['miniconda3', 'anaconda3', 'miniforge3']) found.push(win.join(base, conda, 'python.exe'));
  }
  const seen = new Set<string>();
  return found.filter((file) => {
    const key = win.normalize(file).toLowerCase();
    if (seen.has(key) || facts.fileSize(file) === undefined) return false;
    seen.add(key);
    return true;
  });
}

/** Where Windows would find `python` (a path, or a bare name looked up in PATH with PATHEXT), or undefined. */
export function resolveOnWindows(python: string, facts: WindowsFacts): string | undefined {
  const win = path.win32;
  const extensions = win.extname(python) ? [''] : ['', ...(facts.env.PATHEXT ?? '.COM;.EXE;.BAT;.CMD').split(';').filter(Boolean)];
  const folders = win.isAbsolute(python) || python.includes('\\') || python.includes('/') ? [''] : (facts.env.PATH ?? facts.env.Path ?? '').split(';').filter(Boolean);
  for (const folder of folders) {
    for (const extension of extensions) {
      const file = win.normalize(folder ? win.join(folder, python + extension) : python + extension);
      if (facts.fileSize(file) !== undefined) return file;
    }
  }
  return undefined;
}

/** The Store alias `python` resolves to on Windows, or undefined when it is not one. */
export function storeAlias(python: string, facts: WindowsFacts = thisMachine()): string | undefined {
  if (facts.platform !== 'win32') return undefined;
  const file = resolveOnWindows(python, facts);
  if (!file) return undefined;
  // paths on Windows compare without case
  const inWindowsApps = file.toLowerCase().includes('\\microsoft\\windowsapps\\');
  return inWindowsApps && facts.fileSize(file) === 0 ? file : undefined;
}

export function storeAliasMessage(python: string, alias: string): string {
  return (
    `${python} is the Microsoft Store's python.exe alias (${alias}), which opens the Store instead of running Python. ` +
    'Install Python from python.org (tick "Add python.exe to PATH") or from the Store, or turn the alias off in ' +
    'Settings > Apps > Advanced app settings > App execution aliases; then set gradlab.pythonPath (CLI: --python) to the installed python.exe.'
  );
}
