// A uPlot chart whose series each carry their own x values (uPlot's faceted mode 2), so runs logged at different
// steps overlay without joining their x arrays. Long series are reduced to what the chart's width can show
// (decimate.ts), scales are set from the data actually drawn, and a drag zooms in (double-click zooms out). The
// chart is rebuilt only when its series or scales change; otherwise setData, at most once per animation frame.
import uPlot from 'uplot';
import { decimate, emptyExtent, extend, type Extent } from './decimate';
import type { Theme } from './theme';

export interface LineSeries {
  /** stable identity: a change of keys or styles rebuilds the chart; "right:" puts it on the right axis */
  key: string;
  label: string;
  colour: string;
  width?: number;
  dash?: number[];
  /** draw the points only, no line (data scatter) */
  scatter?: boolean;
  /** points on the line too (few points) */
  markers?: boolean;
  xs: ArrayLike<number>;
  /** null or NaN: a gap */
  ys: ArrayLike<number | null>;
}

/** Drawn over the series: a vertical rule, a dot, or an arrow at the top/bottom edge (a non-finite value). */
export interface Marker {
  x: number;
  y?: number;
  colour: string;
  kind: 'rule' | 'dot' | 'top' | 'bottom';
  label?: string;
  /** which text line, from the top, the label goes on */
  line?: number;
}

export interface ChartSpec {
  xLabel: string;
  yLabel: string;
  logY: boolean;
  series: LineSeries[];
  markers?: Marker[];
  /** label of the right axis, for series whose key starts with "right:" */
  rightLabel?: string;
  /** x values are whole numbers (steps): no ticks between them */
  integerX?: boolean;
  height?: number;
}

type Range = [number, number];

/** Tick spacings for whole-number axes: 1, 2, 5, 10, 20, 50, ... */
const WHOLE_INCREMENTS = Array.from({ length: 30 }, (_, i) => [1, 2, 5][i % 3] * 10 ** Math.floor(i / 3));

/** Extents of the data, extended as points are appended: keyed by the array, or the buffer under a typed-array view
 * (a growing series is a new view of the same buffer each frame); recomputed when the data shrank. */
const extents = new WeakMap<object, Extent>();

function extentOf(xs: ArrayLike<number>, ys: ArrayLike<number | null>): Extent {
  const key = ArrayBuffer.isView(ys) ? ys.buffer : ys;
  let e = extents.get(key);
  if (!e || e.n > ys.length) {
    e = emptyExtent();
    extents.set(key, e);
  }
  return extend(e, xs, ys);
}

export class LineChart {
  private plot: uPlot | undefined;
  private signature = '';
  private spec: ChartSpec | undefined;
  private width = 0;
  /** the x range the user dragged, until a double-click */
  private zoom: Range | undefined;
  private settingScales = false;

  constructor(
    private readonly host: HTMLElement,
    private theme: Theme,
    describe: string,
  ) {
    host.classList.add('chart');
    host.setAttribute('role', 'img');
    host.setAttribute('aria-label', `${describe}. Drag to zoom into steps, double-click to zoom out.`);
    host.addEventListener('dblclick', () => {
      this.zoom = undefined;
      if (this.spec) this.update(this.spec);
    });
  }

  setTheme(theme: Theme): void {
    this.theme = theme;
    this.signature = ''; // rebuild with the new colours
    if (this.spec) this.update(this.spec);
  }

