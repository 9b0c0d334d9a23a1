// The training panel's controller: opens, reveals and restores the one panel, runs scripts through the ScriptRunner,
// shows the exercise's reference run, and answers what the panel asks of the host (export, save, add history).
import { writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import * as vscode from 'vscode';
import { runToCsv } from '../../core/runs/csv';
import { describeBadLines, historyDir, listHistoryFiles, loadHistoryFile } from '../../core/runs/history';
import type { TrainingExit } from '../../core/runs/launcher';
import { referenceRun } from '../../core/runs/reference';
import type { RunRegistry } from '../../core/runs/registry';
import { TRAINING_VIEW_TYPE, type ExperimentBar, type Notice, type PanelState, type RenderedMessage } from '../../protocol/webview';
import type { ParameterValues } from '../../core/packs/parameters';
import type { PanelDeps } from './deps';
import { askValues, experimentOf, folderOf, parametersOfScript } from './experiment';
import { webviewRoots } from './html';
import { ScriptRunner } from './scriptRunner';
import { TrainingPanel } from './trainingPanel';

export class TrainingController implements vscode.Disposable {
  lastRendered: RenderedMessage | undefined;
  private panel: TrainingPanel | undefined;
  private readonly runner: ScriptRunner;
  private renderWaiters: ((m: RenderedMessage) => void)[] = [];
  /** the values last chosen per script (panel or quick picks), offered again next time */
  private readonly chosen = new Map<string, ParameterValues>();

  constructor(
    private readonly deps: PanelDeps,
    private readonly registry: RunRegistry,
  ) {
    this.runner = new ScriptRunner(deps, registry, {
      starting: (exerciseId) => this.open(exerciseId, true),
      runningChanged: (running, script) => this.panel?.setRunning(running, script),
      notice: (notice) => this.panel?.notify(notice),
    });
  }

  /**
   * Opens (or reveals) the panel; with an exercise id, its reference run is shown too. `besideEditor`: keep the
   * focus in the editor and show the panel next to it (a script starting), rather than in front.
   */
  async open(exerciseId?: string, besideEditor = false): Promise<void> {
    if (exerciseId) this.showReference(exerciseId);
    if (this.panel) {
      if (exerciseId && exerciseId !== this.panel.exerciseId) {
        this.panel.exerciseId = exerciseId;
        await this.updateExperiment(this.panel);
        this.panel.resend();
      }
      if (!besideEditor) this.panel.reveal();
      else if (!this.panel.webviewPanel.visible) this.panel.webviewPanel.reveal(vscode.ViewColumn.Beside, true);
      return;
    }
    const extensionUri = this.deps.context.extensionUri;
    const webviewPanel = vscode.window.createWebviewPanel(
      TRAINING_VIEW_TYPE,
      'Training Runs',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: besideEditor },
      { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) },
    );
    await this.updateExperiment(this.attach(webviewPanel, exerciseId));
  }

  /** A panel VS Code kept across a reload: reload the history files it showed. */
  async restore(webviewPanel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const saved = panelState(state);
    if (saved?.exerciseId) this.showReference(saved.exerciseId);
    const notices: string[] = [];
    for (const file of saved?.files ?? []) {
      try {
        const load = await loadHistoryFile(this.registry, file);
        const bad = describeBadLines(load);
        if (bad) notices.push(bad);
      } catch (error) {
        notices.push(`${basename(file)} could not be read again (${(error as Error).message}); its runs are not shown.`);
      }
    }
    if (this.panel) {
      webviewPanel.dispose(); // one training panel at a time
      return;
    }
    const panel = this.attach(webviewPanel, saved?.exerciseId);
    await this.updateExperiment(panel);
    for (const message of notices) panel.notify({ level: 'warning', message });
  }

  /** Runs a script to its end (the command resolves with how it ended, undefined when it did not start). */
  async runScript(uri: vscode.Uri | undefined): Promise<TrainingExit | undefined> {
    const script = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!script) {
      void vscode.window.showInformationMessage('Open a Python training script first, then run Gradient Lab: Run Training Script.');
      return undefined;
    }
    return this.runner.run(script);
  }

  /** "Run Training Script with...": asks for the declared parameters' values, then runs the script with them. */
  async runScriptWith(uri: vscode.Uri | undefined): Promise<TrainingExit | undefined> {
    const script = uri ?? vscode.window.activeTextEditor?.document.uri;
    if (!script) {
      void vscode.window.showInformationMessage('Open a Python training script first, then run Gradient Lab: Run Training Script with...');
      return undefined;
    }
    const parameters = script.scheme === 'file' ? await parametersOfScript(this.deps, folderOf(script), script.fsPath) : undefined;
    if (!parameters) {
      const choice = await vscode.window.showInformationMessage(
        `${basename(script.fsPath)} declares no parameters in its exercise pack, so there is nothing to choose. Run it as it is?`,
        'Run Training Script',
      );
      return choice ? this.runner.run(script) : undefined;
    }
    const values = await askValues(script.fsPath, parameters, this.chosen.get(script.fsPath) ?? {});
    if (!values) return undefined;
    this.chosen.set(script.fsPath, values);
    return this.runner.run(script, { parameters, values });
  }

  /** Whether the running script streams into `file`. */
  streams(file: string): boolean {
    return this.runner.streams(file);
  }

  /** The experiment bar the open panel shows. */
  get experiment(): ExperimentBar | undefined {
    return this.panel?.experiment;
  }

  /** The panel's Train: the experiment bar's script with the values the learner set there. */
  async train(values: ParameterValues): Promise<TrainingExit | undefined> {
    const experiment = this.panel?.experiment;
    if (!experiment) return undefined;
    this.chosen.set(experiment.script, values);
    return this.runner.run(vscode.Uri.file(experiment.script), { parameters: experiment.parameters, values, fromPanel: true });
  }

  /** Finds the experiment bar of the panel's exercise (its scaffolded script with declared parameters). */
  private async updateExperiment(panel: TrainingPanel): Promise<void> {
    const folder = workspaceDir();
    panel.experiment = panel.exerciseId && folder ? await experimentOf(this.deps, panel.exerciseId, folder) : undefined;
  }

  stop(): void {
    if (this.runner.running.running) this.runner.stop();
    else void vscode.window.showInformationMessage('No training script is running.');
  }

  nextRender(): Promise<RenderedMessage> {
    return new Promise((resolve) => this.renderWaiters.push(resolve));
  }

  notices(): Notice[] {
    return this.panel?.shownNotices() ?? [];
  }

  private attach(webviewPanel: vscode.WebviewPanel, exerciseId: string | undefined): TrainingPanel {
    const { deps, registry } = this;
    const panel = new TrainingPanel(webviewPanel, deps.context.extensionUri, registry, {
      log: deps.log,
      exportCsv: (runId) => this.exportCsv(runId),
      savePng: (name, dataUrl) => savePng(name, dataUrl),
      addHistory: () => this.addHistory(),
      stop: () => this.runner.stop(),
      train: (values) => void this.train(values),
      running: () => this.runner.running,
      rendered: (message) => this.rendered(message),
    }, exerciseId);
    panel.onDidDispose(() => {
      if (this.panel === panel) this.panel = undefined;
    });
    this.panel = panel;
    return panel;
  }

  private showReference(exerciseId: string): void {
    for (const info of this.registry.infos()) {
      if (info.kind === 'reference' && info.exerciseId !== exerciseId) this.registry.remove(info.id);
    }
    const records = referenceRun(exerciseId);
    if (!records || this.registry.has(records[0].run)) return;
    this.registry.addRecords(records, { kind: 'reference', exerciseId });
  }

  private rendered(message: RenderedMessage): void {
    this.lastRendered = message;
    const line = `training panel drew ${message.points.toLocaleString('en-US')} points of ${message.runs} runs in ${message.ms.toFixed(1)} ms (${message.reason})`;
    if (message.reason === 'init') this.deps.log.info(line);
    else this.deps.log.trace(line);
    const waiters = this.renderWaiters;
    this.renderWaiters = [];
    for (const resolve of waiters) resolve(message);
  }

  private async exportCsv(runId: string): Promise<void> {
    const run = this.registry.get(runId);
    if (!run) throw new Error(`the run ${runId} is no longer in the panel`);
    const folder = workspaceDir();
    const target = await vscode.window.showSaveDialog({
      title: `Export ${run.info.name} as CSV`,
      defaultUri: folder ? vscode.Uri.file(join(folder, `${safeName(run.info.name)}.csv`)) : undefined,
      filters: { CSV: ['csv'] },
    });
    if (!target) return;
    await writeFile(target.fsPath, runToCsv(run.table), 'utf8');
    void vscode.window.showInformationMessage(`Saved ${run.table.rows.toLocaleString('en-US')} rows of ${run.info.name} to ${basename(target.fsPath)}.`);
  }

  private async addHistory(): Promise<void> {
    const folder = workspaceDir();
    const files = folder ? await listHistoryFiles(folder) : [];
    const other = { label: '$(folder-opened) Open another history file…', file: undefined as string | undefined };
    const items = [
      ...files.map((f) => ({
        label: basename(f.file),
        description: `${(f.size / 1024).toFixed(f.size < 10240 ? 1 : 0)} KB · ${f.modified.toLocaleString()}`,
        file: f.file as string | undefined,
      })),
      other,
    ];
    const picked = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: 'Add runs from history',
      placeHolder: files.length
        ? 'Pick history files to compare (newest first)'
        : `No run history in ${folder ? historyDir(folder) : 'this workspace'} yet: run a training script first, or open a file`,
    });
    if (!picked?.length) return;
    const chosen = picked.flatMap((p) => (p.file ? [p.file] : []));
    if (picked.includes(other)) {
      const opened = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { 'Run history': ['jsonl'] } });
      chosen.push(...(opened ?? []).map((u) => u.fsPath));
    }
    for (const file of chosen) {
      const load = await loadHistoryFile(this.registry, file);
      const bad = describeBadLines(load);
      if (bad) this.panel?.notify({ level: 'warning', message: bad });
      else if (load.runs.length === 0) {
        this.panel?.notify({ level: 'info', message: `${basename(file)}: its runs are already shown (or it holds none).` });
      }
    }
  }

  dispose(): void {
    this.runner.dispose();
    this.panel?.dispose();
  }
}

