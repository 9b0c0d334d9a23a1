// The `gradlab` command line: one face of the same core the extension uses.
import { constants } from 'node:os';
import { FixableError } from '../core/errors';
import { printable } from '../core/printable';
import { CliProblem, EXIT_PROBLEM, type CliIO } from './io';
import * as build from './commands/build';
import * as check from './commands/check';
import * as grade from './commands/grade';
import * as merge from './commands/merge';
import * as newPack from './commands/new';
import * as preview from './commands/preview';
import * as similarity from './commands/similarity';
import * as validate from './commands/validate';

interface Command {
  usage: string;
  run(argv: string[], io: CliIO): Promise<number>;
}

const commands: Record<string, Command> = { check, build, validate, grade, merge, similarity, new: newPack, preview };

function help(): string {
  return ['Gradient Lab — grade neural-network exercises from the command line.', '', 'Usage:', ...Object.values(commands).map((c) => c.usage), ''].join('\n');
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(help());
    return name ? 0 : EXIT_PROBLEM;
  }
  const command = commands[name];
  try {
    if (!command) throw new CliProblem(`unknown command "${name}" (commands: ${Object.keys(commands).join(', ')}); see gradlab --help`);
    if (rest.includes('--help') || rest.includes('-h')) {
      io.out(command.usage);
      return 0;
    }
    return await command.run(rest, io);
  } catch (error) {
    // Errors a person can fix (bad flags, a broken pack, no interpreter, a gradebook folder) exit 2 with one line.
    if (!(error instanceof FixableError)) throw error;
    io.err(`gradlab ${name}: ${error.message.split('\n')[0]}`);
    return EXIT_PROBLEM;
  }
}

/** Signals that stop a command: Ctrl+C, a kill, a closed terminal. */
const STOPPING_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** 128 + SIGPIPE: what `cmd | head -1` reports for a cmd whose reader went away. */
const BROKEN_PIPE_EXIT = 141;

if (require.main === module) {
  // Output read by something that stops reading (`gradlab check --all | head -1`) ends the command quietly, as
  // SIGPIPE ends other programs: Node ignores SIGPIPE, so the write fails with EPIPE, unhandled a stack trace.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(BROKEN_PIPE_EXIT);
    });
  }
  // A stopping signal first runs what the process does at exit (it removes the temporary folders it made, see
  // core/temporary.ts; Node's default would skip that), then ends the process as the signal does, so the shell
  // sees a command stopped by Ctrl+C. Not process.exit: it waits for a thread stuck opening a FIFO, for ever.
  for (const signal of STOPPING_SIGNALS) {
    process.once(signal, () => {
      process.emit('exit', 128 + constants.signals[signal]);
      process.kill(process.pid, signal);
    });
  }
  // Every line goes out printable: learner text (folder and file names, what their code printed) must not reach
  // the terminal as escape sequences. JSON is printed with printableJson, which holds no control characters.
  const io: CliIO = { out: (l) => process.stdout.write(`${printable(l)}\n`), err: (l) => process.stderr.write(`${printable(l)}\n`), cwd: process.cwd() };
  main(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      process.stderr.write(`gradlab: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = EXIT_PROBLEM;
    },
  );
}
