// The integration suite for a workspace the user has not trusted (Workspace Trust on, no prompt): the same
// run() contract as ../index.ts, with only the suites in this folder.
import { runSuitesIn } from '../support/suite';

export function run(): Promise<void> {
  return runSuitesIn(__dirname);
}
