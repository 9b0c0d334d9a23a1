// The gradebook's parts without Python: finding students, taking submissions in safely, shards, the
// cache, the exports' formats, what feedback may show, and merging.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { RecordCache } from '../../src/core/gradebook/cache';
import { csv, parseCsv } from '../../src/core/csv';
import { discoverStudents, parseShard, shardOf, SubmissionsFolderError } from '../../src/core/gradebook/discover';
import { canvasCsv, gradebookCsv, gradescopeResults, parseRoster, RosterError } from '../../src/core/gradebook/exports';
import { feedbackMarkdown } from '../../src/core/gradebook/feedback';
import { stageStudent, MAX_LEARNER_FILE_BYTES } from '../../src/core/gradebook/intake';
import { mergeGradebooks } from '../../src/core/gradebook/merge';
import { GRADEBOOK_FORMAT, type Gradebook, type StudentRecord } from '../../src/core/gradebook/model';
import { nearMiss } from '../../src/core/nearMiss';
import { ensureGradebookFolder, feedbackPath, GradebookError, writeGradebook } from '../../src/core/gradebook/write';
import type { ExerciseSpec } from '../../src/protocol/pack';
import type { CheckResult } from '../../src/protocol/worker';
import { temporary } from './gradebook-fixtures';

const exercise = (id: string, file: string): ExerciseSpec => ({
  id,
  title: id,
  lesson: 'l',
  order: 1,
  instructions: 'README.md',
  files: [{ path: file, role: 'learner' }, { path: 'layers.py', role: 'given' }],
  checks: [],
});
const EXERCISES = [exercise('01-one-update', 'one_update.py'), exercise('02-grad-w', 'linear_mse.py')];

function write(path: string, text: string | Uint8Array): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
  return path;
}

async function stage(dir: string, student: string, kind: 'folder' | 'zip' | 'link' = 'folder') {
  const path = join(dir, kind === 'zip' ? `${student}.zip` : student);
  return stageStudent({ student, path, kind }, EXERCISES, temporary('stage'));
}

describe('gradebook: finding students', () => {
  it('takes every folder and .zip as a student, a link as a refused student, and skips the rest with a word', async () => {
    const dir = temporary('students');
    mkdirSync(join(dir, 'ada'));
    write(join(dir, 'ben.zip'), zipSync({ 'x.py': new Uint8Array() }));
    write(join(dir, 'notes.txt'), 'hello');
    mkdirSync(join(dir, '.git'));
    symlinkSync('/etc', join(dir, 'mallory'));
    mkdirSync(join(dir, 'cy'));
    write(join(dir, 'cy.zip'), zipSync({ 'x.py': new Uint8Array() }));
    const { students, skipped } = await discoverStudents(dir);
    assert.deepEqual(
      students.map((s) => [s.student, s.kind]),
      [
        ['ada', 'folder'],
        ['ben', 'zip'],
        ['mallory', 'link'],
      ],
    );
    assert.ok(skipped.some((s) => /^notes\.txt: not a folder or a \.zip/.test(s)), skipped.join('\n'));
    assert.ok(skipped.some((s) => /the student cy also has cy; both skipped/.test(s)), skipped.join('\n'));
  });

  it('says clearly when the submissions folder is missing or a file', async () => {
    await assert.rejects(discoverStudents('/nonexistent/class'), (e: Error) => e instanceof SubmissionsFolderError && /does not exist/.test(e.message));
    const file = write(join(temporary('students'), 'file'), 'x');
    await assert.rejects(discoverStudents(file), /is not a folder/);
  });

  it('splits students into shards by a hash of their name: each in exactly one, every shard used', () => {
    assert.deepEqual(parseShard('2/8'), { index: 2, count: 8 });
    for (const bad of ['0/3', '4/3', '1/0', 'a/b', '1-3', '']) assert.equal(parseShard(bad), undefined, bad);
    const names = Array.from({ length: 200 }, (_, i) => `student-${i}`);
    const sizes = [0, 0, 0, 0];
    for (const name of names) {
      const shard = shardOf(name, 4);
      assert.equal(shardOf(name, 4), shard, 'the same shard every time');
      sizes[shard - 1]++;
    }
    assert.ok(sizes.every((n) => n > 25), `balanced enough: ${sizes}`);
  });
});

