import * as assert from 'node:assert/strict';
import { runToCsv } from '../../src/core/runs/csv';
import { referenceRun } from '../../src/core/runs/reference';
import { RunRegistry, SNAPSHOT_BUDGET } from '../../src/core/runs/registry';
import type { HistoryRecord } from '../../src/protocol/runs';

const start = (run: string, extra: Partial<HistoryRecord> = {}): HistoryRecord =>
  ({ type: 'run-start', v: 1, run, name: run, time: 1_700_000_000, backend: 'numpy', device: 'cpu', ...extra }) as HistoryRecord;
const metric = (run: string, step: number, metrics: Record<string, number | null>, nonFinite?: Record<string, 'nan' | 'inf' | '-inf'>): HistoryRecord => ({
  type: 'metric',
  run,
  step,
  t: step / 10,
  metrics,
  ...(nonFinite ? { nonFinite } : {}),
});

function registryWith(records: HistoryRecord[]): RunRegistry {
  const registry = new RunRegistry();
  registry.addRecords(records, { kind: 'live', file: '/w/.gradlab/runs/a.jsonl' });
  return registry;
}

describe('run registry', () => {
  it('keeps one row per step, joining train and validation logged in two calls', () => {
    const registry = registryWith([
      start('a'),
      metric('a', 0, { train_loss: 1 }),
      metric('a', 0, { val_loss: 1.5 }),
      metric('a', 1, { train_loss: 0.5 }),
      metric('a', 1, { train_loss: 0.4 }), // the same metric again: a new row, nothing overwritten
    ]);
    const table = registry.get('a')?.table;
    assert.ok(table);
    assert.equal(table.rows, 3);
    assert.deepEqual([...table.steps.subarray(0, 3)], [0, 1, 1]);
    assert.deepEqual([...(table.columns.get('val_loss') as Float64Array).subarray(0, 3)], [1.5, NaN, NaN]);
    assert.deepEqual([...(table.columns.get('train_loss') as Float64Array).subarray(0, 3)], [1, 0.5, 0.4]);
  });

  it('keeps steps that go back in arrival order and warns how to log a growing step', () => {
    const registry = registryWith([start('a'), metric('a', 0, { loss: 3 }), metric('a', 99, { loss: 2 }), metric('a', 0, { loss: 1 }), metric('a', 50, { loss: 0.5 })]);
    const run = registry.get('a');
    assert.deepEqual([...(run?.table.steps.subarray(0, 4) ?? [])], [0, 99, 0, 50]);
    const [info] = registry.takeChanges().runs;
    assert.equal(info.warnings.length, 1);
    assert.match(info.warnings[0], /step went back \(from 99 to 0, once\)/);
    assert.match(info.warnings[0], /epoch \* batches_per_epoch \+ batch/);
  });

  it('marks NaN and infinities apart from metrics a row did not log, and warns once with the count', () => {
    const registry = registryWith([
      start('a'),
      metric('a', 0, { loss: 1, acc: 0.5 }),
      metric('a', 1, { loss: null }, { loss: 'nan' }),
      metric('a', 2, { loss: null }, { loss: '-inf' }),
      metric('a', 3, { loss: Infinity }),
    ]);
    const table = registry.get('a')?.table;
    assert.deepEqual(table?.nonFinite, [
      { row: 1, metric: 'loss', kind: 'nan' },
      { row: 2, metric: 'loss', kind: '-inf' },
      { row: 3, metric: 'loss', kind: 'inf' },
    ]);
    const warnings = registry.takeChanges().runs[0].warnings;
    assert.deepEqual(warnings, [
      'loss was NaN at step 1 (and 2 more non-finite values): the training diverged or divided by zero; try a smaller learning rate.',
    ]);
  });

  it('holds a hundred metrics per step as a hundred columns', () => {
    const metrics: Record<string, number> = {};
    for (let i = 0; i < 100; i++) metrics[`m${i}`] = i;
    const records = [start('a')];
    for (let step = 0; step < 1000; step++) records.push(metric('a', step, metrics));
    const table = registryWith(records).get('a')?.table;
    assert.equal(table?.columns.size, 100);
    assert.equal(table?.rows, 1000);
    assert.equal(table?.columns.get('m42')?.[999], 42);
  });

  it('hands out only what changed, re-sending a row that a later record joined', () => {
    const registry = new RunRegistry();
    let notified = 0;
    registry.onDidChange(() => notified++);
    const origin = { kind: 'live' as const };
    registry.addRecords([start('a'), metric('a', 0, { train_loss: 1 }), metric('a', 1, { train_loss: 0.5 })], origin);
    assert.equal(notified, 1, 'one notification until the changes are taken');
    const first = registry.takeChanges();
    assert.equal(first.runs[0].status, 'running');
    assert.equal(first.points[0].from, 0);
    assert.deepEqual([...first.points[0].steps], [0, 1]);

    registry.addRecords([metric('a', 1, { val_loss: 0.7 }), metric('a', 2, { train_loss: 0.25 })], origin);
    const second = registry.takeChanges();
    assert.equal(second.runs.length, 0, 'no run info changed');
    assert.equal(second.points[0].from, 1, 'row 1 gained val_loss, so it is sent again');
    assert.deepEqual([...second.points[0].steps], [1, 2]);
    assert.deepEqual([...second.points[0].columns.val_loss], [0.7, NaN]);
    assert.deepEqual([...second.points[0].columns.train_loss], [0.5, 0.25]);

    assert.deepEqual(registry.takeChanges(), { runs: [], points: [], snapshots: [], removed: [] });
    const all = registry.everything();
    assert.equal(all.points[0].from, 0);
    assert.equal(all.points[0].steps.length, 3);
  });

  it('ends a run with its status and error, and removes runs on request', () => {
    const registry = registryWith([start('a', { deviceNote: 'no GPU' } as Partial<HistoryRecord>), metric('a', 0, { loss: 1 }), { type: 'run-end', run: 'a', status: 'failed', error: 'boom' }]);
    const [info] = registry.takeChanges().runs;
    assert.equal(info.status, 'failed');
    assert.equal(info.error, 'boom');
    assert.equal(info.deviceNote, 'no GPU');
    assert.equal(info.startedAt, 1_700_000_000_000);
    assert.deepEqual(registry.files(), ['/w/.gradlab/runs/a.jsonl']);
    registry.remove('a');
    assert.deepEqual(registry.takeChanges().removed, ['a']);
    assert.equal(registry.has('a'), false);
  });

  it('adds nothing twice when a run is loaded again', () => {
    const registry = registryWith([start('a'), metric('a', 0, { loss: 1 })]);
    let skipped = 0;
    const again = registry.handler({ kind: 'history' }, undefined, new Set(['a']), () => skipped++);
    again.metric('a', 1, 0.1, ['loss'], [0.5], 1);
    again.metric('b', 0, 0, ['loss'], [2], 1);
    assert.equal(registry.get('a')?.table.rows, 1);
    assert.equal(registry.get('b')?.table.rows, 1);
    assert.equal(skipped, 1);
  });

  it('keeps snapshots up to the budget and says how many it dropped', () => {
    const registry = new RunRegistry();
    const values = new Array(1_000_000).fill(0.5);
    const boundary = (step: number): HistoryRecord => ({ type: 'boundary', run: 'a', step, bounds: [0, 1, 0, 1], nx: 1000, ny: 1000, values });
    const count = SNAPSHOT_BUDGET / 1_000_000 + 2;
    registry.addRecords(Array.from({ length: count }, (_, i) => boundary(i)), { kind: 'live' });
    const changes = registry.takeChanges();
    assert.equal(changes.snapshots[0].boundaries.length, count - 2);
    assert.match(changes.runs[0].warnings[0], /^2 snapshots were not kept/);
  });

  it('exports a run as CSV with empty cells for unlogged metrics and NaN/inf for logged ones', () => {
    const registry = registryWith([
      start('a'),
      metric('a', 0, { train_loss: 1, 'val,loss': 2 }),
      metric('a', 1, { train_loss: 0.5 }),
      metric('a', 2, { train_loss: null }, { train_loss: 'inf' }),
    ]);
    const table = registry.get('a')?.table;
    assert.ok(table);
    assert.equal(runToCsv(table), 'step,t,train_loss,"val,loss"\n0,0,1,2\n1,0.1,0.5,\n2,0.2,inf,\n');
  });
});

describe('reference runs', () => {
  it("gives exercise 01's lesson: five SGD steps from w=1, b=0 at lr 0.1 lose 8, 2, 0.5, 0.125, 0.03125", () => {
    const records = referenceRun('01-one-update');
    assert.ok(records);
    const losses = records.flatMap((r) => (r.type === 'metric' ? [r.metrics.train_loss as number] : []));
    const expected = [8, 2, 0.5, 0.125, 0.03125];
    losses.forEach((loss, i) => assert.ok(Math.abs(loss - expected[i]) < 1e-12, `step ${i}: ${loss}`));
    const ws = records.flatMap((r) => (r.type === 'metric' ? [r.metrics.w as number] : []));
    assert.ok(Math.abs(ws[1] - 1.8) < 1e-12, 'one update moves w to 1.8');
    const slice = records.find((r) => r.type === 'landscape');
    assert.ok(slice && slice.type === 'landscape');
    const lowest = slice.values[slice.losses.indexOf(Math.min(...(slice.losses as number[])))];
    assert.equal(lowest, 3, 'with b at 0 the best w is 3 (2w = 6)');
    assert.equal(referenceRun('no-such-exercise'), undefined);
  });
});
