// What every CLI command gets: where to write, and where it runs. Commands return their exit code:
// 0 everything passed, 1 something failed, 2 a usage, pack or interpreter problem (a one-line reason on stderr).
import { FixableError } from '../core/errors';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
  cwd: string;
}

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_PROBLEM = 2;

/** A problem with how the command was called, the pack or the interpreter: exit 2 with this message. */
export class CliProblem extends FixableError {
  constructor(message: string) {
    super(message);
    this.name = 'CliProblem';
  }
}
