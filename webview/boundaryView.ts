// The 2-D decision boundary: the model's output on a grid as a heatmap (class 0 in red, class 1 in blue, paler where
// the model is unsure), the 0.5 contour, and the data points, with a scrubber (and Play) over the snapshots of
// training, and in a corner the run's training loss up to the snapshot shown, as the lesson's demo has it.
import type { BoundarySnapshot } from '../src/protocol/webview';
import { withExportButton } from './exportButton';
import { Scrubber } from './scrubber';
import { withAlpha, type Theme } from './theme';
import { runWith, type Drawn, type DrawContext, type View, type ViewDeps } from './view';

const MARGIN = { left: 44, right: 12, top: 10, bottom: 28 };

export class BoundaryView implements View {
  readonly element: HTMLElement;
  private theme: Theme;
  private readonly canvasElement: HTMLCanvasElement;
  private readonly caption: HTMLElement;
  private readonly scrubber: Scrubber;

  constructor(deps: ViewDeps) {
    this.theme = deps.theme();
    this.element = document.createElement('section');
    this.element.className = 'view boundary';
    this.canvasElement = document.createElement('canvas');
    this.canvasElement.setAttribute('role', 'img');
    this.caption = document.createElement('p');
    this.caption.className = 'caption';
    this.scrubber = new Scrubber('Decision boundary snapshot', () => deps.redraw());
    this.element.append(this.canvasElement, this.scrubber.element, this.caption);
    withExportButton(this.element, 'Decision boundary', deps, () => this.canvasElement);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
  }

  draw(context: DrawContext): Drawn {
    const run = runWith('boundaries', context);
    const snapshots = run?.snapshots.boundaries ?? [];
    const index = this.scrubber.select(snapshots.map((s) => s.step));
    const snapshot = snapshots[index];
    if (!run || !snapshot) {
      this.canvasElement.hidden = true;
      this.caption.textContent =
        'No decision boundary yet. A classification script calls gradlab.snapshot_boundary(predict, (x_min, x_max, y_min, y_max), 60) every few epochs.';
      return { points: 0, flagged: 0 };
    }
    this.canvasElement.hidden = false;
    this.paint(snapshot);
    this.paintLossInset(run.seriesOf('train_loss'), snapshot.step);
    const share = snapshot.values.filter((v) => v !== null && probability(v, snapshot) >= 0.5).length / snapshot.values.length;
    const text = `${run.label}, step ${snapshot.step}: ${snapshot.nx}×${snapshot.ny} grid, ${(share * 100).toFixed(0)}% of it predicted class 1${snapshot.points ? `, ${snapshot.points.length} data points` : ''}.`;
    this.caption.textContent = text;
    this.canvasElement.setAttribute('aria-label', `Decision boundary heatmap. ${text}`);
    return { points: 0, flagged: 0 };
  }

  /** The training loss of the run up to the snapshot's step, small, over the heatmap's top right corner. */
  private paintLossInset(loss: LossSeries, step: number): void {
    const ctx = this.canvasElement.getContext('2d');
    const width = parseFloat(this.canvasElement.style.width);
    if (!ctx || loss.xs.length < 2) return;
    const t = this.theme;
    const box = { x: width - MARGIN.right - INSET.width - INSET.pad, y: MARGIN.top + INSET.pad, w: INSET.width, h: INSET.height };
    ctx.fillStyle = withAlpha(t.background, 0.85);
    ctx.fillRect(box.x - 4, box.y - 4, box.w + 8, box.h + 20);
    ctx.strokeStyle = withAlpha(t.foreground, 0.6);
    ctx.lineWidth = 1;
    ctx.strokeRect(box.x - 4, box.y - 4, box.w + 8, box.h + 20);
    const path = insetPath(loss, step, box);
    ctx.strokeStyle = t.palette[1];
    ctx.lineWidth = 1.5 * t.weight;
    ctx.beginPath();
    path.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.stroke();
    ctx.fillStyle = t.foreground;
    ctx.font = t.font;
    ctx.textBaseline = 'top';
    ctx.fillText('train loss', box.x, box.y + box.h + 2);
  }

