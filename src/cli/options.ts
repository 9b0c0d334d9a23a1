// Options several commands share, parsed the same way everywhere.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliProblem } from './io';
import type { GradcheckMode } from '../protocol/pack';
import { SANDBOX_CHOICES, type Limits, type SandboxChoice } from '../protocol/worker';

export const graderOptions = {
  python: { type: 'string' },
  timeout: { type: 'string' },
  memory: { type: 'string' },
  gradcheck: { type: 'string' },
  sandbox: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/** parseArgs that turns its exceptions into usage problems (exit 2); the caller prefixes the command's name. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(command: string, argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const { code, message } = error as Error & { code?: string };
    const unknown = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec(message)?.[1] : undefined;
    if (unknown) throw new CliProblem(`unknown option '${unknown}': \`gradlab ${command} --help\` lists the options`);
    throw new CliProblem(message.replace(/^TypeError \[[A-Z_]+\]: /, ''));
  }
}

function positiveNumber(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliProblem(`--${flag} must be a positive number, got "${value}"`);
  return n;
}

export function limitsFrom(values: { timeout?: string; memory?: string }): Partial<Limits> {
  const limits: Partial<Limits> = {};
  const timeoutS = positiveNumber('timeout', values.timeout);
  const memoryMb = positiveNumber('memory', values.memory);
  if (timeoutS !== undefined) limits.timeoutS = timeoutS;
  if (memoryMb !== undefined) limits.memoryMb = memoryMb;
  return limits;
}

/** --sandbox: which sandbox runs the learner's code (SANDBOX_VARIABLE); undefined leaves the environment's. */
export function sandboxFrom(value: string | undefined): SandboxChoice | undefined {
  if (value === undefined) return undefined;
  if ((SANDBOX_CHOICES as readonly string[]).includes(value)) return value as SandboxChoice;
  throw new CliProblem(`--sandbox must be auto, fork or spawn, got "${value}"`);
}

export function gradcheckFrom(value: string | undefined): GradcheckMode {
  if (value === undefined) return 'auto';
  if (value === 'auto' || value === 'full' || value === 'fast') return value;
  throw new CliProblem(`--gradcheck must be full, fast or auto, got "${value}"`);
}
