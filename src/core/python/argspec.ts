// What a training script's argparse accepts, asked of the script itself (runtime/gradlab/argspec.py): its imports
// run, then its first parse_args reports the parser and exits, so nothing trains. Used by `gradlab validate` and
// `gradlab build` to hold a pack's declared parameters to the script.
import { execFile } from 'node:child_process';
import { devNull } from 'node:os';
import { basename, delimiter, dirname, join } from 'node:path';
import { RunEnv } from '../../protocol/runs';

const MARK = 'gradlab-argspec:';

/** One argument of the parser, as argspec.py describes it. */
export interface ScriptArgument {
  dest: string;
  /** option strings, e.g. ["--lr"]; [] for a positional */
  flags: string[];
  nargs: string | number | null;
  /** false for store_true and the like */
  takesValue: boolean;
  /** the converter's name: "float", "int", "str" or null */
  type: string | null;
  choices: string[] | null;
  default: string | number | boolean | null;
}

export type ScriptArgSpec = { parsed: true; arguments: ScriptArgument[] } | { parsed: false };

export class ArgSpecError extends Error {}

/** Reads the parser of `script` (an absolute path), run in its own folder; throws ArgSpecError with the script's stderr. */
export function readArgSpec(python: string, runtimeDir: string, script: string, timeoutMs = 30_000): Promise<ScriptArgSpec> {
  const env = {
    ...process.env,
    PYTHONPATH: [runtimeDir, process.env.PYTHONPATH].filter(Boolean).join(delimiter),
    [RunEnv.History]: devNull, // a script that logs before parsing writes nowhere
    PYTHONDONTWRITEBYTECODE: '1', // the script may run inside an authoring pack: leave no __pycache__ there
  };
  return new Promise((resolve, reject) => {
    execFile(python, [join(runtimeDir, 'launch.py'), 'gradlab.argspec', script], { cwd: dirname(script), env, timeout: timeoutMs, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
      const line = stdout.split('\n').find((l) => l.startsWith(MARK));
      if (line) {
        resolve(JSON.parse(line.slice(MARK.length)) as ScriptArgSpec);
        return;
      }
      const why = error?.killed ? `did not reach its argument parsing within ${timeoutMs / 1000} s` : `failed before parsing its arguments: ${lastLines(stderr) || error?.message}`;
      reject(new ArgSpecError(`${basename(script)} ${why}`));
    });
  });
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-3).join(' | ');
}
