// gradlab validate with the real worker, on copies of the tiny fixture pack bent in the ways an author's
// pack goes wrong: a mutant nobody declared equivalent, a solution that fails, a starter that passes.
import * as assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../src/cli/commands/validate';
import type { CliIO } from '../../src/cli/io';
import { GraderClient } from '../../src/core/grader/client';
import { loadPack } from '../../src/core/packs/load';
import { catchRate, formatValidation, validatePack } from '../../src/core/grading/validate';
import { packageRoot, runtimeDir } from '../../src/core/paths';
import type { HelloResult } from '../../src/protocol/worker';
import { testPython } from './helpers/python';

const tiny = () => join(packageRoot(), 'test', 'fixtures', 'packs', 'tiny');

/** A copy of the tiny pack with `edit` applied to its manifest and files. */
function bentTiny(edit: (dir: string) => void): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'gradlab-validate-')), 'tiny');
  cpSync(tiny(), dir, { recursive: true });
  edit(dir);
  return dir;
}

function editFile(path: string, change: (text: string) => string): void {
  writeFileSync(path, change(readFileSync(path, 'utf8')));
}

function capture(): CliIO & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, cwd: process.cwd(), out: (l) => stdout.push(l), err: (l) => stderr.push(l) };
}

describe('gradlab validate on a broken pack', () => {
  it('lists every problem on stderr and exits 2', async () => {
    const io = capture();
    assert.equal(await run([join(packageRoot(), 'test', 'fixtures', 'packs', 'bad', 'ids')], io), 2);
    assert.equal(io.stderr.length, 10);
    assert.match(io.stderr[0], /^pack\.json:10: exercises\[2\]\.id: duplicate exercise id 'a'/);
    assert.match(io.stderr[9], /^gradlab validate: 9 problems in .*ids$/);
    assert.deepEqual(io.stdout, []);
  });
});

