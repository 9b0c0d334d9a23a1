// The training panel with a learner's own training script, in the real extension host: exercise 01's
// train_one_update.py streams into the open panel beside the exercise's reference run, writes its history, a second
// run is overlaid, and the panel comes back with its runs when it is reopened or restored after a reload.
// The tests run in order and build on each other's runs.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder } from '../../src/core/paths';
import { historyDir } from '../../src/core/runs/history';
import type { TrainingPanelObserver } from '../../src/extension/panel/observer';
import { TRAINING_VIEW_TYPE, type PanelState } from '../../src/protocol/webview';
import { activateGradlab, replaceAndSave, waitFor, workspaceDir } from './support/gradlab';
import { closePanel, drawAfter, DrawReports, finiteValues, onlyRunOf, panelTab, removeRuns, runScript, runsOf, writeScript } from './support/training';

const EXERCISE = '01-one-update';
/** What the lesson's five updates give as train_loss (the reference run logs the same). */
const LOSSES = [8, 2, 0.5, 0.125, 0.03125];

/** The lesson's losses, up to float rounding. */
function assertLessonLosses(values: number[], what: string): void {
  assert.equal(values.length, LOSSES.length, `${what}: ${values.join(', ')}`);
  values.forEach((v, i) => assert.ok(Math.abs(v - LOSSES[i]) < 1e-12, `${what}: step ${i} logged ${v}, the lesson says ${LOSSES[i]}`));
}

