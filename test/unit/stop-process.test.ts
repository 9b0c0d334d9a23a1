// Stopping a training script: SIGTERM then SIGKILL where signals exist; on Windows, where they do not, taskkill
// ends the script's whole process tree (a fake child and a fake process starter stand in for both systems).
import * as assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { spawn } from 'node:child_process';
import { stopProcess } from '../../src/core/runs/stopProcess';

function fakeChild(pid = 4242) {
  const sent: Array<string | number | undefined> = [];
  const child = {
    pid,
    exitCode: null as number | null,
    signalCode: null as NodeJS.Signals | null,
    kill: (signal?: NodeJS.Signals | number) => {
      sent.push(signal);
      return true;
    },
  };
  return { child, sent };
}

describe('stopping a training script', () => {
  it('on Windows ends the whole tree with taskkill /T /F and sends no signal', () => {
    const { child, sent } = fakeChild();
    const started: string[][] = [];
    stopProcess(child, 50, 'win32', (command, args) => {
      started.push([command, ...args]);
      return new EventEmitter();
    });
    assert.deepEqual(started, [['taskkill', '/pid', '4242', '/T', '/F']]);
    assert.deepEqual(sent, []);
  });

  it('on Windows without taskkill still terminates the script itself', () => {
    const { child, sent } = fakeChild();
    const starter = new EventEmitter();
    stopProcess(child, 50, 'win32', () => starter);
    starter.emit('error', Object.assign(new Error('spawn taskkill ENOENT'), { code: 'ENOENT' }));
    assert.deepEqual(sent, [undefined]);
  });

  it('elsewhere sends SIGTERM, then SIGKILL when the script outlives the grace period', async () => {
    const { child, sent } = fakeChild();
    stopProcess(child, 20, 'linux', () => assert.fail('no helper process on Linux'));
    assert.deepEqual(sent, ['SIGTERM']);
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(sent, ['SIGTERM', 'SIGKILL']);
  });

  it('sends no SIGKILL to a script that ended within the grace period, and nothing to one already ended', async () => {
    const { child, sent } = fakeChild();
    stopProcess(child, 20, 'darwin');
    child.signalCode = 'SIGTERM';
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.deepEqual(sent, ['SIGTERM']);
    stopProcess(child, 20, 'win32', () => assert.fail('the script has ended'));
    assert.deepEqual(sent, ['SIGTERM']);
  });

  it('really stops a process here', async () => {
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    const ended = new Promise<NodeJS.Signals | null>((resolve) => sleeper.on('exit', (_code, signal) => resolve(signal)));
    stopProcess(sleeper, 1000);
    assert.equal(await ended, process.platform === 'win32' ? null : 'SIGTERM');
  });
});