describe('pack validation with the grading worker', function () {
  this.timeout(120_000);
  let clients: GraderClient[];
  let hello: HelloResult;
  before(async () => {
    clients = [0, 1].map(() => new GraderClient({ python: testPython(), runtimeDir: runtimeDir() }));
    hello = await clients[0].hello();
  });
  after(async () => Promise.all(clients.map((c) => c.dispose())));

  it('proves the solution passes, the starter fails, and counts the mutants caught', async () => {
    const report = await validatePack(await loadPack(tiny()), { clients, hello });
    assert.equal(report.ok, true);
    const [exercise] = report.exercises;
    assert.deepEqual(exercise.solution, { passed: true, checks: 3, failed: [] });
    assert.equal(exercise.starter?.passed, false);
    assert.equal(catchRate(exercise), '3/4 mutants caught (1 equivalent: grad_square:compare:1)');
    assert.deepEqual(exercise.mutants?.escaped, []);
    assert.equal(exercise.mutants?.equivalent[0].equivalent, 'at x = 0 both branches return 0, so < and <= agree everywhere');
    assert.equal(exercise.mutants?.total, 4);
    assert.equal(exercise.mutants?.caught, 3);
  });

  it('passes on the built-in pack: every solution passes, every starter fails, no mutant escapes, no check sits on a kink', async () => {
    const report = await validatePack(await loadPack(join(packageRoot(), 'exercises', 'training-from-scratch')), { clients, hello });
    const lines = formatValidation(report);
    assert.equal(report.ok, true, lines.join('\n'));
    assert.match(lines.at(-1) ?? '', /: 12 exercises, 0 solutions failing, 0 starters passing, 0 mutants escaped, 0 checks at a kink[ (]/);
    assert.deepEqual(report.exercises.flatMap((r) => r.kinks ?? []), []);
    assert.deepEqual(report.exercises.flatMap((r) => r.mutants?.errors ?? []), []);
  });

  it('lists a surviving mutant nobody declared equivalent as an escape, with its line, and exits 0', async () => {
    const dir = bentTiny((d) => editFile(join(d, 'pack.json'), (t) => t.replace(/"mutants": \{[^\n]*\n/, '"mutants": { "equivalent": [ { "id": "square:gone:1", "why": "stale" } ] }\n')));
    const io = capture();
    assert.equal(await run([dir, '--python', testPython()], io), 0);
    assert.ok(io.stdout.includes('01-square: 3/4 mutants caught (1 escaped)'), io.stdout.join('\n'));
    assert.ok(io.stdout.includes('  escaped square.py:18 grad_square:compare:1: `<=` instead of `<` in `x < 0`'), io.stdout.join('\n'));
    assert.ok(io.stdout.some((l) => /mutants\.equivalent lists 'square:gone:1', but it was caught or not generated/.test(l)));
    assert.ok(io.stderr.some((l) => /^01-square: mutant \d\/4 ESCAPES: grad_square:compare:1$/.test(l)), io.stderr.join('\n'));
  });

  it('warns, with the check, when a check sits on a declared kink, and not when the check says it accepts either side', async () => {
    const kink = '"kinks": [ { "function": "grad_square", "value": "x", "why": "|x| has no single derivative" } ],\n      "mutants"';
    const onZero = (d: string) => editFile(join(d, '01-square', 'tests.py'), (t) => t.replace('for x in (-1.5, 0.25, 7.0):', 'for x in (-1.5, 0.0, 0.25, 7.0):'));
    const dir = bentTiny((d) => {
      editFile(join(d, 'pack.json'), (t) => t.replace('"mutants"', kink));
      onZero(d);
    });
    const io = capture();
    assert.equal(await run([dir, '--python', testPython()], io), 0);
    const expected = "  at a kink: grad-hidden calls grad_square with x exactly on 0 (1 of 4 calls), where |x| has no single derivative: a correct answer there is not unique. Move the check's inputs off the kink, or say with `onKink` how the check accepts either side";
    assert.ok(io.stdout.includes(expected), io.stdout.join('\n'));
    assert.match(io.stdout.at(-1) ?? '', /0 mutants escaped, 1 check at a kink \(/);
    assert.ok(io.stderr.includes('01-square: solution passes (3/3 checks, 1 at a kink), starter fails (3/3 checks fail)'), io.stderr.join('\n'));

    const accepted = bentTiny((d) => {
      editFile(join(d, 'pack.json'), (t) => t.replace('"mutants"', kink).replace('"hidden": true,', '"hidden": true, "onKink": "grad_square(0) is 0 from either side",'));
      onZero(d);
    });
    const report = await validatePack(await loadPack(accepted), { clients, hello });
    assert.deepEqual(report.exercises[0].kinks, []);
    assert.match(formatValidation(report).at(-1) ?? '', /0 checks at a kink/);
  });

  it('says once which kink declaration cannot be watched, and in which checks', async () => {
    const dir = bentTiny((d) =>
      editFile(join(d, 'pack.json'), (t) =>
        t.replace('"mutants"', '"kinks": [ { "function": "grad_square", "value": "cache[\'Z1\']", "why": "a ReLU" }, { "function": "relu", "value": "z", "why": "a ReLU" } ],\n      "mutants"'),
      ),
    );
    const report = await validatePack(await loadPack(dir), { clients, hello });
    const lines = formatValidation(report);
    assert.ok(lines.includes("  kinks: the declaration grad_square `cache['Z1']` could not be watched (grad-fd, grad-hidden): NameError: name 'cache' is not defined; fix the exercise's `kinks`"), lines.join('\n'));
    assert.ok(lines.includes("  kinks: the declaration relu `z` could not be watched (grad-fd, square-values, grad-hidden): LookupError: the exercise's files define no `relu`; fix the exercise's `kinks`"), lines.join('\n'));
    assert.match(lines.at(-1) ?? '', /0 checks at a kink/);
  });

  it('exits 1 when a solution fails, naming the failing checks, and skips its mutants', async () => {
    const dir = bentTiny((d) => editFile(join(d, '01-square', 'square.py'), (t) => t.replace('slope_of_square = 2 * x', 'slope_of_square = 3 * x')));
    const io = capture();
    assert.equal(await run([dir, '--python', testPython(), '--json'], io), 1);
    const report = JSON.parse(io.stdout.join('\n'));
    assert.equal(report.ok, false);
    assert.equal(report.exercises[0].solution.passed, false);
    assert.ok(report.exercises[0].solution.failed.some((f: { id: string }) => f.id === 'grad-hidden'));
    assert.equal(report.exercises[0].mutants, undefined);
    assert.ok(io.stderr.includes('01-square: mutants skipped: the solution must pass first'));
  });

  it('exits 1 when a starter passes every check', async () => {
    const dir = bentTiny((d) =>
      editFile(join(d, '01-square', 'square.py'), (t) => t.replace(/# BEGIN STARTER\n\s*raise NotImplementedError\("square: return x squared"\)\n\s*# END STARTER/, '# BEGIN STARTER\n    return x * x\n    # END STARTER').replace(/# BEGIN STARTER\n\s*# TODO: the derivative of x\*\*2\n\s*raise NotImplementedError\("grad_square: differentiate x\*\*2"\)/, '# BEGIN STARTER\n    return 2 * x')),
    );
    const report = await validatePack(await loadPack(dir), { clients, hello });
    assert.equal(report.ok, false);
    assert.equal(report.exercises[0].starter?.passed, true);
    assert.ok(formatValidation(report).includes('  the starter PASSES every check: the exercise asks nothing of the learner'));
  });

  it('skips an exercise whose packages the interpreter lacks, and says how to install them', async () => {
    const dir = bentTiny((d) => editFile(join(d, 'pack.json'), (t) => t.replace('"requires": ["numpy"]', '"requires": ["numpy", "torch"]')));
    const report = await validatePack(await loadPack(dir), { clients, hello: { ...hello, torch: { available: false } } });
    assert.equal(report.ok, true);
    assert.match(report.exercises[0].skipped ?? '', /^needs torch, which .* lacks: install PyTorch into it/);
  });
});
