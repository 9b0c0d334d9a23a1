// The integration suite for a workspace of two folders: the same run() contract as ../index.ts, with only
// the suites in this folder.
import { runSuitesIn } from '../support/suite';

export function run(): Promise<void> {
  return runSuitesIn(__dirname);
}
