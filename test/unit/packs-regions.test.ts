import * as assert from 'node:assert/strict';
import { MarkerError, hasMarkers, markerBlocks, solutionForm, solutionLineNumbers, solutionRegions, starterForm } from '../../src/core/packs/regions';
import { findTests, removeTests } from '../../src/core/packs/testsSource';

const authoring = [
  'def predict(w, b, x):',
  '    """The line at x."""',
  '    # BEGIN SOLUTION',
  '    return w * x + b',
  '    # END SOLUTION',
  '    # BEGIN STARTER',
  '    raise NotImplementedError("predict")',
  '    # END STARTER',
  '',
  '',
  'class Net:',
  '    def step(self):',
  '        #BEGIN SOLUTION',
  '        for p in self.params:',
  '            p.data -= self.lr * p.grad',
  '        #   END   SOLUTION',
  '        pass',
  '',
].join('\n');

describe('solution markers', () => {
  it('gives the solution form without starter blocks or markers', () => {
    assert.equal(
      solutionForm(authoring),
      ['def predict(w, b, x):', '    """The line at x."""', '    return w * x + b', '', '', 'class Net:', '    def step(self):', '        for p in self.params:', '            p.data -= self.lr * p.grad', '        pass', ''].join('\n'),
    );
  });

  it('gives the starter form without solution blocks or markers', () => {
    assert.equal(
      starterForm(authoring),
      ['def predict(w, b, x):', '    """The line at x."""', '    raise NotImplementedError("predict")', '', '', 'class Net:', '    def step(self):', '        pass', ''].join('\n'),
    );
  });

  it('locates the solution regions as lines of the solution form', () => {
    const regions = solutionRegions(authoring);
    assert.deepEqual(regions, [
      [3, 3],
      [8, 9],
    ]);
    const lines = solutionForm(authoring).split('\n');
    assert.deepEqual(
      regions.map(([a, b]) => lines.slice(a - 1, b).map((l) => l.trim())),
      [['return w * x + b'], ['for p in self.params:', 'p.data -= self.lr * p.grad']],
    );
  });

  it('maps each line of the solution form back to its line in the authoring file', () => {
    const numbers = solutionLineNumbers(authoring);
    assert.equal(numbers.length, solutionForm(authoring).split('\n').length);
    const lines = authoring.split('\n');
    solutionForm(authoring).split('\n').forEach((line, i) => assert.equal(lines[numbers[i] - 1], line));
    assert.deepEqual(numbers.slice(0, 4), [1, 2, 4, 9]);
  });

  it('skips empty solution blocks and keeps CRLF line endings', () => {
    const crlf = 'a = 1\r\n# BEGIN SOLUTION\r\n# END SOLUTION\r\n# BEGIN SOLUTION\r\nb = 2\r\n# END SOLUTION\r\n';
    assert.deepEqual(solutionRegions(crlf), [[2, 2]]);
    assert.equal(solutionForm(crlf), 'a = 1\r\nb = 2\r\n');
    assert.equal(starterForm(crlf), 'a = 1\r\n');
  });

  it('leaves a file without markers as it is, and says it has none', () => {
    const plain = 'x = 1\n# BEGIN SOLUTIONS are not markers\n';
    assert.equal(solutionForm(plain), plain);
    assert.equal(starterForm(plain), plain);
    assert.equal(hasMarkers(plain), false);
    assert.equal(hasMarkers(authoring), true);
    assert.deepEqual(solutionRegions(plain), []);
  });

  it('lists the blocks by their marker lines', () => {
    assert.deepEqual(markerBlocks(authoring), [
      { kind: 'SOLUTION', begin: 3, end: 5 },
      { kind: 'STARTER', begin: 6, end: 8 },
      { kind: 'SOLUTION', begin: 13, end: 16 },
    ]);
  });

  it('refuses comments that look like markers but are not, rather than ship what they guard', () => {
    const near = ['def f():', '    # begin solution', '    return 1', '    # END SOLUTION: the fix', ''].join('\n');
    assert.throws(() => starterForm(near), (error: unknown) => {
      assert.ok(error instanceof MarkerError);
      assert.deepEqual(error.problems, [
        { line: 2, message: '`# begin solution` looks like a marker but is not one: write exactly `# BEGIN SOLUTION` on a line of its own' },
        { line: 4, message: '`# END SOLUTION: the fix` looks like a marker but is not one: write exactly `# END SOLUTION` on a line of its own' },
      ]);
      return true;
    });
  });

  it('reports every unbalanced marker with its line', () => {
    const broken = ['# END SOLUTION', '# BEGIN SOLUTION', '# BEGIN STARTER', 'x', '# END SOLUTION', '# BEGIN STARTER'].join('\n');
    for (const f of [solutionForm, starterForm, solutionRegions]) assert.throws(() => f(broken), MarkerError);
    try {
      solutionForm(broken);
    } catch (error) {
      assert.deepEqual(
        (error as MarkerError).problems.map((p) => p.line),
        [1, 3, 5, 6],
      );
      assert.match((error as MarkerError).message, /^line 1: `# END SOLUTION` without a `# BEGIN SOLUTION` before it\nline 3: `# BEGIN STARTER` inside the SOLUTION block opened at line 2/);
      assert.match((error as MarkerError).message, /line 5: `# END SOLUTION` closes the `# BEGIN STARTER` of line 3/);
      assert.match((error as MarkerError).message, /line 6: `# BEGIN STARTER` is never closed/);
    }
  });
});

const tests = [
  'from gradlab.testing import test, close',
  '',
  'TEXT = """',
  '@test("in-a-string")',
  'def not_a_test(sub):',
  '"""',
  '',
  '',
  '@test("public")',
  'def public(sub):',
  '    close(sub.f(1), 1)',
  '',
  '',
  '# why the hidden test probes 7: SECRET',
  '@other_decorator',
  '@gradlab.testing.test(',
  "    id='hidden',",
  ')',
  'async def hidden(sub,',
  '           extra=(1,',
  '2)):',
  '    data = """',
  'def fake(): pass',
  '"""',
  '    close(sub.f(7), 49)  # SECRET',
  '# a column-0 comment inside the body: SECRET',
  '    return data',
  '',
  '',
  '# the helper below is public',
  'def helper():',
  '    return 1',
  '',
].join('\n');

describe('tests.py scanning', () => {
  it('finds the @test functions and their ids, not decorators inside strings', () => {
    assert.deepEqual(findTests(tests), [
      { id: 'public', name: 'public', line: 9 },
      { id: 'hidden', name: 'hidden', line: 15 },
    ]);
  });

  it('removes a test whole: decorators, signature, body and the comment above it', () => {
    const stripped = removeTests(tests, new Set(['hidden']));
    assert.doesNotMatch(stripped, /SECRET|hidden|fake|extra/);
    assert.match(stripped, /@test\("public"\)\ndef public\(sub\):\n {4}close\(sub\.f\(1\), 1\)\n/);
    assert.match(stripped, /\n# the helper below is public\ndef helper\(\):\n {4}return 1\n$/);
    assert.match(stripped, /^from gradlab\.testing import test, close\n\nTEXT = """\n@test\("in-a-string"\)/);
    assert.deepEqual(findTests(stripped).map((t) => t.id), ['public']);
  });

  it('keeps everything when no id is asked for', () => {
    assert.equal(removeTests(tests, new Set()), tests);
  });
});
