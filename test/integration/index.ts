// The integration suite's entry point, exactly as @vscode/test-electron (and the VS Code server's
// `extensionTestsPath`) expects it: run() resolves when every test passed and rejects otherwise.
// It runs inside the real extension host, next to the extension under test.
import { runSuitesIn } from './support/suite';

export function run(): Promise<void> {
  return runSuitesIn(__dirname);
}
