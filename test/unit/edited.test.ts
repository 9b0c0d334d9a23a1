import * as assert from 'node:assert/strict';
import { enclosingFunctions } from '../../src/core/grading/edited';

const SOURCE = [
  'import numpy as np', // 0
  '', // 1
  'def grad_w(w, x, y):', // 2
  '    error = w * x - y', // 3
  '', // 4
  '    # the mean over the batch', // 5
  '    return 2 * np.mean(error * x)', // 6
  '', // 7
  'class Value:', // 8
  '    def backward(self):', // 9
  '        def visit(node):', // 10
  '            pass', // 11
  '        order = []', // 12
  '', // 13
  'RATE = 0.1', // 14
].join('\n');

describe('the functions an edit touched', () => {
  it('names the innermost function that holds each changed line, once, in source order', () => {
    assert.deepEqual(enclosingFunctions(SOURCE, [6, 3, 2]), ['grad_w']);
    assert.deepEqual(enclosingFunctions(SOURCE, [12, 5]), ['grad_w', 'backward']);
    assert.deepEqual(enclosingFunctions(SOURCE, [11]), ['visit']);
    assert.deepEqual(enclosingFunctions(SOURCE, [9]), ['backward']);
  });

  it('names none for code outside every function, blank lines between them, or lines past the end', () => {
    assert.deepEqual(enclosingFunctions(SOURCE, [0, 8, 14, 99, -1]), []);
  });
});
