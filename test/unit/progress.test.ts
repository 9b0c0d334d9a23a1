import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ProgressStore, progressPath } from '../../src/core/progress/store';
import { hintsFor } from '../../src/core/progress/hints';
import type { CheckReport } from '../../src/protocol/worker';
import type { ExerciseSpec } from '../../src/protocol/pack';

function report(passed: boolean): CheckReport {
  return {
    exercise: '02-grad-w',
    passed,
    points: passed ? 3 : 1,
    maxPoints: 3,
    durationMs: 12,
    sandbox: 'fork',
    checks: [
      { id: 'fd', title: 'fd', kind: 'gradcheck', hidden: false, status: passed ? 'passed' : 'failed', passed, message: '', points: passed ? 2 : 0, maxPoints: 2, durationMs: 5 },
      { id: 'h', title: 'h', kind: 'test', hidden: true, status: 'passed', passed: true, message: '', points: 1, maxPoints: 1, durationMs: 5 },
    ],
  };
}

describe('progress store', () => {
  const workspace = () => mkdtempSync(join(tmpdir(), 'gradlab-progress-'));

  it('records checks, keeps passed exercises passed, and survives a reload', () => {
    const file = progressPath(workspace());
    const store = new ProgressStore(file);
    assert.equal(store.status('p', '02-grad-w'), 'not-started');
    store.recordCheck('p', report(false));
    assert.equal(store.status('p', '02-grad-w'), 'failed');
    store.recordCheck('p', report(true));
    store.recordCheck('p', report(false));
    const again = new ProgressStore(file);
    const entry = again.exercise('p', '02-grad-w')!;
    assert.equal(entry.status, 'passed');
    assert.equal(entry.attempts, 3);
    assert.equal(entry.failedAttempts, 2);
    assert.deepEqual(entry.checks, { fd: 'failed', h: 'passed' });
    assert.equal(again.passedCount('p'), 1);
    assert.equal(again.problem, undefined);
  });

  it('writes atomically: no temp files are left behind', () => {
    const file = progressPath(workspace());
    const store = new ProgressStore(file);
    store.markStarted('p', '01-one-update');
    store.recordHintSeen('p', '01-one-update', 2);
    store.recordMastery('p', 'lesson', 0.75, true);
    assert.deepEqual(readdirSync(dirname(file)), ['progress.json']);
    assert.equal(JSON.parse(readFileSync(file, 'utf8')).packs.p.mastery.lesson.passed, true);
  });

  it('sets a broken file aside with a clear message and starts afresh', () => {
    const dir = workspace();
    const file = progressPath(dir);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '{"packs": {"p": ');
    writeFileSync(join(dir, 'linear_mse.py'), 'def grad_w(): ...\n');
    const store = new ProgressStore(file, () => new Date('2026-11-21T10:00:00Z'));
    assert.match(store.problem!, /could not be read.*moved to .*broken-2026-11-21T10-00-00-000Z.*exercise files are untouched/);
    assert.equal(store.status('p', 'x'), 'not-started');
    assert.ok(existsSync(`${file}.broken-2026-11-21T10-00-00-000Z`), 'the broken copy is kept');
    assert.equal(readFileSync(join(dir, 'linear_mse.py'), 'utf8'), 'def grad_w(): ...\n');
    store.markStarted('p', 'x');
    assert.equal(new ProgressStore(file).status('p', 'x'), 'in-progress');
  });

  it('treats valid JSON of the wrong shape as broken too', () => {
    const file = progressPath(workspace());
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, '[1, 2, 3]');
    assert.match(new ProgressStore(file).problem!, /does not hold a "packs" object/);
  });
});

describe('hints', () => {
  const exercise = {
    hints: ['exercise nudge', 'exercise near-answer'],
    hintPolicy: { attemptsPerHint: 2 },
    checks: [
      { id: 'fd', kind: 'gradcheck', hints: ['check nudge'] },
      { id: 'other', kind: 'test', hints: ['other hint'] },
    ],
  } as unknown as ExerciseSpec;

  it('puts the failing check hints first and unlocks one per two failed attempts', () => {
    assert.deepEqual(hintsFor(exercise, ['fd'], 0), { all: ['check nudge', 'exercise nudge', 'exercise near-answer'], unlocked: 0, attemptsToNext: 2 });
    assert.equal(hintsFor(exercise, ['fd'], 3).unlocked, 1);
    assert.equal(hintsFor(exercise, ['fd'], 3).attemptsToNext, 1);
    assert.deepEqual(hintsFor(exercise, ['fd'], 10), { all: ['check nudge', 'exercise nudge', 'exercise near-answer'], unlocked: 3, attemptsToNext: 0 });
  });

  it('offers every hint at once without a policy', () => {
    const open = { ...exercise, hintPolicy: undefined } as ExerciseSpec;
    assert.equal(hintsFor(open, [], 0).unlocked, 2);
  });
});

describe('progress store, edited behind its back', () => {
  it('notices a file broken after loading, sets it aside and keeps working', () => {
    const file = progressPath(mkdtempSync(join(tmpdir(), 'gradlab-progress-')));
    const store = new ProgressStore(file);
    store.recordCheck('p', report(true));
    writeFileSync(file, 'not json at all');
    const later = Date.now() / 1000 + 5;
    utimesSync(file, later, later); // a different mtime even on coarse file systems
    assert.match(store.refresh()!, /could not be read/);
    assert.equal(store.status('p', '02-grad-w'), 'not-started');
    store.markStarted('p', 'x');
    assert.equal(new ProgressStore(file).status('p', 'x'), 'in-progress');
  });

  it('picks up a deleted file as a fresh start', () => {
    const file = progressPath(mkdtempSync(join(tmpdir(), 'gradlab-progress-')));
    const store = new ProgressStore(file);
    store.recordCheck('p', report(true));
    rmSync(file);
    assert.equal(store.refresh(), undefined);
    assert.equal(store.passedCount('p'), 0);
  });
});
