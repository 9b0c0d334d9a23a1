// Fewer points, same picture: a series far longer than the chart is wide is reduced to the first, lowest, highest
// and last point of each pixel column (the M4 reduction), which draws the same line. A million-point history then
// costs a few thousand points per redraw instead of a million. No DOM here, so it is unit-tested in Node.

export interface Extent {
  /** points scanned so far */
  n: number;
  xMin: number;
  xMax: number;
  yMin: number;
  yMax: number;
  /** smallest positive y, for log scales */
  yPos: number;
  /** x never decreased */
  sorted: boolean;
}

export function emptyExtent(): Extent {
  return { n: 0, xMin: Infinity, xMax: -Infinity, yMin: Infinity, yMax: -Infinity, yPos: Infinity, sorted: true };
}

/** Extends `e` over xs/ys from e.n on (arrays only grow between calls; start afresh with emptyExtent otherwise). */
export function extend(e: Extent, xs: ArrayLike<number>, ys: ArrayLike<number | null>, from = e.n, to = ys.length): Extent {
  let prev = from > 0 ? xs[from - 1] : -Infinity;
  for (let i = from; i < to; i++) {
    const x = xs[i];
    if (x < prev) e.sorted = false;
    prev = x;
    if (x < e.xMin) e.xMin = x;
    if (x > e.xMax) e.xMax = x;
    const y = ys[i];
    if (y === null) continue;
    if (y < e.yMin) e.yMin = y;
    if (y > e.yMax) e.yMax = y;
    if (y > 0 && y < e.yPos) e.yPos = y;
  }
  e.n = Math.max(e.n, to);
  return e;
}

/** First index whose x is >= value in sorted xs. */
function lowerBound(xs: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose x is > value in sorted xs. */
function upperBound(xs: ArrayLike<number>, value: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] <= value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The points of sorted xs within [lo, hi] (plus one neighbour each side, so lines reach the edges), reduced to at
 * most four per bucket when there are more than 4 * buckets of them. A null y (a non-finite value) stays a gap.
 */
export function decimate(
  xs: ArrayLike<number>,
  ys: ArrayLike<number | null>,
  lo: number,
  hi: number,
  buckets: number,
): { xs: number[]; ys: (number | null)[] } {
  const start = Math.max(0, lowerBound(xs, lo) - 1);
  const end = Math.min(xs.length, upperBound(xs, hi) + 1);
  const outX: number[] = [];
  const outY: (number | null)[] = [];
  if (end - start <= 4 * buckets) {
    for (let i = start; i < end; i++) {
      const y = ys[i];
      outX.push(xs[i]);
      outY.push(y === null || y !== y ? null : y);
    }
    return { xs: outX, ys: outY };
  }
  const width = (hi - lo) / buckets || 1;
  // Below `sameUntil` a point is surely in the current bucket (xs are sorted): the division that names a point's
  // bucket is needed only near a bucket's edge, where it decides exactly as it would for every point.
  const margin = width * 1e-6 + Math.max(Math.abs(lo), Math.abs(hi)) * 1e-14;
  let sameUntil = -Infinity;
  let bucket = NaN;
  let first = -1;
  let last = -1;
  let min = -1;
  let max = -1;
  let minY = 0;
  let maxY = 0;
  const flush = () => {
    if (first < 0) return;
    const picks = [first, min, max, last].sort((a, b) => a - b);
    let previous = -1;
    for (const i of picks) {
      if (i === previous) continue;
      previous = i;
      outX.push(xs[i]);
      outY.push(ys[i] as number);
    }
    first = last = min = max = -1;
  };
  for (let i = start; i < end; i++) {
    const x = xs[i];
    if (!(x < sameUntil)) {
      const b = Math.floor((x - lo) / width);
      if (b !== bucket) {
        flush();
        bucket = b;
      }
      sameUntil = lo + (b + 1) * width - margin;
    }
    const y = ys[i];
    if (y === null || y !== y) {
      flush();
      outX.push(x);
      outY.push(null);
      continue;
    }
    if (first < 0) {
      first = min = max = i;
      minY = maxY = y;
    }
    last = i;
    if (y < minY) {
      min = i;
      minY = y;
    } else if (y > maxY) {
      max = i;
      maxY = y;
    }
  }
  flush();
  return { xs: outX, ys: outY };
}
