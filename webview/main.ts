// The training panel in the webview: receives runs from the host (src/protocol/webview.ts), keeps them in stores,
// and draws the visible tab at most once per animation frame however fast points arrive.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import {
  FromWebview,
  ToWebview,
  WEBVIEW_PROTOCOL_VERSION,
  type HostMessage,
  type Notice,
  type PanelState,
  type RunInfo,
  type WebviewMessage,
} from '../src/protocol/webview';
import { ExperimentBarView } from './experimentBar';
import { Legend } from './legend';
import { RunStore } from './store';
import { TABS } from './tabs';
import { onThemeChange, readTheme, runColour } from './theme';
import type { Drawn, DrawContext, View, ViewDeps } from './view';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** Draw reports after updates go out at most this often (the latest is always sent, late if need be). */
const UPDATE_REPORT_MS = 1000;

const vscode = acquireVsCodeApi();
const post = (message: WebviewMessage) => vscode.postMessage(message);

class App {
  private readonly runs = new Map<string, RunStore>();
  private readonly colours = new Map<string, string>();
  private colourCount = 0;
  private state: PanelState;
  private theme = readTheme();
  private running: { running: boolean; script?: string } = { running: false };
  private notices: Notice[] = [];
  private exerciseId: string | undefined;
  private frame = 0;
  private initArrived: number | undefined;
  private lastUpdateReport = 0;
  private pendingReport: ReturnType<typeof setTimeout> | undefined;

  private readonly root = document.getElementById('app') as HTMLElement;
  private readonly toolbar = document.createElement('header');
  private readonly noticeArea = document.createElement('div');
  private readonly legend: Legend;
  private readonly experiment: ExperimentBarView;
  /** one view per tab, in TABS order */
  private readonly views: View[];

  constructor() {
    const saved = vscode.getState();
    this.state = saved?.v === WEBVIEW_PROTOCOL_VERSION ? saved : { v: WEBVIEW_PROTOCOL_VERSION, files: [], hiddenRuns: [], logScale: false, tab: TABS[0].id };
    this.legend = new Legend({
      show: (ids, shown) => {
        const hidden = new Set(this.state.hiddenRuns);
        for (const id of ids) (shown ? hidden.delete(id) : hidden.add(id));
        this.state.hiddenRuns = [...hidden];
        this.changed();
      },
      focus: (id) => {
        this.state.focusRun = id;
        this.changed();
      },
      remove: (id) => post({ type: FromWebview.RemoveRun, runId: id }),
      exportCsv: (id) => post({ type: FromWebview.ExportCsv, runId: id }),
    });
    this.experiment = new ExperimentBarView({
      train: (values) => post({ type: FromWebview.Train, values }),
      stop: () => post({ type: FromWebview.Stop }),
      changed: (script, values) => {
        this.state.experimentValues = { ...this.state.experimentValues, [script]: { ...values } };
        this.saveState();
      },
    });
    const deps: ViewDeps = {
      theme: () => this.theme,
      state: () => this.state,
      changed: () => this.changed(),
      redraw: () => this.schedule(),
      post,
      notice: (notice) => this.notice(notice),
    };
    this.views = TABS.map((tab) => new tab.View(deps));
    this.build();
    onThemeChange(() => this.applyTheme());
    new ResizeObserver(() => this.schedule()).observe(this.root);
    window.addEventListener('message', (event: MessageEvent<HostMessage>) => this.receive(event.data));
    window.addEventListener('error', (event) => post({ type: FromWebview.Error, message: `${event.message} (${event.filename}:${event.lineno})` }));
    post({ type: FromWebview.Ready, protocol: WEBVIEW_PROTOCOL_VERSION });
  }

  // ---- messages ---------------------------------------------------------------------------------------------

  private receive(message: HostMessage): void {
    switch (message.type) {
      case ToWebview.Init:
        this.initArrived = performance.now();
        this.runs.clear();
        this.exerciseId = message.exerciseId;
        this.notices = message.notices;
        this.running = { running: message.running };
        this.experiment.show(message.experiment, message.experiment && this.state.experimentValues?.[message.experiment.script]);
        this.experiment.setRunning(message.running);
        for (const info of message.runs) this.upsert(info);
        for (const block of message.points) this.runs.get(block.runId)?.applyPoints(block);
        for (const block of message.snapshots) this.runs.get(block.runId)?.applySnapshots(block);
        this.renderChrome();
        break;
      case ToWebview.Runs:
        for (const info of message.runs) this.upsert(info);
        this.renderChrome();
        break;
      case ToWebview.Points:
        for (const block of message.blocks) this.runs.get(block.runId)?.applyPoints(block);
        break;
      case ToWebview.Snapshots:
        for (const block of message.blocks) this.runs.get(block.runId)?.applySnapshots(block);
        break;
      case ToWebview.Remove:
        for (const id of message.runIds) this.runs.delete(id);
        this.renderChrome();
        break;
      case ToWebview.Notice:
        this.notices.push(message.notice);
        this.renderNotices();
        break;
      case ToWebview.Running:
        this.running = { running: message.running, script: message.script };
        this.experiment.setRunning(message.running);
        this.renderToolbar();
        break;
    }
    this.schedule();
  }

