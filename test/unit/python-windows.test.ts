// Python on Windows, told on a fake Windows (path.win32, a fake environment, file sizes, folders and the py
// launcher's answer): where interpreters live, and the Microsoft Store's python.exe alias: a zero-size file under
// WindowsApps, found by name through PATH and PATHEXT or given as a path, in any case.
import * as assert from 'node:assert/strict';
import { runtimeDir } from '../../src/core/paths';
import { findPython, PythonError } from '../../src/core/python/discover';
import { resolveOnWindows, storeAlias, venvPython, windowsInterpreters, type WindowsFacts } from '../../src/core/python/windows';

const APPS = 'C:\\Users\\Zoë Müller\\AppData\\Local\\Microsoft\\WindowsApps';
const REAL = 'C:\\Users\\Zoë Müller\\AppData\\Local\\Programs\\Python\\Python312';

function windows(files: Record<string, number>, path = `${APPS};${REAL}`, more: Partial<WindowsFacts> = {}): WindowsFacts {
  const sizes = new Map(Object.entries(files).map(([file, size]) => [file.toLowerCase(), size]));
  return {
    platform: 'win32',
    env: { PATH: path, PATHEXT: '.COM;.EXE;.BAT' },
    fileSize: (file) => sizes.get(file.toLowerCase()),
    listDir: (dir) => [...new Set([...sizes.keys()].filter((f) => f.startsWith(dir.toLowerCase() + '\\')).map((f) => Object.keys(files).find((k) => k.toLowerCase() === f)!.slice(dir.length + 1).split('\\')[0]))],
    firstLine: () => undefined,
    ...more,
  };
}

describe('Python interpreters on Windows', () => {
  const LOCAL = 'C:\\Users\\Zoë Müller\\AppData\\Local';
  const HOME = 'C:\\Users\\Zoë Müller';

  it('finds the active venv and conda env, the py -3 launcher, per-user installs newest first, and conda bases', () => {
    const exe = (...parts: string[]) => parts.join('\\');
    const files = {
      [exe('D:\\My Course\\.venv', 'Scripts', 'python.exe')]: 100,
      [exe(HOME, 'miniconda3', 'envs', 'dl', 'python.exe')]: 100,
      [exe(LOCAL, 'Programs', 'Python', 'Python39', 'python.exe')]: 100,
      [exe(LOCAL, 'Programs', 'Python', 'Python313', 'python.exe')]: 100,
      [exe(LOCAL, 'Programs', 'Python', 'Launcher', 'py.exe')]: 100,
      [exe(HOME, 'miniconda3', 'python.exe')]: 100,
    };
    let asked: string[] = [];
    const facts = windows(files, '', {
      env: { VIRTUAL_ENV: 'D:\\My Course\\.venv', CONDA_PREFIX: exe(HOME, 'miniconda3', 'envs', 'dl'), LOCALAPPDATA: LOCAL, USERPROFILE: HOME },
      firstLine: (command, args) => {
        asked = [command, ...args];
        // the launcher's choice, in another case than the folder listing
        return exe(LOCAL.toUpperCase(), 'PROGRAMS', 'PYTHON', 'PYTHON313', 'PYTHON.EXE');
      },
    });
    assert.deepEqual(windowsInterpreters(facts), [
      exe('D:\\My Course\\.venv', 'Scripts', 'python.exe'),
      exe(HOME, 'miniconda3', 'envs', 'dl', 'python.exe'),
      exe(LOCAL.toUpperCase(), 'PROGRAMS', 'PYTHON', 'PYTHON313', 'PYTHON.EXE'),
      // Python313 is the launcher's, already listed whatever its case
      exe(LOCAL, 'Programs', 'Python', 'Python39', 'python.exe'),
      exe(HOME, 'miniconda3', 'python.exe'),
    ]);
    assert.deepEqual(asked.slice(0, 2), ['py', '-3']);
  });

  it('lists only interpreters that exist, and none on Linux or macOS', () => {
    const facts = windows({}, '', { env: { VIRTUAL_ENV: 'C:\\gone', LOCALAPPDATA: LOCAL, USERPROFILE: HOME } });
    assert.deepEqual(windowsInterpreters(facts), []);
    assert.deepEqual(windowsInterpreters({ ...facts, platform: 'darwin' }), []);
  });

  it("puts a venv's interpreter in Scripts on Windows and bin elsewhere", () => {
    assert.equal(venvPython('C:\\Users\\Zoë Müller\\course\\.venv', 'win32'), 'C:\\Users\\Zoë Müller\\course\\.venv\\Scripts\\python.exe');
    assert.equal(venvPython('/home/zoë/course/.venv', 'darwin'), '/home/zoë/course/.venv/bin/python');
  });
});

describe('the Microsoft Store python.exe alias', () => {
  it('is a zero-size python.exe under WindowsApps, found through PATH and PATHEXT', () => {
    const facts = windows({ [`${APPS}\\python.exe`]: 0, [`${REAL}\\python.exe`]: 103_192 });
    // PATHEXT's own case: Windows matches file names without case
    assert.equal(resolveOnWindows('python', facts), `${APPS}\\python.EXE`);
    assert.equal(storeAlias('python', facts), `${APPS}\\python.EXE`);
    assert.equal(storeAlias(`${REAL}\\python.exe`, facts), undefined);
  });

  it('compares the path without case and accepts forward slashes', () => {
    const facts = windows({ [`${APPS}\\python3.exe`]: 0 });
    const given = `${APPS.toUpperCase().replace(/\\/g, '/')}/PYTHON3.EXE`;
    assert.equal(storeAlias(given, facts)?.toLowerCase(), `${APPS}\\python3.exe`.toLowerCase());
  });

  it('is not an alias when the file has a size (a Python installed from the Store is run through it and works) or is missing', () => {
    assert.equal(storeAlias('python', windows({ [`${APPS}\\python.exe`]: 1 })), undefined);
    assert.equal(storeAlias('python', windows({})), undefined);
  });

  it('is never looked for on Linux or macOS', () => {
    assert.equal(storeAlias('python', { ...windows({ [`${APPS}\\python.exe`]: 0 }), platform: 'linux' }), undefined);
  });

  it('as the configured Python: discovery says it is the Store alias and what to do, instead of "could not be started"', async () => {
    const configured = `${APPS}\\python.exe`;
    await assert.rejects(
      findPython({ configured, runtimeDir: runtimeDir(), windows: windows({ [configured]: 0 }) }),
      (error: unknown) => {
        assert.ok(error instanceof PythonError);
        assert.match(error.message, /Microsoft Store's python\.exe alias/);
        assert.match(error.message, /App execution aliases/);
        assert.match(error.message, /gradlab\.pythonPath/);
        assert.doesNotMatch(error.message, /could not be started/);
        return true;
      },
    );
  });
});