  /** Draws spec: rebuilds when the series set changed, else only replaces the data. Returns the points given. */
  update(spec: ChartSpec): number {
    this.spec = spec;
    const width = Math.max(200, this.host.clientWidth || 600);
    const signature = JSON.stringify([
      spec.logY,
      spec.xLabel,
      spec.yLabel,
      spec.rightLabel,
      spec.integerX,
      spec.series.map((s) => [s.key, s.colour, s.width, s.dash, s.scatter, s.markers]),
    ]);
    if (signature !== this.signature || !this.plot) {
      this.plot?.destroy();
      this.host.replaceChildren();
      this.signature = signature;
      this.width = width;
      this.plot = undefined;
      if (spec.series.length === 0) {
        this.host.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'No data yet.' }));
        return 0;
      }
      const empty = [null, ...spec.series.map(() => [[], []])] as unknown as uPlot.AlignedData;
      this.plot = new uPlot(this.options(spec, width), empty, this.host);
    } else if (width !== this.width) {
      this.width = width;
      this.plot.setSize({ width, height: spec.height ?? 240 });
    }
    const { data, ranges } = this.view(spec, width);
    const plot = this.plot;
    plot.batch(() => {
      plot.setData(data, false);
      this.settingScales = true;
      plot.setScale('x', { min: ranges.x[0], max: ranges.x[1] });
      plot.setScale('y', { min: ranges.y[0], max: ranges.y[1] });
      if (spec.rightLabel) plot.setScale('right', { min: ranges.right[0], max: ranges.right[1] });
      this.settingScales = false;
    });
    return spec.series.reduce((n, s) => n + s.xs.length, 0);
  }

  canvas(): HTMLCanvasElement | undefined {
    return this.plot?.ctx.canvas;
  }

  /** The series now drawn, for a legend under an exported image. */
  entries(): { label: string; colour: string }[] {
    return (this.spec?.series ?? []).map((s) => ({ label: s.label, colour: s.colour }));
  }

  /** The data uPlot gets (windowed to the zoom, reduced to the width, non-positive values gapped on a log scale)
   * and the scale ranges that fit it. */
  private view(spec: ChartSpec, width: number) {
    let xMin = Infinity;
    let xMax = -Infinity;
    for (const s of spec.series) {
      const e = extentOf(s.xs, s.ys);
      xMin = Math.min(xMin, e.xMin);
      xMax = Math.max(xMax, e.xMax);
    }
    const x = this.zoom ?? padded(xMin, xMax, false, 0);
    const buckets = Math.max(100, Math.round(width));
    const left = emptyExtent();
    const right = emptyExtent();
    const columns = spec.series.map((s) => {
      const sorted = extentOf(s.xs, s.ys).sorted;
      const shown = sorted && (this.zoom || s.xs.length > 4 * buckets) ? reduced(s, x, buckets) : plain(s);
      if (spec.logY) shown.ys = shown.ys.map((y) => (y !== null && y > 0 ? y : null));
      const side = s.key.startsWith('right:') ? right : left;
      // Only points inside the zoomed x window count for the y range.
      if (!this.zoom) extend(side, shown.xs, shown.ys, 0, shown.xs.length);
      else for (let i = 0; i < shown.xs.length; i++) if (shown.xs[i] >= x[0] && shown.xs[i] <= x[1]) extend(side, shown.xs, shown.ys, i, i + 1);
      return [shown.xs, shown.ys];
    });
    return {
      data: [null, ...columns] as unknown as uPlot.AlignedData,
      ranges: {
        x,
        y: padded(spec.logY ? left.yPos : left.yMin, left.yMax, spec.logY, 0.05),
        right: padded(right.yMin, right.yMax, false, 0.05),
      },
    };
  }

  private options(spec: ChartSpec, width: number): uPlot.Options {
    const t = this.theme;
    const axis = (label: string, scale: string, side?: uPlot.Axis.Side): uPlot.Axis => ({
      scale,
      ...(side === undefined ? {} : { side }),
      label,
      stroke: t.foreground,
      font: t.font,
      labelFont: t.font,
      grid: { stroke: t.grid, width: 0.5 * t.weight },
      ticks: { stroke: t.grid, width: 0.5 * t.weight },
    });
    const axes = [axis(spec.xLabel, 'x'), axis(spec.yLabel, 'y')];
    if (spec.integerX) axes[0].incrs = WHOLE_INCREMENTS;
    if (spec.rightLabel) axes.push({ ...axis(spec.rightLabel, 'right', 1), grid: { show: false } });
    const linear = uPlot.paths.linear?.();
    return {
      mode: 2 as uPlot.Mode,
      width,
      height: spec.height ?? 240,
      legend: { show: false },
      cursor: {
        // mode 2 has no shared x index; exact values are in the table view
        dataIdx: () => null as unknown as number,
        points: { show: false },
        drag: { x: true, y: false, setScale: false },
      },
      scales: {
        x: { time: false, auto: false },
        y: { auto: false, distr: spec.logY ? 3 : 1, log: 10 },
        right: { auto: false },
      },
      axes,
      series: [
        {},
        ...spec.series.map(
          (s): uPlot.Series => ({
            label: s.label,
            stroke: s.colour,
            width: (s.width ?? 1.5) * t.weight,
            dash: s.dash,
            facets: [
              { scale: 'x', auto: false },
              { scale: s.key.startsWith('right:') ? 'right' : 'y', auto: false },
            ],
            paths: s.scatter ? () => null : linear,
            // uPlot's own point drawing follows the shared x of mode 1; in mode 2 each series draws its own dots
            points: s.scatter || s.markers ? { show: true, size: (s.scatter ? 5 : 6) * t.weight, stroke: s.colour, fill: s.colour, width: 1, paths: dots } : { show: false },
          }),
        ),
      ],
      hooks: {
        draw: [(u) => this.drawMarkers(u)],
        setSelect: [(u) => this.zoomTo(u)],
      },
    };
  }

  /** A drag selected an x interval: zoom to it and redraw at the new resolution. */
  private zoomTo(u: uPlot): void {
    if (this.settingScales || u.select.width < 2) return;
    const min = u.posToVal(u.select.left, 'x');
    const max = u.posToVal(u.select.left + u.select.width, 'x');
    u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
    this.zoom = [min, max];
    if (this.spec) this.update(this.spec);
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
        const y = top + (14 + 16 * (m.line ?? 0)) * ratio;
        if (m.label) ctx.fillText(m.label, Math.min(x + 4 * ratio, left + width - ctx.measureText(m.label).width), y);
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

/** Dots at every point of a series (its own x values), as uPlot's points paths. */
function dots(u: uPlot, seriesIdx: number): uPlot.Series.Points.Paths {
  const [xs, ys] = (u.data as unknown as [number[], (number | null)[]][])[seriesIdx];
  const series = u.series[seriesIdx];
  const scale = series.facets?.[1].scale ?? 'y';
  const radius = ((series.points?.size ?? 5) / 2) * (devicePixelRatio || 1);
  const path = new Path2D();
  for (let i = 0; i < xs.length; i++) {
    const y = ys[i];
    if (y === null) continue;
    const px = u.valToPos(xs[i], 'x', true);
    const py = u.valToPos(y, scale, true);
    path.moveTo(px + radius, py);
    path.arc(px, py, radius, 0, 2 * Math.PI);
  }
  return { stroke: path, fill: path };
}

/** The last reduction of each data array, reused while the data, window and width stay the same (a finished run
 * beside a streaming one is reduced once, not every frame). */
const reductions = new WeakMap<object, { n: number; lo: number; hi: number; buckets: number; result: { xs: number[]; ys: (number | null)[] } }>();

function reduced(s: LineSeries, [lo, hi]: Range, buckets: number): { xs: number[]; ys: (number | null)[] } {
  const key = ArrayBuffer.isView(s.ys) ? s.ys.buffer : s.ys;
  const last = reductions.get(key);
  if (last && last.n === s.ys.length && last.lo === lo && last.hi === hi && last.buckets === buckets) {
    return last.result;
  }
  const result = decimate(s.xs, s.ys, lo, hi, buckets);
  reductions.set(key, { n: s.ys.length, lo, hi, buckets, result });
  return result;
}

/** uPlot's own arrays: plain, with null for gaps. */
function plain(s: LineSeries): { xs: number[]; ys: (number | null)[] } {
  const xs = Array.from(s.xs);
  const ys: (number | null)[] = new Array(s.ys.length);
  for (let i = 0; i < ys.length; i++) {
    const y = s.ys[i];
    ys[i] = y === null || y !== y ? null : y;
  }
  return { xs, ys };
}

function padded(min: number, max: number, log: boolean, pad: number): Range {
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
