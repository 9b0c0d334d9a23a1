import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import type { CliIO } from '../../src/cli/io';
import { builtinAuthoringPackDir } from '../../src/core/paths';
import { solutionForm, starterForm } from '../../src/core/packs/regions';
import { testPython } from './helpers/python';

function capture(cwd = process.cwd()): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, cwd, out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

const pack = builtinAuthoringPackDir();
const authoring = () => readFileSync(join(pack, '01-one-update', 'one_update.py'), 'utf8');

function submission(source: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'gradlab-cli-')), 'one_update.py');
  writeFileSync(file, source);
  return file;
}

describe('gradlab CLI arguments and exit codes', () => {
  it('exits 2 with a one-line reason on stderr for usage problems', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['frobnicate'], /unknown command "frobnicate"/],
      [['check'], /exactly one exercise id/],
      [['check', '01-one-update'], /needs --submission/],
      [['check', '01-one-update', '--submission', 'x.py', '--gradcheck', 'sometimes'], /--gradcheck must be full, fast or auto/],
      [['check', '01-one-update', '--submission', 'x.py', '--timeout=-3'], /--timeout must be a positive number/],
      [['check', '01-one-update', '--submission', 'x.py', '--sandbox', 'forked'], /--sandbox must be auto, fork or spawn, got "forked"/],
      [['grade', 'pack', 'students', '--sandbox', 'thread'], /--sandbox must be auto, fork or spawn/],
      [['check', '01-one-update', '--bogus'], /^gradlab check: unknown option '--bogus': `gradlab check --help` lists the options$/],
      [['validate', '.', '--jobs'], /^gradlab validate: Option '--jobs <value>' argument missing$/],
    ];
    for (const [argv, reason] of cases) {
      const io = capture();
      assert.equal(await main(argv, io), 2, argv.join(' '));
      assert.equal(io.stderr.length, 1, `${argv.join(' ')}: ${io.stderr.join('\n')}`);
      assert.match(io.stderr[0], reason);
    }
  });

  it('exits 2 for an unknown exercise, naming the ones that exist', async () => {
    const io = capture();
    assert.equal(await main(['check', '99-nope', '--submission', submission(''), '--pack', pack, '--python', testPython()], io), 2);
    assert.match(io.stderr[0], /99-nope/);
    assert.match(io.stderr[0], /01-one-update/);
  });

  it('exits 2 when the interpreter does not exist or lacks NumPy', async () => {
    const io = capture();
    const file = submission(solutionForm(authoring()));
    assert.equal(await main(['check', '01-one-update', '--submission', file, '--pack', pack, '--python', '/nonexistent/python3'], io), 2);
    assert.match(io.stderr[0], /\/nonexistent\/python3 could not be started/);

    // An interpreter without NumPy: Python with its site-packages hidden (-S skips site-packages).
    const wrapper = join(mkdtempSync(join(tmpdir(), 'gradlab-nonumpy-')), 'python');
    writeFileSync(wrapper, `#!/bin/sh\nexec ${testPython()} -S "$@"\n`, { mode: 0o755 });
    const io2 = capture();
    const code = await main(['check', '01-one-update', '--submission', file, '--pack', pack, '--python', wrapper], io2);
    assert.equal(code, 2, io2.stderr.join('\n'));
    assert.match(io2.stderr[0], /has no numpy.*install NumPy/i);
  });

  it('exits 0 for the solution and 1 for the starter, with the documented JSON', async function () {
    this.timeout(60_000);
    const python = testPython();
    const pass = capture();
    assert.equal(await main(['check', '01-one-update', '--submission', submission(solutionForm(authoring())), '--pack', pack, '--python', python, '--json'], pass), 0, pass.stdout.join('\n'));
    const report = JSON.parse(pass.stdout.join('\n'));
    assert.equal(report.exercise, '01-one-update');
    assert.equal(report.passed, true);
    assert.ok(report.checks.length >= 3);
    for (const check of report.checks) for (const key of ['id', 'kind', 'hidden', 'passed', 'message']) assert.ok(key in check, key);
    assert.ok(report.checks.some((c: { hidden: boolean }) => c.hidden), 'at least one hidden check');
    assert.equal(typeof report.durationMs, 'number');

    const fail = capture();
    assert.equal(await main(['check', '01-one-update', '--submission', submission(starterForm(authoring())), '--pack', pack, '--python', python], fail), 1);
    assert.equal(fail.stdout[0], '01-one-update: 7 checks, each shown as it finishes');
    assert.match(fail.stdout.at(-1)!, /^01-one-update: 0\/\d+ checks passed/);
    assert.match(fail.stdout.join('\n'), /NotImplementedError/);
  });

  it('checks a CRLF file in a folder with spaces and letters beyond ASCII (a learner on Windows) like the LF file', async function () {
    this.timeout(90_000);
    const python = testPython();
    const folder = join(mkdtempSync(join(tmpdir(), 'gradlab-cli-')), "Zoë Müller's course", 'gradlab', '01-one-update');
    mkdirSync(folder, { recursive: true });
    const withoutTimes = (text: string) => JSON.stringify(JSON.parse(text), (key, value) => (key === 'durationMs' ? undefined : value));
    for (const [form, exit] of [[solutionForm, 0], [starterForm, 1]] as const) {
      const crlf = join(folder, 'one_update.py');
      writeFileSync(crlf, form(authoring()).replace(/\r?\n/g, '\r\n'));
      const windows = capture();
      assert.equal(await main(['check', '01-one-update', '--submission', crlf, '--pack', pack, '--python', python, '--json'], windows), exit, windows.stderr.join('\n'));
      const plain = capture();
      assert.equal(await main(['check', '01-one-update', '--submission', submission(form(authoring())), '--pack', pack, '--python', python, '--json'], plain), exit);
      assert.equal(withoutTimes(windows.stdout.join('\n')), withoutTimes(plain.stdout.join('\n')));
    }
  });

  it('prints each check as it finishes, the summary after the last, and --json one document at the end', async function () {
    this.timeout(60_000);
    const python = testPython();
    // sgd_step's four tests take half a second each: the other checks' lines must not wait for them
    const slow = solutionForm(authoring()).replace('    return w - learning_rate * grad_w', '    import time\n    time.sleep(0.5)\n    return w - learning_rate * grad_w');
    const file = submission(slow);
    const when: number[] = [];
    const io = capture();
    const out = io.out;
    io.out = (line) => (when.push(Date.now()), out(line));
    assert.equal(await main(['check', '01-one-update', '--submission', file, '--pack', pack, '--python', python], io), 0, io.stdout.join('\n'));
    const ended = Date.now();
    const marks = io.stdout.filter((line) => /^ {2}PASS/.test(line)).map((line) => line.split(':')[0].trim().split(/\s+/)[1]);
    assert.deepEqual(marks.slice(0, 3).sort(), ['gradients-fd', 'lesson-gradients', 'lesson-loss'], 'the quick checks first');
    assert.deepEqual(marks.slice(3).sort(), ['five-steps', 'lesson-update', 'loss-after-update', 'update-direction']);
    assert.ok(ended - when[1] >= 1500, `the first check's line came ${ended - when[1]} ms before the end: it waited for the slow ones`);
    assert.match(io.stdout.at(-1)!, /^01-one-update: 7\/7 checks passed/);
    const json = capture();
    assert.equal(await main(['check', '01-one-update', '--submission', file, '--pack', pack, '--python', python, '--json'], json), 0);
    assert.equal(json.stdout.length, 1, 'one document');
    assert.deepEqual(
      (JSON.parse(json.stdout[0]) as { checks: Array<{ id: string }> }).checks.map((c) => c.id),
      ['gradients-fd', 'lesson-loss', 'lesson-gradients', 'lesson-update', 'update-direction', 'loss-after-update', 'five-steps'],
    );
  });

  it('--json carries everything the text report shows: location, diagnosis, hint, output and notes', async function () {
    this.timeout(60_000);
    const python = testPython();
    // gradients() drops the factor x from dL_dw and prints; the given code is untouched but the module prints
    const wrong = solutionForm(authoring()).replace('    error = predict(w, b, x) - target\n', '    error = predict(w, b, x) - target\n    print("computing the gradients")\n');
    const file = submission(wrong.replace('return error * x, error', 'return error, error'));
    const text = capture();
    assert.equal(await main(['check', '01-one-update', '--submission', file, '--pack', pack, '--python', python], text), 1);
    const json = capture();
    assert.equal(await main(['check', '01-one-update', '--submission', file, '--pack', pack, '--python', python, '--json'], json), 1);
    const report = JSON.parse(json.stdout.join('\n')) as { checks: Array<Record<string, unknown>> };
    const gradient = report.checks.find((c) => c.id === 'gradients-fd')!;
    assert.equal(gradient.passed, false);
    const shown = text.stdout.join('\n');
    for (const field of ['file', 'line', 'function', 'message', 'diagnosis', 'output'] as const) {
      assert.ok(gradient[field] !== undefined, `--json lacks ${field}`);
      assert.ok(shown.includes(String(gradient[field]).split('\n')[0].trim().slice(0, 60)), `the text report shows ${field}: ${gradient[field]}`);
    }
    const hints = gradient.hints as string[];
    assert.ok(hints.length > 0 && shown.includes(`hint: ${hints[0]}`), 'the first hint, in both');

    // given code edited in 02's file: a note in both
    const linear = readFileSync(join(pack, '02-grad-w', 'linear_mse.py'), 'utf8').replace('return float(np.mean((w * x + b - y) ** 2))', 'return 0.0');
    const edited = join(mkdtempSync(join(tmpdir(), 'gradlab-cli-')), 'linear_mse.py');
    writeFileSync(edited, solutionForm(linear));
    const noteText = capture();
    const noteJson = capture();
    await main(['check', '02-grad-w', '--submission', edited, '--pack', pack, '--python', python], noteText);
    await main(['check', '02-grad-w', '--submission', edited, '--pack', pack, '--python', python, '--json'], noteJson);
    const notes = (JSON.parse(noteJson.stdout.join('\n')) as { notes: Array<{ file: string; line: number; message: string }> }).notes;
    assert.equal(notes[0].message, "`mse_loss` in linear_mse.py is given by the exercise: grading uses the pack's version, so your changes to it have no effect.");
    assert.ok(noteText.stdout.includes(`  NOTE    linear_mse.py:${notes[0].line}: ${notes[0].message}`), noteText.stdout.join('\n'));
  });
});
