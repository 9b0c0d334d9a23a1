// The experiment bar with exercise 09's train_classifier.py, in the real extension host: the panel offers the
// parameters the pack declares, Train runs the learner's script with the chosen values through the same runner as
// Run Training Script (XOR at lr 0.05, then 0.3, overlaid), and the bad inputs of issue 16: a value outside its
// bounds, a command line argparse refuses (its message shown), a script that ignores a value, Train pressed ten times;
// and runs started anywhere: a terminal run of the script and a crashed run's history appear in the panel by themselves.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder, runtimeDir } from '../../src/core/paths';
import { historyDir } from '../../src/core/runs/history';
import type { TrainingPanelObserver } from '../../src/extension/panel/observer';
import { activateGradlab, replaceAndSave, waitFor, workspaceDir } from './support/gradlab';
import { removeRuns, runsOf } from './support/training';

const EXERCISE = '09-minibatches';
/** Short runs: the tests are about what reaches the script, not about how well it trains. */
const QUICK = { epochs: 3 };

suite('Training panel: the experiment bar', () => {
  let training: TrainingPanelObserver;
  let script: vscode.Uri;
  let original: string;

  suiteSetup(async () => {
    training = (await activateGradlab()).training;
    await vscode.commands.executeCommand('gradlab.startExercise', EXERCISE);
    const folder = exerciseFolder(workspaceDir(), EXERCISE);
    await replaceAndSave(vscode.Uri.file(join(folder, 'minibatches.py')), solutionForm(readFileSync(join(builtinAuthoringPackDir(), EXERCISE, 'minibatches.py'), 'utf8')));
    script = vscode.Uri.file(join(folder, 'train_classifier.py'));
    assert.ok(existsSync(script.fsPath), 'Start Exercise did not scaffold train_classifier.py');
    original = readFileSync(script.fsPath, 'utf8');
    await vscode.commands.executeCommand('gradlab.openTrainingPanel', EXERCISE);
    removeRuns(training, true);
  });

  teardown(() => writeFileSync(script.fsPath, original));

  const newNotices = (before: number) => training.notices().slice(before).map((n) => `${n.level}: ${n.message}`);

  test("The panel offers the script's declared parameters", () => {
    const experiment = training.experiment();
    assert.ok(experiment, 'the panel of exercise 09 shows no experiment bar');
    assert.equal(experiment.script, script.fsPath);
    assert.deepEqual(experiment.parameters.map((p) => p.name), ['dataset', 'lr', 'epochs', 'batch_size', 'seed', 'no_shuffle']);
  });

  test('Train at lr 0.05 and then 0.3 overlays two runs whose configs show their values', async () => {
    const first = await training.train({ dataset: 'xor', lr: 0.05, ...QUICK });
    const second = await training.train({ dataset: 'xor', lr: 0.3, ...QUICK });
    assert.equal(first?.code, 0);
    assert.equal(second?.code, 0);
    const runs = runsOf(training, script);
    assert.deepEqual(runs.map((r) => r.info.config?.learning_rate), [0.05, 0.3]);
    assert.deepEqual(runs.map((r) => r.info.name), ['xor lr=0.05', 'xor lr=0.3']);
    for (const run of runs) {
      assert.equal(run.info.status, 'ok');
      assert.equal(run.table.rows, QUICK.epochs);
    }
  });

  test('A value outside its bounds is refused before the script starts, saying what would do', async () => {
    const before = training.notices().length;
    const runs = runsOf(training, script).length;
    assert.equal(await training.train({ lr: 3, ...QUICK }), undefined);
    assert.deepEqual(newNotices(before), ['error: train_classifier.py was not started: Learning rate (lr) must be from 0.001 to 1; 3 is outside.']);
    assert.equal(runsOf(training, script).length, runs, 'a run was started');
  });

  test("A command line the script's argparse refuses (exit 2) shows argparse's own message", async () => {
    writeFileSync(script.fsPath, original.replace('"--batch-size"', '"--batch"'));
    const before = training.notices().length;
    const exit = await training.train({ ...QUICK });
    assert.equal(exit?.code, 2);
    const notices = newNotices(before);
    assert.equal(notices.length, 1, notices.join('\n'));
    assert.match(notices[0], /^error: train_classifier\.py refused its command line \(xor --lr 0\.05 --epochs 3 --batch-size 32 --seed 42\): unrecognized arguments: --batch-size 32\. Change the value and train again\.$/);
  });

  test("A script that ignores a value it was given is named, from the run's config", async () => {
    writeFileSync(script.fsPath, original.replace('"learning_rate": args.lr', '"learning_rate": 0.05').replace('params, X_train, y_train, batches_rng, args.lr', 'params, X_train, y_train, batches_rng, 0.05'));
    const before = training.notices().length;
    const exit = await training.train({ lr: 0.3, ...QUICK });
    assert.equal(exit?.code, 0);
    assert.deepEqual(newNotices(before), [
      "warning: train_classifier.py, run xor lr=0.3: Learning rate was set to 0.3, but the run's config says learning_rate=0.05: the script ignored the value it was given.",
    ]);
  });

  test('A script run from a terminal writes the workspace history, and the panel picks its run up live', async () => {
    const python = vscode.workspace.getConfiguration('gradlab').get<string>('pythonPath') || '/usr/bin/python3';
    const env: NodeJS.ProcessEnv = { ...process.env, PYTHONPATH: runtimeDir() };
    delete env.GRADLAB_HISTORY;
    delete env.GRADLAB_STREAM_FD;
    const terminal = spawnSync(python, [script.fsPath, 'spiral', '--lr', '0.02', '--epochs', '4'], { cwd: exerciseFolder(workspaceDir(), EXERCISE), env, encoding: 'utf8' });
    assert.equal(terminal.status, 0, terminal.stderr);
    const run = await waitFor(
      () => training.registry.infos().find((info) => info.kind === 'history' && info.name === 'spiral lr=0.02' && info.status === 'ok'),
      'the terminal run in the panel',
      20_000,
    );
    assert.equal(join(run.file ?? '', '..'), historyDir(workspaceDir()), 'the terminal run did not write the workspace history');
    assert.equal(training.registry.get(run.id)?.table.rows, 4);
  });

  test('A history written by a crashed terminal run loads, the lines it wrote in full', async () => {
    const file = join(historyDir(workspaceDir()), '20260101-120000-crashed.jsonl');
    const start = { type: 'run-start', v: 1, run: 'crashed-terminal-run', name: 'crashed terminal run', time: 1767268800, backend: 'numpy', device: 'cpu' };
    const metric = (step: number) => JSON.stringify({ type: 'metric', run: 'crashed-terminal-run', step, metrics: { train_loss: 1 / (step + 1) } });
    writeFileSync(file, `${JSON.stringify(start)}\n${metric(0)}\n${metric(1)}\n${metric(2).slice(0, 30)}`);
    const run = await waitFor(() => training.registry.get('crashed-terminal-run'), 'the crashed run in the panel', 20_000);
    await waitFor(() => run.table.rows === 2, 'its two whole lines');
    assert.equal(run.info.status, 'running', 'a run without an end is not shown as finished');
  });

  test('Train pressed ten times starts one run and says once that it is still training', async () => {
    const before = training.notices().length;
    const runs = runsOf(training, script).length;
    const exits = await Promise.all(Array.from({ length: 10 }, () => training.train({ ...QUICK })));
    assert.equal(exits.filter((e) => e !== undefined).length, 1, 'more than one press started a run');
    assert.equal(exits.find((e) => e)?.code, 0);
    await waitFor(() => runsOf(training, script).length === runs + 1, 'the one run in the registry');
    assert.deepEqual(newNotices(before), ['info: train_classifier.py is still training: press Stop first, or wait for it to end.']);
  });
});
