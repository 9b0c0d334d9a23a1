// The build every launcher runs first: the bundles (scripts/build.mjs) and the built-in pack's learner
// release (`npm run build:pack`, which needs the bundled CLI).
import { npmCommand, runCommand } from './repo.mjs';

/** `node scripts/build.mjs [flags]`, then `npm run build:pack`. */
export async function buildExtension(flags = []) {
  await runCommand(process.execPath, ['scripts/build.mjs', ...flags]);
  await runCommand(npmCommand, ['run', '--silent', 'build:pack']);
}
