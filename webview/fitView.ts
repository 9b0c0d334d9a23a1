// The 1-D fit: the data points, the true function (when the script gave it) and the model's predictions, with a
// scrubber over the snapshots, so the learner sees the model find the sine and then chase the noise.
import type { FitSnapshot } from '../src/protocol/webview';
import { withExportButton } from './exportButton';
import { LineChart } from './lineChart';
import { Scrubber } from './scrubber';
import type { Theme } from './theme';
import { runWith, type Drawn, type DrawContext, type View, type ViewDeps } from './view';

interface SortedFit {
  x: number[];
  yTrue: (number | null)[];
  yPred: (number | null)[];
  yFunc?: (number | null)[];
}

const sortedFits = new WeakMap<FitSnapshot, SortedFit>();

/** The snapshot ordered by x, so its lines draw left to right. */
function sorted(fit: FitSnapshot): SortedFit {
  let s = sortedFits.get(fit);
  if (!s) {
    const order = fit.x.map((_, i) => i).filter((i) => fit.x[i] !== null);
    order.sort((a, b) => (fit.x[a] as number) - (fit.x[b] as number));
    const pick = (values: (number | null)[]) => order.map((i) => values[i]);
    s = { x: pick(fit.x) as number[], yTrue: pick(fit.yTrue), yPred: pick(fit.yPred), yFunc: fit.yFunc && pick(fit.yFunc) };
    sortedFits.set(fit, s);
  }
  return s;
}

export class FitView implements View {
  readonly element: HTMLElement;
  private theme: Theme;
  private readonly chart: LineChart;
  private readonly caption: HTMLElement;
  private readonly scrubber: Scrubber;

  constructor(deps: ViewDeps) {
    this.theme = deps.theme();
    this.element = document.createElement('section');
    this.element.className = 'view fit';
    const host = document.createElement('div');
    this.chart = new LineChart(host, this.theme, 'Model fit: data points, true function and predictions');
    this.scrubber = new Scrubber('Fit snapshot', () => deps.redraw());
    this.caption = document.createElement('p');
    this.caption.className = 'caption';
    this.element.append(host, this.scrubber.element, this.caption);
    withExportButton(this.element, 'Fit', deps, () => this.chart.canvas());
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.chart.setTheme(theme);
  }

  draw(context: DrawContext): Drawn {
    const run = runWith('fits', context);
    const colour = run ? context.colourOf(run) : this.theme.foreground;
    const fits = run?.snapshots.fits ?? [];
    const index = this.scrubber.select(fits.map((f) => f.step));
    const fit = fits[index];
    if (!run || !fit) {
      this.chart.update({ xLabel: 'x', yLabel: 'y', logY: false, series: [] });
      this.caption.textContent = 'No fit yet. A regression script calls gradlab.snapshot_fit(x, y, predictions, y_func=np.sin) every few epochs.';
      return { points: 0, flagged: 0 };
    }
    const s = sorted(fit);
    const series = [
      { key: 'data', label: 'data', colour: this.theme.muted, scatter: true, xs: s.x, ys: s.yTrue },
      ...(s.yFunc ? [{ key: 'true', label: 'true function', colour: this.theme.foreground, dash: [6, 4], xs: s.x, ys: s.yFunc }] : []),
      { key: 'model', label: 'model', colour, width: 2.5, xs: s.x, ys: s.yPred },
    ];
    const mse = meanSquaredError(s.yPred, s.yFunc ?? s.yTrue);
    this.caption.textContent =
      `Dots: the data; ${s.yFunc ? 'dashed: the true function; ' : ''}solid: the model. ${run.label}, step ${fit.step}: ${s.x.length} points; ` +
      `mean squared error of the model against the ${s.yFunc ? 'true function' : 'data'}: ${Number.isFinite(mse) ? mse.toPrecision(4) : 'n/a'}.`;
    return { points: this.chart.update({ xLabel: 'x', yLabel: 'y', logY: false, series, height: 280 }), flagged: 0 };
  }
}

function meanSquaredError(a: (number | null)[], b: (number | null)[]): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x !== null && y !== null) {
      sum += (x - y) ** 2;
      n++;
    }
  }
  return n ? sum / n : NaN;
}
