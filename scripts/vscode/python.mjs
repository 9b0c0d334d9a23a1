// The interpreter that grades exercises in tests and in `npm start`: the first one that imports NumPy.
import { spawnSync } from 'node:child_process';

/** Absolute path of `command` when it imports NumPy, else undefined. */
function withNumpy(command) {
  const probe = spawnSync(command, ['-c', 'import sys, numpy; print(sys.executable)'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 && probe.stdout.trim() ? probe.stdout.trim() : undefined;
}

/**
 * GRADLAB_TEST_PYTHON when set (it must import NumPy), else the first of /usr/bin/python3, python3,
 * python that imports NumPy, as an absolute path. Throws an error that says what to install.
 */
export function requirePythonWithNumpy() {
  const chosen = process.env.GRADLAB_TEST_PYTHON;
  if (chosen) {
    const python = withNumpy(chosen);
    if (!python) throw new Error(`GRADLAB_TEST_PYTHON=${chosen} cannot \`import numpy\`: install NumPy there or unset it.`);
    return python;
  }
  const candidates = ['/usr/bin/python3', 'python3', 'python'];
  for (const candidate of candidates) {
    const python = withNumpy(candidate);
    if (python) return python;
  }
  throw new Error(
    `No Python with NumPy found (tried ${candidates.join(', ')}). ` +
      'Install one (Debian: `apt-get install python3-numpy`) or set GRADLAB_TEST_PYTHON to its path.',
  );
}
