// The pack tools with the real grading worker: a release built from recorded transcripts grades like the
// authoring pack, and the built-in pack's release holds neither solutions nor hidden-test source.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraderClient } from '../../src/core/grader/client';
import { checkSubmission } from '../../src/core/grading/check';
import { buildRelease } from '../../src/core/packs/build';
import { findExercise, loadPack } from '../../src/core/packs/load';
import { materializeForm } from '../../src/core/packs/scaffold';
import { builtinAuthoringPackDir, packageRoot, runtimeDir } from '../../src/core/paths';
import { assertNoSolutionText, filesUnder } from './helpers/packs';
import { testPython } from './helpers/python';

const tiny = () => join(packageRoot(), 'test', 'fixtures', 'packs', 'tiny');
const scratch = () => mkdtempSync(join(tmpdir(), 'gradlab-packs-py-'));

/**
 * The source lines (stripped, non-trivial) of the hidden @test functions that the rest of tests.py does not
 * also have, found by Python's own parser.
 */
function hiddenTestLines(testsPy: string, ids: string[]): string[] {
  const program = `
import ast, json, sys
source = open(sys.argv[1]).read()
ids = set(json.loads(sys.argv[2]))
lines = source.splitlines()
hidden = set()
for node in ast.parse(source).body:
    if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        continue
    for d in node.decorator_list:
        if isinstance(d, ast.Call) and d.args and isinstance(d.args[0], ast.Constant) and d.args[0].value in ids:
            hidden.update(range(node.lineno - 1, node.end_lineno))
public = {lines[i].strip() for i in range(len(lines)) if i not in hidden}
print(json.dumps([lines[i] for i in sorted(hidden) if lines[i].strip() not in public]))
`;
  const lines = JSON.parse(execFileSync(testPython(), ['-c', program, testsPy, JSON.stringify(ids)], { encoding: 'utf8' })) as string[];
  return lines.map((l) => l.trim()).filter((l) => l.length >= 12); // shorter lines (`]`, `return x`) recur by chance
}

describe('pack build with the grading worker', function () {
  this.timeout(180_000);
  let client: GraderClient;
  before(() => {
    client = new GraderClient({ python: testPython(), runtimeDir: runtimeDir() });
  });
  after(async () => client.dispose());

  it('records hidden tests into a release that grades the solution green and the starter red', async () => {
    const authoring = await loadPack(tiny());
    const out = join(scratch(), 'tiny');
    await buildRelease(authoring, { out, record: (p) => client.record(p) });
    const release = await loadPack(out);
    const exercise = findExercise(release, '01-square');
    const hidden = JSON.parse(readFileSync(join(out, '01-square', 'hidden.json'), 'utf8'));
    assert.ok(hidden.tests['grad-hidden'].calls.length > 0);

    const solution = scratch();
    await materializeForm(authoring, findExercise(authoring, '01-square'), 'solution', solution);
    const passing = await checkSubmission({ client, pack: release, exercise, submission: solution });
    assert.deepEqual(passing.checks.map((c) => [c.id, c.status]), [['grad-fd', 'passed'], ['square-values', 'passed'], ['grad-hidden', 'passed']]);

    const starter = scratch();
    await materializeForm(release, exercise, 'starter', starter);
    const failing = await checkSubmission({ client, pack: release, exercise, submission: starter });
    assert.equal(failing.checks.find((c) => c.id === 'grad-hidden')?.passed, false);
  });

  it('builds the built-in pack into a release without solution text or hidden-test source', async () => {
    const authoring = await loadPack(builtinAuthoringPackDir());
    const out = join(scratch(), 'training-from-scratch');
    const result = await buildRelease(authoring, { out, record: (p) => client.record(p) });
    assert.equal(result.exercises.length, authoring.manifest.exercises.length);
    assertNoSolutionText(authoring, out);
    const files = filesUnder(out);
    for (const exercise of authoring.manifest.exercises) {
      // What the build writes from the tests and the solution; verbatim copies of published files are checked by assertNoSolutionText.
      const folder = exercise.dir ?? exercise.id;
      const derived = [`${folder}/${exercise.tests ?? 'tests.py'}`, 'pack.json', ...exercise.files.filter((f) => f.role === 'learner').map((f) => `${folder}/${f.path}`)];
      const lines = new Set(derived.flatMap((name) => (files.get(name) ?? '').split('\n').map((l) => l.trim())));
      const ids = exercise.checks.filter((c) => c.kind === 'test' && c.hidden).map((c) => c.id);
      assert.ok(ids.length > 0, `${exercise.id} has a hidden test`);
      for (const line of hiddenTestLines(join(authoring.dir, exercise.dir ?? exercise.id, exercise.tests ?? 'tests.py'), ids)) {
        assert.ok(!lines.has(line), `hidden-test source of ${exercise.id} in the release: ${line}`);
      }
    }
  });
});
