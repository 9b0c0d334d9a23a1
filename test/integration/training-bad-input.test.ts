// The training panel against scripts and files that misbehave (issue 6, "Bad input"): each script is a small
// throwaway file in the test workspace, run with Gradient Lab: Run Training Script; the panel must keep every point it
// got, say what went wrong, and keep drawing (its draw reports carry no error).
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { historyDir } from '../../src/core/runs/history';
import type { TrainingPanelObserver } from '../../src/extension/panel/observer';
import { TRAINING_VIEW_TYPE, type PanelState } from '../../src/protocol/webview';
import { activateGradlab, workspaceDir } from './support/gradlab';
import { closePanel, drawAfter, finiteValues, onlyRunOf, removeRuns, runScript, runsOf, writeScript } from './support/training';

suite('Training panel: bad input', () => {
  let training: TrainingPanelObserver;

  suiteSetup(async () => {
    training = (await activateGradlab()).training;
    await vscode.commands.executeCommand('gradlab.openTrainingPanel');
  });

  setup(() => removeRuns(training, false));

  test('A script that crashes mid-run leaves its run marked failed, with the points it logged', async () => {
    const script = writeScript(
      'crash_midway',
      `
import gradlab

for step in range(6):
    if step == 4:
        raise RuntimeError("the data loader broke")
    gradlab.log(step=step, train_loss=1.0 / (step + 1))
`,
    );
    let code: number | null = null;
    const report = await drawAfter(
      training,
      async () => ({ code } = await runScript(script)),
      (r) => r.runs === 1 && r.points === 4,
      'the 4 points logged before the crash',
    );
    assert.equal(report.error, undefined);
    assert.equal(code, 1);
    const run = onlyRunOf(training, script);
    assert.equal(run.info.status, 'failed');
    assert.match(run.info.error ?? '', /RuntimeError: the data loader broke \(crash_midway\.py, line 5\)/);
    assert.deepEqual(finiteValues(run, 'train_loss'), [1, 1 / 2, 1 / 3, 1 / 4]);
    const ends = readFileSync(run.info.file as string, 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'run-end' && r.run === run.info.id);
    assert.deepEqual(ends.map((r) => r.status), ['failed'], 'the history does not say the run failed, once');
  });

  test('A script killed mid-run (SIGKILL, no chance to clean up) is ended failed by the host, its points kept', async () => {
    const script = writeScript(
      'killed_midway',
      `
import os, signal, time
import gradlab

for step in range(3):
    gradlab.log(step=step, train_loss=0.5 ** step)
time.sleep(0.3)  # the runtime flushes every 50 ms
os.kill(os.getpid(), signal.SIGKILL)
`,
    );
    const exit = await runScript(script);
    assert.equal(exit.signal, 'SIGKILL');
    const run = onlyRunOf(training, script);
    assert.deepEqual(exit.endedByHost, [run.info.id]);
    assert.equal(run.info.status, 'failed');
    assert.match(run.info.error ?? '', /killed by SIGKILL/);
    assert.deepEqual(finiteValues(run, 'train_loss'), [1, 0.5, 0.25]);
    const last = JSON.parse(readFileSync(run.info.file as string, 'utf8').trim().split('\n').at(-1) as string);
    assert.deepEqual([last.type, last.run, last.status], ['run-end', run.info.id, 'failed']);
  });

  test('NaN and infinities are kept, flagged, and the charts still draw', async () => {
    const script = writeScript(
      'diverges',
      `
import gradlab

for step in range(10):
    train = {3: float("nan"), 6: float("inf")}.get(step, 1.0 / (step + 1))
    val = float("-inf") if step == 8 else 2.0 / (step + 1)
    gradlab.log(step=step, train_loss=train, val_loss=val)
`,
    );
    const report = await drawAfter(
      training,
      () => runScript(script),
      // 10 rows of train_loss and of val_loss; a non-finite value is a gap in its line, and an arrow
      (r) => r.runs === 1 && r.points === 20,
      'the 10 rows of train_loss and of val_loss',
    );
    assert.equal(report.error, undefined, 'the draw failed');
    assert.equal(report.flagged, 3, 'the NaN, the infinity and the -infinity are not all marked on the chart');
    const run = onlyRunOf(training, script);
    assert.equal(run.table.rows, 10);
    assert.deepEqual(run.table.nonFinite.map((m) => [run.table.steps[m.row], m.metric, m.kind]), [
      [3, 'train_loss', 'nan'],
      [6, 'train_loss', 'inf'],
      [8, 'val_loss', '-inf'],
    ]);
    assert.ok(run.info.warnings.some((w) => /train_loss was NaN at step 3 \(and 2 more non-finite values\)/.test(w)), run.info.warnings.join('\n'));
  });

  test('A script that logs 100 metrics per step keeps them all and the panel draws', async () => {
    const script = writeScript(
      'hundred_metrics',
      `
import gradlab

for step in range(50):
    metrics = {f"feature_{i:02d}": step * i for i in range(99)}
    gradlab.log(step=step, train_loss=1.0 / (step + 1), **metrics)
`,
    );
    const report = await drawAfter(
      training,
      () => runScript(script),
      (r) => r.runs === 1 && r.points === 50 + 50,
      'train_loss and the first other metric, 50 points each',
    );
    assert.equal(report.error, undefined);
    const run = onlyRunOf(training, script);
    assert.equal(run.table.rows, 50);
    assert.equal(run.table.metricNames().length, 100);
    assert.deepEqual(finiteValues(run, 'feature_98').slice(0, 3), [0, 98, 196]);
  });

  test('A script that never logs adds no run, and the panel says why', async () => {
    const script = writeScript(
      'never_logs',
      `
import gradlab

print("training without telling anyone")
`,
    );
    const before = training.notices().length;
    const exit = await runScript(script);
    assert.deepEqual([exit.code, exit.lines], [0, 0]);
    assert.deepEqual(runsOf(training, script), []);
    const notice = training.notices().slice(before).find((n) => n.message.includes('never_logs.py'));
    assert.ok(notice, 'the panel did not say that the script logged nothing');
    assert.match(notice.message, /without logging anything.*gradlab\.log\(/);
  });

  test('A step that goes back is kept in logged order and explained', async () => {
    const script = writeScript(
      'restarts',
      `
import gradlab

for epoch in range(2):
    for step in range(5):  # the step restarts every epoch
        gradlab.log(step=step, train_loss=1.0 / (5 * epoch + step + 1))
`,
    );
    const report = await drawAfter(training, () => runScript(script), (r) => r.runs === 1 && r.points === 10, 'all 10 points');
    assert.equal(report.error, undefined);
    const run = onlyRunOf(training, script);
    assert.deepEqual([...run.table.steps.subarray(0, run.table.rows)], [0, 1, 2, 3, 4, 0, 1, 2, 3, 4]);
    assert.ok(run.info.warnings.some((w) => w.startsWith('The step went back (from 4 to 0, once)')), run.info.warnings.join('\n'));
  });

  test('A script that floods stdout keeps streaming every point to the panel', async () => {
    const script = writeScript(
      'floods_stdout',
      `
import sys
import gradlab

line = "x" * 99 + "\\n"
for step in range(200):
    sys.stdout.write(line * 1000)  # 100 kB per step, 20 MB in all
    gradlab.log(step=step, train_loss=1.0 / (step + 1))
`,
    );
    const report = await drawAfter(training, () => runScript(script), (r) => r.runs === 1 && r.points === 200, 'all 200 points');
    assert.equal(report.error, undefined);
    const run = onlyRunOf(training, script);
    assert.equal(run.info.status, 'ok');
    assert.equal(run.table.rows, 200);
  });

  test('gradlab.device = gpu on a machine without a usable GPU falls back to the CPU and says so', async () => {
    const config = vscode.workspace.getConfiguration('gradlab');
    await config.update('device', 'gpu', vscode.ConfigurationTarget.Workspace);
    try {
      const script = writeScript(
        'wants_gpu',
        `
import gradlab

xp = gradlab.array_module()
w = xp.zeros(3)
gradlab.log(step=0, train_loss=float((w - 1.0).sum() ** 2))
`,
      );
      const exit = await runScript(script);
      assert.equal(exit.code, 0);
      const run = onlyRunOf(training, script);
      assert.deepEqual([run.info.backend, run.info.device], ['numpy', 'cpu']);
      assert.match(run.info.deviceNote ?? '', /GRADLAB_DEVICE=gpu asked for a GPU, but .+; running on the CPU instead\./);
    } finally {
      await config.update('device', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('A corrupted history file loads its readable lines and the panel reports the rest', async () => {
    const file = join(historyDir(workspaceDir()), '20240101-120000-corrupted.jsonl');
    const missing = join(historyDir(workspaceDir()), '20240101-120001-deleted.jsonl');
    const good = (step: number) => `{"type":"metric","run":"old-run","step":${step},"t":${step / 10},"metrics":{"train_loss":${1 / (step + 1)}}}`;
    writeFileSync(
      file,
      [
        '{"type":"run-start","v":1,"run":"old-run","name":"an old run","time":1704110400,"backend":"numpy","device":"cpu"}',
        good(0),
        good(1),
        '\u0000\u0000\u0000 disk trouble',
        good(2),
        '{"type":"metric","run":"old-run","step":3,"metrics":{"train_loss":"low"}}',
        good(4),
        '{"type":"metric","run":"old-run","step":5,"t":0.5,"metr',
      ].join('\n'),
    );
    await closePanel();
    const state: PanelState = { v: 1, files: [file, missing], hiddenRuns: [], logScale: false, tab: 'curves' };
    const panel = vscode.window.createWebviewPanel(TRAINING_VIEW_TYPE, 'Training Runs', vscode.ViewColumn.Beside, { enableScripts: true });
    const report = await drawAfter(
      training,
      async () => training.serializer.deserializeWebviewPanel(panel, state),
      (r) => r.reason === 'init' && r.runs === 1,
      'the readable part of the corrupted history',
    );
    assert.deepEqual([report.points, report.error], [4, undefined]);
    const run = training.registry.get('old-run');
    assert.ok(run, 'the run of the corrupted file was not loaded');
    assert.deepEqual([...run.table.steps.subarray(0, run.table.rows)], [0, 1, 2, 4]);
    assert.equal(run.info.status, 'running', 'a run without an end is not shown as finished');
    const notices = training.notices().map((n) => n.message);
    const bad = notices.find((m) => m.startsWith('20240101-120000-corrupted.jsonl: 3 of 8 lines could not be read'));
    assert.ok(bad, notices.join('\n'));
    assert.match(bad, /line 4: not JSON.*line 6: metric "train_loss" is neither a number nor null.*line 8: the last line is incomplete/);
    assert.ok(notices.some((m) => m.startsWith('20240101-120001-deleted.jsonl could not be read again')), notices.join('\n'));
  });
});