describe('gradebook: taking a submission in', () => {
  it('copies the learner files of the scaffold layout and of the top-level layout, and nothing else', async () => {
    const dir = temporary('intake');
    write(join(dir, 'ada', 'gradlab', '01-one-update', 'one_update.py'), 'A = 1\n');
    write(join(dir, 'ada', 'gradlab', '01-one-update', 'layers.py'), 'tampered = True\n');
    write(join(dir, 'ada', '02-grad-w', 'linear_mse.py'), 'B = 2\n');
    const staged = await stage(dir, 'ada');
    const [one, two] = staged.exercises;
    assert.equal(one.status, 'ready');
    assert.equal(two.status, 'ready');
    assert.deepEqual(readdirSync(one.folder!), ['one_update.py'], 'given files come from the pack, never the student');
    assert.equal(readFileSync(join(one.folder!, 'one_update.py'), 'utf8'), 'A = 1\n');
    assert.equal(readFileSync(join(two.folder!, 'linear_mse.py'), 'utf8'), 'B = 2\n');
    assert.notEqual(one.folder, join(dir, 'ada', 'gradlab', '01-one-update'), 'a private copy');
    assert.equal(one.files[0][0], 'one_update.py');
    assert.match(one.files[0][1], /^[0-9a-f]{64}$/);
  });

  it('names missing exercises, missing and misnamed files and folders, and extra files', async () => {
    const dir = temporary('intake');
    write(join(dir, 'ben', 'gradlab', '01-one_update', 'one_update.py'), 'x = 1\n');
    write(join(dir, 'ben', 'gradlab', '02-grad-w', 'Linear_MSE.py'), 'x = 1\n');
    write(join(dir, 'ben', 'gradlab', '02-grad-w', 'notes.txt'), 'todo\n');
    const [one, two] = (await stage(dir, 'ben')).exercises;
    assert.equal(one.status, 'refused');
    assert.match(one.messages[0], /no folder 01-one-update; found 01-one_update: rename it to 01-one-update/);
    assert.equal(two.status, 'refused');
    assert.match(two.messages.join('\n'), /linear_mse\.py is missing; found Linear_MSE\.py: rename it to linear_mse\.py/);
    assert.match(two.messages.join('\n'), /ignored \(not part of the exercise\): notes\.txt/);
    assert.doesNotMatch(two.messages.join('\n'), /ignored.*Linear_MSE/, 'the misnamed file is said once');

    write(join(dir, 'cy', 'gradlab', '02-grad-w', 'other.py'), 'x = 1\n');
    const [none, missing] = (await stage(dir, 'cy')).exercises;
    assert.equal(none.status, 'not-submitted');
    assert.match(none.messages[0], /not submitted: no folder gradlab\/01-one-update/);
    assert.equal(missing.status, 'refused');
    assert.match(missing.messages[0], /linear_mse\.py is missing from gradlab\/02-grad-w\//);
  });

  it('refuses links (never reading through them), non-UTF-8 text, oversized files and FIFOs, each with its reason', async () => {
    const dir = temporary('intake');
    const secret = write(join(temporary('outside'), 'solution.py'), 'SECRET = "the answer"\n');
    mkdirSync(join(dir, 'eve', 'gradlab', '01-one-update'), { recursive: true });
    symlinkSync(secret, join(dir, 'eve', 'gradlab', '01-one-update', 'one_update.py'));
    symlinkSync(join(secret, '..'), join(dir, 'eve', 'gradlab', '02-grad-w'));
    const eve = await stage(dir, 'eve');
    assert.match(eve.exercises[0].messages[0], new RegExp(`gradlab/01-one-update/one_update\\.py is a symbolic link \\(to ${secret}\\); links are not followed`));
    assert.match(eve.exercises[1].messages[0], /gradlab\/02-grad-w\/ is a symbolic link .* not followed/);
    assert.ok(eve.exercises.every((e) => e.status === 'refused' && !e.folder));

    write(join(dir, 'flo', 'gradlab', '01-one-update', 'one_update.py'), Buffer.concat([Buffer.from('x = 1\n# caf'), Buffer.from([0xe9]), Buffer.from('\n')]));
    const big = write(join(dir, 'flo', 'gradlab', '02-grad-w', 'linear_mse.py'), '');
    truncateSync(big, 50 * 1024 * 1024);
    const flo = await stage(dir, 'flo');
    assert.match(flo.exercises[0].messages[0], /one_update\.py is not UTF-8 text \(line 2 has bytes that are not UTF-8\): save it as UTF-8/);
    assert.match(flo.exercises[1].messages[0], new RegExp(`linear_mse\\.py is 50\\.0 MiB, more than the ${(MAX_LEARNER_FILE_BYTES / 1024 / 1024).toFixed(1)} MiB a learner file may have`));

    mkdirSync(join(dir, 'gus', 'gradlab', '01-one-update'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'gus', 'gradlab', '01-one-update', 'one_update.py')]);
    const gus = await stage(dir, 'gus');
    assert.match(gus.exercises[0].messages[0], /one_update\.py is not a regular file/);

    symlinkSync('/etc', join(dir, 'mallory'));
    const mallory = await stage(dir, 'mallory', 'link');
    assert.match(mallory.messages[0], /The submission mallory is a symbolic link \(to \/etc\); links are not followed: submit a folder or a \.zip/);
    assert.ok(mallory.exercises.every((e) => e.status === 'refused'));
  });

  it('refuses a learner file reached through a linked folder', async () => {
    const dir = temporary('intake');
    const outside = temporary('outside');
    write(join(outside, 'model.py'), 'SECRET = 1\n');
    mkdirSync(join(dir, 'ivy', 'gradlab', '03-nested'), { recursive: true });
    symlinkSync(outside, join(dir, 'ivy', 'gradlab', '03-nested', 'pkg'));
    const nested = exercise('03-nested', 'pkg/model.py');
    const staged = await stageStudent({ student: 'ivy', path: join(dir, 'ivy'), kind: 'folder' }, [nested], temporary('stage'));
    assert.equal(staged.exercises[0].status, 'refused');
    assert.match(staged.exercises[0].messages[0], new RegExp(`gradlab/03-nested/pkg is a symbolic link \\(to ${outside}\\)`));
  });

  it('opens a zip safely: a single top folder is looked into; bombs, ../ paths and damage are refused whole', async () => {
    const dir = temporary('intake');
    const text = (s: string) => new TextEncoder().encode(s);
    write(join(dir, 'zed.zip'), zipSync({ 'zed/gradlab/01-one-update/one_update.py': text('Z = 1\n') }));
    const zed = await stage(dir, 'zed', 'zip');
    assert.equal(zed.exercises[0].status, 'ready');
    assert.equal(readFileSync(join(zed.exercises[0].folder!, 'one_update.py'), 'utf8'), 'Z = 1\n');
    assert.equal(zed.exercises[1].status, 'not-submitted');

    write(join(dir, 'bomb.zip'), zipSync({ 'gradlab/01-one-update/one_update.py': new Uint8Array(20 * 1024 * 1024) }, { level: 9 }));
    const bomb = await stage(dir, 'bomb', 'zip');
    assert.match(bomb.messages[0], /bomb\.zip could not be opened safely: .*zip bomb/);
    assert.ok(bomb.exercises.every((e) => e.status === 'refused' && /could not be used/.test(e.messages[0])));

    write(join(dir, 'trav.zip'), zipSync({ '../../escaped.py': text('x = 1\n') }));
    const trav = await stage(dir, 'trav', 'zip');
    assert.match(trav.messages[0], /'\.\.\/' path that leaves the folder/);

    write(join(dir, 'junk.zip'), 'this is not a zip');
    assert.match((await stage(dir, 'junk', 'zip')).messages[0], /junk\.zip could not be opened safely: not a zip archive/);
  });

  it('suggests a near-miss name only when one is close', () => {
    assert.equal(nearMiss('linear_mse.py', ['linear_mse (1).py', 'README.md']), 'linear_mse (1).py');
    assert.equal(nearMiss('linear_mse.py', ['linear-mse.py']), 'linear-mse.py');
    assert.equal(nearMiss('02-grad-w', ['02-grad_w', '01-one-update']), '02-grad_w');
    assert.equal(nearMiss('linear_mse.py', ['engine.py', 'notes.txt']), undefined);
  });
});

