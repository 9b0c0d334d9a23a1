// An instructor's week without Python: author mode (hidden checks in full for the pack's author, never for the
// learner), a folder of one student refused as a class, shards that must add up, and roster students who
// submitted nothing.
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { formatReport, reportJson } from '../../src/cli/report';
import { parseCsv } from '../../src/core/csv';
import { discoverStudents, refuseOneStudentsFolder, SubmissionsFolderError } from '../../src/core/gradebook/discover';
import { canvasCsv, gradebookCsv, parseRoster } from '../../src/core/gradebook/exports';
import { feedbackMarkdown } from '../../src/core/gradebook/feedback';
import { mergeGradebooks } from '../../src/core/gradebook/merge';
import { GRADEBOOK_FORMAT, type Gradebook, type StudentRecord } from '../../src/core/gradebook/model';
import { absentees } from '../../src/core/gradebook/roster';
import { GradebookError } from '../../src/core/gradebook/write';
import type { CheckReport, CheckResult } from '../../src/protocol/worker';
import { temporary } from './gradebook-fixtures';

const SECRET = { message: 'w: expected 2.036500539715272, got 1.5', diagnosis: 'the sign of the step is flipped', expected: '2.0365', actual: '1.5', inputs: { w: 'rng.normal()' }, output: 'HIDDEN_INPUT 0.04' };

function hiddenFailure(withDetails: boolean): CheckResult {
  return {
    id: 'sec',
    title: 'hidden check',
    kind: 'test',
    hidden: true,
    status: 'failed',
    passed: false,
    message: 'failed — this check is hidden, so its inputs and expected values are not shown; its hints may help',
    points: 0,
    maxPoints: 2,
    durationMs: 1,
    ...(withDetails ? { instructor: SECRET } : {}),
  };
}

function gradebook(students: StudentRecord[], shard?: { index: number; count: number }): Gradebook {
  return {
    format: GRADEBOOK_FORMAT,
    pack: { id: 'p', title: 'Week 3', version: '1.0.0', hash: 'h' },
    settings: { gradcheck: 'auto', limits: {}, grader: 'g', seed: 7, isolation: 'required' },
    exercises: [{ id: 'e1', title: 'Exercise one', maxPoints: 2, hints: [], checks: [{ id: 'sec', title: 'hidden check', hidden: true, points: 2, hints: ['the hidden hint'] }] }],
    ...(shard ? { shard } : {}),
    students,
  };
}

function record(student: string, check = hiddenFailure(true)): StudentRecord {
  return { student, source: 'folder', messages: [], points: 0, maxPoints: 2, key: student, exercises: [{ exercise: 'e1', status: 'graded', points: 0, maxPoints: 2, messages: [], checks: [check] }] };
}

const SECRETS = ['2.036500539715272', '2.0365', 'HIDDEN_INPUT', 'rng.normal()', 'sign of the step'];

