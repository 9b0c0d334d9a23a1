// "Run Training Script": the chosen interpreter runs the script with the runtime on its path, its output goes to
// an output channel, its metrics stream into the registry (and the panel), a notification shows progress with a
// Stop button, and a script that dies without ending its runs gets them marked failed by the host. With declared
// parameters (the experiment bar, "Run Training Script with..."), the chosen values go on its command line, and
// afterwards the panel is told when argparse refused them or a run's config shows the script ignored one.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { cacheStreamedHistory, historyDir, historyFileName } from '../../core/runs/history';
import { launchTrainingScript, type TrainingExit, type TrainingProcess } from '../../core/runs/launcher';
import type { RunRegistry } from '../../core/runs/registry';
import type { Notice } from '../../protocol/webview';
import { ParameterError, ignoredParameters, parameterArgs, type ParameterValues } from '../../core/packs/parameters';
import type { ScriptParameter } from '../../protocol/parameters';
import { exerciseOfFile } from './exercises';
import * as settings from '../settings';
import { ThrottledOutput } from './output';
import type { PanelDeps } from './deps';

/** Values for a script's declared parameters, and where the request came from. */
export interface ScriptLaunch {
  parameters: ScriptParameter[];
  values: ParameterValues;
  /** the panel's Train button: a busy runner answers in the panel, not with a pop-up per press */
  fromPanel?: boolean;
}

/** argparse's last line on a refused command line: "<prog>: error: argument --lr: invalid float value: 'x'". */
const ARGPARSE_ERROR = /^.*: error: (.+)$/m;
/** How much of a run's stderr is kept to explain an exit (argparse's message is at its end). */
const STDERR_TAIL = 4096;

export interface ScriptRunEvents {
  /** the run is about to start: show the panel for this exercise, beside the script */
  starting(exerciseId: string | undefined): Promise<void>;
  runningChanged(running: boolean, script?: string): void;
  /** something about the run to show in the panel */
  notice(notice: Notice): void;
}

export class ScriptRunner implements vscode.Disposable {
  /** the script training, reserved before its process starts so that a second request meanwhile is refused */
  private current: { process?: TrainingProcess; script: string; toldBusy?: boolean } | undefined;
  /** every history file a run started here wrote (each run gets a file of its own) */
  private readonly streamed = new Set<string>();
  private readonly output: vscode.OutputChannel;

  constructor(
    private readonly deps: PanelDeps,
    private readonly registry: RunRegistry,
    private readonly events: ScriptRunEvents,
  ) {
    this.output = vscode.window.createOutputChannel('Gradient Lab: Training');
  }

  get running(): { running: boolean; script?: string } {
    return this.current ? { running: true, script: this.current.script } : { running: false };
  }

  /** Whether `file` is a history a script run here streamed into (its runs came through the pipe, not the file). */
  streams(file: string): boolean {
    return this.streamed.has(file);
  }

  stop(): void {
    this.current?.process?.stop();
  }

