// The build every launcher runs first: the bundles (scripts/build.mjs) and the built-in pack's learner
// release (`npm run build:pack`, which needs the bundled CLI).
import { spawn } from 'node:child_process';
import { npmCommand, repoRoot, runCommand } from './repo.mjs';

/** `node scripts/build.mjs [flags]`, then `npm run build:pack`. */
export async function buildExtension(flags = []) {
  await runCommand(process.execPath, ['scripts/build.mjs', ...flags]);
  await runCommand(npmCommand, ['run', '--silent', 'build:pack']);
}

/** Exported for `npm start`, which may run while the CLI's `build` command is still being written. */
export async function buildExtensionTolerantOfMissingPackBuilder(flags = []) {
  await runCommand(process.execPath, ['scripts/build.mjs', ...flags]);
  const stderr = await new Promise((resolve, reject) => {
    const child = spawn(npmCommand, ['run', '--silent', 'build:pack'], { cwd: repoRoot, stdio: ['ignore', 'inherit', 'pipe'] });
    let text = '';
    child.stderr.on('data', (d) => {
      text += d;
      process.stderr.write(d);
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code === 0 ? undefined : text));
  });
  if (stderr === undefined) return;
  if (/unknown command "build"/.test(stderr)) {
    console.warn('NOTE: the CLI has no `build` command yet, so the built-in pack (dist/packs/) was not built; Start Exercise will not find it.');
    return;
  }
  throw new Error('`npm run build:pack` failed (its output is above).');
}