  private upsert(info: RunInfo): void {
    const store = this.runs.get(info.id);
    if (store) store.info = info;
    else this.runs.set(info.id, new RunStore(info));
    if (!this.colours.has(info.id)) {
      this.colours.set(info.id, info.kind === 'reference' ? this.theme.muted : runColour(this.theme, this.colourCount++));
    }
  }

  // ---- layout -----------------------------------------------------------------------------------------------

  private build(): void {
    this.toolbar.className = 'toolbar';
    this.noticeArea.className = 'notices';
    this.noticeArea.setAttribute('role', 'status');
    this.noticeArea.setAttribute('aria-live', 'polite');

    const tabs = document.createElement('vscode-tabs');
    for (const tab of TABS) {
      const header = document.createElement('vscode-tab-header');
      header.slot = 'header';
      header.textContent = tab.title;
      tabs.append(header);
    }
    for (const view of this.views) {
      const panel = document.createElement('vscode-tab-panel');
      panel.append(view.element);
      tabs.append(panel);
    }
    tabs.selectedIndex = this.tabIndex();
    tabs.addEventListener('vsc-tabs-select', (event) => {
      this.state.tab = TABS[(event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex].id;
      this.changed();
    });

    const layout = document.createElement('div');
    layout.className = 'layout';
    layout.append(this.legend.element, tabs);
    this.root.replaceChildren(this.toolbar, this.experiment.element, this.noticeArea, layout);
    this.root.removeAttribute('aria-busy');
    this.renderChrome();
  }

  private renderChrome(): void {
    labelRuns([...this.runs.values()]);
    this.renderToolbar();
    this.renderNotices();
    this.legend.render(
      [...this.runs.values()].map((store) => ({
        store,
        colour: this.colourOf(store),
        hidden: this.state.hiddenRuns.includes(store.info.id),
        focused: this.focusRun() === store,
      })),
    );
    this.saveState();
  }

  private renderToolbar(): void {
    const title = document.createElement('span');
    title.className = 'title';
    title.textContent = this.exerciseId ? `Training runs · exercise ${this.exerciseId}` : 'Training runs';
    const items: HTMLElement[] = [title];
    if (this.running.running) {
      const label = document.createElement('span');
      label.className = 'running';
      label.textContent = `running ${this.running.script?.split(/[\\/]/).pop() ?? ''}`;
      items.push(label);
    }
    if (this.running.running && this.experiment.element.hidden) {
      // the experiment bar has its own Stop beside Train
      const stop = document.createElement('vscode-button');
      stop.textContent = 'Stop';
      stop.setAttribute('aria-label', 'Stop the running training script');
      stop.addEventListener('click', () => post({ type: FromWebview.Stop }));
      items.push(stop);
    }
    const add = document.createElement('vscode-button');
    add.secondary = true;
    add.textContent = 'Add runs from history…';
    add.addEventListener('click', () => post({ type: FromWebview.AddHistory }));
    const log = document.createElement('vscode-checkbox');
    log.label = 'Log scale (loss)';
    log.checked = this.state.logScale;
    log.addEventListener('change', () => {
      this.state.logScale = log.checked;
      this.changed();
    });
    items.push(add, log);
    this.toolbar.replaceChildren(...items);
  }

  private renderNotices(): void {
    this.noticeArea.replaceChildren(
      ...this.notices.slice(-5).map((n, i, shown) => {
        const p = document.createElement('p');
        p.className = `notice ${n.level}`;
        p.textContent = n.message;
        const close = document.createElement('button');
        close.className = 'dismiss';
        close.textContent = '×';
        close.setAttribute('aria-label', 'Dismiss');
        close.addEventListener('click', () => {
          this.notices.splice(this.notices.length - shown.length + i, 1);
          this.renderNotices();
        });
        p.append(close);
        return p;
      }),
    );
  }

  private notice(notice: Notice): void {
    this.notices.push(notice);
    this.renderNotices();
  }

  // ---- drawing ----------------------------------------------------------------------------------------------

  /** Draws on the next animation frame, once, however many messages arrive before it. */
  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      let drawn: Drawn;
      let error: string | undefined;
      try {
        drawn = this.draw();
      } catch (thrown) {
        drawn = { points: 0, flagged: 0 };
        error = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
        post({ type: FromWebview.Error, message: `drawing the ${this.state.tab} tab failed: ${error}` });
      }
      void Promise.resolve().then(() => this.reportDraw(drawn, error)); // after uPlot's own microtask paints
    });
  }

  /** Draws the visible tab's view. */
  private draw(): Drawn {
    const context: DrawContext = {
      shown: [...this.runs.values()].filter((s) => !this.state.hiddenRuns.includes(s.info.id)).map((store) => ({ store, colour: this.colourOf(store) })),
      focus: this.focusRun(),
      colourOf: (store) => this.colourOf(store),
    };
    return this.views[this.tabIndex()].draw(context);
  }

  /** The tab the state names, else the first. */
  private tabIndex(): number {
    return Math.max(0, TABS.findIndex((tab) => tab.id === this.state.tab));
  }

  /** Reports a draw to the host: the first after an init at once; later ones at most every UPDATE_REPORT_MS, the
   * latest sent when that time is up, so the host always learns what the panel shows in the end. */
  private reportDraw(drawn: Drawn, error: string | undefined): void {
    const now = performance.now();
    const report = { type: FromWebview.Rendered, runs: this.runs.size, ...drawn, ...(error ? { error } : {}) };
    clearTimeout(this.pendingReport);
    this.pendingReport = undefined;
    if (this.initArrived !== undefined) {
      post({ ...report, reason: 'init', ms: now - this.initArrived });
      this.initArrived = undefined;
      this.lastUpdateReport = now;
      return;
    }
    const send = () => {
      this.pendingReport = undefined;
      this.lastUpdateReport = performance.now();
      post({ ...report, reason: 'update', ms: 0 });
    };
    const wait = this.lastUpdateReport + UPDATE_REPORT_MS - now;
    if (wait <= 0 || error) send();
    else this.pendingReport = setTimeout(send, wait);
  }

  private applyTheme(): void {
    const theme = readTheme();
    if (JSON.stringify(theme) === JSON.stringify(this.theme)) return;
    this.theme = theme;
    this.colours.clear();
    this.colourCount = 0;
    for (const store of this.runs.values()) this.upsert(store.info);
    for (const view of this.views) view.setTheme(theme);
    this.renderChrome();
    this.schedule();
  }

  // ---- selection and state ----------------------------------------------------------------------------------

  private colourOf(store: RunStore): string {
    return this.colours.get(store.info.id) ?? this.theme.foreground;
  }

  /** The run whose details (fit, boundary, table) are shown: the chosen one, else the newest run of the learner. */
  private focusRun(): RunStore | undefined {
    const chosen = this.state.focusRun && this.runs.get(this.state.focusRun);
    if (chosen) return chosen;
    const all = [...this.runs.values()];
    return all.filter((r) => r.info.kind !== 'reference').at(-1) ?? all.at(-1);
  }

  /** UI state changed: save it, redraw the legend and the charts. */
  private changed(): void {
    this.renderChrome();
    this.schedule();
  }

  private saveState(): void {
    const files = new Set<string>();
    for (const { info } of this.runs.values()) if (info.file && info.kind !== 'reference') files.add(info.file);
    this.state.files = [...files];
    this.state.exerciseId = this.exerciseId;
    this.state.hiddenRuns = this.state.hiddenRuns.filter((id) => this.runs.has(id));
    vscode.setState(this.state);
  }
}

/**
 * Sets each run's label: its name, and where several runs share a name (a script run twice), its start time as well
 * (then its place among them, when they started within the same second).
 */
function labelRuns(stores: RunStore[]): void {
  const byName = new Map<string, RunStore[]>();
  for (const store of stores) byName.set(store.info.name, [...(byName.get(store.info.name) ?? []), store]);
  for (const [name, same] of byName) {
    const timed = same.map((s) => (same.length > 1 && s.info.startedAt !== undefined ? `${name} (${new Date(s.info.startedAt).toTimeString().slice(0, 8)})` : name));
    same.forEach((store, i) => {
      const twins = timed.filter((label) => label === timed[i]).length;
      store.label = twins > 1 ? `${timed[i]} #${i + 1}` : timed[i];
    });
  }
}

try {
  new App();
} catch (error) {
  post({ type: FromWebview.Error, message: `the training panel failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  throw error;
}
