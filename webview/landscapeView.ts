// The 1-D loss landscape: the loss along one parameter with the others fixed (a parabola for a line fitted by MSE),
// and the learner's steps placed on it, so gradient descent is seen sliding down (or jumping across) the valley;
// the scrubber (and Play) shows the steps up to one of them.
import type { LandscapeSnapshot } from '../src/protocol/webview';
import { formatNumber } from './curves';
import { withExportButton } from './exportButton';
import { LineChart, type LineSeries } from './lineChart';
import { Scrubber } from './scrubber';
import type { Theme } from './theme';
import { runWith, type Drawn, type DrawContext, type View, type ViewDeps } from './view';

export class LandscapeView implements View {
  readonly element: HTMLElement;
  private theme: Theme;
  private readonly chart: LineChart;
  private readonly caption: HTMLElement;
  private readonly scrubber: Scrubber;

  constructor(deps: ViewDeps) {
    this.theme = deps.theme();
    this.element = document.createElement('section');
    this.element.className = 'view landscape';
    const host = document.createElement('div');
    this.chart = new LineChart(host, this.theme, 'Loss landscape slice with the training steps on it');
    this.caption = document.createElement('p');
    this.caption.className = 'caption';
    this.scrubber = new Scrubber('Steps on the landscape', () => deps.redraw());
    this.element.append(host, this.scrubber.element, this.caption);
    withExportButton(this.element, 'Loss landscape', deps, () => this.chart.canvas());
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.chart.setTheme(theme);
  }

  /** The newest slice of the run that has one, with every shown run's logged steps of its parameter placed on it. */
  draw(context: DrawContext): Drawn {
    const owner = runWith('landscapes', context);
    const slice = owner?.snapshots.landscapes.at(-1);
    if (!owner || !slice) {
      this.scrubber.select([]);
      this.chart.update({ xLabel: 'w', yLabel: 'loss', logY: false, series: [] });
      this.caption.textContent =
        'No loss landscape yet. A script calls gradlab.snapshot_landscape(loss_of_w, values, param="w", fixed={"b": b}) and logs w with its loss.';
      return { points: 0, flagged: 0 };
    }
    const curve = sortedCurve(slice);
    const series: LineSeries[] = [{ key: 'slice', label: 'loss along the slice', colour: this.theme.muted, width: 2, xs: curve.xs, ys: curve.ys }];
    const described: string[] = [];
    const ownerSteps = Array.from(owner.seriesOf(slice.param).xs);
    // every step of every run when the slice's own run logged none of its parameter
    const shownSteps = this.scrubber.select(ownerSteps) + 1 || Infinity;
    for (const { store, colour } of context.shown) {
      const walk = store.seriesOf(slice.param);
      if (walk.xs.length === 0) continue;
      const xs: number[] = [];
      const ys: (number | null)[] = [];
      for (const value of walk.ys.slice(0, shownSteps)) {
        if (value !== value) continue; // a non-finite step
        xs.push(value);
        ys.push(interpolate(curve.xs, curve.ys, value));
      }
      series.push({ key: `steps/${store.info.id}`, label: `${store.label} steps`, colour, markers: true, width: 1.5, xs, ys });
      described.push(`${store.label}: ${slice.param} = ${xs.map(formatNumber).join(' → ')}`);
    }
    const fixed = Object.entries(slice.fixed ?? {})
      .map(([k, v]) => `${k} = ${formatNumber(v)}`)
      .join(', ');
    const best = curve.ys.reduce<number>((b, y, i) => (y !== null && (curve.ys[b] === null || y < (curve.ys[b] as number)) ? i : b), 0);
    this.caption.textContent =
      `Loss along ${slice.param}${fixed ? ` with ${fixed} held fixed` : ''}; lowest at ${slice.param} = ${formatNumber(curve.xs[best])}. ` +
      (described.length ? `Steps, placed on the slice: ${described.join('; ')}.` : `Log ${slice.param} with gradlab.log to see the steps on it.`);
    return { points: this.chart.update({ xLabel: slice.param, yLabel: 'loss', logY: false, series, height: 280 }), flagged: 0 };
  }
}

function sortedCurve(slice: LandscapeSnapshot): { xs: number[]; ys: (number | null)[] } {
  const order = slice.values.map((_, i) => i).filter((i) => slice.values[i] !== null);
  order.sort((a, b) => (slice.values[a] as number) - (slice.values[b] as number));
  return { xs: order.map((i) => slice.values[i] as number), ys: order.map((i) => slice.losses[i]) };
}

/** The slice's loss at x by linear interpolation; null outside the slice. */
function interpolate(xs: number[], ys: (number | null)[], x: number): number | null {
  if (xs.length === 0 || x < xs[0] || x > xs[xs.length - 1]) return null;
  let lo = 0;
  let hi = xs.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid;
  }
  const a = ys[lo];
  const b = ys[hi];
  if (a === null || b === null) return null;
  const f = xs[hi] === xs[lo] ? 0 : (x - xs[lo]) / (xs[hi] - xs[lo]);
  return a + (b - a) * f;
}
