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
import { lateness, latePolicy, LateWorkError, parseExtensions, parseSubmissionTimes, withLate } from '../../src/core/gradebook/late';
import { pythonFunctions, similarPairs, similarityMarkdown } from '../../src/core/similarity/report';
import { fingerprints, tokens } from '../../src/core/similarity/winnow';
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
    const report = (check: CheckResult): CheckReport => ({ exercise: 'e1', passed: false, points: 0, maxPoints: 2, checks: [check], durationMs: 3, sandbox: 'fork' });
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

describe('late work', () => {
  const DUE = '2026-10-09T23:59:00Z';
  const at = (iso: string) => Date.parse(iso);

  it('takes the penalty per day or part of one after the grace period, up to the cap, from the points earned', () => {
    const policy = latePolicy({ due: DUE, penaltyPerDay: 10, cap: 30 }, { graceMinutes: 15 })!;
    assert.deepEqual([policy.penaltyPerDay, policy.cap, policy.graceMinutes], [10, 30, 15]);
    assert.equal(lateness(policy, 'ada', at('2026-10-10T00:10:00Z'), 'files', 8).daysLate, 0, 'within the grace period');
    assert.equal(lateness(policy, 'ada', at('2026-10-10T00:15:01Z'), 'files', 8).daysLate, 1, 'a minute past grace is a day');
    const two = lateness(policy, 'ben', at('2026-10-11T12:00:00Z'), 'manifest', 8);
    assert.deepEqual([two.daysLate, two.penalty, two.from], [2, 20, 'manifest']);
    assert.equal(lateness(policy, 'cy', at('2026-10-20T00:00:00Z'), 'files', 8).penalty, 30, 'capped');
    // the CLI overrides the pack, which supplies the rest
    assert.equal(latePolicy({ due: DUE, penaltyPerDay: 10 }, { penaltyPerDay: 25 })!.penaltyPerDay, 25);
  });

  it('applies the penalty to the points earned, never on top of an earlier one, and restores them without a policy', () => {
    const policy = latePolicy({ due: DUE }, {})!;
    const earned = record('ben');
    earned.points = 10;
    const once = withLate(earned, lateness(policy, 'ben', at('2026-10-11T12:00:00Z'), 'files', 10));
    assert.equal(once.points, 8);
    const again = withLate(once, lateness(policy, 'ben', at('2026-10-11T12:00:00Z'), 'files', once.late!.pointsBefore));
    assert.equal(again.points, 8);
    assert.equal(withLate(again, undefined).points, 10);
    const rows = parseCsv(gradebookCsv(gradebook([once])));
    assert.equal(rows[1].at(-1), 'late 2 days: -20%');
    assert.match(feedbackMarkdown(gradebook([once]), once), /Submitted 2026-10-11T12:00:00\.000Z, due 2026-10-09T23:59:00\.000Z: late 2 days: -20%, so 10 points earned count as 8\./);
  });

  it('reads extensions (a due date or days) and submission times (GitHub Classroom), and refuses what it cannot read', () => {
    const extensions = parseExtensions('student,due,days\nada,2026-10-12T23:59:00Z,\nben,,3\n', 'ext.csv', DUE);
    assert.deepEqual(extensions, { ada: '2026-10-12T23:59:00.000Z', ben: '2026-10-12T23:59:00.000Z' });
    const policy = latePolicy({ due: DUE }, {}, extensions)!;
    assert.equal(lateness(policy, 'ada', at('2026-10-12T12:00:00Z'), 'files', 1).daysLate, 0, 'on time under the extension');
    const times = parseSubmissionTimes('assignment_name,github_username,roster_identifier,submission_timestamp\nhw3,ada-l,ada,2026-10-10T05:00:00Z\nhw3,ben-b,ben,\n', 'classroom.csv');
    assert.equal(times.get('ada'), '2026-10-10T05:00:00Z');
    assert.equal(times.get('ada-l'), '2026-10-10T05:00:00Z');
    assert.equal(times.has('ben'), false, 'nothing submitted, no time');
    assert.throws(() => parseSubmissionTimes('who,when\nada,x\n', 'm.csv'), (e: Error) => e instanceof LateWorkError && /m\.csv has no student and time columns/.test(e.message));
    assert.throws(() => latePolicy(undefined, { penaltyPerDay: 5 }), /a late policy needs a due date: give --due/);
    assert.throws(() => latePolicy({ due: 'next friday' }, {}), /'next friday' is not a date and time/);
    assert.throws(() => latePolicy({ due: DUE }, { cap: 150 }), /the penalty cap must be a percentage from 0 to 100/);
    assert.throws(() => parseExtensions('student,days\nada,soon\n', 'ext.csv', DUE), /the extension of ada must be a number of days, got 'soon'/);
  });
});

describe('similarity: winnowing fingerprints', () => {
  const ADA = 'def grad_w(w, b, x, y):\n    error = w * x + b - y  # the residual\n    return float(2 * np.mean(error * x))\n';
  const RENAMED = 'def grad_w(w, b, x, y):\n    r = w*x + b - y\n\n    return float(2 * np.mean(r * x))\n';
  const OTHER = 'def grad_w(w, b, x, y):\n    total = 0.0\n    for xi, yi in zip(x, y):\n        total += (w * xi + b - yi) * xi\n    return 2 * total / len(x)\n';

  it('normalises names, numbers, strings, comments and whitespace away', () => {
    assert.deepEqual(tokens(ADA), tokens(RENAMED));
    assert.deepEqual(fingerprints(tokens(ADA)), fingerprints(tokens(RENAMED)));
    assert.deepEqual(tokens('x = "a # not a comment"  # a comment'), ['V', '=', 'S']);
    assert.notDeepEqual(fingerprints(tokens(ADA)), fingerprints(tokens(OTHER)));
  });

  it('ranks pairs, leaves the starter out, and writes a report that accuses no one', () => {
    const fn = (code: string) => [{ exercise: '02', file: 'l.py', name: 'grad_w', code: pythonFunctions(code, ['grad_w']).get('grad_w')! }];
    const students = [{ student: 'ada', functions: fn(ADA) }, { student: 'eve', functions: fn(RENAMED) }, { student: 'ben', functions: fn(OTHER) }];
    const pairs = similarPairs(students, []);
    assert.deepEqual([pairs[0].a, pairs[0].b, pairs[0].similarity], ['ada', 'eve', 1]);
    assert.ok(pairs.every((p, i) => i === 0 || p.similarity < 1));
    // the same code given to all as the starter counts for nothing
    assert.deepEqual(similarPairs(students.slice(0, 2), [ADA]), []);
    const text = similarityMarkdown('Week 3', pairs, 3, 1);
    assert.match(text, /This is a report, never an accusation/);
    assert.match(text, /winnowing fingerprints \(Schleimer, Wilkerson and Aiken 2003, the algorithm of MOSS\)/);
    assert.match(text, /\| 1 \| ada and eve \| 100% \|/);
    assert.match(text, /### 02\/l\.py:grad_w: 100%\n\n\| ada \| eve \|\n\| --- \| --- \|\n\| ` def\u00a0grad_w/);
    assert.doesNotMatch(text, /## 2\./, 'only the top pair in full');
    assert.deepEqual([...pythonFunctions('class V:\n    def relu(self):\n        return 1\n\n    def other(self):\n        pass\n', ['relu']).keys()], ['relu']);
    assert.equal(pythonFunctions('class V:\n    def relu(self):\n        return 1\n\n    def other(self):\n        pass\n', ['relu']).get('relu'), '    def relu(self):\n        return 1');
  });
});
