// The integration suite's entry point, exactly as @vscode/test-electron (and the VS Code server's
// `extensionTestsPath`) expects it: run() resolves when every test passed and rejects otherwise.
// It runs inside the real extension host, next to the extension under test.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileReporter } from './support/reporter';

export async function run(): Promise<void> {
  // Checks start a Python worker and import NumPy; the first one in a fresh host takes a few seconds.
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: FileReporter });
  const suites = readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort();
  if (suites.length === 0) throw new Error(`no integration suites (*.test.js) in ${__dirname}`);
  for (const name of suites) mocha.addFile(join(__dirname, name));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
