import * as assert from 'node:assert/strict';
import { parseNumber } from '../../src/core/runs/fastMetric';
import { HistoryParser, type BadLine, type RecordHandler } from '../../src/core/runs/parser';
import type { HistoryRecord, NonFiniteKind } from '../../src/protocol/runs';

interface Seen {
  metrics: { run: string; step: number; t: number; values: Record<string, number>; flags?: Record<string, NonFiniteKind> }[];
  records: HistoryRecord[];
  bad: BadLine[];
}

function collector(): { handler: RecordHandler; seen: Seen } {
  const seen: Seen = { metrics: [], records: [], bad: [] };
  const handler: RecordHandler = {
    metric(run, step, t, names, values, count, flags) {
      const out: Record<string, number> = {};
      for (let i = 0; i < count; i++) out[names[i]] = values[i];
      seen.metrics.push({ run, step, t, values: out, ...(flags ? { flags } : {}) });
    },
    record: (r) => seen.records.push(r),
    bad: (b) => seen.bad.push(b),
  };
  return { handler, seen };
}

function parse(...chunks: (string | Buffer)[]): Seen {
  const { handler, seen } = collector();
  const parser = new HistoryParser(handler);
  for (const chunk of chunks) parser.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  parser.end();
  return seen;
}

/** A metric line exactly as runtime/gradlab/runs.py writes it. */
function pythonLine(step: number, metrics: Record<string, string>, run = 'train-3f2a9c1b', t = '0.0125'): string {
  const body = Object.entries(metrics)
    .map(([k, v]) => `${JSON.stringify(k)}:${v}`)
    .join(',');
  return `{"type":"metric","run":"${run}","step":${step},"t":${t},"metrics":{${body}}}\n`;
}

const SAMPLE = [
  '{"type":"run-start","v":1,"run":"r1","name":"sine ∿ fit","time":1700000000.5,"backend":"numpy","device":"cpu"}\n',
  pythonLine(0, { train_loss: '0.6931471805599453', val_loss: '0.7' }, 'r1'),
  pythonLine(1, { train_loss: '1e-05', val_loss: '-2.5e+16' }, 'r1'),
  '{"type":"metric","run":"r1","step":2,"t":0.02,"metrics":{"train_loss":null,"val_loss":0.5},"nonFinite":{"train_loss":"inf"}}\n',
  '{"type":"run-end","run":"r1","status":"failed","error":"ZeroDivisionError: division by zero (train.py, line 9)"}\n',
].join('');

