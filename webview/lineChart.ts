// A uPlot chart whose series each carry their own x values (uPlot's faceted mode 2), so runs logged at different
// steps overlay without joining their x arrays. The chart is rebuilt only when its series or scales change; new
// points go through setData, which the caller invokes at most once per animation frame.
import uPlot from 'uplot';
import type { Theme } from './theme';

export interface LineSeries {
  /** stable identity: a change of keys or styles rebuilds the chart */
  key: string;
  label: string;
  colour: string;
  width?: number;
  dash?: number[];
  /** draw the points only, no line (data scatter) */
  scatter?: boolean;
  /** points on the line too (few points) */
  markers?: boolean;
  xs: number[];
  ys: (number | null)[];
}

/** Drawn over the series: a vertical rule, a dot, or an arrow at the top/bottom edge (a non-finite value). */
export interface Marker {
  x: number;
  y?: number;
  colour: string;
  kind: 'rule' | 'dot' | 'top' | 'bottom';
  label?: string;
}

export interface ChartSpec {
  xLabel: string;
  yLabel: string;
  logY: boolean;
  series: LineSeries[];
  markers?: Marker[];
  /** a second y axis on the right for series whose key starts with "right:" */
  rightLabel?: string;
  height?: number;
}

interface Extent {
  n: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** smallest positive y, for log scales */
  yPos: number;
}

/** Extents per data array, extended as points are appended (rescanned when an array shrank). */
const extents = new WeakMap<(number | null)[], Extent>();

function extentOf(xs: number[], ys: (number | null)[]): Extent {
  let e = extents.get(ys);
  if (!e || e.n > ys.length) {
    e = { n: 0, xMin: Infinity, xMax: -Infinity, yMin: Infinity, yMax: -Infinity, yPos: Infinity };
    extents.set(ys, e);
  }
  for (let i = e.n; i < ys.length; i++) {
    const x = xs[i];
    if (x < e.xMin) e.xMin = x;
    if (x > e.xMax) e.xMax = x;
    const y = ys[i];
    if (y === null) continue;
    if (y < e.yMin) e.yMin = y;
    if (y > e.yMax) e.yMax = y;
    if (y > 0 && y < e.yPos) e.yPos = y;
  }
  e.n = ys.length;
  return e;
}

export class LineChart {
  private plot: uPlot | undefined;
  private signature = '';
  private spec: ChartSpec | undefined;
  private ranges = { x: [0, 1] as [number, number], y: [0, 1] as [number, number], right: [0, 1] as [number, number] };
  private width = 0;

  constructor(
    private readonly host: HTMLElement,
    private theme: Theme,
    describe: string,
  ) {
    host.classList.add('chart');
    host.setAttribute('role', 'img');
    host.setAttribute('aria-label', describe);
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.signature = ''; // rebuild with the new colours
    if (this.spec) this.update(this.spec);
  }