function check(partial: Partial<CheckResult> & { id: string }): CheckResult {
  return { title: partial.id, kind: 'test', hidden: false, status: 'passed', passed: true, message: '', points: 1, maxPoints: 1, durationMs: 1, ...partial };
}

function gradebook(students: StudentRecord[], hash = 'h1'): Gradebook {
  return {
    format: GRADEBOOK_FORMAT,
    pack: { id: 'p', title: 'Pack, "quoted"', version: '1.0.0', hash },
    settings: { gradcheck: 'auto', limits: {}, grader: 'g', seed: 7, isolation: 'required' },
    exercises: [
      {
        id: 'e1',
        title: 'Exercise one',
        maxPoints: 3,
        hints: ['the exercise nudge', 'the exercise answer'],
        checks: [
          { id: 'pub', title: 'public check', hidden: false, points: 1, hints: ['the public hint'] },
          { id: 'sec', title: 'hidden check', hidden: true, points: 2, hints: ['the hidden hint'] },
        ],
      },
    ],
    students,
  };
}

function record(student: string, passed: boolean): StudentRecord {
  const checks = [
    check({ id: 'pub', title: 'public check', status: passed ? 'passed' : 'failed', passed, points: passed ? 1 : 0, message: passed ? '' : 'grad_w: expected -22.6667, got -11.3333', diagnosis: passed ? undefined : 'grad_w is exactly half', output: passed ? undefined : 'printed ``` fence' }),
    check({ id: 'sec', title: 'hidden check', hidden: true, status: passed ? 'passed' : 'failed', passed, points: passed ? 2 : 0, maxPoints: 2, message: passed ? '' : 'w: expected 2.036500539715272, got 1.5', expected: '2.0365', actual: '1.5', output: 'HIDDEN_INPUT 0.04' }),
  ];
  const points = checks.reduce((s, c) => s + c.points, 0);
  return { student, source: 'folder', messages: [], points, maxPoints: 3, key: `k-${student}`, exercises: [{ exercise: 'e1', status: 'graded', points, maxPoints: 3, messages: [], checks }] };
}