describe('author mode: hidden checks in full for the author, never for the learner', () => {
  it("the instructor's feedback page shows a hidden failure's message, diagnosis, inputs, expected, actual and output", () => {
    const text = feedbackMarkdown(gradebook([]), record('ben'), 'instructor');
    assert.match(text, /instructor's feedback on ben/);
    assert.match(text, /Hidden, in full \(instructor only\)/);
    for (const secret of SECRETS) assert.ok(text.includes(secret), `the instructor's page lacks ${secret}:\n${text}`);
    assert.match(text, /inputs: w = rng\.normal\(\)/);
    assert.match(text, /expected: 2\.0365/);
    assert.match(text, /actual: 1\.5/);
  });

  it("the student's page of the same record shows the title, verdict and hints only", () => {
    const text = feedbackMarkdown(gradebook([]), record('ben'));
    assert.match(text, /❌ hidden check \(hidden test\): failed, 0 \/ 2/);
    assert.match(text, /Hint: the hidden hint/);
    for (const secret of [...SECRETS, 'in full']) assert.ok(!text.includes(secret), `the student's page leaks ${secret}`);
  });

  it('gradlab check --pack with the authoring pack prints a hidden failure in full; a release prints the verdict only', () => {
    const report = (check: CheckResult): CheckReport => ({ exercise: 'e1', passed: false, points: 0, maxPoints: 2, checks: [check], durationMs: 3 });
    const author = formatReport(report(hiddenFailure(true))).join('\n');
    assert.match(author, /FAIL {4}sec \(hidden\): hidden check/);
    assert.match(author, /author mode, in full:/);
    for (const secret of SECRETS) assert.ok(author.includes(secret), `the author's report lacks ${secret}:\n${author}`);
    assert.deepEqual(reportJson(report(hiddenFailure(true))).checks[0].instructor, SECRET);

    const learner = formatReport(report(hiddenFailure(false))).join('\n');
    assert.match(learner, /its hints may help/);
    for (const secret of [...SECRETS, 'author mode']) assert.ok(!learner.includes(secret), `the learner's report leaks ${secret}`);
    assert.equal('instructor' in reportJson(report(hiddenFailure(false))).checks[0], false);
  });
});

describe('a folder of one student is not a class', () => {
  it('refuses a folder that holds gradlab/ (or exercise folders) with the command that grades that student', async () => {
    const bob = join(temporary('class'), 'bob');
    mkdirSync(join(bob, 'gradlab', 'e1'), { recursive: true });
    const discovery = await discoverStudents(bob);
    assert.throws(
      () => refuseOneStudentsFolder(bob, discovery, ['e1']),
      (e: Error) => e instanceof SubmissionsFolderError && e.message.includes(`${bob} looks like one student's submission (it holds gradlab/)`) && e.message.includes(`gradlab grade <pack> ${join(bob, '..')} --student bob`),
    );
    const flat = join(temporary('class'), 'cy');
    mkdirSync(join(flat, 'e1'), { recursive: true });
    assert.throws(() => refuseOneStudentsFolder(flat, { students: [{ student: 'e1', path: join(flat, 'e1'), kind: 'folder' }], skipped: [] }, ['e1']), /it holds e1\//);
    // A class whose students have ordinary names is a class.
    refuseOneStudentsFolder(join(bob, '..'), await discoverStudents(join(bob, '..')), ['e1']);
  });
});

describe('shards that add up', () => {
  const shard = (index: number, count: number, ...students: string[]) => ({ label: `shard-${index}`, gradebook: gradebook(students.map((s) => record(s)), { index, count }) });

  it('merges every shard of K into one gradebook that records no shard', () => {
    const { gradebook: merged, warnings } = mergeGradebooks([shard(2, 3, 'cy'), shard(1, 3, 'ada'), shard(3, 3, 'ben')]);
    assert.deepEqual(merged.students.map((s) => s.student), ['ada', 'ben', 'cy']);
    assert.equal(merged.shard, undefined);
    assert.equal(merged.missingShards, undefined);
    assert.deepEqual(warnings, []);
  });

  it('refuses a missing shard, or with partial merges and warns, recording which', () => {
    assert.throws(() => mergeGradebooks([shard(1, 3, 'ada'), shard(3, 3, 'ben')]), (e: Error) => e instanceof GradebookError && /^shard 2\/3 is missing: their students would have no grade/.test(e.message));
    const { gradebook: merged, warnings } = mergeGradebooks([shard(1, 3, 'ada')], { partial: true });
    assert.deepEqual(merged.missingShards, { missing: [2, 3], count: 3 });
    assert.deepEqual(warnings, ['warning: partial merge, shards 2/3, 3/3 missing: their students are not in this gradebook']);
  });

  it('refuses a doubled shard (even with partial), shards of another K, and a whole class among shards', () => {
    assert.throws(() => mergeGradebooks([shard(1, 2, 'ada'), shard(1, 2, 'ada'), shard(2, 2)], { partial: true }), /shard 1\/2 is given twice \(shard-1 and shard-1\)/);
    assert.throws(() => mergeGradebooks([shard(1, 2, 'ada'), shard(2, 3, 'ben')]), /shard-2 is shard 2\/3, but shard-1 is one of 2/);
    assert.throws(() => mergeGradebooks([shard(1, 2, 'ada'), { label: 'whole', gradebook: gradebook([record('ben')]) }]), /whole holds a whole class, the others one shard each/);
  });
});

describe('rosters: a zero row for every roster student without a submission', () => {
  const ROSTER = 'Student,ID,SIS User ID,SIS Login ID,Section,Homework 3 (12345)\r\n    Points Possible,,,,,10\r\n"Lovelace, Ada",1001,S-1,ada,A,\r\n"Hopper, Grace",1002,S-2,grace,A,\r\n"Turing, Alan",1003,S-3,alan,B,\r\n';

  it('adds "no submission" rows for the roster students nobody submitted as, and none for those who did', () => {
    const roster = parseRoster(ROSTER);
    const submitted = [record('ada'), record('zed')];
    const missing = absentees(submitted, gradebook([]).exercises, roster);
    assert.deepEqual(missing.map((r) => [r.student, r.source, r.points, r.maxPoints]), [
      ['Hopper, Grace', 'roster', 0, 2],
      ['Turing, Alan', 'roster', 0, 2],
    ]);
    assert.deepEqual(missing[0].exercises.map((o) => [o.exercise, o.status, o.messages]), [['e1', 'not-submitted', ['no submission']]]);
    // a shard takes only the absentees it is given
    assert.deepEqual(absentees(submitted, gradebook([]).exercises, roster, (name) => name.startsWith('T')).map((r) => r.student), ['Turing, Alan']);

    const book = gradebook([...submitted, ...missing]);
    const rows = parseCsv(gradebookCsv(book));
    assert.deepEqual(rows.find((r) => r[0] === 'Hopper, Grace'), ['Hopper, Grace', '0', '0', '2', 'no submission']);
    assert.deepEqual(rows.find((r) => r[0] === 'ada'), ['ada', '0', '0', '2', '']);
    const canvas = canvasCsv(book, roster, 'Homework 3 (12345)');
    const cells = parseCsv(canvas.text);
    assert.equal(cells[0][5], 'Homework 3 (12345)', 'the assignment column reused');
    assert.deepEqual(cells.find((r) => r[1] === '1002'), ['Hopper, Grace', '1002', 'S-2', 'grace', 'A', '0']);
    assert.deepEqual(canvas.unmatched, ['zed'], 'unknown students listed as before');
    assert.equal(parseCsv(canvasCsv(book, roster).text)[0][5], 'Week 3', 'by default a column named after the pack');
  });
});
