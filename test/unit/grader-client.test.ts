// The host's grader client against the real worker: a newer check cancels an older one, a dead worker is
// replaced on the next request, and a check never blocks the caller.
import * as assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraderClient, ProtocolMismatchError, WorkerError } from '../../src/core/grader/client';
import { packageRoot, runtimeDir } from '../../src/core/paths';
import { findPython } from '../../src/core/python/discover';
import { DEFAULT_LIMITS, PROTOCOL_VERSION, type CheckParams, type ResultParams } from '../../src/protocol/worker';
import type { PackManifest } from '../../src/protocol/pack';
import { testPython } from './helpers/python';

const pack = join(packageRoot(), 'test', 'fixtures', 'worker-pack');
const manifest: PackManifest = JSON.parse(readFileSync(join(pack, 'pack.json'), 'utf8'));

function params(submission: string, timeoutS = 10): CheckParams {
  return { pack: { dir: pack, form: 'authoring' }, exercise: manifest.exercises[0], submission, given: join(pack, 'submissions', 'starter'), reference: join(pack, 'submissions', 'solution'), limits: { ...DEFAULT_LIMITS, timeoutS }, gradcheck: 'auto', only: ['scale-basic'] };
}

/** A runtime folder whose worker answers hello in another protocol version, as another release's runtime would. */
function runtimeOfAnotherRelease(protocolVersion: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-runtime-'));
  copyFileSync(join(runtimeDir(), 'launch.py'), join(dir, 'launch.py'));
  mkdirSync(join(dir, 'gradlab'));
  writeFileSync(join(dir, 'gradlab', '__init__.py'), '');
  writeFileSync(
    join(dir, 'gradlab', 'worker.py'),
    `import json, sys
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while True:
    header = b''
    while not header.endswith(b'\\r\\n\\r\\n'):
        byte = stdin.read(1)
        if not byte:
            sys.exit(0)
        header += byte
    request = json.loads(stdin.read(int(header.split(b':')[1])))
    if 'id' not in request or request['method'] == 'shutdown':
        sys.exit(0)
    hello = {'protocolVersion': ${protocolVersion}, 'runtimeVersion': '9.0.0', 'platform': sys.platform, 'sandbox': True,
             'python': {'version': '3', 'executable': sys.executable, 'implementation': 'CPython'},
             'numpy': {'available': True}, 'torch': {'available': False}}
    body = json.dumps({'id': request['id'], 'result': hello}).encode()
    stdout.write(b'Content-Length: %d\\r\\n\\r\\n' % len(body) + body)
    stdout.flush()
`,
  );
  return dir;
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

  it('streams each check\'s result before the report, which holds them all in the pack\'s order', async () => {
    const heard: Array<ResultParams & { reportArrived: boolean }> = [];
    let reportArrived = false;
    const all = { ...params(join(pack, 'submissions', 'wrong')), only: undefined, focus: ['grad'] };
    const report = await client.check(all, undefined, (streamed) => heard.push({ ...streamed, reportArrived }));
    reportArrived = true;
    assert.deepEqual(
      heard.map((h) => [h.result.id, h.remaining, h.reportArrived]),
      [
        ['grad-lesson', 3, false],
        ['scale-basic', 2, false],
        ['scale-hidden', 1, false],
        ['fit-falls', 0, false],
      ],
    );
    assert.deepEqual(
      report.checks.map((c) => c.id),
      ['scale-basic', 'grad-lesson', 'scale-hidden', 'fit-falls'],
    );
    assert.equal(heard[0].result.message, 'grad(1, 2, 6): expected -16, got -8');
  });

  it('drops the streamed results of a cancelled check: they belong to an older save', async () => {
    const source = readFileSync(join(pack, 'submissions', 'solution', 'scale.py'), 'utf8');
    const slowGrad = submission(source.replace('    return 2 * (w * x - y) * x', '    import time\n    time.sleep(1)\n    return 2 * (w * x - y) * x'));
    const abort = new AbortController();
    const heard: string[] = [];
    const running = client.check({ ...params(slowGrad, 30), only: undefined }, abort.signal, (streamed) => {
      heard.push(streamed.result.id);
      if (streamed.result.id === 'scale-basic') abort.abort(); // grad-lesson is sleeping now
    });
    await assert.rejects(running, (error: unknown) => error instanceof WorkerError && error.code === 'cancelled');
    assert.deepEqual(heard, ['scale-basic']);
    const report = await client.check(params(join(pack, 'submissions', 'solution')));
    assert.equal(report.passed, true);
  });

  it('a worker dying mid-stream rejects the check after the results it sent, and the next check gets a full report', async () => {
    const source = readFileSync(join(pack, 'submissions', 'solution', 'scale.py'), 'utf8');
    const endlessGrad = submission(source.replace('    return 2 * (w * x - y) * x', '    while True:\n        pass'));
    await client.hello();
    const worker = (client as unknown as { process: { kill(signal: string): void } }).process;
    const heard: string[] = [];
    const pending = client.check({ ...params(endlessGrad, 30), only: undefined }, undefined, (streamed) => {
      heard.push(streamed.result.id);
      setTimeout(() => worker.kill('SIGKILL'), 100);
    });
    await assert.rejects(pending, (error: unknown) => error instanceof WorkerError && error.code === 'crashed');
    assert.deepEqual(heard, ['scale-basic']);
    const next: string[] = [];
    const report = await client.check({ ...params(join(pack, 'submissions', 'solution')), only: undefined }, undefined, (s) => next.push(s.result.id));
    assert.equal(report.passed, true);
    assert.deepEqual(next.sort(), report.checks.map((c) => c.id).sort());
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

  it('refuses a worker of another protocol version, saying which runtime answered and what to do', async () => {
    const other = runtimeOfAnotherRelease(PROTOCOL_VERSION + 1);
    const expected = (error: unknown) =>
      error instanceof ProtocolMismatchError &&
      error.message.includes(`The grading worker of ${other} (run by ${testPython()}, runtime 9.0.0) speaks protocol version ${PROTOCOL_VERSION + 1}, but this Gradient Lab speaks version ${PROTOCOL_VERSION}`) &&
      /Reinstall or update the Gradient Lab extension so that its runtime matches/.test(error.message);
    const stale = new GraderClient({ python: testPython(), runtimeDir: other });
    try {
      await assert.rejects(stale.hello(), expected);
    } finally {
      await stale.dispose();
    }
    // Finding an interpreter stops there: every interpreter would run the same runtime folder.
    await assert.rejects(findPython({ candidates: [testPython()], runtimeDir: other }), expected);
  });
});
