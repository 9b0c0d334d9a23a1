// One training panel: the webview, the `ready` handshake, and the pump that sends the registry's changes to it at
// most every PUMP_MS while it is visible. A hidden panel's webview is destroyed by VS Code; the changes wait in the
// registry and the recreated webview gets everything in its `init`.
import * as vscode from 'vscode';
import type { RunRegistry } from '../../core/runs/registry';
import {
  FromWebview,
  ToWebview,
  WEBVIEW_PROTOCOL_VERSION,
  type ExperimentBar,
  type HostMessage,
  type Notice,
  type RenderedMessage,
  type WebviewMessage,
} from '../../protocol/webview';
import type { ParameterValues } from '../../core/packs/parameters';
import { trainingPanelHtml, webviewRoots } from './html';

const PUMP_MS = 50;

/** What the panel asks its owner to do. */
export interface PanelActions {
  exportCsv(runId: string): Promise<void>;
  savePng(name: string, dataUrl: string): Promise<void>;
  addHistory(): Promise<void>;
  stop(): void;
  train(values: ParameterValues): void;
  running(): { running: boolean; script?: string };
  rendered(message: RenderedMessage): void;
  log: vscode.LogOutputChannel;
}

export class TrainingPanel implements vscode.Disposable {
  private ready = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly notices: Notice[] = [];
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly disposeListeners: (() => void)[] = [];
  /** the experiment bar of the exercise shown, sent with every init */
  experiment: ExperimentBar | undefined;

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private readonly registry: RunRegistry,
    private readonly actions: PanelActions,
    public exerciseId: string | undefined,
  ) {
    const webview = webviewPanel.webview;
    webview.options = { enableScripts: true, localResourceRoots: webviewRoots(extensionUri) };
    webviewPanel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'training.svg');
    webview.html = trainingPanelHtml(webview, extensionUri);
    this.disposables.push(
      webview.onDidReceiveMessage((m: WebviewMessage) => this.receive(m)),
      webviewPanel.onDidChangeViewState(() => {
        if (!webviewPanel.visible) this.ready = false; // its webview is gone; the next one says ready again
      }),
      webviewPanel.onDidDispose(() => this.dispose()),
      this.registry.onDidChange(() => this.schedule()),
    );
  }

  onDidDispose(listener: () => void): void {
    this.disposeListeners.push(listener);
  }

  reveal(): void {
    this.webviewPanel.reveal(undefined, false);
  }

  /** The notices sent to the panel, oldest first. */
  shownNotices(): Notice[] {
    return [...this.notices];
  }

  /** Shown at the top of the panel until it is reloaded (and kept for the next init while hidden). */
  notify(notice: Notice): void {
    this.notices.push(notice);
    if (this.notices.length > 20) this.notices.shift();
    this.post({ type: ToWebview.Notice, notice });
  }

  setRunning(running: boolean, script?: string): void {
    this.post({ type: ToWebview.Running, running, script });
  }

  /** The exercise whose reference run is shown, or its experiment bar, changed. */
  resend(): void {
    if (this.ready) this.sendInit();
  }

  private receive(message: WebviewMessage): void {
    const { actions } = this;
    const failed = (what: string) => (error: unknown) => {
      const text = `${what} failed: ${error instanceof Error ? error.message : String(error)}`;
      actions.log.error(text);
      this.notify({ level: 'error', message: text });
    };
    switch (message.type) {
      case FromWebview.Ready:
        if (message.protocol !== WEBVIEW_PROTOCOL_VERSION) {
          actions.log.warn(`training panel speaks protocol ${message.protocol}, the host ${WEBVIEW_PROTOCOL_VERSION}`);
        }
        this.ready = true;
        this.sendInit();
        break;
      case FromWebview.Rendered:
        actions.rendered(message);
        break;
      case FromWebview.ExportCsv:
        actions.exportCsv(message.runId).catch(failed('Exporting the run as CSV'));
        break;
      case FromWebview.SavePng:
        actions.savePng(message.name, message.dataUrl).catch(failed('Saving the chart as PNG'));
        break;
      case FromWebview.AddHistory:
        actions.addHistory().catch(failed('Loading run history'));
        break;
      case FromWebview.RemoveRun:
        this.registry.remove(message.runId);
        break;
      case FromWebview.Stop:
        actions.stop();
        break;
      case FromWebview.Train:
        actions.train(message.values);
        break;
      case FromWebview.Error:
        actions.log.error(`training panel: ${message.message}`);
        break;
    }
  }

  private sendInit(): void {
    const all = this.registry.everything();
    const { running } = this.actions.running();
    this.post({
      type: ToWebview.Init,
      runs: all.runs,
      points: all.points,
      snapshots: all.snapshots,
      notices: [...this.notices],
      exerciseId: this.exerciseId,
      running,
      experiment: this.experiment,
    });
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, PUMP_MS);
  }

  private pump(): void {
    if (!this.ready || !this.webviewPanel.visible) return; // kept in the registry until the next init
    const changes = this.registry.takeChanges();
    if (changes.removed.length) this.post({ type: ToWebview.Remove, runIds: changes.removed });
    if (changes.runs.length) this.post({ type: ToWebview.Runs, runs: changes.runs });
    if (changes.points.length) this.post({ type: ToWebview.Points, blocks: changes.points });
    if (changes.snapshots.length) this.post({ type: ToWebview.Snapshots, blocks: changes.snapshots });
  }

  private post(message: HostMessage): void {
    if (!this.ready || this.disposed) return;
    void this.webviewPanel.webview.postMessage(message).then(
      (delivered) => {
        if (!delivered) this.ready = false; // the webview went away; its successor gets an init
      },
      (error) => this.actions.log.warn(`training panel message ${message.type} not delivered: ${error}`),
    );
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer) clearTimeout(this.timer);
    for (const d of this.disposables) d.dispose();
    this.webviewPanel.dispose();
    for (const listener of this.disposeListeners) listener();
  }
}