suite('Training panel: streaming, history, comparison, restore', () => {
  let training: TrainingPanelObserver;
  let script: vscode.Uri;

  suiteSetup(async () => {
    training = (await activateGradlab()).training;
    await vscode.commands.executeCommand('gradlab.startExercise', EXERCISE);
    const folder = exerciseFolder(workspaceDir(), EXERCISE);
    const learnerFile = join(folder, 'one_update.py');
    await replaceAndSave(vscode.Uri.file(learnerFile), solutionForm(readFileSync(join(builtinAuthoringPackDir(), EXERCISE, 'one_update.py'), 'utf8')));
    script = vscode.Uri.file(join(folder, 'train_one_update.py'));
    assert.ok(existsSync(script.fsPath), 'Start Exercise did not scaffold train_one_update.py');
    removeRuns(training, false);
  });

  test('Open Training Panel on the exercise draws its reference run before any code ran', async () => {
    const report = await drawAfter(
      training,
      () => vscode.commands.executeCommand('gradlab.openTrainingPanel', EXERCISE),
      (r) => r.runs === 1,
      'the reference run',
    );
    assert.equal(report.error, undefined);
    // the loss chart and the chart of the first other metric (w): 5 points each
    assert.equal(report.points, 10);
    const [reference] = training.registry.infos();
    assert.equal(reference.kind, 'reference');
    assert.equal(reference.exerciseId, EXERCISE);
  });

  test('Running train_one_update.py streams its 5 points into the open panel and appends a history file', async () => {
    const before = Date.now();
    let exit;
    const report = await drawAfter(
      training,
      async () => (exit = await runScript(script)),
      (r) => r.runs === 2 && r.points === 20,
      'the reference and the learner run, 5 points of train_loss and of w each',
    );
    assert.equal(report.error, undefined);
    assert.equal(exit!.code, 0);

    const run = onlyRunOf(training, script);
    assert.equal(run.info.kind, 'live', 'the run did not come through the live stream');
    assert.equal(run.info.status, 'ok');
    assert.equal(run.info.exerciseId, EXERCISE);
    assert.deepEqual([...run.table.steps.subarray(0, run.table.rows)], [0, 1, 2, 3, 4]);
    assertLessonLosses(finiteValues(run, 'train_loss'), run.info.id);
    const reference = training.registry.get(`reference:${EXERCISE}`);
    assert.ok(reference, 'the reference run left the panel');
    for (const metric of ['train_loss', 'w', 'b']) {
      assert.deepEqual(finiteValues(run, metric), finiteValues(reference, metric), `the solution's ${metric} is not the reference's`);
    }
    assert.equal(run.info.backend, 'python');
    assert.equal(run.info.device, 'cpu');

    const file = run.info.file;
    assert.ok(file, 'the run names no history file');
    assert.equal(join(file, '..'), historyDir(workspaceDir()), 'the history is not under .gradlab/runs of the workspace');
    const records = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { type: string; run: string; step?: number; time?: number });
    const own = records.filter((r) => r.run === run.info.id);
    assert.deepEqual(own.map((r) => r.type), ['run-start', 'metric', 'metric', 'metric', 'metric', 'metric', 'run-end']);
    assert.ok((own[0].time ?? 0) * 1000 >= before - 1000, 'the history holds an older run-start');
  });

  test('A slow script is drawn while it is still running', async () => {
    const slow = writeScript(
      'slow_descent',
      `
import time
import gradlab

for step in range(30):
    gradlab.log(step=step, train_loss=1.0 / (step + 1))
    time.sleep(0.1)
`,
    );
    const reports = new DrawReports(training);
    try {
      let ended = false;
      void runScript(slow).then(() => (ended = true));
      const midway = await reports.first((r) => r.runs === 3 && r.points > 20, 'some of the slow run');
      assert.equal(ended, false, 'the first draw of the slow run came after the script ended');
      assert.ok(midway.points < 20 + 30, `the whole slow run was drawn at once (${midway.points} points)`);
      await waitFor(() => ended, 'the slow script to end', 30_000);
      await reports.first((r) => r.runs === 3 && r.points === 20 + 30, 'all 30 points of the slow run');
    } finally {
      reports.stop();
    }
    for (const run of runsOf(training, slow)) training.registry.remove(run.info.id);
  });

  test('A second run is overlaid: two learner runs and the reference in the panel', async () => {
    const report = await drawAfter(
      training,
      () => runScript(script),
      (r) => r.runs === 3 && r.points === 30,
      'two learner runs and the reference, 5 points of train_loss and of w each',
    );
    assert.equal(report.error, undefined);
    const runs = runsOf(training, script);
    assert.equal(runs.length, 2);
    assert.notEqual(runs[0].info.id, runs[1].info.id);
    for (const run of runs) assertLessonLosses(finiteValues(run, 'train_loss'), run.info.id);
  });

  test('Closing and reopening the panel shows the same runs again', async () => {
    await closePanel();
    await waitFor(() => !panelTab(), 'the training panel to close');
    const report = await drawAfter(
      training,
      () => vscode.commands.executeCommand('gradlab.openTrainingPanel', EXERCISE),
      (r) => r.reason === 'init',
      'the reopened panel',
    );
    assert.deepEqual([report.runs, report.points, report.error], [3, 30, undefined]);
  });

  test('After a reload the serializer restores the runs from their history files', async () => {
    const learnerRuns = runsOf(training, script).map((r) => r.info.id).sort();
    const files = training.registry.files();
    assert.ok(files.length >= 1, 'no history files to restore from');
    // What a reload leaves: no panel, an empty registry, and the state the webview saved.
    await closePanel();
    removeRuns(training, false);
    const state: PanelState = { v: 1, exerciseId: EXERCISE, files, hiddenRuns: [], logScale: false, tab: 'curves' };
    const panel = vscode.window.createWebviewPanel(TRAINING_VIEW_TYPE, 'Training Runs', vscode.ViewColumn.Beside, { enableScripts: true });
    const report = await drawAfter(
      training,
      async () => training.serializer.deserializeWebviewPanel(panel, state),
      (r) => r.reason === 'init' && r.runs === 3,
      'the restored runs',
    );
    assert.deepEqual([report.points, report.error], [30, undefined]);
    const restored = runsOf(training, script);
    assert.deepEqual(restored.map((r) => r.info.id).sort(), learnerRuns);
    for (const run of restored) {
      assert.equal(run.info.kind, 'history');
      assert.equal(run.info.status, 'ok');
      assertLessonLosses(finiteValues(run, 'train_loss'), run.info.id);
    }
    assert.deepEqual(training.notices(), []);
  });
});
