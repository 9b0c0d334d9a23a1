// "Run Training Script": the chosen interpreter runs the script with the runtime on its path, its output goes to
// an output channel, its metrics stream into the registry (and the panel), a notification shows progress with a
// Stop button, and a script that dies without ending its runs gets them marked failed by the host.
import { mkdir } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import * as vscode from 'vscode';
import { cacheStreamedHistory, historyDir, historyFileName } from '../../core/runs/history';
import { launchTrainingScript, type TrainingExit, type TrainingProcess } from '../../core/runs/launcher';
import type { RunRegistry } from '../../core/runs/registry';
import type { Notice } from '../../protocol/webview';
import { exerciseOfFile } from './exercises';
import * as settings from '../settings';
import { ThrottledOutput } from './output';
import type { PanelDeps } from './deps';

export interface ScriptRunEvents {
  /** the run is about to start: show the panel for this exercise, beside the script */
  starting(exerciseId: string | undefined): Promise<void>;
  runningChanged(running: boolean, script?: string): void;
  /** something about the run to show in the panel */
  notice(notice: Notice): void;
}

export class ScriptRunner implements vscode.Disposable {
  private current: { process: TrainingProcess; script: string } | undefined;
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

  stop(): void {
    this.current?.process.stop();
  }

  /** Runs a training script to its end; undefined when it did not start (untrusted, busy, no interpreter). */
  async run(script: vscode.Uri): Promise<TrainingExit | undefined> {
    const { deps } = this;
    if (!deps.requireTrust('Running a training script')) return undefined;
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
    await vscode.workspace.textDocuments.find((d) => d.uri.toString() === script.toString() && d.isDirty)?.save();
    const python = await deps.resolvePython();
    if (!python) return undefined;

    const scriptPath = script.fsPath;
    const folder = vscode.workspace.getWorkspaceFolder(script)?.uri.fsPath ?? dirname(scriptPath);
    const historyFile = join(historyDir(folder), historyFileName(basename(scriptPath, '.py')));
    await mkdir(historyDir(folder), { recursive: true });
    const device = settings.device();
    const exerciseId = exerciseOfFile(folder, scriptPath);
    await this.events.starting(exerciseId);

    const out = new ThrottledOutput(this.output);
    out.line(`▶ ${python} ${scriptPath}  (device: ${device}; history: ${historyFile})`);
    let badLines = 0;
    const process = launchTrainingScript({
      python,
      script: scriptPath,
      cwd: dirname(scriptPath),
      runtimeDir: deps.runtimeDir,
      historyFile,
      device,
      handler: this.registry.handler({ kind: 'live', file: historyFile, exerciseId }, (bad) => {
        if (badLines++ < 5) deps.log.warn(`training stream line ${bad.line} skipped: ${bad.reason}: ${bad.text}`);
      }),
      onOutput: (text) => out.append(text),
    });
    this.current = { process, script: scriptPath };
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
    void this.report(exit, scriptPath);
    return exit;
  }

  private async report(exit: TrainingExit, script: string): Promise<void> {
    const name = basename(script);
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
