// Windows ships `python.exe` in %LOCALAPPDATA%\Microsoft\WindowsApps as an App Execution Alias: a zero-size
// reparse point that, while no Python from the Store is installed, opens the Store instead of running anything
// (from a program: exit code 9009 and nothing on stdout). When such an alias is the interpreter that could not be
// started, the learner needs to hear that, not "could not be started".
import * as path from 'node:path';
import { statSync } from 'node:fs';

/** What the check needs from the machine; the real one by default, a fake one in tests. */
export interface WindowsFacts {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  /** size of a file in bytes, or undefined when there is none */
  fileSize: (file: string) => number | undefined;
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
});

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
