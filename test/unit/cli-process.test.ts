// The built CLI (dist/cli.js) as a process, the way a shell runs it: it leaves no temporary folder behind however a
// check ends (pass, fail, a problem, the worker dying, Ctrl+C), and output piped into something that stops reading
// ends it quietly with a broken pipe's status.
import * as assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findExercise, loadPack } from '../../src/core/packs/load';
import { materializeForm } from '../../src/core/packs/scaffold';
import { solutionForm, starterForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder, packageRoot } from '../../src/core/paths';
import { temporary } from './gradebook-fixtures';
import { testPython } from './helpers/python';

const cli = join(packageRoot(), 'dist', 'cli.js');
const pack = builtinAuthoringPackDir();
const authoring = () => readFileSync(join(pack, '01-one-update', 'one_update.py'), 'utf8');
/** A submission that runs until it is stopped: time enough to stop the check midway. */
const ENDLESS = 'import time\nwhile True:\n    time.sleep(0.05)\n';

function until(what: string, test: () => boolean, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  return new Promise((done, fail) => {
    const poll = setInterval(() => {
      if (test()) {
        clearInterval(poll);
        done();
      } else if (Date.now() > deadline) {
        clearInterval(poll);
        fail(new Error(`timed out waiting for ${what}`));
      }
    }, 50);
  });
}