  /** Runs a training script to its end; undefined when it did not start (untrusted, busy, no interpreter). */
  async run(script: vscode.Uri, launch?: ScriptLaunch): Promise<TrainingExit | undefined> {
    const { deps } = this;
    if (!deps.requireTrust('Running a training script')) return undefined;
    if (this.current && launch?.fromPanel) {
      // Train pressed again (and again): said once per run, not once per press
      if (!this.current.toldBusy) this.events.notice({ level: 'info', message: `${basename(this.current.script)} is still training: press Stop first, or wait for it to end.` });
      this.current.toldBusy = true;
      return undefined;
    }
    if (this.current) {
      const choice = await vscode.window.showWarningMessage(
        `${basename(this.current.script)} is still training. Stop it before starting another script.`,
        'Stop It',
      );
      if (choice) this.stop();
      return undefined;
    }
    if (script.scheme !== 'file' || extname(script.fsPath) !== '.py') {
      void vscode.window.showErrorMessage(`Run Training Script needs a Python file on disk; ${script.toString()} is not one.`);
      return undefined;
    }
    let args: string[] = [];
    if (launch) {
      try {
        args = parameterArgs(launch.parameters, launch.values);
      } catch (error) {
        if (!(error instanceof ParameterError)) throw error;
        const message = `${basename(script.fsPath)} was not started: ${error.message}.`;
        this.events.notice({ level: 'error', message });
        void vscode.window.showErrorMessage(message);
        return undefined;
      }
    }
    this.current = { script: script.fsPath };
    const prepared = await this.prepare(script).catch((error: unknown) => {
      this.current = undefined;
      throw error;
    });
    if (!prepared) {
      this.current = undefined;
      return undefined;
    }
    const { python, historyFile, device, exerciseId } = prepared;
    this.streamed.add(historyFile);
    const scriptPath = script.fsPath;

    const out = new ThrottledOutput(this.output);
    out.line(`▶ ${python} ${[scriptPath, ...args].join(' ')}  (device: ${device}; history: ${historyFile})`);
    let badLines = 0;
    let stderr = '';
    const configs = new Map<string, { name: string; config?: Record<string, unknown> }>();
    const handler = this.registry.handler({ kind: 'live', file: historyFile, exerciseId }, (bad) => {
      if (badLines++ < 5) deps.log.warn(`training stream line ${bad.line} skipped: ${bad.reason}: ${bad.text}`);
    });
    const process = launchTrainingScript({
      python,
      script: scriptPath,
      args,
      cwd: dirname(scriptPath),
      runtimeDir: deps.runtimeDir,
      historyFile,
      device,
      handler: {
        ...handler,
        record(record) {
          if (record.type === 'run-start') configs.set(record.run, { name: record.name, config: record.config });
          handler.record(record);
        },
      },
      onOutput: (text, stream) => {
        out.append(text);
        if (stream === 'stderr') stderr = (stderr + text).slice(-STDERR_TAIL);
      },
    });
    this.current.process = process;
    this.events.runningChanged(true, scriptPath);
    deps.log.info(`training ${scriptPath} with ${python} (pid ${process.pid}, device ${device})`);

    const exit = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Training ${basename(scriptPath)}`, cancellable: true },
      async (progress, token) => {
        token.onCancellationRequested(() => process.stop());
        progress.report({ message: 'running… (Cancel stops the script)' });
        return process.exited;
      },
    );
    this.current = undefined;
    this.events.runningChanged(false);
    out.line(`■ ${describe(exit)}`);
    out.dispose();
    deps.log.info(`training ${scriptPath} ended: ${describe(exit)}; ${exit.lines} history lines`);
    cacheStreamedHistory(this.registry, historyFile, exit.historyBytes, exit.lines).catch((error) =>
      deps.log.warn(`could not cache the columns of ${historyFile}: ${(error as Error).message}`),
    );
    if (launch) this.reportParameters(launch, [...configs.values()], basename(scriptPath));
    void this.report(exit, scriptPath, args, stderr);
    return exit;
  }

  /** Saves the script, finds the interpreter, makes the history folder and shows the panel; undefined without an interpreter. */
  private async prepare(script: vscode.Uri) {
    await vscode.workspace.textDocuments.find((d) => d.uri.toString() === script.toString() && d.isDirty)?.save();
    const python = await this.deps.resolvePython();
    if (!python) return undefined;
    const folder = vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath ?? dirname(script.fsPath);
    const historyFile = join(historyDir(folder), historyFileName(basename(script.fsPath, '.py')));
    await mkdir(historyDir(folder), { recursive: true });
    const exerciseId = exerciseOfFile(folder, script.fsPath);
    await this.events.starting(exerciseId);
    return { python, historyFile, device: settings.device(), exerciseId };
  }

  /** Says in the panel which declared values a run's config contradicts or leaves out. */
  private reportParameters(launch: ScriptLaunch, runs: Array<{ name: string; config?: Record<string, unknown> }>, script: string): void {
    for (const run of runs) {
      const notes = ignoredParameters(launch.parameters, launch.values, run.config);
      if (notes.length) this.events.notice({ level: 'warning', message: `${script}, run ${run.name}: ${notes.join('; ')}.` });
    }
  }

  private async report(exit: TrainingExit, script: string, args: string[], stderr: string): Promise<void> {
    const name = basename(script);
    const refused = exit.code === 2 && !exit.stopped ? ARGPARSE_ERROR.exec(stderr) : null;
    if (refused) {
      const message = `${name} refused its command line (${args.join(' ') || 'no arguments'}): ${refused[1]}. Change the value and train again.`;
      this.events.notice({ level: 'error', message });
      void vscode.window.showErrorMessage(message);
      return;
    }
    if (exit.lines === 0 && !exit.spawnError) {
      this.events.notice({
        level: 'info',
        message: `${name} ${exit.code === 0 ? 'finished' : 'ended'} without logging anything, so there is no run to draw. Call gradlab.log(step=step, train_loss=loss) in its training loop to see its curves here.`,
      });
    }
    if (exit.spawnError) {
      void vscode.window.showErrorMessage(`${name} did not start: ${exit.spawnError}. Check the interpreter (Gradient Lab: Select Python Interpreter).`);
    } else if (exit.stopped) {
      void vscode.window.showInformationMessage(`${name} was stopped. Its runs are kept in the history, marked stopped.`);
    } else if (exit.code !== 0) {
      const choice = await vscode.window.showErrorMessage(
        `${name} failed (${describe(exit)}). The steps it logged are kept and its run is marked failed.`,
        'Show Output',
      );
      if (choice) this.output.show(true);
    }
  }

  dispose(): void {
    this.stop();
    this.output.dispose();
  }
}

function describe(exit: TrainingExit): string {
  if (exit.spawnError) return exit.spawnError;
  if (exit.signal) return `${exit.stopped ? 'stopped' : 'killed'} by ${exit.signal}`;
  return `exit code ${exit.code}`;
}
