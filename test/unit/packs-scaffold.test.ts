import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findExercise, loadPack } from '../../src/core/packs/load';
import { solutionForm, starterForm } from '../../src/core/packs/regions';
import { materializeForm, scaffoldExercise } from '../../src/core/packs/scaffold';
import { builtinAuthoringPackDir, exerciseFolder, packageRoot } from '../../src/core/paths';

const tiny = () => join(packageRoot(), 'test', 'fixtures', 'packs', 'tiny');
const authored = (name: string) => readFileSync(join(tiny(), '01-square', name), 'utf8');

describe('scaffolding an exercise', () => {
  it('writes the starter, the given files read-only, the script and the instructions, and no tests', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'gradlab-ws-'));
    const pack = await loadPack(tiny());
    const result = await scaffoldExercise(pack, '01-square', workspace);
    const dir = exerciseFolder(workspace, '01-square');
    assert.equal(result.dir, dir);
    assert.deepEqual(result.created.sort(), ['README.md', 'helpers.py', 'run_square.py', 'square.py']);
    assert.deepEqual(result.existing, []);
    assert.equal(readFileSync(join(dir, 'square.py'), 'utf8'), starterForm(authored('square.py')));
    assert.doesNotMatch(readFileSync(join(dir, 'square.py'), 'utf8'), /BEGIN|twice\(x\)/);
    assert.equal(readFileSync(join(dir, 'helpers.py'), 'utf8'), authored('helpers.py'));
    assert.equal(statSync(join(dir, 'helpers.py')).mode & 0o777, 0o444);
    assert.equal(statSync(join(dir, 'square.py')).mode & 0o200, 0o200);
    assert.equal(existsSync(join(dir, 'tests.py')), false);
  });

  it('never overwrites a file that exists, and says which ones it kept', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'gradlab-ws-'));
    const pack = await loadPack(tiny());
    await scaffoldExercise(pack, '01-square', workspace);
    const learnerFile = join(exerciseFolder(workspace, '01-square'), 'square.py');
    writeFileSync(learnerFile, 'my work in progress\n');
    const again = await scaffoldExercise(pack, '01-square', workspace);
    assert.deepEqual(again.created, []);
    assert.deepEqual(again.existing.sort(), ['README.md', 'helpers.py', 'run_square.py', 'square.py']);
    assert.equal(readFileSync(learnerFile, 'utf8'), 'my work in progress\n');
  });

  it('scaffolds every exercise of the built-in pack without a marker left', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'gradlab-ws-'));
    const pack = await loadPack(builtinAuthoringPackDir());
    for (const exercise of pack.manifest.exercises) {
      const result = await scaffoldExercise(pack, exercise.id, workspace);
      for (const file of result.created) assert.doesNotMatch(readFileSync(join(result.dir, file), 'utf8'), /#\s*(BEGIN|END)\s+(SOLUTION|STARTER)/, `${exercise.id}/${file}`);
    }
  });

  it('materializes the learner files in either form, without the given ones', async () => {
    const pack = await loadPack(tiny());
    const exercise = findExercise(pack, '01-square');
    const solution = mkdtempSync(join(tmpdir(), 'gradlab-form-'));
    assert.deepEqual(await materializeForm(pack, exercise, 'solution', solution), ['square.py', 'run_square.py']);
    assert.equal(readFileSync(join(solution, 'square.py'), 'utf8'), solutionForm(authored('square.py')));
    assert.equal(existsSync(join(solution, 'helpers.py')), false);
    const starter = mkdtempSync(join(tmpdir(), 'gradlab-form-'));
    await materializeForm(pack, exercise, 'starter', starter);
    assert.equal(readFileSync(join(starter, 'square.py'), 'utf8'), starterForm(authored('square.py')));
  });
});
