// Instructors from VS Code: validate a pack, grade a class into a gradebook, open a student's feedback.
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { solutionForm } from '../../src/core/packs/regions';
import { packageRoot } from '../../src/core/paths';
import { activateGradlab } from './support/gradlab';

const tiny = join(packageRoot(), 'test', 'fixtures', 'packs', 'tiny');

suite('Instructor commands', () => {
  suiteSetup(async () => {
    await activateGradlab();
  });

  test('Validate Exercise Pack proves the solution passes and the starter fails', async () => {
    const report = await vscode.commands.executeCommand<{ ok: boolean; exercises: Array<{ id: string }> }>('gradlab.validatePack', tiny);
    assert.ok(report, 'no validation report');
    assert.equal(report.ok, true);
    assert.deepEqual(report.exercises.map((e) => e.id), ['01-square']);
  });

  test('Grade Submissions writes a gradebook, and Open Student Feedback opens a student\'s page', async () => {
    const root = mkdtempSync(join(tmpdir(), 'gradlab-class-'));
    const submissions = join(root, 'submissions');
    const good = join(submissions, 'ada', 'gradlab', '01-square');
    mkdirSync(good, { recursive: true });
    writeFileSync(join(good, 'square.py'), solutionForm(readFileSync(join(tiny, '01-square', 'square.py'), 'utf8')));
    mkdirSync(join(submissions, 'bob', 'gradlab'), { recursive: true });
    cpSync(join(tiny, '01-square', 'helpers.py'), join(submissions, 'bob', 'gradlab', 'helpers.py'));
    const out = join(root, 'gradebook');
    const result = await vscode.commands.executeCommand<{ gradebook: { students: Array<{ student: string; points: number; maxPoints: number }> } }>(
      'gradlab.gradeSubmissions',
      tiny,
      submissions,
      out,
    );
    assert.ok(result, 'grading returned nothing');
    const byName = Object.fromEntries(result.gradebook.students.map((s) => [s.student, s]));
    assert.equal(byName.ada.points, byName.ada.maxPoints, 'the solution lost points');
    assert.equal(byName.bob.points, 0);
    assert.ok(existsSync(join(out, 'gradebook.csv')));
    const feedback = await vscode.commands.executeCommand<string>('gradlab.openFeedback', out, 'bob');
    assert.ok(feedback && existsSync(feedback), 'no feedback file for bob');
    assert.match(readFileSync(feedback, 'utf8'), /01-square/);
  });
});
