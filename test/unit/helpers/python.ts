// The interpreter the Python-backed tests use: GRADLAB_TEST_PYTHON, else the system's python3 (Debian's
// NumPy lives there), else python3 on PATH.
import { execFileSync } from 'node:child_process';

let found: string | undefined;

export function testPython(): string {
  if (found) return found;
  for (const python of [process.env.GRADLAB_TEST_PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean) as string[]) {
    try {
      execFileSync(python, ['-c', 'import numpy'], { stdio: 'ignore' });
      return (found = python);
    } catch {
      // try the next one
    }
  }
  throw new Error('No Python with NumPy for the tests: set GRADLAB_TEST_PYTHON or install python3-numpy.');
}
