// The training panel in the webview: receives runs from the host (src/protocol/webview.ts), keeps them in stores,
// and draws the visible tab at most once per animation frame however fast points arrive.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
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
import { BoundaryView } from './boundaryView';
import { earlyStop, formatNumber, markersFor, metricGroup, seriesFor, type ShownRun } from './curves';
import { chartPng } from './exportPng';
import { FitView } from './fitView';
import { LandscapeView } from './landscapeView';
import { Legend } from './legend';
import { LineChart, type Marker } from './lineChart';
import { RunStore } from './store';
import { TableView } from './tableView';
import { onThemeChange, readTheme, runColour } from './theme';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): PanelState | undefined;
  setState(state: PanelState): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const TABS = ['curves', 'fit', 'boundary', 'landscape', 'table'] as const;
type Tab = (typeof TABS)[number];
const TAB_TITLES: Record<Tab, string> = {
  curves: 'Curves',
  fit: 'Fit',
  boundary: 'Decision boundary',
  landscape: 'Landscape',
  table: 'Table',
};

/** What one draw of the visible tab showed. */
interface Drawn {
  points: number;
  flagged: number;
}

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
  private readonly charts: Record<'loss' | 'optimizer' | 'other', { chart: LineChart; caption: HTMLElement; title: string }>;
  private readonly otherSelect = document.createElement('vscode-single-select');
  private readonly fit: FitView;
  private readonly boundary: BoundaryView;
  private readonly landscape: LandscapeView;
  private readonly table: TableView;
  private readonly panels = new Map<Tab, HTMLElement>();

  constructor() {
    const saved = vscode.getState();
    this.state = saved?.v === WEBVIEW_PROTOCOL_VERSION ? saved : { v: WEBVIEW_PROTOCOL_VERSION, files: [], hiddenRuns: [], logScale: false, tab: 'curves' };
    const redraw = () => this.schedule();
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
    this.charts = {
      loss: this.chartBlock('Loss', 'Training and validation loss of every shown run'),
      optimizer: this.chartBlock('Gradient norm and learning rate', 'Gradient norm (left axis) and learning rate (right axis)'),
      other: this.chartBlock('Other metrics', 'Another logged metric, chosen above the chart'),
    };
    this.fit = new FitView(this.theme, redraw);
    this.boundary = new BoundaryView(this.theme, redraw);
    this.landscape = new LandscapeView(this.theme);
    this.table = new TableView((id) => post({ type: FromWebview.ExportCsv, runId: id }));
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
      header.textContent = TAB_TITLES[tab];
      tabs.append(header);
    }
    const curves = document.createElement('div');
    curves.className = 'view curves';
    this.otherSelect.setAttribute('aria-label', 'Metric to plot');
    this.otherSelect.addEventListener('change', () => {
      this.state.otherMetric = this.otherSelect.value;
      this.changed();
    });
    curves.append(this.charts.loss.caption.parentElement as HTMLElement, this.charts.optimizer.caption.parentElement as HTMLElement);
    const other = this.charts.other.caption.parentElement as HTMLElement;
    other.querySelector('h3')?.after(this.otherSelect);
    curves.append(other);
    const contents: Record<Tab, HTMLElement> = {
      curves,
      fit: this.withExport(this.fit.element, 'Fit', () => this.fit.canvas(), () => []),
      boundary: this.withExport(this.boundary.element, 'Decision boundary', () => this.boundary.canvas(), () => []),
      landscape: this.withExport(this.landscape.element, 'Loss landscape', () => this.landscape.canvas(), () => []),
      table: this.table.element,
    };
    for (const tab of TABS) {
      const panel = document.createElement('vscode-tab-panel');
      panel.append(contents[tab]);
      this.panels.set(tab, panel);
      tabs.append(panel);
    }
    tabs.selectedIndex = Math.max(0, TABS.indexOf(this.state.tab as Tab));
    tabs.addEventListener('vsc-tabs-select', (event) => {
      this.state.tab = TABS[(event as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex];
      this.changed();
    });

    const layout = document.createElement('div');
    layout.className = 'layout';
    layout.append(this.legend.element, tabs);
    this.root.replaceChildren(this.toolbar, this.noticeArea, layout);
    this.root.removeAttribute('aria-busy');
    this.renderChrome();
  }

  private chartBlock(title: string, describe: string) {
    const block = document.createElement('section');
    block.className = 'chart-block';
    const heading = document.createElement('h3');
    heading.textContent = title;
    const host = document.createElement('div');
    const chart = new LineChart(host, this.theme, describe);
    const caption = document.createElement('p');
    caption.className = 'caption';
    block.append(heading, host, caption);
    const entry = { chart, caption, title };
    this.withExport(block, title, () => chart.canvas(), () => chart.entries());
    return entry;
  }

  /** A "Save as PNG" button in the block's heading row. */
  private withExport(
    block: HTMLElement,
    title: string,
    canvas: () => HTMLCanvasElement | undefined,
    entries: () => { label: string; colour: string }[],
  ): HTMLElement {
    const button = document.createElement('vscode-button');
    button.secondary = true;
    button.textContent = 'Save as PNG';
    button.setAttribute('aria-label', `Save the ${title} chart as a PNG image`);
    button.addEventListener('click', () => {
      const source = canvas();
      if (!source || source.hidden) {
        this.notice({ level: 'info', message: `The ${title} chart has nothing drawn yet.` });
        return;
      }
      post({ type: FromWebview.SavePng, name: title.toLowerCase().replace(/\W+/g, '-'), dataUrl: chartPng(source, title, entries(), this.theme) });
    });
    block.prepend(button);
    button.classList.add('export');
    return block;
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
      const stop = document.createElement('vscode-button');
      stop.textContent = 'Stop';
      stop.setAttribute('aria-label', 'Stop the running training script');
      stop.addEventListener('click', () => post({ type: FromWebview.Stop }));
      const label = document.createElement('span');
      label.className = 'running';
      label.textContent = `running ${this.running.script?.split(/[\\/]/).pop() ?? ''}`;
      items.push(label, stop);
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

  private draw(): Drawn {
    const shown: ShownRun[] = [...this.runs.values()]
      .filter((s) => !this.state.hiddenRuns.includes(s.info.id))
      .map((store) => ({ store, colour: this.colourOf(store) }));
    const tab = (TABS.includes(this.state.tab as Tab) ? this.state.tab : 'curves') as Tab;
    switch (tab) {
      case 'curves':
        return this.drawCurves(shown);
      case 'fit': {
        const run = this.runWith('fits', shown);
        return { points: this.fit.render(run, run ? this.colourOf(run) : this.theme.foreground), flagged: 0 };
      }
      case 'boundary':
        this.boundary.render(this.runWith('boundaries', shown));
        return { points: 0, flagged: 0 };
      case 'landscape': {
        const slice = this.runWith('landscapes', shown);
        return { points: this.landscape.render(slice && { slice, walkers: shown }), flagged: 0 };
      }
      case 'table':
        this.table.render(this.focusRun());
        return { points: 0, flagged: 0 };
    }
  }

  private drawCurves(shown: ShownRun[]): Drawn {
    const error = this.theme.error;
    const loss = (m: string) => metricGroup(m) === 'loss';
    const optimizer = (m: string) => metricGroup(m) === 'optimizer';
    const others = [...new Set(shown.flatMap(({ store }) => store.metricNames().filter((m) => metricGroup(m) === 'other')))];
    const otherMetric = others.includes(this.state.otherMetric ?? '') ? (this.state.otherMetric as string) : others[0];
    this.syncOtherSelect(others, otherMetric);

    let flagged = 0;
    const marked = (markers: Marker[]) => {
      for (const m of markers) if (m.kind === 'top' || m.kind === 'bottom') flagged++;
      return markers;
    };
    let points = this.charts.loss.chart.update({
      xLabel: 'step',
      integerX: true,
      yLabel: this.state.logScale ? 'loss (log scale)' : 'loss',
      logY: this.state.logScale,
      series: seriesFor(shown, loss),
      markers: marked(markersFor(shown, loss, error)),
    });
    this.charts.loss.caption.textContent = lossCaption(shown);
    const optimizerSeries = seriesFor(shown, optimizer);
    (this.charts.optimizer.caption.parentElement as HTMLElement).hidden = optimizerSeries.length === 0;
    if (optimizerSeries.length > 0) {
      points += this.charts.optimizer.chart.update({
        xLabel: 'step',
        integerX: true,
        yLabel: 'gradient norm',
        rightLabel: 'learning rate',
        logY: false,
        series: optimizerSeries,
        markers: marked(markersFor(shown, optimizer, error)),
        height: 180,
      });
      this.charts.optimizer.caption.textContent = latestCaption(shown, optimizer);
    }
    const otherBlock = this.charts.other.caption.parentElement as HTMLElement;
    otherBlock.hidden = others.length === 0;
    if (otherMetric) {
      const pick = (m: string) => m === otherMetric;
      points += this.charts.other.chart.update({ xLabel: 'step', integerX: true, yLabel: otherMetric, logY: false, series: seriesFor(shown, pick), markers: marked(markersFor(shown, pick, error)), height: 180 });
      this.charts.other.caption.textContent = latestCaption(shown, pick);
    }
    return { points, flagged };
  }

  private syncOtherSelect(metrics: string[], selected: string | undefined): void {
    const current = [...this.otherSelect.querySelectorAll('vscode-option')].map((o) => o.textContent);
    if (current.join('\n') !== metrics.join('\n')) {
      this.otherSelect.replaceChildren(
        ...metrics.map((m) => {
          const option = document.createElement('vscode-option');
          option.value = m;
          option.textContent = m;
          return option;
        }),
      );
    }
    if (selected && this.otherSelect.value !== selected) this.otherSelect.value = selected;
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
    for (const { chart } of Object.values(this.charts)) chart.setTheme(theme);
    this.fit.setTheme(theme);
    this.boundary.setTheme(theme);
    this.landscape.setTheme(theme);
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

  /** The focus run when it has snapshots of this kind, else the newest shown run that has some. */
  private runWith(kind: 'fits' | 'boundaries' | 'landscapes', shown: ShownRun[]): RunStore | undefined {
    const focus = this.focusRun();
    if (focus && focus[kind].length > 0) return focus;
    return shown.map((s) => s.store).filter((s) => s[kind].length > 0).at(-1);
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

/** "train_loss 0.0123 at step 2999": the metric's last finite value. */
function lastValue(store: RunStore, metric: string): string | undefined {
  const { xs, ys } = store.seriesOf(metric);
  for (let i = ys.length - 1; i >= 0; i--) if (ys[i] === ys[i]) return `${metric} ${formatNumber(ys[i])} at step ${xs[i]}`;
  return undefined;
}

function lossCaption(shown: ShownRun[]): string {
  const parts: string[] = [];
  for (const { store } of shown.slice(-4)) {
    const latest = store
      .metricNames()
      .filter((m) => metricGroup(m) === 'loss')
      .map((m) => lastValue(store, m))
      .filter(Boolean);
    if (latest.length === 0) continue;
    const stop = store.info.kind === 'reference' ? undefined : earlyStop(store);
    parts.push(`${store.label}: ${latest.join(', ')}${stop ? `; lowest ${stop.metric} ${formatNumber(stop.value)} at step ${stop.step} (early stop)` : ''}`);
  }
  return parts.length ? `${parts.join('. ')}.` : 'No loss logged yet: gradlab.log(step=step, train_loss=..., val_loss=...). Log grad_norm and lr too to see them in their own chart.';
}

function latestCaption(shown: ShownRun[], pick: (m: string) => boolean): string {
  const parts: string[] = [];
  for (const { store } of shown.slice(-4)) {
    for (const m of store.metricNames().filter(pick)) {
      const last = lastValue(store, m);
      if (last) parts.push(`${store.label} ${last}`);
    }
  }
  return parts.join('; ');
}

try {
  new App();
} catch (error) {
  post({ type: FromWebview.Error, message: `the training panel failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}` });
  throw error;
}
