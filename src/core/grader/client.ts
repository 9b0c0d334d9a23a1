// The host's side of the grading worker: one warm `python <runtime>/launch.py gradlab.worker` process, started on the
// first request, restarted after a crash, answering requests by id. Nothing here blocks: every request is
// a promise, and a newer check can cancel an older one through an AbortSignal.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { FrameDecoder, encodeFrame } from './framing';
import {
  ISOLATION_VARIABLE,
  PRELOAD_VARIABLE,
  PROTOCOL_VERSION,
  SANDBOX_VARIABLE,
  WorkerMethod,
  WorkerNotification,
  type CancelParams,
  type CheckParams,
  type CheckReport,
  type ErrorCode,
  type HelloResult,
  type IsolationMode,
  type LogParams,
  type MutantsParams,
  type MutantsResult,
  type NotificationMessage,
  type RecordParams,
  type RecordResult,
  type RequestMessage,
  type ResponseMessage,
  type SandboxChoice,
  type ResultParams,
} from '../../protocol/worker';
import { FixableError } from '../errors';

export interface GraderClientOptions {
  python: string;
  /** the folder holding the `gradlab` package */
  runtimeDir: string;
  /** the worker's own log lines and stderr */
  log?: (line: string) => void;
  /** heavy packages the worker's sandbox imports as soon as it starts (see PRELOAD_VARIABLE) */
  preload?: string[];
  /** OS-level isolation of the learner's processes (see ISOLATION_VARIABLE); default `auto` */
  isolation?: IsolationMode;
  /** the sandbox that makes the learner's processes (see SANDBOX_VARIABLE); default: the environment's, else `auto` */
  sandbox?: SandboxChoice;
}

// A worker left running when this process ends (Ctrl+C, a broken pipe) would go on until its check ended: each is
// asked to stop (SIGTERM: it removes its sandboxes and temporary folders) when this process exits.
const liveWorkers = new Set<ChildProcessWithoutNullStreams>();
let stopsAtExit = false;

function endWithThisProcess(child: ChildProcessWithoutNullStreams): void {
  if (!stopsAtExit) {
    process.once('exit', () => liveWorkers.forEach((worker) => worker.kill('SIGTERM')));
    stopsAtExit = true;
  }
  liveWorkers.add(child);
  child.once('exit', () => liveWorkers.delete(child));
}

/** A request the worker answered with an error (or could not answer because it died). */
export class WorkerError extends FixableError {
  constructor(
    readonly code: ErrorCode | 'crashed',
    message: string,
    readonly missing?: string[],
  ) {
    super(message);
    this.name = 'WorkerError';
  }
}

/** The worker that answered `hello` speaks another protocol version than this host: it is another release's runtime. */
export class ProtocolMismatchError extends FixableError {
  constructor(
    readonly runtimeDir: string,
    readonly hello: HelloResult,
  ) {
    super(
      `The grading worker of ${runtimeDir} (run by ${hello.python.executable}, runtime ${hello.runtimeVersion}) speaks protocol version ${hello.protocolVersion}, ` +
        `but this Gradient Lab speaks version ${PROTOCOL_VERSION}: the extension and its Python runtime come from different releases. ` +
        'Reinstall or update the Gradient Lab extension so that its runtime matches (in a checkout, rebuild it: npm run build).',
    );
    this.name = 'ProtocolMismatchError';
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  watchdog?: NodeJS.Timeout;
  /** a check's streamed results, while it runs */
  onResult?: (streamed: ResultParams) => void;
}

/** Hears each check's result of a running `check` the moment the worker knows it (see ResultParams). */
export type ResultListener = (streamed: ResultParams) => void;

/** Seconds past the worker's own limits after which we assume it hung and restart it. */
const WATCHDOG_GRACE_S = 15;

export class GraderClient {
  private process: ChildProcessWithoutNullStreams | undefined;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private disposed = false;

  constructor(private readonly options: GraderClientOptions) {}

  get python(): string {
    return this.options.python;
  }

  /** What the interpreter can do; rejects with a ProtocolMismatchError when the worker speaks another protocol version. */
  async hello(): Promise<HelloResult> {
    const hello = (await this.request(WorkerMethod.Hello, {}, 30)) as HelloResult;
    if (hello.protocolVersion !== PROTOCOL_VERSION) throw new ProtocolMismatchError(this.options.runtimeDir, hello);
    return hello;
  }

  /** The whole report; `onResult` hears each check's result before it, as the worker streams them. */
  check(params: CheckParams, signal?: AbortSignal, onResult?: ResultListener): Promise<CheckReport> {
    const checks = params.only?.length ?? params.exercise.checks.length;
    const budget = params.limits.timeoutS * (checks + 1) + WATCHDOG_GRACE_S;
    return this.request(WorkerMethod.Check, params, budget, signal, onResult) as Promise<CheckReport>;
  }

