import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchTrainingScript, type LaunchOptions } from '../../src/core/runs/launcher';
import { RunRegistry } from '../../src/core/runs/registry';
import { ThrottledOutput } from '../../src/extension/panel/output';
import { testPython } from './helpers/python';

const RUNTIME = resolve(__dirname, '../../../runtime');

function setup(script: string) {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-launch-'));
  const path = join(dir, 'train.py');
  writeFileSync(path, script);
  const registry = new RunRegistry();
  let output = '';
  const options: LaunchOptions = {
    python: testPython(),
    script: path,
    cwd: dir,
    runtimeDir: RUNTIME,
    historyFile: join(dir, 'history.jsonl'),
    device: 'cpu',
    handler: registry.handler({ kind: 'live' }),
    onOutput: (text) => (output += text),
  };
  return { registry, options, output: () => output, history: () => readFileSync(options.historyFile, 'utf8') };
}

async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('launching a training script', function () {
  this.timeout(30_000);

  it('streams metrics while the script still runs, and passes the device and the output through', async () => {
    const { registry, options, output } = setup(
      'import os, sys, time, gradlab\n' +
        'print("device", os.environ["GRADLAB_DEVICE"])\n' +
        'for step in range(20):\n    gradlab.log(step=step, loss=1 / (step + 1))\n' +
        'time.sleep(1.5)\nprint("done")\n',
    );
    const run = launchTrainingScript(options);
    let exited = false;
    void run.exited.then(() => (exited = true));
    const rows = () => registry.infos().reduce((n, i) => n + (registry.get(i.id)?.table.rows ?? 0), 0);
    await until(() => rows() === 20, 'the 20 streamed steps');
    assert.equal(exited, false, 'the points arrived before the script ended');
    const exit = await run.exited;
    assert.equal(exit.code, 0);
    assert.deepEqual(exit.endedByHost, []);
    const [info] = registry.infos();
    assert.equal(info.status, 'ok');
    assert.equal(info.name, 'train');
    assert.equal(info.device, 'cpu');
    assert.match(output(), /device cpu\n[\s\S]*done\n/);
  });

  it('marks the run failed when the script dies without a chance to end it', async () => {
    const { registry, options, history } = setup(
      'import os, signal, gradlab\nfor step in range(5):\n    gradlab.log(step=step, loss=1.0)\ngradlab.runs.flush()\nos.kill(os.getpid(), signal.SIGKILL)\n',
    );
    const exit = await launchTrainingScript(options).exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(exit.endedByHost.length, 1);
    const [info] = registry.infos();
    assert.equal(info.status, 'failed');
    assert.match(info.error ?? '', /killed by SIGKILL/);
    assert.equal(registry.get(info.id)?.table.rows, 5);
    const last = JSON.parse(history().trim().split('\n').pop() as string);
    assert.deepEqual([last.type, last.status], ['run-end', 'failed'], 'the history file says so too');
  });

  it('marks a crash failed through the script itself, with the error', async () => {
    const { registry, options } = setup('import gradlab\ngradlab.log(step=0, loss=1.0)\nraise RuntimeError("loss exploded")\n');
    const exit = await launchTrainingScript(options).exited;
    assert.equal(exit.code, 1);
    assert.deepEqual(exit.endedByHost, []);
    assert.match(registry.infos()[0].error ?? '', /RuntimeError: loss exploded \(train\.py, line 3\)/);
  });

  it('stops a script on request and keeps its run, marked stopped', async () => {
    const { registry, options } = setup('import gradlab\nstep = 0\nwhile True:\n    gradlab.log(step=step, loss=1.0)\n    step += 1\n');
    const run = launchTrainingScript(options);
    await until(() => (registry.get(registry.infos()[0]?.id ?? '')?.table.rows ?? 0) > 100, 'some steps');
    run.stop();
    const exit = await run.exited;
    assert.equal(exit.stopped, true);
    assert.equal(exit.signal, 'SIGTERM');
    assert.equal(registry.infos()[0].status, 'stopped');
  });

  it('says why when the interpreter cannot start', async () => {
    const { options } = setup('print(1)\n');
    const exit = await launchTrainingScript({ ...options, python: '/nonexistent/python3' }).exited;
    assert.match(exit.spawnError ?? '', /could not start \/nonexistent\/python3/);
  });
});

describe('training output channel', () => {
  it('batches output and cuts a flood off with a note, once', async () => {
    const written: string[] = [];
    const channel = { append: (t: string) => written.push(t), appendLine: (t: string) => written.push(`${t}\n`) };
    const out = new ThrottledOutput(channel as never);
    for (let i = 0; i < 30_000; i++) out.append('0123456789012345678901234567890123456789012345678901234567890123456789\n');
    out.dispose();
    const text = written.join('');
    assert.ok(text.length < 2_100_000, `wrote ${text.length} characters`);
    assert.equal(text.match(/output limit reached/g)?.length, 1);
    assert.match(text, /more characters of output were not shown/);
  });
});
