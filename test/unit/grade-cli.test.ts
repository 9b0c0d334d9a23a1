// gradlab grade, merge, new and preview end to end, with the real worker on the system's Python: the fixture
// class on the built-in exercises 01 and 02, a corpus of hostile submissions, resuming, sharding as the
// GitHub Actions example does it, and a new pack from the template.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { zipSync } from 'fflate';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main';
import { parseCsv } from '../../src/core/csv';
import { gradeClass, GRADEBOOK_OUTPUT_CHARS, type GradeProgress } from '../../src/core/gradebook/grade';
import { feedbackPath, readGradebook } from '../../src/core/gradebook/write';
import { folderHash } from '../../src/core/gradebook/fingerprint';
import type { Gradebook, StudentRecord } from '../../src/core/gradebook/model';
import { findExercise, loadPack } from '../../src/core/packs/load';
import { solutionForm, starterForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder, packageRoot } from '../../src/core/paths';
import { materializeForm } from '../../src/core/packs/scaffold';
import { builtinSubsetPack, capture, classWith, fixtureClass, GOOD, readJson, temporary, withoutTimings } from './gradebook-fixtures';
import { processesBelow } from './helpers/processes';
import { testPython } from './helpers/python';

function student(gradebook: Gradebook, name: string): StudentRecord {
  const found = gradebook.students.find((s) => s.student === name);
  assert.ok(found, `no student ${name} in the gradebook (${gradebook.students.map((s) => s.student).join(', ')})`);
  return found;
}

function outcome(gradebook: Gradebook, name: string, exercise: string) {
  return student(gradebook, name).exercises.find((o) => o.exercise === exercise)!;
}

/** Every message a student gets about one exercise: intake messages and every check's message. */
function said(gradebook: Gradebook, name: string, exercise: string): string {
  const o = outcome(gradebook, name, exercise);
  return [...student(gradebook, name).messages, ...o.messages, ...o.checks.map((c) => c.message)].join('\n');
}

