// A training script's declared parameters: the values it may be given and the command line that carries them,
// what a run's config says about a parameter the script ignored, the declarations a pack may not make, and
// validate holding each declaration to the script's own argparse (read from the script, nothing trained).
import * as assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GraderClient } from '../../src/core/grader/client';
import { buildRelease } from '../../src/core/packs/build';
import { formatValidation, validatePack } from '../../src/core/grading/validate';
import { loadPack } from '../../src/core/packs/load';
import { ParameterError, argparseProblems, ignoredParameters, parameterArgs, parameterisedScripts } from '../../src/core/packs/parameters';
import { PackError } from '../../src/core/packs/problems';
import { builtinAuthoringPackDir, packageRoot, runtimeDir } from '../../src/core/paths';
import { ArgSpecError, readArgSpec } from '../../src/core/python/argspec';
import { valueProblem, type ScriptParameter } from '../../src/protocol/parameters';
import { testPython } from './helpers/python';

const CLASSIFIER: ScriptParameter[] = [
  { name: 'dataset', label: 'Dataset', kind: 'choice', choices: ['xor', 'circle', 'spiral'], default: 'xor' },
  { name: 'lr', label: 'Learning rate', kind: 'number', flag: '--lr', min: 0.001, max: 1, scale: 'log', default: 0.05, configKey: 'learning_rate' },
  { name: 'epochs', label: 'Epochs', kind: 'integer', flag: '--epochs', min: 1, max: 5000, default: 500 },
  { name: 'no_shuffle', label: 'No shuffle', kind: 'boolean', flag: '--no-shuffle', default: false },
];

function failure(fn: () => unknown): ParameterError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ParameterError, String(error));
    return error;
  }
  assert.fail('expected a ParameterError');
}

describe('script parameters: values and command lines', () => {
  it('puts positionals first in declaration order, then each flag with its value, a boolean flag alone when on', () => {
    assert.deepEqual(parameterArgs(CLASSIFIER, {}), ['xor', '--lr', '0.05', '--epochs', '500']);
    assert.deepEqual(parameterArgs(CLASSIFIER, { dataset: 'spiral', lr: 0.02, no_shuffle: true }), ['spiral', '--lr', '0.02', '--epochs', '500', '--no-shuffle']);
  });

  it('refuses a value outside its bounds, a fraction for an integer, an unknown choice or name, saying what would do, all at once', () => {
    const error = failure(() => parameterArgs(CLASSIFIER, { lr: 3, epochs: 2.5, dataset: 'moons', momentum: 0.9 }));
    assert.deepEqual(error.problems, [
      "'momentum' is not a parameter of this script (it has dataset, lr, epochs, no_shuffle)",
      "Dataset (dataset) must be one of xor, circle, spiral, not 'moons'",
      'Learning rate (lr) must be from 0.001 to 1; 3 is outside',
      'Epochs (epochs) must be a whole number, not 2.5',
    ]);
    assert.match(valueProblem(CLASSIFIER[1], Number.NaN) ?? '', /must be a number from 0.001 to 1, not null/);
    assert.match(valueProblem(CLASSIFIER[3], 'yes') ?? '', /on or off/);
    assert.equal(valueProblem(CLASSIFIER[1], 0.3), undefined);
  });

  it("says when a run's config contradicts a value it was given, or does not record it", () => {
    const config = { dataset: 'xor', learning_rate: 0.05, epochs: 500, no_shuffle: false };
    assert.deepEqual(ignoredParameters(CLASSIFIER, { dataset: 'xor' }, config), []);
    assert.deepEqual(ignoredParameters(CLASSIFIER, { lr: 0.3 }, config), [
      "Learning rate was set to 0.3, but the run's config says learning_rate=0.05: the script ignored the value it was given",
    ]);
    assert.deepEqual(ignoredParameters(CLASSIFIER, {}, { dataset: 'xor', learning_rate: 0.05, no_shuffle: false }), [
      "the run's config does not record Epochs (epochs), so nothing shows the script used 500",
    ]);
  });
});

/** A copy of the tiny pack whose run_square.py reads an argparse command line and whose manifest declares `parameters`. */
function tinyWithParameters(parameters: unknown, script = ''): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'gradlab-parameters-')), 'tiny');
  cpSync(join(packageRoot(), 'test', 'fixtures', 'packs', 'tiny'), dir, { recursive: true });
  const manifest = join(dir, 'pack.json');
  writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('{ "path": "run_square.py", "role": "script" }', `{ "path": "run_square.py", "role": "script", "parameters": ${JSON.stringify(parameters)} }`));
  if (script) writeFileSync(join(dir, '01-square', 'run_square.py'), script);
  return dir;
}

