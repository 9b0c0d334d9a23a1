// Interpreter discovery: the setting wins, else candidates then PATH; each is validated by the worker's hello.
import * as assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runtimeDir } from '../../src/core/paths';
import { findPython, PythonError } from '../../src/core/python/discover';
import { testPython } from './helpers/python';

/** An interpreter that starts but cannot see NumPy (site-packages skipped). */
function withoutNumpy(): string {
  const wrapper = join(mkdtempSync(join(tmpdir(), 'gradlab-nonumpy-')), 'python3');
  writeFileSync(wrapper, `#!/bin/sh\nexec ${testPython()} -S "$@"\n`, { mode: 0o755 });
  return wrapper;
}

describe('python discovery', function () {
  this.timeout(30_000);

  it('skips a candidate without NumPy for one that has it, and keeps its worker warm', async () => {
    const found = await findPython({ candidates: [withoutNumpy(), testPython()], runtimeDir: runtimeDir() });
    try {
      assert.equal(found.hello.numpy.available, true);
      assert.equal((await found.client.hello()).numpy.available, true);
    } finally {
      await found.client.dispose();
    }
  });

  it('does not fall back when the configured interpreter lacks NumPy, and says how to install it', async () => {
    const lacking = withoutNumpy();
    await assert.rejects(findPython({ configured: lacking, runtimeDir: runtimeDir() }), (error: unknown) => {
      assert.ok(error instanceof PythonError);
      assert.match(error.message, new RegExp(`The configured Python ${lacking} has no numpy`));
      assert.match(error.message, /pip install numpy.*python3-numpy libopenblas0-pthread/);
      return true;
    });
  });

  it('asks for PyTorch when an exercise needs it and the interpreter has none', async () => {
    await assert.rejects(findPython({ configured: withoutNumpy(), require: ['torch'], runtimeDir: runtimeDir() }), /has no torch.*install PyTorch/);
  });
});
