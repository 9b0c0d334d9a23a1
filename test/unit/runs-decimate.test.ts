import * as assert from 'node:assert/strict';
import { decimate, emptyExtent, extend } from '../../webview/decimate';

/** The pixel columns a line through the points touches, with the lowest and highest y in each: what a chart draws. */
function columns(xs: number[], ys: (number | null)[], lo: number, hi: number, buckets: number): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  const width = (hi - lo) / buckets;
  xs.forEach((x, i) => {
    const y = ys[i];
    if (y === null || x < lo || x > hi) return;
    const b = Math.min(buckets - 1, Math.floor((x - lo) / width));
    const [min, max] = out.get(b) ?? [Infinity, -Infinity];
    out.set(b, [Math.min(min, y), Math.max(max, y)]);
  });
  return out;
}

describe('chart decimation (webview)', () => {
  const n = 200_000;
  const xs = Array.from({ length: n }, (_, i) => i);
  const ys = xs.map((x) => Math.sin(x / 500) + 0.1 * Math.sin(x * 7.3));

  it('keeps at most four points per pixel column and the same lowest and highest value in each', () => {
    const reduced = decimate(xs, ys, 0, n - 1, 800);
    assert.ok(reduced.xs.length <= 4 * 800 + 2, `${reduced.xs.length} points`);
    assert.deepEqual(columns(reduced.xs, reduced.ys, 0, n - 1, 800), columns(xs, ys, 0, n - 1, 800));
    assert.deepEqual([reduced.xs[0], reduced.xs.at(-1)], [0, n - 1], 'first and last points stay');
  });

  it('windows a zoomed range with one neighbour each side, and keeps gaps', () => {
    const gappy: (number | null)[] = ys.slice();
    gappy[150_000] = null;
    const zoom = decimate(xs, gappy, 100_000, 160_000, 500);
    assert.equal(zoom.xs[0], 99_999);
    assert.equal(zoom.xs.at(-1), 160_001);
    assert.ok(zoom.ys.includes(null), 'the non-finite value stays a gap');
    const small = decimate(xs, new Float64Array(ys.map((y, i) => (i === 10 ? NaN : y))), 5, 20, 100);
    assert.deepEqual(small.xs, xs.slice(4, 22), 'few points pass through whole');
    assert.equal(small.ys[6], null, 'NaN becomes a gap');
  });

  it('extends extents as points are appended and notices unsorted x', () => {
    const e = extend(emptyExtent(), [0, 1, 2], [3, -1, null]);
    assert.deepEqual([e.xMin, e.xMax, e.yMin, e.yMax, e.yPos, e.sorted], [0, 2, -1, 3, 3, true]);
    extend(e, [0, 1, 2, 1], [3, -1, null, 0.5]);
    assert.deepEqual([e.n, e.yPos, e.sorted], [4, 0.5, false]);
  });
});
