// The repository root and the one way the scripts run a command: output streamed, failure as an error
// that names the command.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export const npmCommand = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * Run `command args` with inherited stdio (or `options.stdio`), resolve when it exits 0, reject with
 * an error naming the command otherwise.
 */
export function runCommand(command, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: 'inherit', ...options });
    child.on('error', (err) => reject(new Error(`could not start \`${command}\`: ${err.message}`)));
    child.on('exit', (code, signal) => {
      if (code === 0) resolve();
      else reject(new Error(`\`${[command, ...args].join(' ')}\` ${signal ? `was killed by ${signal}` : `exited with code ${code}`}`));
    });
  });
}