describe('the gradlab process (built CLI, with Python)', function () {
  this.timeout(120_000);
  let python: string;
  /** the TMPDIR every CLI run here gets, so its temporary folders can be counted */
  let tmp: string;
  let work: string;
  const env = () => ({ ...process.env, TMPDIR: tmp });
  const gradlabEntries = () => readdirSync(tmp).filter((name) => name.startsWith('gradlab-')).sort();
  const file = (name: string, source: string) => {
    const dir = join(work, name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'one_update.py'), source);
    return join(dir, 'one_update.py');
  };
  const check = (submission: string, ...flags: string[]) =>
    spawnSync(process.execPath, [cli, 'check', '01-one-update', '--submission', submission, '--pack', pack, '--python', python, ...flags], { env: env(), encoding: 'utf8', timeout: 60_000 });
  /** Starts a check of an endless submission; resolves once its temporary copy exists, with that copy's name. */
  const endlessCheck = async () => {
    const child = spawn(process.execPath, [cli, 'check', '01-one-update', '--submission', file('endless', ENDLESS), '--pack', pack, '--python', python, '--timeout', '60'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true, // its own process group, as a terminal gives a command: Ctrl+C signals the whole group
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) => child.on('exit', (code, signal) => done({ code, signal, stderr })));
    await until('the submission copy', () => gradlabEntries().some((name) => name.startsWith('gradlab-submission-')));
    const copy = gradlabEntries().find((name) => name.startsWith('gradlab-submission-'))!;
    await new Promise((settle) => setTimeout(settle, 1000)); // the check is running the endless code by now
    return { child, copy, exited };
  };

  before(function () {
    if (process.platform === 'win32') this.skip(); // signals, process groups and pipes into head are POSIX here
    assert.ok(existsSync(cli), `${cli} is missing: build it with node scripts/build.mjs`);
    python = testPython();
    tmp = temporary('tmpdir');
    work = temporary('process');
  });

  it('leaves no temporary folder after a check that passes, fails or stops with a problem', () => {
    const fifo = join(work, 'fifo.py');
    execFileSync('mkfifo', [fifo]);
    const before = gradlabEntries();
    const runs: Array<[string, ReturnType<typeof check>, number]> = [
      ['pass', check(file('solution', solutionForm(authoring()))), 0],
      ['fail', check(file('starter', starterForm(authoring()))), 1],
      ['syntax error', check(file('broken', 'def predict(w, b, x)\n    return\n')), 1],
      ['a named pipe', check(fifo), 2],
      ['no interpreter', spawnSync(process.execPath, [cli, 'check', '01-one-update', '--submission', file('solution', solutionForm(authoring())), '--pack', pack, '--python', '/nonexistent/python3'], { env: env(), encoding: 'utf8' }), 2],
    ];
    for (const [what, result, status] of runs) {
      assert.equal(result.status, status, `${what}: ${result.stderr}`);
      assert.deepEqual(gradlabEntries(), before, `${what} left temporary folders`);
    }
    assert.equal(runs[3][1].stderr, `gradlab check: The submission ${fifo} is not a file or a folder but a named pipe (FIFO): pass the saved Python file (one_update.py) or the exercise folder instead.\n`);
  });

  it('removes them when Ctrl+C stops a check midway, and ends as stopped by it, without a stack trace', async () => {
    const before = gradlabEntries();
    const { child, exited } = await endlessCheck();
    process.kill(-child.pid!, 'SIGINT');
    const { signal, stderr } = await exited;
    assert.equal(signal, 'SIGINT', stderr); // a shell says 130
    assert.doesNotMatch(stderr, /\n\s+at /);
    // The worker also got the Ctrl+C and removes its own folders as it ends: wait for it, not for a fixed time.
    await until('every temporary folder to go', () => gradlabEntries().join() === before.join(), 10_000).catch(() => undefined);
    assert.deepEqual(gradlabEntries(), before);
  });

  it('removes its copy of the submission when the worker dies midway (an exception, not a verdict)', async function () {
    if (!existsSync('/proc/self/task')) this.skip(); // finds the worker through /proc
    const { child, copy, exited } = await endlessCheck();
    const workers = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
    for (const pid of workers) process.kill(pid, 'SIGKILL');
    const { code, stderr } = await exited;
    assert.equal(code, 2, stderr);
    assert.match(stderr, /worker/i);
    // The killed worker could not tidy up after itself; what the CLI made, it removed.
    assert.ok(!existsSync(join(tmp, copy)), `${copy} was left behind`);
  });

  it('ends quietly, with status 141, when its output goes into a pipe that closes early (check --all | head -1)', async () => {
    const loaded = await loadPack(pack);
    const workspace = join(work, 'workspace');
    await materializeForm(loaded, findExercise(loaded, '01-one-update'), 'solution', exerciseFolder(workspace, '01-one-update'));
    // The second exercise's report comes well after head has read the first line and gone.
    const second = findExercise(loaded, '02-grad-w');
    await materializeForm(loaded, second, 'starter', exerciseFolder(workspace, second.id));
    for (const learner of second.files.filter((f) => f.role === 'learner')) appendFileSync(join(exerciseFolder(workspace, second.id), learner.path), '\nimport time\ntime.sleep(0.3)\n');
    const stderrFile = join(work, 'stderr.txt');
    const result = spawnSync('bash', ['-c', `"$@" 2>"${stderrFile}" | head -1; echo "status \${PIPESTATUS[0]}"`, 'bash', process.execPath, cli, 'check', '--all', '--workspace', workspace, '--pack', pack, '--python', python], {
      env: env(),
      encoding: 'utf8',
      timeout: 60_000,
    });
    const [first, status] = result.stdout.trimEnd().split('\n');
    assert.equal(first, '01-one-update: 7 checks, each shown as it finishes');
    assert.equal(status, 'status 141', result.stdout);
    assert.equal(readFileSync(stderrFile, 'utf8'), '', 'nothing on stderr: no EPIPE, no stack trace');
    // The same without Python: the help text into a reader that is already gone.
    const help = spawnSync('bash', ['-c', `"$@" 2>"${stderrFile}" | true; echo "status \${PIPESTATUS[0]}"`, 'bash', process.execPath, cli, '--help'], { encoding: 'utf8' });
    assert.match(help.stdout, /^status (0|141)\n$/); // 0 when the help was written before `true` exited
    assert.equal(readFileSync(stderrFile, 'utf8'), '');
  });
});