describe('gradebook: exports', () => {
  it('writes RFC 4180 CSV and reads it back', () => {
    const rows = [['a', 'b, c', 'say "hi"', 'two\nlines', '  Points Possible', '3']];
    assert.deepEqual(parseCsv(csv(rows)), rows);
    assert.equal(csv([['x', 'y,z']]), 'x,"y,z"\r\n');
  });

  it('gradebook.csv: a row per student, a column of points per exercise, total and max', () => {
    const rows = parseCsv(gradebookCsv(gradebook([record('ada', true), record('ben', false)])));
    assert.deepEqual(rows, [
      ['student', 'e1', 'total', 'max', 'note'],
      ['ada', '3', '3', '3', ''],
      ['ben', '0', '0', '3', ''],
    ]);
  });

  it('canvas.csv: the Canvas import header, a Points Possible row, identities from a Canvas roster', () => {
    const roster = parseRoster(
      '\uFEFFStudent,ID,SIS User ID,SIS Login ID,Section,Homework 1 (100)\r\n    Points Possible,,,,,10\r\n"Lovelace, Ada",1001,S-1,ada,Section A,8\r\n"Student, Test",9999,,,,\r\n',
    );
    const { text, unmatched } = canvasCsv(gradebook([record('ada', true), record('ben', false)]), roster);
    assert.deepEqual(parseCsv(text), [
      ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section', 'Pack, "quoted"'],
      ['    Points Possible', '', '', '', '', '3'],
      ['Lovelace, Ada', '1001', 'S-1', 'ada', 'Section A', '3'],
      ['ben', '', '', '', '', '0'],
    ]);
    assert.deepEqual(unmatched, ['ben']);
    assert.throws(() => parseRoster('name,score\nada,3\n'), (e: Error) => e instanceof RosterError && /Grades > Export/.test(e.message));
  });

  it("Gradescope's results.json: score, and tests with name, score, max_score, status, output, visibility", () => {
    const results = gradescopeResults(gradebook([]), record('ben', false));
    assert.equal(results.score, 0);
    assert.deepEqual(Object.keys(results.tests[0]).sort(), ['max_score', 'name', 'output', 'score', 'status', 'visibility']);
    assert.deepEqual(
      results.tests.map((t) => [t.name, t.score, t.max_score, t.status]),
      [
        ['e1: public check', 0, 1, 'failed'],
        ['e1: hidden check', 0, 2, 'failed'],
      ],
    );
    assert.match(results.tests[0].output, /expected -22\.6667, got -11\.3333[\s\S]*exactly half[\s\S]*the public hint/);
    assert.equal(results.tests[1].output, 'Hidden test: failed.\n\nHint: the hidden hint');
  });

  it('feedback shows public messages, diagnoses, output and hints, and of hidden checks only title, verdict and hints', () => {
    const text = feedbackMarkdown(gradebook([]), record('ben', false));
    assert.match(text, /\*\*0 \/ 3 points\*\*/);
    assert.match(text, /expected -22\.6667, got -11\.3333/);
    assert.match(text, /\*\*What it looks like:\*\* grad_w is exactly half/);
    assert.match(text, /Hint: the public hint/);
    assert.match(text, /❌ hidden check \(hidden test\): failed, 0 \/ 2/);
    assert.match(text, /Hint: the hidden hint/);
    for (const secret of ['2.036500539715272', 'HIDDEN_INPUT', '2.0365', '1.5']) assert.ok(!text.includes(secret), `feedback leaks ${secret}`);
    // The learner's output holds a ``` run: the fence around it must be longer.
    assert.match(text, /````\n {2}printed ``` fence\n {2}````/);
  });

  it('says a message shared by every check once (a syntax error), not once per check', () => {
    const broken = record('cy', false);
    broken.exercises[0].checks = broken.exercises[0].checks.map((c) => ({ ...c, status: 'errored', passed: false, points: 0, message: 'SyntaxError in one_update.py, line 4', diagnosis: undefined, output: undefined }));
    const text = feedbackMarkdown(gradebook([]), broken);
    assert.equal(text.split('SyntaxError in one_update.py, line 4').length - 1, 1, text);
  });
});

describe('gradebook: folder, cache and merge', () => {
  it('writes every file, prunes files of students no longer there, and refuses a folder that is not a gradebook', async () => {
    const out = temporary('gradebook');
    await writeGradebook(out, gradebook([record('ada', true), record('old', true)]));
    assert.ok(existsSync(feedbackPath(out, 'old')));
    await writeGradebook(out, gradebook([record('ada', true), record('a b/../c', false)]));
    assert.deepEqual(readdirSync(join(out, 'feedback')).sort(), ['a_b_.._c-0e3f70c6.md', 'ada.md'].sort());
    assert.deepEqual(readdirSync(join(out, 'gradescope')).sort(), ['a_b_.._c-0e3f70c6', 'ada']);
    assert.deepEqual(readdirSync(out).sort(), ['canvas.csv', 'feedback', 'gradebook.csv', 'gradebook.json', 'gradescope', 'instructor']);
    await ensureGradebookFolder(out);

    const foreign = temporary('foreign');
    writeFileSync(join(foreign, 'thesis.tex'), '');
    await assert.rejects(ensureGradebookFolder(foreign), (e: Error) => e instanceof GradebookError && /already holds other files/.test(e.message));
  });

  it('reuses a saved record only under the same key', async () => {
    const cache = new RecordCache(temporary('cache'), (s) => s);
    await cache.put(record('ada', true));
    assert.equal((await cache.get('ada', 'k-ada'))?.points, 3);
    assert.equal(await cache.get('ada', 'another key'), undefined);
    assert.equal(await cache.get('ben', 'k-ada'), undefined);
  });

  it('merges shards, sorted by student; refuses duplicates, other pack content and other settings', () => {
    const { gradebook: merged } = mergeGradebooks([
      { label: 'shard-2', gradebook: gradebook([record('cy', true), record('ada', true)]) },
      { label: 'shard-1', gradebook: gradebook([record('ben', false)]) },
    ]);
    assert.deepEqual(
      merged.students.map((s) => s.student),
      ['ada', 'ben', 'cy'],
    );
    assert.throws(
      () => mergeGradebooks([{ label: 'one', gradebook: gradebook([record('ada', true)]) }, { label: 'two', gradebook: gradebook([record('ada', false)]) }]),
      (e: Error) => e instanceof GradebookError && /1 student appears in more than one gradebook: ada \(in one and two\)/.test(e.message),
    );
    assert.throws(() => mergeGradebooks([{ label: 'one', gradebook: gradebook([]) }, { label: 'two', gradebook: gradebook([], 'h2') }]), /two was graded with different pack content/);
    const slower = gradebook([]);
    slower.settings = { ...slower.settings, limits: { timeoutS: 30 } };
    assert.throws(() => mergeGradebooks([{ label: 'one', gradebook: gradebook([]) }, { label: 'two', gradebook: slower }]), /other settings or exercises/);
    assert.throws(() => mergeGradebooks([]), /nothing to merge/);
  });
});