async function savePng(name: string, dataUrl: string): Promise<void> {
  const prefix = 'data:image/png;base64,';
  if (!dataUrl.startsWith(prefix)) throw new Error('the panel sent an image that is not a PNG');
  const folder = workspaceDir();
  const target = await vscode.window.showSaveDialog({
    title: 'Save chart as PNG',
    defaultUri: folder ? vscode.Uri.file(join(folder, `${safeName(name)}.png`)) : undefined,
    filters: { 'PNG image': ['png'] },
  });
  if (!target) return;
  await writeFile(target.fsPath, Buffer.from(dataUrl.slice(prefix.length), 'base64'));
  void vscode.window.showInformationMessage(`Saved the chart to ${basename(target.fsPath)}.`);
}

function panelState(state: unknown): PanelState | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const s = state as Partial<PanelState>;
  return {
    v: 1,
    exerciseId: typeof s.exerciseId === 'string' ? s.exerciseId : undefined,
    files: Array.isArray(s.files) ? s.files.filter((f): f is string => typeof f === 'string') : [],
    hiddenRuns: [],
    logScale: false,
    tab: '',
  };
}

function workspaceDir(): string | undefined {
  const active = vscode.window.activeTextEditor?.document.uri;
  return ((active && vscode.workspace.getWorkspaceFolder(active)) ?? vscode.workspace.workspaceFolders?.[0])?.uri.fsPath;
}

function safeName(name: string): string {
  return name.replace(/[^A-Za-z0-9_.=-]+/g, '-').replace(/^-+|-+$/g, '') || 'run';
}