describe('gradlab grade, merge, new and preview (with Python)', function () {
  this.timeout(120_000);
  let python: string;
  let pack: string;

  before(() => {
    python = testPython();
    pack = builtinSubsetPack();
  });

  async function grade(submissions: string, out: string, ...flags: string[]) {
    const io = capture();
    const code = await main(['grade', pack, submissions, '--out', out, '--python', python, ...flags], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    return { io, gradebook: readJson<Gradebook>(join(out, 'gradebook.json')) };
  }

  it('grades a PyTorch exercise beside a NumPy one with two jobs (the PyTorch worker shared and started early)', async () => {
    const torchPack = await loadPack(builtinAuthoringPackDir());
    const ids = ['01-one-update', '12-pytorch-loop'];
    const submissions = temporary('torch-class');
    const forms = { sol1: 'solution', sta1: 'starter', sol2: 'solution', sta2: 'starter' } as const;
    for (const [name, form] of Object.entries(forms)) {
      for (const id of ids) await materializeForm(torchPack, findExercise(torchPack, id), form, exerciseFolder(join(submissions, name), id));
    }
    const { gradebook } = await gradeClass({ pack: torchPack, submissions, out: temporary('torch-out'), jobs: 2, python, exercises: ids });
    for (const [name, form] of Object.entries(forms)) {
      for (const id of ids) {
        const o = outcome(gradebook, name, id);
        assert.equal(o.status, 'graded', `${name} ${id}: ${o.messages.join(' ')}`);
        if (form === 'solution') assert.equal(o.points, o.maxPoints, said(gradebook, name, id));
        else assert.equal(o.points, 0, said(gradebook, name, id));
      }
    }
  });

  it('grades the fixture class: points per exercise with partial credit, every check, every export', async () => {
    const out = join(temporary('out'), 'gradebook');
    const { io, gradebook } = await grade(classWith(...GOOD), out, '--jobs', '2');
    assert.match(io.stdout[0], /^Graded 3 students in [\d.]+ s \(3 graded, 0 unchanged\)/);
    assert.equal(io.stderr.filter((l) => /^\[\d\/3\] /.test(l)).length, 3, io.stderr.join('\n'));

    const [one, two] = gradebook.exercises;
    assert.deepEqual([one.id, two.id], ['01-one-update', '02-grad-w']);
    const ada = student(gradebook, 'ada');
    assert.equal(ada.points, ada.maxPoints, said(gradebook, 'ada', '02-grad-w'));
    const ben = outcome(gradebook, 'ben', '02-grad-w');
    assert.ok(ben.points > 0 && ben.points < ben.maxPoints, `partial credit for ben: ${ben.points}/${ben.maxPoints}`);
    assert.equal(outcome(gradebook, 'ben', '01-one-update').points, one.maxPoints);
    assert.match(ben.checks.find((c) => c.id === 'grad-w-fd')!.diagnosis ?? '', /half/);
    const cy = student(gradebook, 'cy');
    assert.equal(cy.points, 0);
    assert.match(said(gradebook, 'cy', '01-one-update'), /SyntaxError/);
    assert.equal(outcome(gradebook, 'cy', '02-grad-w').status, 'not-submitted');
    for (const s of gradebook.students) for (const o of s.exercises) for (const c of o.checks) for (const key of ['id', 'status', 'passed', 'points', 'maxPoints', 'message']) assert.ok(key in c, `${s.student} ${c.id} has ${key}`);

    const rows = parseCsv(readFileSync(join(out, 'gradebook.csv'), 'utf8'));
    assert.deepEqual(rows[0], ['student', '01-one-update', '02-grad-w', 'total', 'max', 'note']);
    assert.deepEqual(
      rows.slice(1).map((r) => r[0]),
      ['ada', 'ben', 'cy'],
    );
    assert.deepEqual(rows[2], ['ben', String(one.maxPoints), String(ben.points), String(one.maxPoints + ben.points), String(one.maxPoints + two.maxPoints), '']);
    const canvas = parseCsv(readFileSync(join(out, 'canvas.csv'), 'utf8'));
    assert.deepEqual(canvas[0], ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Training from scratch']);
    assert.deepEqual(canvas[1], ['    Points Possible', '', '', '', '', String(one.maxPoints + two.maxPoints)]);
    const results = readJson<{ score: number; tests: Array<{ score: number; max_score: number }> }>(join(out, 'gradescope', 'ben', 'results.json'));
    assert.equal(results.score, student(gradebook, 'ben').points);
    assert.equal(results.tests.reduce((s, t) => s + t.score, 0), results.score);
    assert.equal(results.tests.reduce((s, t) => s + t.max_score, 0), one.maxPoints + two.maxPoints);

    // Feedback carries messages and hints, never hidden-test source or what the hidden checks said.
    const feedback = readFileSync(join(out, 'feedback', 'ben.md'), 'utf8');
    assert.match(feedback, /grad_w is exactly half the numeric gradient/);
    const hiddenMessages = ben.checks.filter((c) => c.hidden && !c.passed).map((c) => c.message);
    assert.ok(hiddenMessages.length > 0, 'ben fails a hidden test');
    const tests = readFileSync(join(pack, '02-grad-w', 'tests.py'), 'utf8');
    const hiddenSource = ['def fit_lesson', '2.036500539715272', 'def fit_defaults', '21.869318518518515'];
    for (const secret of hiddenSource) assert.ok(tests.includes(secret), `the fixture still holds ${secret}`);
    for (const file of ['feedback/ben.md', 'gradescope/ben/results.json']) {
      const text = readFileSync(join(out, file), 'utf8');
      for (const secret of [...hiddenSource, ...hiddenMessages]) assert.ok(!text.includes(secret), `${file} leaks ${secret}`);
    }
  });

  it('a hostile class cannot stop grading, change the others results or touch the instructor files', async function () {
    const out = join(temporary('out'), 'gradebook');
    // One seed for both runs, so that their hidden checks draw the same inputs.
    const quiet = await grade(classWith(...GOOD), out, '--timeout', '1', '--seed', '11');

    const submissions = classWith(...GOOD, 'hostile/loop', 'hostile/forkbomb', 'hostile/latin1', 'hostile/misnamed', 'hostile/extras');
    const adaFile = join(submissions, 'ada', 'gradlab', '01-one-update', 'one_update.py');
    const solution = join(pack, '01-one-update', 'one_update.py');
    const ada = readFileSync(join(fixtureClass(), 'class', 'ada', 'gradlab', '01-one-update', 'one_update.py'), 'utf8');
    const hostileOut = join(temporary('out'), 'gradebook');
    const exercise01 = (name: string, code: string) => {
      mkdirSync(join(submissions, name, 'gradlab', '01-one-update'), { recursive: true });
      writeFileSync(join(submissions, name, 'gradlab', '01-one-update', 'one_update.py'), code);
    };
    // Deletes everything in its working folder at import, then tries another student's file when graded.
    exercise01('deleter', `import os\nfor name in os.listdir('.'):\n    os.remove(name)\n${ada}\n\ndef sgd_step(w, b, grad_w, grad_b, learning_rate):\n    os.remove(${JSON.stringify(adaFile)})\n    return w - learning_rate * grad_w, b - learning_rate * grad_b\n`);
    // Reads the authoring pack's solution, and tries to overwrite the other run's gradebook.
    exercise01(
      'snoop',
      `${ada}\n\ndef predict(w, b, x):\n    open(${JSON.stringify(solution)}).read()\n    return w * x + b\n\ndef sgd_step(w, b, grad_w, grad_b, learning_rate):\n    open(${JSON.stringify(join(out, 'gradebook.json'))}, 'w').write('{}')\n    return w - learning_rate * grad_w, b - learning_rate * grad_b\n`,
    );
    // Reads another student's file and the gradebook this run writes.
    exercise01(
      'peeker',
      `${ada}\n\ndef predict(w, b, x):\n    open(${JSON.stringify(adaFile)}).read()\n    return w * x + b\n\ndef sgd_step(w, b, grad_w, grad_b, learning_rate):\n    open(${JSON.stringify(join(hostileOut, 'gradebook.json'))}).read()\n    return w - learning_rate * grad_w, b - learning_rate * grad_b\n`,
    );
    // Prints as much as it may in every check.
    exercise01('chatty', `${ada}\nprint('blah ' * 50000)\n`);
    // Around the audit hook (ctypes calls libc directly): rewrites the pack's tests, halves the pack's given loss
    // of exercise 02 in the grader's copies (every classmate's gradient check would fail), and leaves a daemon that
    // empties this run's gradebook after the command has ended.
    exercise01(
      'saboteur',
      `import ctypes, glob, os\nlibc = ctypes.CDLL(None)\n\n\ndef _overwrite(path, text):\n    fd = libc.open(path.encode(), 0o1101, 0o644)\n    if fd >= 0:\n        libc.write(fd, text.encode(), len(text.encode()))\n        libc.close(fd)\n\n\n` +
        `_overwrite(${JSON.stringify(join(pack, '01-one-update', 'tests.py'))}, 'raise SystemExit(0)\\n')\n` +
        `for _path in glob.glob('/tmp/gradlab-*/**/linear_mse.py', recursive=True):\n    _overwrite(_path, 'import numpy as np\\ndef mse_loss(w, b, x, y):\\n    return float(np.mean((w * x + b - y) ** 2)) / 2\\n')\n` +
        `if libc.fork() == 0:\n    libc.setsid()\n    if libc.fork() == 0:\n        import time\n        time.sleep(3)\n        _overwrite(${JSON.stringify(join(hostileOut, 'gradebook.json'))}, '{}')\n        os._exit(0)\n    os._exit(0)\n${ada}\n`,
    );
    mkdirSync(join(submissions, 'linky', 'gradlab', '01-one-update'), { recursive: true });
    symlinkSync(solution, join(submissions, 'linky', 'gradlab', '01-one-update', 'one_update.py'));
    symlinkSync(join(pack, '01-one-update'), join(submissions, 'mallory'));
    exercise01('huge', '');
    truncateSync(join(submissions, 'huge', 'gradlab', '01-one-update', 'one_update.py'), 50 * 1024 * 1024);
    const bytes = (text: string) => new TextEncoder().encode(text);
    writeFileSync(join(submissions, 'bomb.zip'), zipSync({ 'gradlab/01-one-update/one_update.py': new Uint8Array(32 * 1024 * 1024) }, { level: 9 }));
    writeFileSync(join(submissions, 'trav.zip'), zipSync({ '../../../one_update.py': bytes(ada) }));
    writeFileSync(join(submissions, 'zed.zip'), zipSync({ 'zed/gradlab/01-one-update/one_update.py': bytes(ada) }));

    const before = { pack: await folderHash(pack), gradebook: await folderHash(out), ada: readFileSync(adaFile, 'utf8') };
    const { gradebook } = await grade(submissions, hostileOut, '--timeout', '1', '--jobs', '2', '--seed', '11');
    // Nothing of the grading run is left running, and a daemon's delayed write would have happened by now.
    assert.deepEqual(processesBelow(process.pid).filter((p) => /gradlab|bwrap/.test(p.command)), [], 'processes left after the command');
    await new Promise((resolve) => setTimeout(resolve, 3500));
    assert.deepEqual(readJson<Gradebook>(join(hostileOut, 'gradebook.json')).students.map((s) => s.student), gradebook.students.map((s) => s.student), 'the gradebook was rewritten after the command');

    // Nothing the instructor owns changed: the pack, the other gradebook, another student's submission.
    assert.equal(await folderHash(pack), before.pack);
    assert.equal(await folderHash(out), before.gradebook);
    assert.equal(readFileSync(adaFile, 'utf8'), before.ada);
    // The well-behaved students' records are exactly those of the run without the hostile ones.
    for (const name of ['ada', 'ben', 'cy']) assert.deepEqual(withoutTimings({ ...gradebook, students: [student(gradebook, name)] }).students, withoutTimings({ ...quiet.gradebook, students: [student(quiet.gradebook, name)] }).students, name);

    // Each hostile submission fails only itself, with a message that says why.
    const loop = outcome(gradebook, 'loop', '01-one-update');
    assert.ok(loop.checks.length > 0 && loop.checks.every((c) => c.status === 'timeout'), said(gradebook, 'loop', '01-one-update'));
    assert.ok(loop.checks.every((c) => c.durationMs < 5000), 'each check stopped near its 1 s limit');
    assert.match(said(gradebook, 'forkbomb', '01-one-update'), /create a new process.*not allowed while grading/);
    assert.match(said(gradebook, 'latin1', '01-one-update'), /not UTF-8 text/);
    assert.match(said(gradebook, 'misnamed', '01-one-update'), /found 01-one_update: rename it to 01-one-update/);
    assert.match(said(gradebook, 'misnamed', '02-grad-w'), /found Linear_MSE\.py: rename it to linear_mse\.py/);
    assert.equal(outcome(gradebook, 'extras', '01-one-update').points, outcome(gradebook, 'ada', '01-one-update').points);
    assert.match(said(gradebook, 'extras', '01-one-update'), /ignored \(not part of the exercise\): data, notes\.txt/);
    assert.match(said(gradebook, 'deleter', '01-one-update'), /tried to change \/\S+\/ada\/gradlab\/01-one-update\/one_update\.py.*not allowed while grading/);
    assert.match(said(gradebook, 'snoop', '01-one-update'), /tried to open \S+\/01-one-update\/one_update\.py, inside the exercise pack or the reference solution.*not allowed while grading/);
    assert.match(said(gradebook, 'snoop', '01-one-update'), /tried to \w+ \S+\/gradebook\.json.*not allowed while grading/);
    assert.match(said(gradebook, 'peeker', '01-one-update'), /tried to open \/\S+\/ada\/gradlab\/01-one-update\/one_update\.py, which grading keeps private.*not allowed while grading/);
    assert.match(said(gradebook, 'peeker', '01-one-update'), /tried to open \S+\/gradebook\.json, which grading keeps private.*not allowed while grading/);
    assert.match(said(gradebook, 'linky', '01-one-update'), /one_update\.py is a symbolic link \(to .*\); links are not followed/);
    assert.match(said(gradebook, 'mallory', '01-one-update'), /The submission mallory is a symbolic link/);
    assert.match(said(gradebook, 'huge', '01-one-update'), /is 50\.0 MiB, more than/);
    assert.match(said(gradebook, 'bomb', '01-one-update'), /bomb\.zip could not be opened safely: .*zip bomb/);
    assert.match(said(gradebook, 'trav', '01-one-update'), /'\.\.\/' path/);
    const chatty = outcome(gradebook, 'chatty', '01-one-update');
    assert.equal(chatty.points, outcome(gradebook, 'ada', '01-one-update').points);
    const printed = chatty.checks.filter((c) => !c.hidden);
    assert.ok(printed.length && printed.every((c) => c.output?.length === GRADEBOOK_OUTPUT_CHARS && c.outputTruncated), 'the gradebook keeps a bounded part of the output');
    assert.equal(outcome(gradebook, 'zed', '01-one-update').points, outcome(gradebook, 'ada', '01-one-update').points);
    for (const name of ['loop', 'forkbomb', 'latin1', 'misnamed', 'linky', 'mallory', 'huge', 'bomb', 'trav']) assert.equal(student(gradebook, name).points, 0, name);
    assert.equal(outcome(gradebook, 'saboteur', '01-one-update').points, outcome(gradebook, 'ada', '01-one-update').points, 'the saboteur is graded as the code it copied');
  });

  it('resumes: unchanged submissions come from the cache; a changed file, pack or limit is graded again', async () => {
    const submissions = classWith(...GOOD);
    const out = join(temporary('out'), 'gradebook');
    const first = await grade(submissions, out);
    const again = await grade(submissions, out);
    assert.match(again.io.stdout[0], /\(0 graded, 3 unchanged\)/);
    assert.deepEqual(again.gradebook, first.gradebook, 'a resumed run gives the same gradebook, timings included');

    cpSync(join(fixtureClass(), 'class', 'ada', 'gradlab', '02-grad-w', 'linear_mse.py'), join(submissions, 'ben', 'gradlab', '02-grad-w', 'linear_mse.py'));
    const fixed = await grade(submissions, out);
    assert.match(fixed.io.stdout[0], /\(1 graded, 2 unchanged\)/);
    assert.equal(student(fixed.gradebook, 'ben').points, student(fixed.gradebook, 'ben').maxPoints);

    // A run that stopped before writing the gradebook resumes from the records saved per student.
    for (const file of ['gradebook.json', 'gradebook.csv', 'canvas.csv']) rmSync(join(out, file));
    assert.match((await grade(submissions, out)).io.stdout[0], /\(0 graded, 3 unchanged\)/);

    assert.match((await grade(submissions, out, '--timeout', '7')).io.stdout[0], /\(3 graded, 0 unchanged\)/, 'other limits');
    const manifest = readJson<{ exercises: Array<{ hints: string[] }> }>(join(pack, 'pack.json'));
    const saved = JSON.stringify(manifest, null, 2);
    manifest.exercises[0].hints.push('a hint added after the first run');
    writeFileSync(join(pack, 'pack.json'), JSON.stringify(manifest, null, 2));
    try {
      const changed = await grade(submissions, out, '--timeout', '7');
      assert.match(changed.io.stdout[0], /\(3 graded, 0 unchanged\)/, 'a changed pack invalidates every result');
      assert.notEqual(changed.gradebook.pack.hash, fixed.gradebook.pack.hash);
    } finally {
      writeFileSync(join(pack, 'pack.json'), saved);
    }
  });

  it('gradeClass, the API behind the commands, reports progress and stops when cancelled, keeping what it graded', async () => {
    const submissions = classWith(...GOOD);
    const out = join(temporary('out'), 'gradebook');
    const loaded = await loadPack(pack);
    const controller = new AbortController();
    const seen: GradeProgress[] = [];
    const options = { pack: loaded, submissions, out, jobs: 1, python, onProgress: (event: GradeProgress) => seen.push(event) };
    await assert.rejects(
      gradeClass({ ...options, signal: controller.signal, onProgress: (event) => (seen.push(event), controller.abort()) }),
      /grading was cancelled after 1 of 3 students; their results are saved/,
    );
    assert.deepEqual(
      seen.map((e) => [e.done, e.total, e.record.student, e.cached]),
      [[1, 3, 'ada', false]],
    );
    const result = await gradeClass(options);
    assert.equal(result.cached, 1);
    assert.equal(result.graded, 2);
    assert.deepEqual(
      seen.slice(1).map((e) => [e.done, e.record.student, e.cached]),
      [
        [1, 'ada', true],
        [2, 'ben', false],
        [3, 'cy', false],
      ],
    );
    assert.match(readFileSync(feedbackPath(out, 'cy'), 'utf8'), /feedback for cy/);
    assert.deepEqual(result.gradebook, await readGradebook(out));
  });

  it('exits 2 with one line for usage, folder, pack and interpreter problems', async () => {
    const submissions = classWith('class/ada');
    const cases: Array<[string[], RegExp]> = [
      [['grade', pack], /needs the authoring pack and the submissions folder/],
      [['grade', pack, submissions, '--jobs', '0'], /--jobs must be a whole number of at least 1/],
      [['grade', pack, submissions, '--shard', '3/2'], /--shard must look like i\/K/],
      [['grade', pack, '/nonexistent/class', '--out', temporary('out')], /does not exist/],
      [['grade', pack, submissions, '--out', join(submissions, 'gradebook')], /inside the submissions folder/],
      [['grade', pack, submissions, '--exercise', '99-nope', '--out', temporary('out')], /no exercise '99-nope'/],
      [['grade', '/nonexistent/pack', submissions], /no pack folder or \.zip/],
      [['grade', pack, submissions, '--out', temporary('out'), '--python', '/nonexistent/python3'], /could not be started/],
      [['grade', pack, submissions, '--roster', '/nonexistent/roster.csv'], /cannot read the roster/],
      [['merge', temporary('empty'), '--out', temporary('out')], /no gradebook\.json in/],
      [['merge', temporary('empty')], /needs --out/],
      [['new'], /exactly one folder/],
      [['preview'], /exactly one pack/],
    ];
    const foreign = temporary('foreign');
    writeFileSync(join(foreign, 'notes.txt'), 'mine');
    cases.push([['grade', pack, submissions, '--out', foreign, '--python', python], /already holds other files/]);
    for (const [argv, reason] of cases) {
      const io = capture();
      assert.equal(await main(argv, io), 2, `${argv.join(' ')}: ${io.stdout.join('\n')}`);
      assert.equal(io.stderr.length, 1, `${argv.join(' ')}: ${io.stderr.join('\n')}`);
      assert.match(io.stderr[0], reason);
    }
    assert.equal(readFileSync(join(foreign, 'notes.txt'), 'utf8'), 'mine');
  });

  it('the GitHub Actions example is a valid sharded workflow whose commands give the unsharded gradebook', async function () {
    const workflowPath = join(packageRoot(), 'examples', 'github-actions', 'grade.yml');
    const workflow = parseYaml(readFileSync(workflowPath, 'utf8')) as {
      on: unknown;
      env: Record<string, string | number>;
      jobs: Record<string, { needs?: string | string[]; strategy?: { matrix: { shard: number[] } }; steps: Array<{ id?: string; uses?: string; run?: string; env?: Record<string, string>; with?: Record<string, unknown> }> }>;
    };
    assert.ok(workflow.on, 'has a trigger');
    const { grade: gradeJob, merge: mergeJob } = workflow.jobs;
    const shards = gradeJob.strategy!.matrix.shard;
    assert.deepEqual(shards, Array.from({ length: Number(workflow.env.SHARDS) }, (_, i) => i + 1), 'matrix.shard lists 1..SHARDS');
    assert.equal(mergeJob.needs, 'grade');
    const step = (job: typeof gradeJob, id: string) => job.steps.find((s) => s.id === id)!;
    assert.ok(gradeJob.steps.some((s) => s.uses?.startsWith('actions/upload-artifact@') && s.with?.name === 'gradebook-${{ matrix.shard }}'), 'each shard uploads its gradebook');
    assert.ok(mergeJob.steps.some((s) => s.uses?.startsWith('actions/download-artifact@') && s.with?.pattern === 'gradebook-*' && s.with?.path === 'shards'), 'the merge downloads them all');
    for (const job of [gradeJob, mergeJob]) for (const s of job.steps) assert.ok(s.uses || s.run, 'every step runs or uses something');

    // Run the two steps' commands here, as the runner would, on the fixture class.
    const cli = join(packageRoot(), 'dist', 'cli.js');
    assert.ok(existsSync(cli), `${cli} is missing: build it with node scripts/build.mjs`);
    const work = temporary('actions');
    cpSync(pack, join(work, String(workflow.env.PACK)), { recursive: true });
    cpSync(classWith(...GOOD, 'hostile/extras', 'hostile/misnamed', 'hostile/latin1', 'hostile/forkbomb'), join(work, String(workflow.env.SUBMISSIONS)), { recursive: true });
    const runId = '20261203';
    const filled = (text: string, matrix: Record<string, number>) => {
      const done = text.replace(/\$\{\{\s*matrix\.(\w+)\s*\}\}/g, (_, key: string) => String(matrix[key])).replace(/\$\{\{\s*github\.run_id\s*\}\}/g, runId);
      assert.doesNotMatch(done, /\$\{\{/, 'every expression is filled in');
      return done;
    };
    const run = (command: string, env: Record<string, string> | undefined, matrix: Record<string, number>) => {
      const script = filled(command, matrix);
      const stepEnv = Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, filled(String(v), matrix)]));
      const environment = { ...process.env, ...Object.fromEntries(Object.entries(workflow.env).map(([k, v]) => [k, String(v)])), ...stepEnv, GRADLAB: `node ${cli}`, PYTHON: python };
      try {
        execFileSync('bash', ['-e', '-c', script], { cwd: work, env: environment, stdio: 'pipe' });
      } catch (error) {
        assert.fail(`${script}\nfailed: ${(error as { stderr?: Buffer }).stderr?.toString() ?? error}`);
      }
    };
    for (const shard of shards) {
      run(step(gradeJob, 'grade').run!, step(gradeJob, 'grade').env, { shard });
      // download-artifact with a pattern puts each artifact in a folder of its name under `path`.
      mkdirSync(join(work, 'shards'), { recursive: true });
      renameSync(join(work, `gradebook-${shard}`), join(work, 'shards', `gradebook-${shard}`));
      rmSync(join(work, 'shards', `gradebook-${shard}`, '.cache'), { recursive: true }); // upload-artifact leaves hidden files out
    }
    const sizes = shards.map((i) => readJson<Gradebook>(join(work, 'shards', `gradebook-${i}`, 'gradebook.json')).students.length);
    assert.equal(sizes.reduce((a, b) => a + b, 0), 7, `every student in exactly one shard: ${sizes}`);
    assert.ok(sizes.filter((n) => n > 0).length >= 2, `the class is really split: ${sizes}`);
    run(step(mergeJob, 'merge').run!, step(mergeJob, 'merge').env, {});

    const single = join(temporary('out'), 'gradebook');
    const whole = await grade(join(work, String(workflow.env.SUBMISSIONS)), single, '--seed', runId);
    const merged = readJson<Gradebook>(join(work, 'gradebook', 'gradebook.json'));
    assert.deepEqual(withoutTimings(merged), withoutTimings(whole.gradebook));
    assert.equal(readFileSync(join(work, 'gradebook', 'gradebook.csv'), 'utf8'), readFileSync(join(single, 'gradebook.csv'), 'utf8'));
    assert.equal(readFileSync(join(work, 'gradebook', 'canvas.csv'), 'utf8'), readFileSync(join(single, 'canvas.csv'), 'utf8'));
    assert.deepEqual(readdirSync(join(work, 'gradebook', 'feedback')).sort(), readdirSync(join(single, 'feedback')).sort());

    const io = capture(work);
    assert.equal(await main(['merge', 'shards/gradebook-1', 'shards/gradebook-1', '--out', 'again'], io), 2);
    assert.match(io.stderr[0], /shard 1\/\d+ is given twice \(shards\/gradebook-1 and shards\/gradebook-1\)/);
    const missing = capture(work);
    assert.equal(await main(['merge', 'shards/gradebook-1', '--out', 'partial'], missing), 2);
    assert.match(missing.stderr[0], /shards? [\d/, ]+ (is|are) missing: their students would have no grade\. Give every shard's gradebook, or --partial/);
    assert.equal(await main(['merge', 'shards/gradebook-1', '--out', 'partial', '--partial'], missing), 0, missing.stderr.join('\n'));
    assert.match(missing.stderr.at(-1)!, /^warning: partial merge, shards? [\d/, ]+ missing/);
    assert.deepEqual(readJson<Gradebook>(join(work, 'partial', 'gradebook.json')).missingShards?.count, shards.length);
  });

  it('gradlab new writes a pack that loads and validates: its solution passes, its starter fails, its mutants are caught', async () => {
    const dir = join(temporary('new'), 'my-course');
    const io = capture();
    assert.equal(await main(['new', dir, '--title', 'My "course"'], io), 0, io.stderr.join('\n'));
    const created = await loadPack(dir);
    assert.equal(created.manifest.id, 'my-course');
    assert.equal(created.manifest.title, 'My "course"');
    assert.equal(created.form, 'authoring');
    // the schema's published id, which resolves wherever the pack is moved; VS Code knows pack.json by name too
    const published = readJson<{ $id: string }>(join(packageRoot(), 'schemas', 'pack.schema.json')).$id;
    assert.equal(created.manifest.$schema, published);
    assert.match(published, /^https:\/\/.*\/schemas\/pack\.schema\.json$/);
    const contributes = readJson<{ contributes: { jsonValidation: Array<{ fileMatch: string; url: string }> } }>(join(packageRoot(), 'package.json')).contributes;
    assert.ok(contributes.jsonValidation.some((v) => v.fileMatch === 'pack.json' && v.url === './schemas/pack.schema.json'));
    const [exercise] = created.manifest.exercises;
    assert.ok(exercise.checks.some((c) => c.kind === 'gradcheck'));
    assert.ok(exercise.checks.some((c) => c.kind === 'test' && c.hidden));
    assert.ok(exercise.checks.some((c) => c.kind === 'test' && !c.hidden));
    assert.ok(created.manifest.lessons.some((l) => l.mastery?.questions.length));
    assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /gradlab validate/);

    const source = readFileSync(join(dir, exercise.id, exercise.files[0].path), 'utf8');
    for (const [form, expected] of [[solutionForm(source), 0], [starterForm(source), 1]] as const) {
      const file = join(temporary('submission'), exercise.files[0].path);
      writeFileSync(file, form);
      const check = capture();
      assert.equal(await main(['check', exercise.id, '--pack', dir, '--submission', file, '--python', python], check), expected, check.stdout.join('\n'));
    }
    const validate = capture();
    assert.equal(await main(['validate', dir, '--python', python], validate), 0, `${validate.stdout.join('\n')}\n${validate.stderr.join('\n')}`);
    assert.match(validate.stdout.join('\n'), /0 solutions failing, 0 starters passing, 0 mutants escaped/);
    const again = capture();
    assert.equal(await main(['new', dir], again), 2);
    assert.match(again.stderr[0], /is not empty/);
  });

  it('gradlab preview builds the release and opens it with `code`, or says exactly what to do without it', async () => {
    const dir = join(temporary('new'), 'preview-pack');
    assert.equal(await main(['new', dir], capture()), 0);
    const bin = temporary('bin');
    const savedPath = process.env.PATH;
    try {
      process.env.PATH = temporary('empty-bin');
      const missing = capture();
      assert.equal(await main(['preview', dir, '--python', python], missing), 2);
      assert.match(missing.stderr.join('\n'), /`code` command is not on PATH[\s\S]*Install 'code' command in PATH[\s\S]*Open Workspace from File…: (\S+\.code-workspace)/);
      const workspaceFile = /Open Workspace from File…: (\S+\.code-workspace)/.exec(missing.stderr.join('\n'))![1];
      const settings = readJson<{ folders: Array<{ path: string }>; settings: Record<string, string[]> }>(workspaceFile).settings['gradlab.packs'];
      const release = await loadPack(settings[0]);
      assert.equal(release.form, 'release');
      assert.equal(release.manifest.id, 'preview-pack');
      const refused = capture();
      assert.equal(await main(['grade', settings[0], classWith('class/ada'), '--out', temporary('out'), '--python', python], refused), 2);
      assert.match(refused.stderr[0], /is a learner release; grading needs the authoring pack/);

      const calls = join(bin, 'calls.txt');
      writeFileSync(join(bin, 'code'), `#!/bin/sh\necho "$@" > ${calls}\n`);
      chmodSync(join(bin, 'code'), 0o755);
      process.env.PATH = bin;
      const opened = capture();
      assert.equal(await main(['preview', dir, '--python', python], opened), 0, opened.stderr.join('\n'));
      // The shell creates the file before echo writes it: wait for the whole line, not just the file.
      const written = () => existsSync(calls) && readFileSync(calls, 'utf8').endsWith('\n');
      for (let i = 0; i < 50 && !written(); i++) await new Promise((r) => setTimeout(r, 100));
      const launched = /^--new-window (\S+preview-pack\.code-workspace)\n$/.exec(readFileSync(calls, 'utf8'));
      assert.ok(launched, readFileSync(calls, 'utf8'));
      // The preview's folders outlive the command (VS Code has them open); here they can go.
      for (const file of [workspaceFile, launched[1]]) rmSync(dirname(file), { recursive: true, force: true });
    } finally {
      process.env.PATH = savedPath;
    }
  });
});
