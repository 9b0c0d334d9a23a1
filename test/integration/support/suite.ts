// Runs every *.test.js suite in one folder with mocha inside the extension host, reporting through the
// file reporter the launcher reads; rejects when any test failed (the @vscode/test-electron contract).
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileReporter } from './reporter';

export async function runSuitesIn(dir: string): Promise<void> {
  // Checks start a Python worker and import NumPy; the first one in a fresh host takes a few seconds.
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: FileReporter });
  const suites = readdirSync(dir).filter((name) => name.endsWith('.test.js')).sort();
  if (suites.length === 0) throw new Error(`no integration suites (*.test.js) in ${dir}`);
  for (const name of suites) mocha.addFile(join(dir, name));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