describe('run history parser', () => {
  it('reads metric records, their non-finite flags and the other records', () => {
    const seen = parse(SAMPLE);
    assert.deepEqual(seen.bad, []);
    assert.equal(seen.metrics.length, 3);
    assert.deepEqual(seen.metrics[0], { run: 'r1', step: 0, t: 0.0125, values: { train_loss: 0.6931471805599453, val_loss: 0.7 } });
    assert.deepEqual(seen.metrics[1].values, { train_loss: 1e-5, val_loss: -2.5e16 });
    assert.ok(Number.isNaN(seen.metrics[2].values.train_loss), 'null arrives as NaN');
    assert.deepEqual(seen.metrics[2].flags, { train_loss: 'inf' });
    assert.deepEqual(
      seen.records.map((r) => r.type),
      ['run-start', 'run-end'],
    );
    assert.equal((seen.records[0] as { name: string }).name, 'sine ∿ fit');
  });

  it('gives the same records however the bytes are split into chunks, even inside a UTF-8 character', () => {
    const whole = parse(SAMPLE);
    const bytes = Buffer.from(SAMPLE);
    for (let cut = 1; cut < bytes.length; cut++) {
      const seen = parse(bytes.subarray(0, cut), bytes.subarray(cut));
      assert.deepEqual(seen, whole, `split at byte ${cut}`);
    }
    const bytewise = parse(...[...bytes].map((b) => Buffer.from([b])));
    assert.deepEqual(bytewise, whole, 'one byte per chunk');
  });

  it('reads the fast shape and the general JSON shape of a metric line to the same numbers', () => {
    const numbers = ['0', '-0.0', '3', '-17', '0.1', '0.30000000000000004', '123456789012345', '1234567890123456789',
      '1e-05', '1.5e+16', '2.5E-300', '1e+308', '4.9e-324', '-0.000123456789012345678', '6.02214076e23', '1e22', '1e23'];
    const fast = parse(...numbers.map((n, i) => pythonLine(i, { v: n })));
    const general = parse(...numbers.map((n, i) => `{ "type": "metric", "run": "train-3f2a9c1b", "step": ${i}, "t": 0.0125, "metrics": { "v": ${n} } }\n`));
    assert.equal(fast.metrics.length, numbers.length);
    numbers.forEach((n, i) => {
      assert.ok(Object.is(fast.metrics[i].values.v, JSON.parse(n)), `${n} read as ${fast.metrics[i].values.v}`);
    });
    assert.deepEqual(fast, general);
  });

  it('parses numbers exactly and refuses what JSON refuses', () => {
    assert.equal(parseNumber(Buffer.from('8.0'), 0, 3), 8);
    assert.equal(parseNumber(Buffer.from('0.03125'), 0, 7), 0.03125);
    for (const bad of ['', '-', '.5', '5.', '1e', '1e+', '+1', 'NaN', 'Infinity', '1.2.3', '0x10']) {
      const bytes = Buffer.from(bad);
      assert.ok(Number.isNaN(parseNumber(bytes, 0, bytes.length)), `"${bad}" should not be a number`);
    }
  });

  it('tells apart runs and metrics whose names have the same length, interleaved', () => {
    const seen = parse(
      pythonLine(0, { loss_a: '1', loss_b: '2' }, 'sweep-aaaa1111'),
      pythonLine(0, { loss_b: '3', loss_a: '4' }, 'sweep-bbbb2222'),
      pythonLine(1, { loss_a: '5', loss_b: '6' }, 'sweep-aaaa1111'),
    );
    assert.deepEqual(
      seen.metrics.map((m) => [m.run, m.values]),
      [
        ['sweep-aaaa1111', { loss_a: 1, loss_b: 2 }],
        ['sweep-bbbb2222', { loss_b: 3, loss_a: 4 }],
        ['sweep-aaaa1111', { loss_a: 5, loss_b: 6 }],
      ],
    );
  });

  it('keeps a hundred metrics of one step in one record', () => {
    const metrics: Record<string, string> = {};
    for (let i = 0; i < 100; i++) metrics[`m${i}`] = String(i / 4);
    const seen = parse(pythonLine(7, metrics));
    assert.equal(Object.keys(seen.metrics[0].values).length, 100);
    assert.equal(seen.metrics[0].values.m99, 24.75);
  });

  it('reports corrupted lines with their numbers and reasons, and loads every readable line', () => {
    const lines = [
      pythonLine(0, { loss: '1.0' }),
      'this is not json\n',
      '{"type":"metric","run":"train-3f2a9c1b","step":1.5,"metrics":{"loss":1}}\n',
      '{"type":"metric","run":"train-3f2a9c1b","step":2,"metrics":{"loss":"low"}}\n',
      '{"type":"telemetry","run":"x"}\n',
      '[1, 2, 3]\n',
      '\n',
      '{"type":"run-end","run":"train-3f2a9c1b","status":"exploded"}\n',
      pythonLine(3, { loss: '0.5' }).replace('\n', '\r\n'),
      '{"type":"metric","run":"train-3f2a9c1b","step":4,"t":0.1,"metr',
    ];
    const seen = parse(lines.join(''));
    assert.deepEqual(
      seen.metrics.map((m) => m.step),
      [0, 3],
    );
    assert.deepEqual(
      seen.bad.map((b) => b.line),
      [2, 3, 4, 5, 6, 8, 10],
    );
    assert.match(seen.bad[0].reason, /^not JSON/);
    assert.equal(seen.bad[0].text, 'this is not json');
    assert.match(seen.bad[1].reason, /whole-number "step"/);
    assert.match(seen.bad[2].reason, /"loss" is neither a number nor null/);
    assert.match(seen.bad[3].reason, /unknown record type "telemetry"/);
    assert.match(seen.bad[4].reason, /not a JSON object/);
    assert.match(seen.bad[5].reason, /status/);
    assert.match(seen.bad[6].reason, /last line is incomplete/);
  });

  it('keeps decreasing steps as they came', () => {
    const seen = parse(pythonLine(10, { loss: '1' }), pythonLine(4, { loss: '2' }), pythonLine(5, { loss: '3' }));
    assert.deepEqual(
      seen.metrics.map((m) => m.step),
      [10, 4, 5],
    );
  });
});
