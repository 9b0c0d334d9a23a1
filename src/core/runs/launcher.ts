// Starting a training script with the runtime on its path and a pipe for the live stream (fd 3), and making sure
// every run it started ends in the history: a script killed by a signal or dead in native code cannot write its
// own run-end, so the host appends it.
import { spawn } from 'node:child_process';
import { delimiter } from 'node:path';
import type { Readable } from 'node:stream';
import { RunEnv, STREAM_FD, type DeviceSetting, type RunEndRecord } from '../../protocol/runs';
import { appendRecords } from './history';
import { HistoryParser, type RecordHandler } from './parser';
import { stopProcess } from './stopProcess';

export interface LaunchOptions {
  python: string;
  script: string;
  args?: string[];
  cwd: string;
  /** folder holding the `gradlab` package, put first on PYTHONPATH */
  runtimeDir: string;
  historyFile: string;
  device: DeviceSetting;
  /** the environment to start from (default: this process's) */
  env?: NodeJS.ProcessEnv;
  /** receives the streamed records */
  handler: RecordHandler;
  onOutput(text: string, stream: 'stdout' | 'stderr'): void;
}

export interface TrainingExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** stop() was called */
  stopped: boolean;
  /** runs that had no run-end when the process ended, now ended by the host */
  endedByHost: string[];
  /** the process could not start at all */
  spawnError?: string;
  /** lines of the history this process and the host wrote (the stream's, then the host's run-ends) */
  lines: number;
  /** bytes of those lines: the history file's size when the stream missed nothing */
  historyBytes: number;
}

export interface TrainingProcess {
  readonly pid: number | undefined;
  /** SIGTERM, then SIGKILL if it is still alive after `graceMs`; on Windows the whole process tree at once */
  stop(graceMs?: number): void;
  readonly exited: Promise<TrainingExit>;
}

export function launchTrainingScript(options: LaunchOptions): TrainingProcess {
  const base = options.env ?? process.env;
  const env: NodeJS.ProcessEnv = {
    ...base,
    PYTHONPATH: [options.runtimeDir, base.PYTHONPATH].filter(Boolean).join(delimiter),
    [RunEnv.History]: options.historyFile,
    [RunEnv.StreamFd]: String(STREAM_FD),
    [RunEnv.Device]: options.device,
    PYTHONUNBUFFERED: '1', // print() reaches the output channel as it happens
    PYTHONIOENCODING: 'utf-8',
  };
  const child = spawn(options.python, [options.script, ...(options.args ?? [])], {
    cwd: options.cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });

  const open = new Set<string>();
  const ended = new Set<string>();
  const inner = options.handler;
  const parser = new HistoryParser({
    metric(run, ...rest) {
      open.add(run); // a run whose run-start line was lost still has to end
      inner.metric(run, ...rest);
    },
    bad: (line) => inner.bad(line),
    record(record) {
      open.add(record.run);
      if (record.type === 'run-end') ended.add(record.run);
      inner.record(record);
    },
  });
  let historyBytes = 0;
  (child.stdio[STREAM_FD] as Readable).on('data', (chunk: Buffer) => {
    historyBytes += chunk.length;
    parser.push(chunk);
  });
  child.stdout?.setEncoding('utf8').on('data', (text: string) => options.onOutput(text, 'stdout'));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => options.onOutput(text, 'stderr'));

  let stopped = false;
  let spawnError: string | undefined;
  child.on('error', (error) => (spawnError = `could not start ${options.python}: ${error.message}`));

  const exited = new Promise<TrainingExit>((resolve) => {
    // 'close' comes after the process exited and every pipe, fd 3 included, has been read to the end.
    child.on('close', async (code, signal) => {
      parser.end();
      const unfinished = [...open].filter((run) => !ended.has(run));
      const error = spawnError ?? describeExit(code, signal, stopped);
      const ends: RunEndRecord[] = unfinished.map((run) => ({
        type: 'run-end',
        run,
        status: stopped ? 'stopped' : 'failed',
        error,
      }));
      let lines = parser.lines;
      if (ends.length > 0) {
        try {
          historyBytes += await appendRecords(options.historyFile, ends);
          lines += ends.length;
        } catch (appendError) {
          options.onOutput(`Gradient Lab could not mark the runs ended in ${options.historyFile}: ${(appendError as Error).message}\n`, 'stderr');
        }
        for (const end of ends) inner.record(end);
      }
      resolve({ code, signal, stopped, endedByHost: unfinished, spawnError, lines, historyBytes });
    });
  });

  return {
    pid: child.pid,
    exited,
    stop(graceMs = 3000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      stopped = true;
      stopProcess(child, graceMs);
    },
  };
}

/** Why a process ended, in words for a run-end record. */
function describeExit(code: number | null, signal: NodeJS.Signals | null, stopped: boolean): string {
  if (stopped) return signal ? `stopped by the user (${signal})` : 'stopped by the user';
  if (signal) return `the script was killed by ${signal}${signal === 'SIGKILL' ? ' (out of memory, or killed from outside)' : ''}`;
  return `the script exited with code ${code} before its run ended`;
}
