// Streaming throughput from a Python training script into the host, as "Run Training Script" does it: the script
// logs through gradlab, the lines go through the fd-3 pipe into the Node parser and the run registry.
//   node scripts/build.mjs --tests && node out/bench/stream.js [--steps 200000] [--rate 10000] [--python /usr/bin/python3]
// Prints: points per second end to end with the count of dropped points (logged but not received: should be 0),
// the longest stall of Node's event loop while parsing (the extension host's responsiveness), and at a fixed
// rate (the 10,000 points/s target) the delay from gradlab.log to the registry, p50/p95/max.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot, runtimeDir } from '../src/core/paths';
import { launchTrainingScript } from '../src/core/runs/launcher';
import { RunRegistry } from '../src/core/runs/registry';

interface Result {
  points: number;
  seconds: number;
  lines: number;
  worstStallMs: number;
  latencies: number[];
  python: string;
}

async function stream(python: string, steps: number, metrics: number, rate: number): Promise<Result> {
  const registry = new RunRegistry();
  const latencies: number[] = [];
  const inner = registry.handler({ kind: 'live' });
  const handler = {
    ...inner,
    metric: (run: string, step: number, t: number, names: readonly string[], values: ArrayLike<number>, count: number) => {
      if (rate) latencies.push(Date.now() - values[count - 1] * 1000);
      inner.metric(run, step, t, names, values, count);
    },
  };
  let pythonSays = '';
  let worstStallMs = 0;
  let last = performance.now();
  const watchdog = setInterval(() => {
    const now = performance.now();
    worstStallMs = Math.max(worstStallMs, now - last - 5);
    last = now;
  }, 5);
  const started = performance.now();
  const run = launchTrainingScript({
    python,
    script: join(packageRoot(), 'bench', 'stream_emit.py'),
    args: ['--steps', String(steps), '--metrics', String(metrics), '--rate', String(rate)],
    cwd: mkdtempSync(join(tmpdir(), 'gradlab-stream-')),
    runtimeDir: runtimeDir(),
    historyFile: join(mkdtempSync(join(tmpdir(), 'gradlab-stream-')), 'history.jsonl'),
    device: 'cpu',
    handler,
    onOutput: (text) => (pythonSays += text),
  });
  const exit = await run.exited;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(watchdog);
  if (exit.code !== 0) throw new Error(`the emitter failed (${exit.code ?? exit.signal}): ${pythonSays}`);
  const [info] = registry.infos();
  const table = registry.get(info.id)?.table;
  let points = 0;
  for (const column of table?.columns.values() ?? []) for (let r = 0; r < (table?.rows ?? 0); r++) if (!Number.isNaN(column[r])) points++;
  return { points, seconds, lines: exit.lines, worstStallMs, latencies, python: pythonSays.trim() };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      steps: { type: 'string', default: '200000' },
      rate: { type: 'string', default: '10000' },
      seconds: { type: 'string', default: '5' },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const python = values.python as string;
  const steps = Number(values.steps);
  const metrics = 2;

  const fast = await stream(python, steps, metrics, 0);
  const expected = steps * metrics;
  console.log(fast.python);
  console.log(
    `as fast as Python logs: ${fast.points.toLocaleString('en-US')} points in ${fast.seconds.toFixed(2)} s end to end ` +
      `(${Math.round(fast.points / fast.seconds).toLocaleString('en-US')} points/s, target >= 10,000), ` +
      `dropped ${expected - fast.points}, longest event-loop stall ${fast.worstStallMs.toFixed(0)} ms`,
  );

  const rate = Number(values.rate);
  const paced = await stream(python, Math.round((rate * Number(values.seconds)) / metrics), metrics, rate);
  const sorted = paced.latencies.sort((a, b) => a - b);
  console.log(
    `at ${rate.toLocaleString('en-US')} points/s for ${values.seconds} s: ${paced.points.toLocaleString('en-US')} points, ` +
      `dropped ${Math.round((rate * Number(values.seconds)) / metrics) * metrics - paced.points}; ` +
      `gradlab.log -> registry delay p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms ` +
      `(lines are flushed every 50 ms); longest event-loop stall ${paced.worstStallMs.toFixed(0)} ms`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