  private paint(s: BoundarySnapshot): void {
    const t = this.theme;
    const ratio = devicePixelRatio || 1;
    const width = Math.max(240, Math.min(this.element.clientWidth || 480, 640));
    const height = Math.round(width * 0.8);
    const c = this.canvasElement;
    c.width = width * ratio;
    c.height = height * ratio;
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
    const ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.scale(ratio, ratio);
    ctx.fillStyle = t.background;
    ctx.fillRect(0, 0, width, height);
    const plot = { x: MARGIN.left, y: MARGIN.top, w: width - MARGIN.left - MARGIN.right, h: height - MARGIN.top - MARGIN.bottom };
    const [x0, x1, y0, y1] = s.bounds;
    const px = (x: number) => plot.x + ((x - x0) / (x1 - x0)) * plot.w;
    const py = (y: number) => plot.y + plot.h - ((y - y0) / (y1 - y0)) * plot.h;

    // The grid as a tiny image, scaled up smoothly: one pixel per grid point.
    const image = document.createElement('canvas');
    image.width = s.nx;
    image.height = s.ny;
    const ictx = image.getContext('2d');
    if (!ictx) return;
    const pixels = ictx.createImageData(s.nx, s.ny);
    const class0 = rgb(t.palette[4]);
    const class1 = rgb(t.palette[0]);
    const back = rgb(t.background);
    for (let j = 0; j < s.ny; j++) {
      for (let i = 0; i < s.nx; i++) {
        const v = s.values[j * s.nx + i];
        const p = v === null ? 0.5 : probability(v, s);
        const towards = p >= 0.5 ? class1 : class0;
        const strength = Math.abs(p - 0.5) * 2 * 0.75;
        const o = ((s.ny - 1 - j) * s.nx + i) * 4; // image rows go down, grid rows go up
        for (let k = 0; k < 3; k++) pixels.data[o + k] = back[k] + (towards[k] - back[k]) * strength;
        pixels.data[o + 3] = 255;
      }
    }
    ictx.putImageData(pixels, 0, 0);
    ctx.imageSmoothingEnabled = true;
    ctx.drawImage(image, plot.x, plot.y, plot.w, plot.h);

    // The 0.5 contour by marching squares.
    ctx.strokeStyle = t.foreground;
    ctx.lineWidth = 1.5 * t.weight;
    ctx.beginPath();
    const gx = (i: number) => x0 + ((x1 - x0) * i) / (s.nx - 1);
    const gy = (j: number) => y0 + ((y1 - y0) * j) / (s.ny - 1);
    const at = (i: number, j: number) => {
      const v = s.values[j * s.nx + i];
      return v === null ? 0.5 : probability(v, s) - 0.5;
    };
    for (let j = 0; j < s.ny - 1; j++) {
      for (let i = 0; i < s.nx - 1; i++) {
        const corners: [number, number, number][] = [
          [i, j, at(i, j)],
          [i + 1, j, at(i + 1, j)],
          [i + 1, j + 1, at(i + 1, j + 1)],
          [i, j + 1, at(i, j + 1)],
        ];
        const crossings: [number, number][] = [];
        for (let k = 0; k < 4; k++) {
          const [ai, aj, a] = corners[k];
          const [bi, bj, b] = corners[(k + 1) % 4];
          if ((a < 0) !== (b < 0)) {
            const f = a / (a - b);
            crossings.push([px(gx(ai + (bi - ai) * f)), py(gy(aj + (bj - aj) * f))]);
          }
        }
        for (let k = 0; k + 1 < crossings.length; k += 2) {
          ctx.moveTo(...crossings[k]);
          ctx.lineTo(...crossings[k + 1]);
        }
      }
    }
    ctx.stroke();

    if (s.points) {
      const fill0 = t.palette[4];
      const fill1 = t.palette[0];
      ctx.lineWidth = 1;
      ctx.strokeStyle = t.foreground;
      s.points.forEach(([x, y], n) => {
        ctx.beginPath();
        ctx.arc(px(x), py(y), 3 * t.weight, 0, 2 * Math.PI);
        ctx.fillStyle = (s.labels?.[n] ?? 0) >= 0.5 ? fill1 : fill0;
        ctx.fill();
        ctx.stroke();
      });
    }

    ctx.strokeStyle = withAlpha(t.foreground, 0.6);
    ctx.strokeRect(plot.x, plot.y, plot.w, plot.h);
    ctx.fillStyle = t.foreground;
    ctx.font = t.font;
    ctx.textBaseline = 'top';
    ctx.fillText(fmt(x0), plot.x, plot.y + plot.h + 6);
    const right = fmt(x1);
    ctx.fillText(right, plot.x + plot.w - ctx.measureText(right).width, plot.y + plot.h + 6);
    ctx.textBaseline = 'alphabetic';
    ctx.fillText(fmt(y1), 4, plot.y + 12);
    ctx.fillText(fmt(y0), 4, plot.y + plot.h);
  }
}

/** The inset's size and place: the canvas's top right corner, inside the plot. */
const INSET = { width: 150, height: 70, pad: 8 };

interface LossSeries {
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
}

/** The loss curve up to `step`, scaled to the whole run's range so it grows as the snapshots play. */
function insetPath(loss: LossSeries, step: number, box: { x: number; y: number; w: number; h: number }): [number, number][] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < loss.ys.length; i++) {
    const y = loss.ys[i];
    if (Number.isFinite(y)) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  }
  const last = loss.xs.length ? loss.xs[loss.xs.length - 1] : 0;
  const first = loss.xs.length ? loss.xs[0] : 0;
  if (!Number.isFinite(lo) || last === first) return [];
  const path: [number, number][] = [];
  for (let i = 0; i < loss.xs.length && loss.xs[i] <= step; i++) {
    const y = loss.ys[i];
    if (!Number.isFinite(y)) continue;
    path.push([box.x + ((loss.xs[i] - first) / (last - first)) * box.w, box.y + box.h - (hi === lo ? 0.5 : (y - lo) / (hi - lo)) * box.h]);
  }
  return path;
}

/** Probabilities are drawn as they are; scores outside [0, 1] are squashed by a sigmoid (0 is the boundary). */
function probability(v: number, s: BoundarySnapshot): number {
  return isProbabilities(s) ? v : 1 / (1 + Math.exp(-v));
}

const probabilityGrids = new WeakMap<BoundarySnapshot, boolean>();

function isProbabilities(s: BoundarySnapshot): boolean {
  let known = probabilityGrids.get(s);
  if (known === undefined) {
    known = s.values.every((v) => v === null || (v >= 0 && v <= 1));
    probabilityGrids.set(s, known);
  }
  return known;
}

function rgb(colour: string): [number, number, number] {
  const m = withAlpha(colour, 1).match(/rgba\((\d+),\s*(\d+),\s*(\d+)/);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [128, 128, 128];
}

function fmt(v: number): string {
  return Number(v.toPrecision(3)).toString();
}
