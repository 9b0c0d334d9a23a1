// The host's grader client against the real worker: a newer check cancels an older one, a dead worker is
// replaced on the next request, and a check never blocks the caller.
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraderClient, WorkerError } from '../../src/core/grader/client';
import { packageRoot, runtimeDir } from '../../src/core/paths';
import { DEFAULT_LIMITS, type CheckParams } from '../../src/protocol/worker';
import type { PackManifest } from '../../src/protocol/pack';
import { testPython } from './helpers/python';

const pack = join(packageRoot(), 'test', 'fixtures', 'worker-pack');
const manifest: PackManifest = JSON.parse(readFileSync(join(pack, 'pack.json'), 'utf8'));

function params(submission: string, timeoutS = 10): CheckParams {
  return { pack: { dir: pack, form: 'authoring' }, exercise: manifest.exercises[0], submission, reference: join(pack, 'submissions', 'solution'), limits: { ...DEFAULT_LIMITS, timeoutS }, gradcheck: 'auto', only: ['scale-basic'] };
}

function submission(source: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-client-'));
  writeFileSync(join(dir, 'scale.py'), source);
  return dir;
}

describe('grader client', function () {
  this.timeout(60_000);
  let client: GraderClient;
  beforeEach(() => (client = new GraderClient({ python: testPython(), runtimeDir: runtimeDir() })));
  afterEach(() => client.dispose());

  it('answers hello with the interpreter and its packages', async () => {
    const hello = await client.hello();
    assert.equal(hello.numpy.available, true);
    assert.match(hello.python.version, /^3\./);
  });

  it('cancels a running check when its signal aborts, then serves the next one', async () => {
    const endless = submission('def scale(w, x):\n    while True:\n        pass\n');
    const abort = new AbortController();
    const started = Date.now();
    const running = client.check(params(endless, 30), abort.signal);
    setTimeout(() => abort.abort(), 500);
    await assert.rejects(running, (error: unknown) => error instanceof WorkerError && error.code === 'cancelled');
    assert.ok(Date.now() - started < 10_000, 'the cancelled check ran on');
    const report = await client.check(params(join(pack, 'submissions', 'solution')));
    assert.equal(report.passed, true);
  });

  it('replaces a worker that died and reports the death to the pending request', async () => {
    await client.hello();
    const worker = (client as unknown as { process: { kill(signal: string): void } }).process;
    const pending = client.check(params(submission('def scale(w, x):\n    while True:\n        pass\n'), 30));
    setTimeout(() => worker.kill('SIGKILL'), 300);
    await assert.rejects(pending, (error: unknown) => error instanceof WorkerError && error.code === 'crashed' && /killed/.test(error.message));
    const report = await client.check(params(join(pack, 'submissions', 'solution')));
    assert.equal(report.passed, true, 'a new worker answered');
  });

  it('says clearly when the interpreter does not exist', async () => {
    const missing = new GraderClient({ python: '/nonexistent/python3', runtimeDir: runtimeDir() });
    await assert.rejects(missing.hello(), /Python was not found at \/nonexistent\/python3/);
  });
});
