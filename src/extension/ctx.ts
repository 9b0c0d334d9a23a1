// The one context object every command and view receives (the rust-analyzer pattern): the log, the loaded packs,
// the workspace, and the warm grader, restarted when the interpreter changes. Settings are read through settings.ts.
import * as vscode from 'vscode';
import type { GraderClient } from '../core/grader/client';
import { FixableError } from '../core/errors';
import { findPython, missingPackages, PythonError, type FoundPython } from '../core/python/discover';
import { runtimeDir } from '../core/paths';
import { ProgressStore, progressPath } from '../core/progress/store';
import { PackRegistry } from './packs';
import type { PythonPackage } from '../protocol/pack';
import { activeInterpreter, onActiveInterpreterChange } from './pythonExtension';
import * as settings from './settings';

export class Ctx implements vscode.Disposable {
  readonly log: vscode.LogOutputChannel;
  /** the warm grader and what its interpreter has (asked once, when it started) */
  private grading: Promise<FoundPython | undefined> | undefined;
  readonly packs: PackRegistry;
  private readonly stores = new Map<string, ProgressStore>();
  private lastFolder: vscode.WorkspaceFolder | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Progress, packs or started exercises changed: views refresh. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(readonly extension: vscode.ExtensionContext) {
    this.log = vscode.window.createOutputChannel('Gradient Lab', { log: true });
    this.packs = new PackRegistry(extension, this.log);
    this.disposables.push(
      this.log,
      this.packs,
      this.changeEmitter,
      this.packs.onDidChange(() => this.changed()),
      vscode.window.onDidChangeActiveTextEditor(() => {
        // Remember the folder the learner works in, and refresh views that show its progress.
        const before = this.lastFolder;
        if (this.workspaceFolder() !== before) this.changed();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affects(e, settings.SettingKey.PythonPath)) this.restartGrader('gradlab.pythonPath changed');
        if (settings.affects(e, settings.SettingKey.Sandbox)) this.restartGrader('gradlab.sandbox changed');
        if (settings.affects(e, settings.SettingKey.Packs)) this.packs.reload();
      }),
    );
    void onActiveInterpreterChange(() => {
      if (!settings.pythonPath()) this.restartGrader('the Python extension switched environment');
    }).then((d) => this.disposables.push(d));
  }

  changed(): void {
    this.changeEmitter.fire();
  }

  /**
   * The workspace folder exercises are scaffolded into: the active editor's, else the folder of the last
   * editor that was active (a Markdown preview or the panel may hold the focus), else the first.
   */
  workspaceFolder(): vscode.WorkspaceFolder | undefined {
    const active = vscode.window.activeTextEditor?.document.uri;
    const folder = active && vscode.workspace.getWorkspaceFolder(active);
    if (folder) this.lastFolder = folder;
    const remembered = this.lastFolder && vscode.workspace.workspaceFolders?.find((f) => f.uri.toString() === this.lastFolder!.uri.toString());
    return folder ?? remembered ?? vscode.workspace.workspaceFolders?.[0];
  }


  /** The learner's progress in a workspace folder (one store per folder, created on first use). */
  progress(folder: vscode.WorkspaceFolder): ProgressStore {
    const file = progressPath(folder.uri.fsPath);
    let store = this.stores.get(file);
    let problem: string | undefined;
    if (!store) {
      store = new ProgressStore(file);
      this.stores.set(file, store);
      problem = store.problem;
    } else {
      problem = store.refresh();
    }
    if (problem) {
      this.log.warn(problem);
      void vscode.window.showWarningMessage(problem);
    }
    return store;
  }

  /**
   * Running learner code needs a trusted workspace. Returns false (after telling the user why, with a way
   * to grant trust) when it is not trusted.
   */
  requireTrust(action: string): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage(
        `${action} runs the Python code in this workspace, so Gradient Lab needs you to trust the workspace first. Exercises, instructions and hints work without trust.`,
        'Manage Workspace Trust',
      )
      .then((choice) => choice && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  }

  /** The warm grader, started on first use; undefined (after a message saying what to do) when no interpreter fits. */
  grader(require: PythonPackage[] = []): Promise<GraderClient | undefined> {
    this.grading ??= this.startGrader();
    return this.grading.then((found) => {
      if (!found) return undefined;
      const missing = missingPackages(found.hello, require);
      if (missing.length === 0) return found.client;
      void vscode.window.showErrorMessage(`This exercise needs ${missing.join(' and ')}, which ${found.python} lacks. Install it or choose another interpreter.`, 'Select Interpreter').then((c) => c && vscode.commands.executeCommand('gradlab.selectInterpreter'));
      return undefined;
    });
  }

  /** Where the interpreter comes from: the setting, else the Python extension, else PATH. */
  async findPython(require: PythonPackage[] = []) {
    const configured = settings.pythonPath();
    const fromExtension = configured ? undefined : await activeInterpreter(this.workspaceFolder()?.uri);
    return findPython({
      configured,
      candidates: fromExtension ? [fromExtension] : [],
      require: [...new Set<PythonPackage>(['numpy', ...require])],
      runtimeDir: runtimeDir(),
      log: (line) => this.log.debug(line),
      sandbox: settings.sandbox(),
    });
  }

  private async startGrader(): Promise<FoundPython | undefined> {
    try {
      const found = await this.findPython();
      const { hello } = found;
      this.log.info(`grader: Python ${hello.python.version} at ${found.python}, NumPy ${hello.numpy.version ?? 'missing'}, PyTorch ${hello.torch.version ?? 'missing'}`);
      const { isolation } = hello;
      this.log.info(`grader: the ${hello.sandbox ?? 'no'} sandbox runs the learner's code${hello.sandbox ? '' : ' (see the errors below)'}`);
      this.log.info(isolation.isolated ? 'grader: each check runs isolated from the rest of the machine (bubblewrap)' : `grader: checks run without OS-level isolation: ${isolation.reason ?? 'turned off'}`);
      return found;
    } catch (error) {
      this.grading = undefined;
      if (!(error instanceof FixableError)) throw error;
      // No interpreter fits (another one may), or the runtime does not match this extension (none would).
      const noInterpreter = error instanceof PythonError;
      if (noInterpreter) for (const line of error.tried) this.log.warn(`interpreter refused: ${line}`);
      else this.log.error(error.message);
      const actions = noInterpreter ? ['Select Interpreter', 'Show Log'] : ['Show Log'];
      void vscode.window.showErrorMessage(error.message, ...actions).then((choice) => {
        if (choice === 'Select Interpreter') void vscode.commands.executeCommand('gradlab.selectInterpreter');
        if (choice === 'Show Log') this.log.show();
      });
      return undefined;
    }
  }

  restartGrader(reason: string): void {
    const old = this.grading;
    this.grading = undefined;
    if (old) {
      this.log.info(`restarting the grader: ${reason}`);
      void old.then((found) => found?.client.dispose());
    }
  }

  dispose(): void {
    this.restartGrader('Gradient Lab is shutting down');
    for (const d of this.disposables) d.dispose();
  }
}
