// The integration suite for a workspace the user has not trusted (Workspace Trust on, no prompt): the same
// run() contract as ../index.ts, with only the suites in this folder.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FileReporter } from '../support/reporter';

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 60_000, color: false, reporter: FileReporter });
  const suites = readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort();
  if (suites.length === 0) throw new Error(`no integration suites (*.test.js) in ${__dirname}`);
  for (const name of suites) mocha.addFile(join(__dirname, name));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} integration test(s) failed`);
}