const ARGPARSE_SCRIPT = `import argparse
from square import square

parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float, default=2.0)
parser.add_argument("--times", type=int, default=3)
parser.add_argument("--mode", choices=("plain", "loud"), default="plain")
parser.add_argument("--verbose", action="store_true")
args = parser.parse_args()
raise SystemExit("trained: argspec must stop at parse_args")
`;

async function problemsOf(dir: string): Promise<string[]> {
  try {
    await loadPack(dir);
    return [];
  } catch (error) {
    assert.ok(error instanceof PackError, String(error));
    return error.problems.map((p) => `${p.path}: ${p.message}`);
  }
}

describe('script parameters in a manifest', function () {
  this.timeout(20_000); // loading the built-in pack reads every file of it
  it('the built-in pack declares parameters for every training script, each loading cleanly', async () => {
    const pack = await loadPack(builtinAuthoringPackDir());
    const scripts = pack.manifest.exercises.flatMap((e) => e.files.filter((f) => f.role === 'script').map((f) => `${e.id}/${f.path}`));
    const declared = pack.manifest.exercises.flatMap((e) => parameterisedScripts(e).map((f) => `${e.id}/${f.path}`));
    assert.deepEqual(declared, scripts);
    const names = (id: string) => pack.manifest.exercises.find((e) => e.id === id)!.files.flatMap((f) => (f.parameters ?? []).map((p) => p.name));
    assert.deepEqual(names('09-minibatches'), ['dataset', 'lr', 'epochs', 'batch_size', 'seed', 'no_shuffle']);
    assert.deepEqual(names('11-overfitting'), ['reg', 'weight_decay', 'dropout', 'epochs', 'width', 'lr', 'seed']);
    assert.deepEqual(names('10-adam'), ['optimizer', 'lr', 'steps', 'seed']);
  });

  it('refuses contradicting bounds, a default outside them, duplicates, a log scale through 0, and parameters on a learner file', async () => {
    const problems = await problemsOf(tinyWithParameters([
      { name: 'x', label: 'x', kind: 'number', flag: '--x', min: 0, max: 1, scale: 'log', default: 2 },
      { name: 'x', label: 'again', kind: 'integer', flag: '--x', min: 5, max: 5, default: 5 },
      { name: 'mode', label: 'Mode', kind: 'choice', flag: '--mode', choices: ['plain', 'plain'], default: 'loud' },
    ]));
    assert.deepEqual(problems, [
      'exercises[0].files[2].parameters[1].name: duplicate parameter \'x\' (also at exercises[0].files[2].parameters[0].name)',
      'exercises[0].files[2].parameters[1].flag: duplicate flag \'--x\' (also at exercises[0].files[2].parameters[0].flag)',
      'exercises[0].files[2].parameters[0].min: a log scale needs min above 0, not 0',
      'exercises[0].files[2].parameters[0].default: the default: x (x) must be from 0 to 1; 2 is outside',
      'exercises[0].files[2].parameters[1].max: max 5 must be above min 5',
      "exercises[0].files[2].parameters[2].choices: 'plain' is listed twice",
      "exercises[0].files[2].parameters[2].default: the default: Mode (mode) must be one of plain, plain, not 'loud'",
    ]);
    const dir = tinyWithParameters([]);
    const manifest = join(dir, 'pack.json');
    writeFileSync(manifest, readFileSync(manifest, 'utf8').replace('"functions": ["square", "grad_square"] }', '"functions": ["square", "grad_square"], "parameters": [{ "name": "x", "label": "x", "kind": "boolean", "flag": "--x", "default": false }] }'));
    assert.deepEqual(await problemsOf(dir), ['exercises[0].files[0].parameters: square.py is a learner file; only a file with role "script" is run with parameters']);
  });

  it('the schema refuses a kind\'s foreign field and a default of the wrong type', async () => {
    const problems = await problemsOf(tinyWithParameters([{ name: 'v', label: 'V', kind: 'boolean', flag: '--v', default: 'yes', min: 0 }]));
    assert.ok(problems.some((p) => /parameters\[0\]/.test(p) && /min/.test(p)), problems.join('\n'));
    assert.ok(problems.some((p) => /parameters\[0\]\.default/.test(p)), problems.join('\n'));
  });
});

