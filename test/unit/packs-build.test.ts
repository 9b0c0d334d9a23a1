import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRelease } from '../../src/core/packs/build';
import { loadPack } from '../../src/core/packs/load';
import { PackError } from '../../src/core/packs/problems';
import { DEFAULT_LIMITS, type RecordParams, type RecordResult } from '../../src/protocol/worker';
import { packageRoot } from '../../src/core/paths';
import { assertNoSolutionText, filesUnder } from './helpers/packs';

const tiny = () => join(packageRoot(), 'test', 'fixtures', 'packs', 'tiny');
const scratch = () => mkdtempSync(join(tmpdir(), 'gradlab-build-test-'));

function recorder(calls: RecordParams[]) {
  return async (params: RecordParams): Promise<RecordResult> => {
    calls.push(params);
    const reference = readFileSync(join(params.reference, 'square.py'), 'utf8');
    return { transcripts: { 'grad-hidden': [{ call: 'grad_square', args: [7], result: 14 }], referenceHadSolution: reference.includes('slope_of_square = 2 * x') }, references: { 'grad-fd': [] }, costs: { 'grad-fd': 4.5, 'grad-hidden': 1.5 } };
  };
}

describe('building a learner release', () => {
  it('writes starters, public tests, transcripts and a release manifest, and nothing of the solution', async () => {
    const pack = await loadPack(tiny());
    const out = join(scratch(), 'release');
    const calls: RecordParams[] = [];
    const result = await buildRelease(pack, { out, record: recorder(calls) });
    assert.deepEqual(result, { dir: out, exercises: [{ id: '01-square', files: 3, hiddenTests: 1 }] });

    assert.equal(calls.length, 1);
    assert.deepEqual(calls[0].pack, { dir: pack.dir, form: 'authoring' });
    assert.deepEqual(calls[0].limits, DEFAULT_LIMITS);
    assert.equal(calls[0].exercise.id, '01-square');

    const files = filesUnder(out);
    assert.deepEqual([...files.keys()].sort(), ['01-square/README.md', '01-square/costs.json', '01-square/helpers.py', '01-square/hidden.json', '01-square/references.json', '01-square/run_square.py', '01-square/square.py', '01-square/tests.py', 'pack.json']);
    const manifest = JSON.parse(files.get('pack.json')!);
    assert.equal(manifest.form, 'release');
    assert.equal(manifest.$schema, undefined);
    assert.equal(manifest.exercises[0].mutants, undefined);
    assert.deepEqual(manifest.exercises[0].checks, pack.manifest.exercises[0].checks);
    assert.deepEqual(JSON.parse(files.get('01-square/hidden.json')!), { 'grad-hidden': [{ call: 'grad_square', args: [7], result: 14 }], referenceHadSolution: true });

    assert.deepEqual(JSON.parse(files.get('01-square/costs.json')!), { 'grad-fd': 4.5, 'grad-hidden': 1.5 }, 'what each check cost on the reference');

    assertNoSolutionText(pack, out);
    const tests = files.get('01-square/tests.py')!;
    assert.doesNotMatch(tests, /SECRET-PROBE|grad_at_secret_points|^ {4}"grad-hidden",$|not indented: still inside/m);
    assert.match(tests, /@test\("square-values"\)\ndef square_values\(sub\):/);
    assert.match(tests, /def helper_kept\(\):/);
    for (const [name, text] of files) assert.doesNotMatch(text, /SECRET-PROBE/, name);

    const release = await loadPack(out);
    assert.equal(release.form, 'release');
  });

  it('replaces an earlier release, and zips it when asked', async () => {
    const pack = await loadPack(tiny());
    const out = join(scratch(), 'release');
    await buildRelease(pack, { out, record: recorder([]) });
    writeFileSync(join(out, 'stale.txt'), 'from an older build');
    const result = await buildRelease(pack, { out, zip: true, record: recorder([]) });
    assert.equal(existsSync(join(out, 'stale.txt')), false);
    assert.equal(result.zip, `${out}.zip`);
    const zipped = await loadPack(result.zip!, { zipCacheDir: scratch() });
    assert.equal(zipped.form, 'release');
    assert.equal(zipped.manifest.id, 'tiny');
  });

  it('never replaces a folder that is not a release, nor the pack itself', async () => {
    const pack = await loadPack(tiny());
    const mine = join(scratch(), 'my-notes');
    mkdirSync(mine);
    writeFileSync(join(mine, 'notes.md'), 'precious');
    await assert.rejects(buildRelease(pack, { out: mine, record: recorder([]) }), /exists and is not a Gradient Lab release; choose another --out or empty it first/);
    assert.equal(readFileSync(join(mine, 'notes.md'), 'utf8'), 'precious');
    await assert.rejects(buildRelease(pack, { out: join(tiny(), '..'), record: recorder([]) }), /the output folder contains the pack itself/);
  });

  it('refuses to build from a release, and leaves no half-built release when recording fails', async () => {
    const pack = await loadPack(tiny());
    const parent = scratch();
    const out = join(parent, 'release');
    await assert.rejects(
      buildRelease(pack, { out, record: async () => Promise.reject(new Error('the worker crashed')) }),
      /the worker crashed/,
    );
    assert.deepEqual(readdirSync(parent), []);
    await buildRelease(pack, { out, record: recorder([]) });
    await assert.rejects(buildRelease(await loadPack(out), { out: join(parent, 'again'), record: recorder([]) }), (e: unknown) => e instanceof PackError && /already a release/.test(e.message));
  });
});
