// What the curve charts show: which metrics go on which chart, each run's colour and dash, the early-stopping point
// (the step of minimum validation loss) and the places a value was not finite.
import type { LineSeries, Marker } from './lineChart';
import type { RunStore } from './store';
import type { ShownRun } from './view';

export type MetricGroup = 'loss' | 'optimizer' | 'other';

export function metricGroup(name: string): MetricGroup {
  if (/loss/i.test(name)) return 'loss';
  if (/grad|^(lr|learning_rate)$/i.test(name)) return 'optimizer';
  return 'other';
}

function isValidationLoss(name: string): boolean {
  return /val.*loss|^test[_-]?loss$/i.test(name);
}

function isLearningRate(name: string): boolean {
  return /^(lr|learning_rate)$/i.test(name);
}

/** Training loss and gradient norm solid, validation loss and learning rate dashed, anything else dotted; the
 * reference run wider and dashed. */
function dashFor(name: string, reference: boolean): number[] | undefined {
  if (reference) return [8, 5];
  if (isValidationLoss(name) || isLearningRate(name)) return [6, 4];
  if (/train|grad/i.test(name) || name === 'loss') return undefined;
  return [2, 3];
}

/** Series of the metrics in `pick` for every shown run (learning rates on the right axis of the optimizer chart). */
export function seriesFor(runs: ShownRun[], pick: (metric: string) => boolean): LineSeries[] {
  const series: LineSeries[] = [];
  for (const { store, colour } of runs) {
    const reference = store.info.kind === 'reference';
    for (const metric of store.metricNames()) {
      if (!pick(metric)) continue;
      const data = store.seriesOf(metric);
      series.push({
        key: `${isLearningRate(metric) ? 'right:' : ''}${store.info.id}/${metric}`,
        label: `${store.label} · ${metric}`,
        colour,
        width: reference ? 2.5 : 1.5,
        dash: dashFor(metric, reference),
        markers: data.xs.length <= 30,
        xs: data.xs,
        ys: data.ys,
      });
    }
  }
  return series;
}

export interface EarlyStop {
  step: number;
  value: number;
  metric: string;
}

/** Each run's early-stopping point as of its data version: a draw asks for it once per chart, caption and table. */
const earlyStops = new WeakMap<RunStore, { version: number; stop: EarlyStop | undefined }>();

/** The step with the lowest validation loss: where early stopping would have kept the weights. */
export function earlyStop(store: RunStore): EarlyStop | undefined {
  const known = earlyStops.get(store);
  if (known?.version === store.version) return known.stop;
  const metric = store.metricNames().find(isValidationLoss);
  let stop: EarlyStop | undefined;
  if (metric) {
    const { xs, ys } = store.seriesOf(metric);
    let best = -1;
    for (let i = 0; i < ys.length; i++) {
      const y = ys[i];
      if (y === y && (best < 0 || y < ys[best])) best = i;
    }
    if (best >= 0) stop = { step: xs[best], value: ys[best], metric };
  }
  earlyStops.set(store, { version: store.version, stop });
  return stop;
}

/** Early-stopping rules and non-finite arrows for the shown runs' metrics in `pick`. */
export function markersFor(runs: ShownRun[], pick: (metric: string) => boolean, errorColour: string): Marker[] {
  const markers: Marker[] = [];
  let labels = 0;
  for (const { store, colour } of runs) {
    if (store.info.kind !== 'reference') {
      const stop = earlyStop(store);
      if (stop && pick(stop.metric) && store.seriesOf(stop.metric).xs.length > 2) {
        // labels of several runs go on successive lines, so they do not overprint
        markers.push({ x: stop.step, colour, kind: 'rule', label: `early stop: step ${stop.step}`, line: labels++ % 4 });
        markers.push({ x: stop.step, y: stop.value, colour, kind: 'dot' });
      }
    }
    for (const mark of store.marks) {
      if (!pick(mark.metric)) continue;
      markers.push({ x: store.steps[mark.row], colour: errorColour, kind: mark.kind === '-inf' ? 'bottom' : 'top' });
    }
  }
  return markers;
}

export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? 'inf' : '-inf';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e6)) return value.toExponential(3);
  return Number(value.toPrecision(5)).toString();
}
