// An instructor's week with the real worker on the system's Python: a small class graded with a roster (a
// student without a submission gets a zero row), one student regraded after a fix, and one student's folder
// refused as a class with the command that grades them.
import * as assert from 'node:assert/strict';
import { cpSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../src/cli/main';
import { parseCsv } from '../../src/core/csv';
import type { Gradebook } from '../../src/core/gradebook/model';
import { feedbackPath } from '../../src/core/gradebook/write';
import type { PackManifest } from '../../src/protocol/pack';
import { builtinSubsetPack, capture, classWith, GOOD, readJson, temporary } from './gradebook-fixtures';
import { testPython } from './helpers/python';

const ROSTER = 'Student,ID,SIS User ID,SIS Login ID,Section,Homework 3 (12345)\r\n    Points Possible,,,,,\r\n"Lovelace, Ada",1001,S-1,ada,A,\r\n"Bell, Ben",1002,S-2,ben,A,\r\n"Young, Cy",1003,S-3,cy,B,\r\n"Dee, Dee",1004,S-4,dee,B,\r\n';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe("an instructor's week (with Python)", function () {
  this.timeout(180_000);
  let python: string;
  let pack: string;

  before(() => {
    python = testPython();
    pack = builtinSubsetPack();
  });

  async function grade(submissions: string, out: string, ...flags: string[]) {
    const io = capture();
    const code = await main(['grade', pack, submissions, '--out', out, '--python', python, '--jobs', '2', ...flags], io);
    assert.equal(code, 0, io.stderr.join('\n'));
    return { io, gradebook: readJson<Gradebook>(join(out, 'gradebook.json')) };
  }

  it('grades a class with a roster, then regrades one student and keeps everyone else', async () => {
    const submissions = classWith(...GOOD);
    const roster = join(temporary('roster'), 'canvas.csv');
    writeFileSync(roster, ROSTER);
    const out = join(temporary('out'), 'gradebook');
    const first = await grade(submissions, out, '--roster', roster, '--canvas-column', 'Homework 3 (12345)');
    assert.match(first.io.stdout[0], /^Graded 3 students/);
    assert.ok(first.io.stderr.includes('1 roster student without a submission: a zero row each, marked "no submission"'), first.io.stderr.join('\n'));
    const dee = first.gradebook.students.find((s) => s.student === 'Dee, Dee');
    assert.equal(dee?.source, 'roster');
    assert.equal(dee?.points, 0);
    const rows = parseCsv(readFileSync(join(out, 'gradebook.csv'), 'utf8'));
    assert.equal(rows.find((r) => r[0] === 'Dee, Dee')?.at(-1), 'no submission');
    const canvas = parseCsv(readFileSync(join(out, 'canvas.csv'), 'utf8'));
    assert.equal(canvas[0][5], 'Homework 3 (12345)');
    assert.deepEqual(canvas.find((r) => r[1] === '1004')?.slice(0, 6), ['Dee, Dee', '1004', 'S-4', 'dee', 'B', '0']);

    // ben fixes exercise 02 (ada's solution) and is regraded alone; ada's and cy's records are kept as they were
    cpSync(join(submissions, 'ada', 'gradlab', '02-grad-w'), join(submissions, 'ben', 'gradlab', '02-grad-w'), { recursive: true });
    const before = (name: string) => first.gradebook.students.find((s) => s.student === name)!;
    const second = await grade(submissions, out, '--roster', roster, '--student', 'ben');
    assert.match(second.io.stdout[0], /^Graded 3 students .*\(1 graded, 0 unchanged\)/);
    assert.deepEqual(second.io.stderr.filter((l) => /^\[\d+\/\d+\]/.test(l)).map((l) => l.split(':')[0]), ['[1/1] ben']);
    const ben = second.gradebook.students.find((s) => s.student === 'ben')!;
    assert.equal(ben.points, ben.maxPoints, 'ben regraded with the fix');
    assert.ok(ben.points > before('ben').points);
    for (const name of ['ada', 'cy', 'Dee, Dee']) assert.deepEqual(second.gradebook.students.find((s) => s.student === name), before(name), `${name} kept`);

    const unknown = capture();
    assert.equal(await main(['grade', pack, submissions, '--out', out, '--python', python, '--student', 'bne'], unknown), 2);
    assert.match(unknown.stderr[0], /no submission named bne in .* \(did you mean ben\?\): --student takes the name of a student's folder/);
  });

  it('grades late work against the due date, extensions and a submission manifest, and reports similar students', async () => {
    const submissions = classWith(...GOOD);
    cpSync(join(submissions, 'ada'), join(submissions, 'eve'), { recursive: true }); // eve hands in ada's code, renamed
    const eveFile = join(submissions, 'eve', 'gradlab', '02-grad-w', 'linear_mse.py');
    writeFileSync(eveFile, readFileSync(eveFile, 'utf8').replace(/\berror\b/g, 'residual').replace(/\bx\b/g, 'xs'));
    const when = (student: string, iso: string) => {
      const time = new Date(iso);
      for (const file of filesUnder(join(submissions, student))) utimesSync(file, time, time);
    };
    when('ada', '2026-10-09T20:00:00Z'); // on time
    when('ben', '2026-10-11T12:00:00Z'); // 2 days late
    when('eve', '2026-10-11T12:00:00Z'); // as late, but with an extension
    when('cy', '2026-10-09T20:00:00Z'); // the manifest says otherwise
    const dir = temporary('late');
    writeFileSync(join(dir, 'extensions.csv'), 'student,days\neve,3\n');
    writeFileSync(join(dir, 'classroom.csv'), 'assignment_name,github_username,submission_timestamp\nhw3,cy,2026-10-10T10:00:00Z\n');
    const out = join(temporary('out'), 'gradebook');
    const { io, gradebook } = await grade(submissions, out, '--due', '2026-10-09T23:59:00Z', '--penalty-per-day', '10', '--extensions', join(dir, 'extensions.csv'), '--submission-times', join(dir, 'classroom.csv'));
    assert.ok(io.stderr.some((l) => /^due 2026-10-09T23:59:00Z: 2 of 4 submissions late/.test(l)), io.stderr.join('\n'));
    const late = (name: string) => gradebook.students.find((s) => s.student === name)!.late!;
    assert.deepEqual([late('ada').daysLate, late('ben').daysLate, late('eve').daysLate, late('cy').daysLate], [0, 2, 0, 1]);
    assert.equal(late('cy').from, 'manifest');
    const ben = gradebook.students.find((s) => s.student === 'ben')!;
    assert.equal(ben.points, Math.round(ben.late!.pointsBefore * 0.8 * 1000) / 1000);
    const rows = parseCsv(readFileSync(join(out, 'gradebook.csv'), 'utf8'));
    assert.equal(rows.find((r) => r[0] === 'ben')?.at(-1), 'late 2 days: -20%');
    assert.match(readFileSync(feedbackPath(out, 'ben'), 'utf8'), /due 2026-10-09T23:59:00\.000Z: late 2 days: -20%/);

    const report = join(dir, 'similarity.md');
    const similar = capture();
    assert.equal(await main(['similarity', pack, submissions, '--out', report], similar), 0, similar.stderr.join('\n'));
    assert.match(similar.stdout[0], /^\d+%  ada and eve$/);
    const text = readFileSync(report, 'utf8');
    assert.match(text, /never an accusation/);
    assert.match(text, /## 1\. ada and eve: \d+%/);
    assert.match(text, /### 02-grad-w\/linear_mse\.py:grad_w/);
  });

  it('gradlab check with the authoring pack shows a hidden failure in full; with the learner release, only its verdict', async () => {
    const ben = join(classWith('class/ben'), 'ben', 'gradlab', '02-grad-w');
    const author = capture();
    assert.equal(await main(['check', '02-grad-w', '--pack', pack, '--submission', ben, '--python', python], author), 1);
    const text = author.stdout.join('\n');
    assert.match(text, /FAIL {4}fit-lesson \(hidden\):[^\n]*\n[^\n]*author mode, in full:\n\s+losses\[1\], the loss after one update: expected 8\.56243, got 15\.2355\n\s+expected: 8\.56243\n\s+actual: 15\.2355/);

    const release = join(temporary('release'), 'pack');
    assert.equal(await main(['build', pack, '--out', release, '--python', python], capture()), 0);
    const learner = capture();
    assert.equal(await main(['check', '02-grad-w', '--pack', release, '--submission', ben, '--python', python, '--json'], learner), 1);
    const hidden = (JSON.parse(learner.stdout.join('\n')) as { checks: Array<{ id: string; hidden: boolean; message: string; instructor?: unknown }> }).checks.filter((c) => c.hidden);
    assert.ok(hidden.length >= 2);
    for (const check of hidden) {
      assert.equal(check.instructor, undefined, check.id);
      assert.doesNotMatch(check.message, /8\.56243|15\.2355|author mode/, check.id);
    }
  });

  it('validate warns of a starter that passes most checks, and tries the mutants the author declared like generated ones', async () => {
    const dir = join(temporary('new'), 'week-3');
    assert.equal(await main(['new', dir], capture()), 0);
    const learner = join(dir, '01-sigmoid', 'sigmoid.py');
    const text = readFileSync(learner, 'utf8')
      .replace('raise NotImplementedError("sigmoid: return 1 / (1 + np.exp(-z))")', 'return 1.0 / (1.0 + np.exp(-z))')
      .replace('raise NotImplementedError("sigmoid_grad: return the derivative of sigmoid at z")', 'return 0.25 + 0.0 * z');
    writeFileSync(learner, text);
    const manifestPath = join(dir, 'pack.json');
    const manifest = readJson<PackManifest>(manifestPath);
    manifest.exercises[0].mutants = {
      declared: [
        { id: 'no-one-minus', replace: 's * (1.0 - s)', with: 's', description: 'the sigmoid itself instead of its slope' },
        { id: 'same-sigmoid', replace: '1.0 / (1.0 + np.exp(-z))', with: 'np.exp(z) / (np.exp(z) + 1.0)' },
        { id: 'nowhere', replace: 'not in the file', with: 'x' },
      ],
    };
    writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
    const io = capture();
    assert.equal(await main(['validate', dir, '--python', python], io), 0, io.stderr.join('\n'));
    const out = io.stdout.join('\n');
    assert.match(out, /warning: the starter passes 2 of 3 checks: a learner who writes nothing gets most of the points/);
    assert.match(out, /escaped sigmoid\.py:\d+ declared:same-sigmoid: `1\.0 \/ \(1\.0 \+ np\.exp\(-z\)\)` replaced by `np\.exp\(z\) \/ \(np\.exp\(z\) \+ 1\.0\)`/);
    assert.match(out, /not judged sigmoid\.py:1 declared:nowhere: its `replace` text occurs nowhere in the solution form of sigmoid\.py/);
    assert.doesNotMatch(out, /escaped [^\n]*no-one-minus/, 'the declared mistake that a check catches is caught');
    assert.match(out, /week-3: 1 exercise, 0 solutions failing, 0 starters passing, 1 starter passing more than half of its checks, 1 mutant escaped/);
  });

  it('gradlab preview --print shows the learner view in the terminal: starters, checks, questions, no solution or answer', async () => {
    const dir = join(temporary('new'), 'week-3');
    assert.equal(await main(['new', dir], capture()), 0);
    const io = capture();
    assert.equal(await main(['preview', dir, '--print', '--python', python], io), 0, io.stderr.join('\n')); // 0 without `code` on PATH
    const text = io.stdout.join('\n');
    assert.match(text, /^# Week 3 \(week-3 0\.1\.0\): 1 exercise, 1 lesson/);
    assert.match(text, /sigmoid\.py \(yours to write: sigmoid, sigmoid_grad\):/);
    assert.match(text, /raise NotImplementedError\("sigmoid: return 1 \/ \(1 \+ np\.exp\(-z\)\)"\)/);
    assert.doesNotMatch(text, /return 1\.0 \/ \(1\.0 \+ np\.exp\(-z\)\)/, 'no solution');
    assert.match(text, /- the slope is the same at -z and z \(hidden\), 2 points/);
    assert.match(text, /1\. What is the derivative of the sigmoid at z = 0\?\n {5}a\) 0\n {5}b\) 0\.25/);
    assert.doesNotMatch(text, /s \(1 - s\) = 0\.5 \* 0\.5/, "no answer's explanation");
  });

  it("refuses one student's folder as a class, naming the command that grades that student", async () => {
    const submissions = classWith('class/ben');
    const io = capture();
    assert.equal(await main(['grade', pack, join(submissions, 'ben'), '--out', temporary('out'), '--python', python], io), 2);
    assert.equal(io.stderr.length, 1, io.stderr.join('\n'));
    assert.match(io.stderr[0], /ben looks like one student's submission \(it holds gradlab\/\).* gradlab grade <pack> .* --student ben$/);
  });
});
