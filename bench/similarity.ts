// The similarity report's cost for a class: fingerprinting every student's learner functions and comparing every
// pair, for classes of 50 to 400 students with code of the built-in pack's size (each student a variant of one
// solution, names changed and one line of their own), so that a course's run time can be judged.
//   node scripts/build.mjs --tests && node out/bench/similarity.js
import { similarPairs, type StudentCode } from '../src/core/similarity/report';

const BASE = [
  'def grad_w(w, b, x, y):\n    error = w * x + b - y\n    return float(2 * np.mean(error * x))\n',
  'def grad_b(w, b, x, y):\n    error = w * x + b - y\n    return float(2 * np.mean(error))\n',
  'def fit(x, y, lr=0.01, epochs=100):\n    w = b = 0.0\n    losses = []\n    for _ in range(epochs):\n        losses.append(mse_loss(w, b, x, y))\n        gw, gb = grad_w(w, b, x, y), grad_b(w, b, x, y)\n        w -= lr * gw\n        b -= lr * gb\n    return w, b, losses\n',
];

function student(i: number): StudentCode {
  const functions = BASE.map((code, f) => ({ exercise: '02-grad-w', file: 'linear_mse.py', name: ['grad_w', 'grad_b', 'fit'][f], code: `${code.replace(/error/g, `e${i}`)}    # ${i}\n    check_${i % 7}(x)\n` }));
  return { student: `student-${i}`, functions };
}

for (const size of [50, 100, 200, 400]) {
  const students = Array.from({ length: size }, (_, i) => student(i));
  const started = process.hrtime.bigint();
  const pairs = similarPairs(students, []);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${String(size).padStart(4)} students: ${String(pairs.length).padStart(6)} pairs compared in ${ms.toFixed(0).padStart(6)} ms (${((ms * 1000) / Math.max(1, (size * (size - 1)) / 2)).toFixed(1)} µs a pair)`);
}
