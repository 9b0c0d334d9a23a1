import * as assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CACHE_MIN_LINES, cacheFile } from '../../src/core/runs/cache';
import { cacheStreamedHistory, loadHistoryFile } from '../../src/core/runs/history';
import { RunRegistry, type ReadonlyRun } from '../../src/core/runs/registry';

/** A history of two interleaved runs with NaN, a step that goes back, and snapshots: CACHE_MIN_LINES lines. */
function bigHistory(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gradlab-cache-')), 'big.jsonl');
  const lines = [
    '{"type":"run-start","v":1,"run":"a","name":"lr=0.1","time":1,"config":{"lr":0.1},"backend":"numpy","device":"cpu","group":"g"}',
    '{"type":"run-start","v":1,"run":"b","name":"lr=0.5","time":1,"backend":"numpy","device":"cpu","group":"g"}',
    '{"type":"fit","run":"a","step":0,"x":[0,1],"yTrue":[0,1],"yPred":[0.5,null]}',
  ];
  for (let i = 0; lines.length < CACHE_MIN_LINES - 2; i++) {
    lines.push(`{"type":"metric","run":"a","step":${i},"t":${(i / 100).toFixed(4)},"metrics":{"train_loss":${1 / (i + 1)},"val_loss":${i % 7 === 0 ? 'null' : 2 / (i + 1)}}${i % 7 === 0 ? ',"nonFinite":{"val_loss":"nan"}' : ''}}`);
    lines.push(`{"type":"metric","run":"b","step":${i === 5000 ? 0 : i},"metrics":{"train_loss":${i * 0.5}}}`);
  }
  lines.push('not json', '{"type":"run-end","run":"a","status":"ok"}');
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function snapshot(run: ReadonlyRun | undefined) {
  assert.ok(run);
  const { table, ...rest } = run;
  return {
    ...rest,
    rows: table.rows,
    steps: [...table.steps.subarray(0, table.rows)],
    t: [...table.t.subarray(0, table.rows)],
    columns: table.metricNames().map((n) => [n, [...(table.columns.get(n) as Float64Array).subarray(0, table.rows)]]),
    marks: table.nonFinite,
    back: [table.backwardSteps, table.firstBackwardStep],
  };
}

describe('run history column cache', function () {
  this.timeout(20_000);

  it('caches a large history on first load and reads the same runs back from it', async () => {
    const file = bigHistory();
    const parsed = new RunRegistry();
    const first = await loadHistoryFile(parsed, file);
    assert.equal(first.fromCache, false);
    assert.equal(await first.caching, true);
    assert.ok(existsSync(cacheFile(file)), 'the cache was written');

    const cached = new RunRegistry();
    const second = await loadHistoryFile(cached, file);
    assert.equal(second.fromCache, true);
    assert.deepEqual(second.runs, first.runs);
    assert.equal(second.lines, first.lines);
    assert.deepEqual(second.bad, first.bad);
    for (const id of ['a', 'b']) assert.deepEqual(snapshot(cached.get(id)), snapshot(parsed.get(id)), `run ${id}`);
    assert.deepEqual(cached.takeChanges().runs.map((r) => r.warnings), parsed.takeChanges().runs.map((r) => r.warnings));

    // rows appended after a restore grow the table like any other
    cached.addRecords([{ type: 'metric', run: 'a', step: 99_999, metrics: { train_loss: 0.001 } }], { kind: 'history' });
    assert.equal(cached.get('a')?.table.rows, (parsed.get('a')?.table.rows ?? 0) + 1);
  });

  it('ignores a cache that no longer matches its history, or is damaged', async () => {
    const file = bigHistory();
    await (await loadHistoryFile(new RunRegistry(), file)).caching;
    appendFileSync(file, '{"type":"metric","run":"a","step":123456,"metrics":{"train_loss":0.5}}\n');
    const appended = await loadHistoryFile(new RunRegistry(), file);
    assert.equal(appended.fromCache, false, 'the file grew: parsed again');
    await appended.caching;
    writeFileSync(cacheFile(file), 'GLRC garbage');
    const registry = new RunRegistry();
    const damaged = await loadHistoryFile(registry, file);
    assert.equal(damaged.fromCache, false);
    assert.equal(registry.get('a')?.table.steps[(registry.get('a')?.table.rows ?? 1) - 1], 123456);
  });

  it('caches a streamed run only when the stream carried the whole file', async () => {
    const file = bigHistory();
    const registry = new RunRegistry();
    await (await loadHistoryFile(registry, file, { kind: 'live' })).caching;
    const size = statSync(file).size;
    assert.equal(await cacheStreamedHistory(registry, file, size - 1, CACHE_MIN_LINES), false);
    assert.equal(await cacheStreamedHistory(registry, file, size, 10), false, 'small histories are not cached');
    assert.equal(await cacheStreamedHistory(registry, file, size, CACHE_MIN_LINES), true);
    assert.equal((await loadHistoryFile(new RunRegistry(), file)).fromCache, true);
  });
});
