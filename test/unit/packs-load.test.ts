import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { exerciseDir, findExercise, loadPack } from '../../src/core/packs/load';
import { PackError, formatProblem } from '../../src/core/packs/problems';
import { builtinAuthoringPackDir, packageRoot } from '../../src/core/paths';

export const fixtures = () => join(packageRoot(), 'test', 'fixtures', 'packs');

async function problemsOf(dir: string): Promise<string[]> {
  try {
    await loadPack(dir);
  } catch (error) {
    assert.ok(error instanceof PackError, `${dir}: expected a PackError, got ${String(error)}`);
    return error.problems.map(formatProblem);
  }
  assert.fail(`${dir} loaded, but it is a bad pack`);
}

describe('pack loading', () => {
  it('loads the tiny fixture pack with its exercise and folders', async () => {
    const pack = await loadPack(join(fixtures(), 'tiny'));
    assert.equal(pack.form, 'authoring');
    assert.equal(pack.manifest.id, 'tiny');
    assert.equal(pack.manifestPath, join(fixtures(), 'tiny', 'pack.json'));
    const exercise = findExercise(pack, '01-square');
    assert.equal(exerciseDir(pack, exercise), join(fixtures(), 'tiny', '01-square'));
  });

  it('loads a pack given its manifest file', async () => {
    const pack = await loadPack(join(fixtures(), 'tiny', 'pack.json'));
    assert.equal(pack.dir, join(fixtures(), 'tiny'));
  });

  it('names the exercises there are when an id is unknown', async () => {
    const pack = await loadPack(join(fixtures(), 'tiny'));
    assert.throws(() => findExercise(pack, '02-cube'), /no exercise '02-cube' in pack tiny \(exercises: 01-square\)/);
  });

  it('loads the built-in pack, every exercise with its folder, files and instructions', async () => {
    const pack = await loadPack(builtinAuthoringPackDir());
    assert.equal(pack.manifest.id, 'training-from-scratch');
    assert.ok(pack.manifest.exercises.length >= 1);
    for (const exercise of pack.manifest.exercises) {
      const dir = exerciseDir(pack, exercise);
      for (const file of [...exercise.files.map((f) => f.path), exercise.instructions]) assert.ok(existsSync(join(dir, file)), `${exercise.id}/${file}`);
    }
  });

  it('refuses a path that is no pack', async () => {
    assert.deepEqual(await problemsOf(join(fixtures(), 'nowhere')), [`nowhere: no pack folder or .zip at ${join(fixtures(), 'nowhere')}`]);
    assert.match((await problemsOf(fixtures()))[0], /no pack.json or pack.yaml in .*: is this a pack folder\?/);
  });

  describe('every bad manifest in test/fixtures/packs/bad fails with all its problems, clearly', () => {
    const bad = join(packageRoot(), 'test', 'fixtures', 'packs', 'bad');
    for (const name of readdirSync(bad)) {
      it(name, async () => {
        const expected = readFileSync(join(bad, name, 'expected.txt'), 'utf8').trim().split('\n');
        const actual = await problemsOf(join(bad, name));
        for (const line of expected) assert.ok(actual.some((p) => p.startsWith(line)), `missing problem:\n  ${line}\ngot:\n  ${actual.join('\n  ')}`);
        assert.equal(actual.length, expected.length, `problems:\n  ${actual.join('\n  ')}`);
      });
    }
  });

  it('puts the first problem on the first line of the message and lists all below', async () => {
    try {
      await loadPack(join(fixtures(), 'bad', 'ids'));
      assert.fail('loaded');
    } catch (error) {
      const lines = (error as Error).message.split('\n');
      assert.match(lines[0], /^pack\.json:\d+: .* \(and \d+ more problems\)$/);
      assert.match(lines[1], /^The pack .*ids has \d+ problems:$/);
      assert.equal(lines.length, 2 + (error as PackError).problems.length);
    }
  });
});
