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

  it('lists a surviving mutant nobody declared equivalent as an escape, with its line, and exits 0', async () => {
    const dir = bentTiny((d) => editFile(join(d, 'pack.json'), (t) => t.replace(/"mutants": \{[^\n]*\n/, '"mutants": { "equivalent": [ { "id": "square:gone:1", "why": "stale" } ] }\n')));
    const io = capture();
    assert.equal(await run([dir, '--python', testPython()], io), 0);
    assert.ok(io.stdout.includes('01-square: 3/4 mutants caught (1 escaped)'), io.stdout.join('\n'));
    assert.ok(io.stdout.includes('  escaped square.py:18 grad_square:compare:1: `<=` instead of `<` in `x < 0`'), io.stdout.join('\n'));
    assert.ok(io.stdout.some((l) => /mutants\.equivalent lists 'square:gone:1', but it was caught or not generated/.test(l)));
    assert.ok(io.stderr.some((l) => /^01-square: mutant \d\/4 ESCAPES: grad_square:compare:1$/.test(l)), io.stderr.join('\n'));
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
