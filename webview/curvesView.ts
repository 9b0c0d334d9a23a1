// The Curves tab: loss (train and validation, with the early-stopping point), gradient norm and learning rate, and
// one other logged metric chosen above its chart, for every shown run.
import { earlyStop, formatNumber, markersFor, metricGroup, seriesFor } from './curves';
import { withExportButton } from './exportButton';
import { LineChart, type Marker } from './lineChart';
import type { RunStore } from './store';
import type { Theme } from './theme';
import type { Drawn, DrawContext, ShownRun, View, ViewDeps } from './view';

interface ChartBlock {
  block: HTMLElement;
  chart: LineChart;
  caption: HTMLElement;
}

export class CurvesView implements View {
  readonly element = document.createElement('div');
  private readonly loss: ChartBlock;
  private readonly optimizer: ChartBlock;
  private readonly other: ChartBlock;
  private readonly otherSelect = document.createElement('vscode-single-select');

  constructor(private readonly deps: ViewDeps) {
    this.element.className = 'view curves';
    this.loss = this.chartBlock('Loss', 'Training and validation loss of every shown run');
    this.optimizer = this.chartBlock('Gradient norm and learning rate', 'Gradient norm (left axis) and learning rate (right axis)');
    this.other = this.chartBlock('Other metrics', 'Another logged metric, chosen above the chart');
    this.otherSelect.setAttribute('aria-label', 'Metric to plot');
    this.otherSelect.addEventListener('change', () => {
      deps.state().otherMetric = this.otherSelect.value;
      deps.changed();
    });
    this.other.block.querySelector('h3')?.after(this.otherSelect);
    this.element.append(this.loss.block, this.optimizer.block, this.other.block);
  }

  setTheme(theme: Theme): void {
    for (const { chart } of [this.loss, this.optimizer, this.other]) chart.setTheme(theme);
  }

  draw({ shown }: DrawContext): Drawn {
    const state = this.deps.state();
    const error = this.deps.theme().error;
    const loss = (m: string) => metricGroup(m) === 'loss';
    const optimizer = (m: string) => metricGroup(m) === 'optimizer';
    const others = [...new Set(shown.flatMap(({ store }) => store.metricNames().filter((m) => metricGroup(m) === 'other')))];
    const otherMetric = others.includes(state.otherMetric ?? '') ? (state.otherMetric as string) : others[0];
    this.syncOtherSelect(others, otherMetric);

    let flagged = 0;
    const marked = (markers: Marker[]) => {
      for (const m of markers) if (m.kind === 'top' || m.kind === 'bottom') flagged++;
      return markers;
    };
    let points = this.loss.chart.update({
      xLabel: 'step',
      integerX: true,
      yLabel: state.logScale ? 'loss (log scale)' : 'loss',
      logY: state.logScale,
      series: seriesFor(shown, loss),
      markers: marked(markersFor(shown, loss, error)),
    });
    this.loss.caption.textContent = lossCaption(shown);
    const optimizerSeries = seriesFor(shown, optimizer);
    this.optimizer.block.hidden = optimizerSeries.length === 0;
    if (optimizerSeries.length > 0) {
      points += this.optimizer.chart.update({
        xLabel: 'step',
        integerX: true,
        yLabel: 'gradient norm',
        rightLabel: 'learning rate',
        logY: false,
        series: optimizerSeries,
        markers: marked(markersFor(shown, optimizer, error)),
        height: 180,
      });
      this.optimizer.caption.textContent = latestCaption(shown, optimizer);
    }
    this.other.block.hidden = others.length === 0;
    if (otherMetric) {
      const pick = (m: string) => m === otherMetric;
      points += this.other.chart.update({ xLabel: 'step', integerX: true, yLabel: otherMetric, logY: false, series: seriesFor(shown, pick), markers: marked(markersFor(shown, pick, error)), height: 180 });
      this.other.caption.textContent = latestCaption(shown, pick);
    }
    return { points, flagged };
  }

  private chartBlock(title: string, describe: string): ChartBlock {
    const block = document.createElement('section');
    block.className = 'chart-block';
    const heading = document.createElement('h3');
    heading.textContent = title;
    const host = document.createElement('div');
    const chart = new LineChart(host, this.deps.theme(), describe);
    const caption = document.createElement('p');
    caption.className = 'caption';
    block.append(heading, host, caption);
    withExportButton(block, title, this.deps, () => chart.canvas(), () => chart.entries());
    return { block, chart, caption };
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