  /** Draws spec: rebuilds when the series set changed, else only replaces the data. Returns the points drawn. */
  update(spec: ChartSpec): number {
    this.spec = spec;
    const series = spec.logY ? spec.series.map(positiveOnly) : spec.series;
    this.computeRanges(series, spec.logY);
    const signature = JSON.stringify([
      spec.logY,
      spec.xLabel,
      spec.yLabel,
      spec.rightLabel,
      series.map((s) => [s.key, s.colour, s.width, s.dash, s.scatter, s.markers]),
    ]);
    const data = [null, ...series.map((s) => [s.xs, s.ys])] as unknown as uPlot.AlignedData;
    const width = Math.max(200, this.host.clientWidth || 600);
    if (signature !== this.signature || !this.plot) {
      this.plot?.destroy();
      this.host.replaceChildren();
      this.signature = signature;
      this.width = width;
      this.plot = series.length > 0 ? new uPlot(this.options(spec, series, width), data, this.host) : undefined;
      if (!this.plot) this.host.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'No data yet.' }));
    } else {
      if (width !== this.width) {
        this.width = width;
        this.plot.setSize({ width, height: spec.height ?? 240 });
      }
      this.plot.setData(data);
    }
    return series.reduce((n, s) => n + s.xs.length, 0);
  }

  /** Follows the container's width. */
  resize(): void {
    if (this.plot && this.spec && this.host.clientWidth && this.host.clientWidth !== this.width) {
      this.width = this.host.clientWidth;
      this.plot.setSize({ width: this.width, height: this.spec.height ?? 240 });
    }
  }

  canvas(): HTMLCanvasElement | undefined {
    return this.plot?.ctx.canvas;
  }

  /** The series now drawn, for a legend under an exported image. */
  entries(): { label: string; colour: string }[] {
    return (this.spec?.series ?? []).map((s) => ({ label: s.label, colour: s.colour }));
  }

  destroy(): void {
    this.plot?.destroy();
    this.plot = undefined;
  }

  private computeRanges(series: LineSeries[], logY: boolean): void {
    let xMin = Infinity;
    let xMax = -Infinity;
    const y = { left: [Infinity, -Infinity], right: [Infinity, -Infinity] };
    for (const s of series) {
      const e = extentOf(s.xs, s.ys);
      xMin = Math.min(xMin, e.xMin);
      xMax = Math.max(xMax, e.xMax);
      const side = s.key.startsWith('right:') ? y.right : y.left;
      side[0] = Math.min(side[0], logY ? e.yPos : e.yMin);
      side[1] = Math.max(side[1], e.yMax);
    }
    this.ranges.x = padded(xMin, xMax, false, 0);
    this.ranges.y = padded(y.left[0], y.left[1], logY, 0.05);
    this.ranges.right = padded(y.right[0], y.right[1], false, 0.05);
  }

  private options(spec: ChartSpec, series: LineSeries[], width: number): uPlot.Options {
    const t = this.theme;
    const axis = (label: string, scale: string, side?: number): uPlot.Axis => ({
      scale,
      side,
      label,
      stroke: t.foreground,
      font: t.font,
      labelFont: t.font,
      grid: { stroke: t.grid, width: 0.5 * t.weight },
      ticks: { stroke: t.grid, width: 0.5 * t.weight },
    });
    const axes = [axis('step' === spec.xLabel ? 'step' : spec.xLabel, 'x'), axis(spec.yLabel, 'y')];
    if (spec.rightLabel) axes.push({ ...axis(spec.rightLabel, 'right', 1), grid: { show: false } });
    const linear = uPlot.paths.linear?.();
    return {
      mode: 2 as uPlot.Mode,
      width,
      height: spec.height ?? 240,
      legend: { show: false },
      cursor: {
        // mode 2 has no shared x index; readouts come from the table view
        dataIdx: () => null as unknown as number,
        points: { show: false },
        drag: { x: true, y: false, setScale: true },
      },
      scales: {
        x: { time: false, auto: true, range: () => this.ranges.x },
        y: { auto: true, distr: spec.logY ? 3 : 1, log: 10, range: () => this.ranges.y },
        right: { auto: true, range: () => this.ranges.right },
      },
      axes,
      series: [
        {},
        ...series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.colour,
            width: (s.width ?? 1.5) * t.weight,
            dash: s.dash,
            facets: [
              { scale: 'x', auto: true },
              { scale: s.key.startsWith('right:') ? 'right' : 'y', auto: true },
            ],
            paths: s.scatter ? () => null : linear,
            points: s.scatter || s.markers ? { show: true, size: (s.scatter ? 5 : 6) * t.weight, stroke: s.colour, fill: s.colour, width: 1 } : { show: false },
          }),
        ),
      ],
      hooks: { draw: [(u) => this.drawMarkers(u)] },
    };
  }

  private drawMarkers(u: uPlot): void {
    const markers = this.spec?.markers;
    if (!markers?.length) return;
    const ctx = u.ctx;
    const { left, top, width, height } = u.bbox;
    const ratio = devicePixelRatio || 1;
    ctx.save();
    ctx.font = this.theme.font.replace(/^(\d+)px/, (_, px) => `${Math.round(Number(px) * ratio)}px`);
    for (const m of markers) {
      const x = u.valToPos(m.x, 'x', true);
      if (x < left || x > left + width) continue;
      ctx.strokeStyle = ctx.fillStyle = m.colour;
      ctx.lineWidth = ratio * this.theme.weight;
      if (m.kind === 'rule') {
        ctx.setLineDash([4 * ratio, 4 * ratio]);
        ctx.beginPath();
        ctx.moveTo(x, top);
        ctx.lineTo(x, top + height);
        ctx.stroke();
        ctx.setLineDash([]);
        if (m.label) ctx.fillText(m.label, Math.min(x + 4 * ratio, left + width - ctx.measureText(m.label).width), top + 12 * ratio);
      } else if (m.kind === 'dot' && m.y !== undefined) {
        const y = u.valToPos(m.y, 'y', true);
        ctx.beginPath();
        ctx.arc(x, y, 4 * ratio * this.theme.weight, 0, 2 * Math.PI);
        ctx.fill();
      } else {
        // a non-finite value: an arrow at the edge it ran off
        const edge = m.kind === 'top' ? top : top + height;
        const dir = m.kind === 'top' ? 1 : -1;
        ctx.beginPath();
        ctx.moveTo(x, edge);
        ctx.lineTo(x - 5 * ratio, edge + dir * 9 * ratio);
        ctx.lineTo(x + 5 * ratio, edge + dir * 9 * ratio);
        ctx.closePath();
        ctx.fill();
      }
    }
    ctx.restore();
  }
}

/** For a log scale: values <= 0 become gaps (copied only when there are any). */
function positiveOnly(s: LineSeries): LineSeries {
  const e = extentOf(s.xs, s.ys);
  if (e.yMin > 0 || e.yMin === Infinity) return s;
  return { ...s, ys: s.ys.map((y) => (y !== null && y > 0 ? y : null)) };
}

function padded(min: number, max: number, log: boolean, pad: number): [number, number] {
  if (!(min <= max) || !Number.isFinite(min) || !Number.isFinite(max)) return log ? [0.1, 10] : [0, 1];
  if (log) {
    const lo = Math.floor(Math.log10(min));
    const hi = Math.ceil(Math.log10(max));
    return [10 ** lo, 10 ** (hi === lo ? hi + 1 : hi)];
  }
  if (min === max) return [min - (Math.abs(min) || 1) * 0.5, max + (Math.abs(max) || 1) * 0.5];
  const span = max - min;
  return [min - span * pad, max + span * pad];
}
