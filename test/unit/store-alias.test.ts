// The Microsoft Store's python.exe alias, told on a fake Windows (path.win32, a fake PATH and file sizes): a
// zero-size file under WindowsApps, found by name through PATH and PATHEXT or given as a path, in any case.
import * as assert from 'node:assert/strict';
import { runtimeDir } from '../../src/core/paths';
import { findPython, PythonError } from '../../src/core/python/discover';
import { resolveOnWindows, storeAlias, type WindowsFacts } from '../../src/core/python/storeAlias';

const APPS = 'C:\\Users\\Zoë Müller\\AppData\\Local\\Microsoft\\WindowsApps';
const REAL = 'C:\\Users\\Zoë Müller\\AppData\\Local\\Programs\\Python\\Python312';

function windows(files: Record<string, number>, path = `${APPS};${REAL}`): WindowsFacts {
  const sizes = new Map(Object.entries(files).map(([file, size]) => [file.toLowerCase(), size]));
  return { platform: 'win32', env: { PATH: path, PATHEXT: '.COM;.EXE;.BAT' }, fileSize: (file) => sizes.get(file.toLowerCase()) };
}

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
