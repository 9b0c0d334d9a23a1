// Following a history file that a terminal run appends to: each poll adds what the file gained, a line cut in two
// waits for its end, a crashed run's lines load without a run-end, and runs the registry held before are not added twice.
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HistoryFollower } from '../../src/core/runs/follow';
import { RunRegistry } from '../../src/core/runs/registry';
import type { BadLine } from '../../src/core/runs/parser';

const start = (run: string) => `${JSON.stringify({ type: 'run-start', v: 1, run, name: run, time: 1, backend: 'numpy', device: 'cpu' })}\n`;
const metric = (run: string, step: number) => `${JSON.stringify({ type: 'metric', run, step, metrics: { train_loss: 1 / (step + 1) } })}\n`;

function scratchFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'gradlab-follow-')), 'run.jsonl');
}

describe('following a growing history file', () => {
  it('adds the rows a file gained at each poll, and a cut line once its end arrives', async () => {
    const file = scratchFile();
    const registry = new RunRegistry();
    const follower = new HistoryFollower(registry);
    writeFileSync(file, start('a') + metric('a', 0));
    await follower.poll(file);
    assert.equal(registry.get('a')?.table.rows, 1);
    assert.equal(registry.get('a')?.info.kind, 'history');
    assert.equal(registry.get('a')?.info.file, file);
    const next = metric('a', 1);
    appendFileSync(file, next.slice(0, 20));
    await follower.poll(file);
    assert.equal(registry.get('a')?.table.rows, 1, 'half a line was read as a row');
    appendFileSync(file, next.slice(20) + metric('a', 2));
    await follower.poll(file);
    assert.deepEqual([...registry.get('a')!.table.steps.subarray(0, 3)], [0, 1, 2]);
  });

  it("loads a crashed terminal run's history: its whole lines, no run-end, the cut last line reported by no one yet", async () => {
    const file = scratchFile();
    const bad: BadLine[] = [];
    const registry = new RunRegistry();
    writeFileSync(file, start('crashed') + metric('crashed', 0) + metric('crashed', 1) + metric('crashed', 2).slice(0, 25));
    await new HistoryFollower(registry, (_file, line) => bad.push(line)).poll(file);
    const run = registry.get('crashed');
    assert.ok(run);
    assert.equal(run.table.rows, 2);
    assert.equal(run.info.status, 'running');
    assert.deepEqual(bad, []);
  });

  it('reports a line that is not a record and keeps the ones around it', async () => {
    const file = scratchFile();
    const bad: BadLine[] = [];
    const registry = new RunRegistry();
    writeFileSync(file, `${start('b')}not json\n${metric('b', 0)}`);
    await new HistoryFollower(registry, (_file, line) => bad.push(line)).poll(file);
    assert.equal(registry.get('b')?.table.rows, 1);
    assert.deepEqual(bad.map((b) => b.line), [2]);
  });

  it('leaves out runs the registry held before it first read the file, and takes new runs appended later', async () => {
    const file = scratchFile();
    const registry = new RunRegistry();
    registry.addRecords([{ type: 'run-start', v: 1, run: 'old', name: 'old', time: 1, backend: 'numpy', device: 'cpu' }], { kind: 'live', file });
    writeFileSync(file, start('old') + metric('old', 0));
    const follower = new HistoryFollower(registry);
    await follower.poll(file);
    assert.equal(registry.get('old')?.table.rows, 0, 'the streamed run got its rows twice');
    appendFileSync(file, start('new') + metric('new', 0));
    await follower.poll(file);
    assert.equal(registry.get('new')?.table.rows, 1);
  });

  it('a file that does not exist (yet) is skipped without an error', async () => {
    const registry = new RunRegistry();
    await new HistoryFollower(registry).poll(join(tmpdir(), 'gradlab-follow-missing', 'none.jsonl'));
    assert.deepEqual(registry.infos(), []);
  });
});