  record(params: RecordParams): Promise<RecordResult> {
    const budget = params.limits.timeoutS * (params.exercise.checks.length + 1) + WATCHDOG_GRACE_S;
    return this.request(WorkerMethod.Record, params, budget) as Promise<RecordResult>;
  }

  mutants(params: MutantsParams): Promise<MutantsResult> {
    return this.request(WorkerMethod.Mutants, params, 60) as Promise<MutantsResult>;
  }

  /** Asks the worker to exit and waits (briefly) for it; later requests would start a new one. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const child = this.process;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      child.stdin.write(encodeFrame({ id: this.nextId++, method: WorkerMethod.Shutdown, params: {} } satisfies RequestMessage));
      child.stdin.end();
    } catch {
      // already gone
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  private request(method: WorkerMethod, params: unknown, budgetS: number, signal?: AbortSignal, onResult?: ResultListener): Promise<unknown> {
    if (this.disposed) return Promise.reject(new WorkerError('crashed', 'The grader was shut down.'));
    if (signal?.aborted) return Promise.reject(new WorkerError('cancelled', 'The check was cancelled.'));
    const child = this.ensureProcess();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      // once cancelled, a request's results belong to an older save: nobody hears them
      const pending: Pending = { resolve, reject, onResult: onResult && ((streamed) => signal?.aborted || onResult(streamed)) };
      pending.watchdog = setTimeout(() => {
        this.options.log?.(`worker did not answer ${method} within ${budgetS} s; restarting it`);
        child.kill('SIGKILL');
      }, budgetS * 1000);
      this.pending.set(id, pending);
      signal?.addEventListener(
        'abort',
        () => {
          if (this.pending.has(id) && this.process === child) {
            child.stdin.write(encodeFrame({ method: WorkerNotification.Cancel, params: { id } } satisfies NotificationMessage<CancelParams>));
          }
        },
        { once: true },
      );
      child.stdin.write(encodeFrame({ id, method, params } satisfies RequestMessage));
    });
  }

  private ensureProcess(): ChildProcessWithoutNullStreams {
    if (this.process) return this.process;
    const { python, runtimeDir } = this.options;
    const env = { ...process.env };
    // Never let a user's PYTHONSTARTUP or -X options leak into the grader.
    delete env.PYTHONSTARTUP;
    if (this.options.preload?.length) env[PRELOAD_VARIABLE] = this.options.preload.join(',');
    else delete env[PRELOAD_VARIABLE];
    env[ISOLATION_VARIABLE] = this.options.isolation ?? 'auto';
    if (this.options.sandbox) env[SANDBOX_VARIABLE] = this.options.sandbox;
    // The launcher puts the runtime first on sys.path and the current folder not at all (`-m` would put it first,
    // and a workspace's gradlab/ folder could then replace the grader's package).
    const child = spawn(python, [join(runtimeDir, 'launch.py'), 'gradlab.worker'], { env, stdio: 'pipe', windowsHide: true });
    endWithThisProcess(child);
    this.process = child;
    this.stderrTail = '';
    const decoder = new FrameDecoder();
    child.stdout.on('data', (chunk: Buffer) => {
      let messages: unknown[];
      try {
        messages = decoder.push(chunk);
      } catch (error) {
        this.options.log?.(String(error));
        child.kill('SIGKILL');
        return;
      }
      for (const message of messages) this.onMessage(message as ResponseMessage & { method?: string; params?: unknown });
    });
    child.stderr.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrTail = (this.stderrTail + text).slice(-4000);
      for (const line of text.split('\n')) if (line.trim()) this.options.log?.(`[worker] ${line}`);
    });
    child.stdin.on('error', () => {
      // EPIPE when the worker died: the exit handler reports it
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? `Python was not found at ${python}.`
          : `Could not start Python at ${python}: ${error.message}`;
      this.failAll(child, new WorkerError('crashed', reason));
    });
    child.on('exit', (code, signal) => {
      const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
      const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
      this.failAll(child, new WorkerError('crashed', `The grading worker ${how}.${tail ? ` Last output: ${tail}` : ''}`));
    });
    return child;
  }

  private onMessage(message: ResponseMessage & { method?: string; params?: unknown }): void {
    if (message.method === WorkerNotification.Log) {
      const { level, message: text } = message.params as LogParams;
      this.options.log?.(`[worker ${level}] ${text}`);
      return;
    }
    if (message.method === WorkerNotification.Result) {
      const streamed = message.params as ResultParams;
      this.pending.get(streamed.id)?.onResult?.(streamed);
      return;
    }
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    clearTimeout(pending.watchdog);
    if (message.error) pending.reject(new WorkerError(message.error.code, message.error.message, message.error.missing));
    else pending.resolve(message.result);
  }

  private failAll(child: ChildProcessWithoutNullStreams, error: WorkerError): void {
    if (this.process !== child) return;
    this.process = undefined;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.watchdog);
      pending.reject(error);
    }
    this.pending.clear();
  }
}
