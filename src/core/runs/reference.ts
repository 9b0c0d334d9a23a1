// Reference ("ghost") runs: what an exercise's solution logs, drawn behind the learner's own runs so there is a
// curve to compare with, and to look at before the learner has written any code.
import { HISTORY_FORMAT_VERSION, type HistoryRecord } from '../../protocol/runs';

/** The reference run of an exercise, as history records, or undefined when the exercise has none. */
export function referenceRun(exerciseId: string): HistoryRecord[] | undefined {
  const make = REFERENCES[exerciseId];
  return make?.(`reference:${exerciseId}`);
}

export function hasReferenceRun(exerciseId: string): boolean {
  return exerciseId in REFERENCES;
}

/** The exercises that have a reference run. */
export function referenceExercises(): string[] {
  return Object.keys(REFERENCES);
}

const REFERENCES: Record<string, (run: string) => HistoryRecord[]> = {
  '01-one-update': oneUpdateReference,
};

/**
 * Exercise 01, the shipment-delay lesson: prediction w*x + b for x = 2, target y = 6, half squared error, starting
 * from w = 1, b = 0 with learning rate 0.1, five SGD steps. Losses 8, 2, 0.5, 0.125, 0.03125, exactly what
 * train_one_update.py logs as train_loss when the learner's functions are right. Also the loss along w with b held
 * at its start, and the five values of w on it.
 */
function oneUpdateReference(run: string): HistoryRecord[] {
  const x = 2;
  const y = 6;
  const learningRate = 0.1;
  let w = 1;
  let b = 0;
  const records: HistoryRecord[] = [
    {
      type: 'run-start',
      v: HISTORY_FORMAT_VERSION,
      run,
      name: 'reference solution',
      time: 0,
      config: { x, y, w: 1, b: 0, lr: learningRate },
      backend: 'typescript',
      device: 'cpu',
      deviceName: 'computed by Gradient Lab',
    },
  ];
  for (let step = 0; step < 5; step++) {
    const error = w * x + b - y;
    records.push({ type: 'metric', run, step, metrics: { train_loss: 0.5 * error * error, w, b } });
    w -= learningRate * (error * x); // grouped as the solution's sgd_step(grad_w=error * x) is, to give its numbers exactly
    b -= learningRate * error;
  }
  const ws = Array.from({ length: 61 }, (_, i) => -0.5 + (i * 5) / 60);
  records.push({
    type: 'landscape',
    run,
    step: 0,
    param: 'w',
    values: ws,
    losses: ws.map((v) => 0.5 * (v * x - y) ** 2),
    fixed: { b: 0 },
  });
  records.push({ type: 'run-end', run, status: 'ok' });
  return records;
}
