import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appendRecords, describeBadLines, historyDir, historyFileName, listHistoryFiles, loadHistoryFile } from '../../src/core/runs/history';
import { RunRegistry } from '../../src/core/runs/registry';
import { HISTORY_FORMAT_VERSION } from '../../src/protocol/runs';

const workspace = () => mkdtempSync(join(tmpdir(), 'gradlab-history-'));

describe('run history files', () => {
  it('loads the readable lines of a corrupted file and says which lines were skipped', async () => {
    const file = join(workspace(), 'h.jsonl');
    writeFileSync(
      file,
      [
        '{"type":"run-start","v":1,"run":"r","name":"sine","time":1,"backend":"numpy","device":"cpu"}',
        '{"type":"metric","run":"r","step":0,"t":0.0,"metrics":{"loss":1.0}}',
        '\u0000\u0000garbage from a disk error',
        '{"type":"metric","run":"r","step":1,"t":0.1,"metrics":{"loss":0.5}}',
        '{"type":"metric","run":"r","step":2,"t":0.2,"metr',
      ].join('\n'),
    );
    const registry = new RunRegistry();
    const load = await loadHistoryFile(registry, file);
    assert.deepEqual(load.runs, ['r']);
    assert.equal(load.lines, 5);
    assert.equal(registry.get('r')?.table.rows, 2);
    assert.equal(registry.get('r')?.info.kind, 'history');
    assert.equal(registry.get('r')?.info.file, file);
    assert.equal(
      describeBadLines(load),
      'h.jsonl: 2 of 5 lines could not be read and were skipped (line 3: not JSON (' +
        load.bad[0].reason.slice('not JSON ('.length) +
        '; line 5: the last line is incomplete (the writer stopped in the middle of it)). The other lines loaded.',
    );
    const again = await loadHistoryFile(registry, file);
    assert.deepEqual(again.runs, [], 'a second load adds nothing');
    assert.equal(registry.get('r')?.table.rows, 2);
  });

  it('says when a run was written in a newer history format than it reads', async () => {
    const file = join(workspace(), 'future.jsonl');
    const newer = HISTORY_FORMAT_VERSION + 1;
    writeFileSync(
      file,
      [
        `{"type":"run-start","v":${newer},"run":"n","name":"from the future","time":1,"backend":"numpy","device":"cpu"}`,
        `{"type":"run-start","v":${HISTORY_FORMAT_VERSION},"run":"r","name":"today","time":1,"backend":"numpy","device":"cpu"}`,
        '{"type":"metric","run":"r","step":0,"t":0.0,"metrics":{"loss":1.0}}',
      ].join('\n'),
    );
    const registry = new RunRegistry();
    const load = await loadHistoryFile(registry, file);
    assert.equal(registry.get('r')?.info.name, 'today');
    assert.equal(registry.has('n'), false);
    assert.equal(
      describeBadLines(load),
      `future.jsonl: 1 of 3 lines could not be read and were skipped (line 1: run "n" was written in history format ${newer}, newer than the format ${HISTORY_FORMAT_VERSION} this Gradient Lab reads: update Gradient Lab to read it). The other lines loaded.`,
    );
  });

  it('appends host records as ASCII JSON lines that load back', async () => {
    const file = join(workspace(), 'h.jsonl');
    writeFileSync(file, '{"type":"metric","run":"r","step":0,"t":0.0,"metrics":{"loss":1.0}}\n');
    await appendRecords(file, [{ type: 'run-end', run: 'r', status: 'failed', error: 'killed by SIGKILL — out of memory' }]);
    const text = readFileSync(file, 'utf8');
    assert.ok(/^[\x00-\x7f]*$/.test(text), 'only ASCII');
    const registry = new RunRegistry();
    await loadHistoryFile(registry, file);
    assert.equal(registry.get('r')?.info.status, 'failed');
    assert.equal(registry.get('r')?.info.error, 'killed by SIGKILL — out of memory');
  });

  it('keeps appended records whole after a line the writer left cut short', async () => {
    const file = join(workspace(), 'h.jsonl');
    writeFileSync(file, '{"type":"metric","run":"r","step":0,"t":0.0,"metrics":{"loss":1.0}}\n{"type":"metric","run":"r","st');
    await appendRecords(file, [{ type: 'run-end', run: 'r', status: 'failed', error: 'killed by SIGKILL' }]);
    const registry = new RunRegistry();
    const load = await loadHistoryFile(registry, file);
    assert.equal(registry.get('r')?.info.status, 'failed');
    assert.deepEqual(load.bad.map((b) => b.line), [2]);
  });

  it('names files like the Python writer and lists them newest first', async () => {
    assert.equal(historyFileName('train sine!', new Date(2025, 0, 2, 3, 4, 5)), '20250102-030405-train-sine.jsonl');
    const root = workspace();
    assert.deepEqual(await listHistoryFiles(root), [], 'no folder yet');
    mkdirSync(historyDir(root), { recursive: true });
    const older = join(historyDir(root), 'a.jsonl');
    const newer = join(historyDir(root), 'b.jsonl');
    writeFileSync(older, '');
    writeFileSync(newer, '{}\n');
    writeFileSync(join(historyDir(root), 'notes.txt'), '');
    utimesSync(older, new Date(2020, 0, 1), new Date(2020, 0, 1));
    const files = await listHistoryFiles(root);
    assert.deepEqual(files.map((f) => f.file), [newer, older]);
    assert.equal(files[0].size, 3);
  });
});