describe("script parameters against the script's argparse", function () {
  this.timeout(120_000);

  it("reads the parser without running the script past parse_args, and names each disagreement", async () => {
    const dir = tinyWithParameters([], ARGPARSE_SCRIPT);
    const spec = await readArgSpec(testPython(), runtimeDir(), join(dir, '01-square', 'run_square.py'));
    assert.ok(spec.parsed);
    assert.deepEqual(spec.arguments.map((a) => a.flags[0]), ['--x', '--times', '--mode', '--verbose']);
    const problems = argparseProblems('run_square.py', [
      { name: 'x', label: 'x', kind: 'number', flag: '--x', min: 0, max: 5, default: 2 },
      { name: 'times', label: 'Times', kind: 'number', flag: '--times', min: 1, max: 9, default: 4 },
      { name: 'mode', label: 'Mode', kind: 'choice', flag: '--mode', choices: ['plain', 'quiet'], default: 'plain' },
      { name: 'verbose', label: 'Verbose', kind: 'boolean', flag: '--verbose', default: false },
      { name: 'steps', label: 'Steps', kind: 'integer', flag: '--steps', min: 1, max: 9, default: 3 },
      { name: 'where', label: 'Where', kind: 'choice', choices: ['a'], default: 'a' },
    ], spec);
    assert.deepEqual(problems, [
      'run_square.py: --times reads a whole number, but \'times\' is a number with fractions; declare it as an integer or read it with type=float',
      "run_square.py: 'times' declares the default 4, but the script's own default for --times is 3",
      "run_square.py: 'mode' offers quiet, which --mode refuses (its choices: plain, loud)",
      'run_square.py: parameter \'steps\' is passed as --steps, which the script\'s argparse rejects (it accepts --x, --times, --mode, --verbose)',
      "run_square.py: parameter 'where' is positional argument 1, but the script takes 0 positional arguments",
    ]);
  });

  it('says when a script never parses a command line, and when it fails before parsing', async () => {
    const plain = tinyWithParameters([]);
    const spec = await readArgSpec(testPython(), runtimeDir(), join(plain, '01-square', 'run_square.py'));
    assert.deepEqual(spec, { parsed: false });
    assert.deepEqual(argparseProblems('run_square.py', [{ name: 'v', label: 'V', kind: 'boolean', flag: '--v', default: false }], spec), [
      'run_square.py never parses a command line (argparse), so none of its declared parameters can reach it',
    ]);
    const broken = tinyWithParameters([], 'import no_such_module\n');
    await assert.rejects(readArgSpec(testPython(), runtimeDir(), join(broken, '01-square', 'run_square.py')), (error: Error) => {
      assert.ok(error instanceof ArgSpecError);
      assert.match(error.message, /^run_square\.py failed before parsing its arguments: .*No module named 'no_such_module'/);
      return true;
    });
  });

  it('gradlab build refuses a pack whose declared flag the script rejects, before writing anything', async () => {
    const wrong = tinyWithParameters([{ name: 'x', label: 'x', kind: 'number', flag: '--ex', min: 0, max: 5, default: 2 }], ARGPARSE_SCRIPT);
    const out = join(mkdtempSync(join(tmpdir(), 'gradlab-parameters-build-')), 'release');
    const record = () => assert.fail('nothing may be recorded for a pack refused');
    await assert.rejects(
      buildRelease(await loadPack(wrong), { out, record, readArgSpec: (script) => readArgSpec(testPython(), runtimeDir(), script) }),
      (error: Error) => {
        assert.ok(error instanceof PackError);
        assert.deepEqual(error.problems.map((p) => p.message), ["run_square.py: parameter 'x' is passed as --ex, which the script's argparse rejects (it accepts --x, --times, --mode, --verbose)"]);
        return true;
      },
    );
    assert.equal(existsSync(out), false);
  });

  it('gradlab validate fails an exercise whose declared flag the script rejects, and passes it once the flags agree', async () => {
    const client = new GraderClient({ python: testPython(), runtimeDir: runtimeDir() });
    try {
      const hello = await client.hello();
      const wrong = tinyWithParameters([{ name: 'x', label: 'x', kind: 'number', flag: '--ex', min: 0, max: 5, default: 2 }], ARGPARSE_SCRIPT);
      const report = await validatePack(await loadPack(wrong), { clients: [client], hello });
      assert.equal(report.ok, false);
      assert.ok(formatValidation(report).includes("  parameters: run_square.py: parameter 'x' is passed as --ex, which the script's argparse rejects (it accepts --x, --times, --mode, --verbose)"), formatValidation(report).join('\n'));
      const right = tinyWithParameters([{ name: 'x', label: 'x', kind: 'number', flag: '--x', min: 0, max: 5, default: 2 }], ARGPARSE_SCRIPT);
      const fixed = await validatePack(await loadPack(right), { clients: [client], hello });
      assert.equal(fixed.ok, true, formatValidation(fixed).join('\n'));
      assert.deepEqual(fixed.exercises[0].parameters, []);
    } finally {
      await client.dispose();
    }
  });
});
