// Opening a large run history: read a 1,000,000-point history file, parse it into the run registry, and prepare the
// panel's `init` blocks, as restoring the panel or "Add runs from history" does; then the same from the column cache
// that the first open (or the end of a live run) leaves beside the file.
//   node scripts/build.mjs --tests && node out/bench/stream_load.js [--points 1000000] [--repeat 5] [--python /usr/bin/python3]
// The file is written by gradlab itself (bench/stream_emit.py), so its lines are exactly what training scripts write.
// Prints the median wall and CPU time of each stage, the file size, the same lines through JSON.parse alone for
// comparison, the first open as the panel does it (loadHistoryFile without a cache: the file read in chunks while the
// previous chunk is parsed, then prepared) and the cached open. Target: a first open under 200 ms.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packageRoot, runtimeDir } from '../src/core/paths';
import { cacheFile } from '../src/core/runs/cache';
import { loadHistoryBytes, loadHistoryFile } from '../src/core/runs/history';
import { RunRegistry } from '../src/core/runs/registry';

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timed<T>(fn: () => T): { value: T; wall: number; cpu: number } {
  const cpu = process.cpuUsage();
  const wall = performance.now();
  const value = fn();
  const used = process.cpuUsage(cpu);
  return { value, wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      points: { type: 'string', default: '1000000' },
      metrics: { type: 'string', default: '2' },
      repeat: { type: 'string', default: '5' },
      python: { type: 'string', default: '/usr/bin/python3' },
    },
  });
  const metrics = Number(values.metrics);
  const steps = Math.round(Number(values.points) / metrics);
  const dir = mkdtempSync(join(tmpdir(), 'gradlab-load-'));
  const file = join(dir, 'history.jsonl');
  execFileSync(values.python as string, [join(packageRoot(), 'bench', 'stream_emit.py'), '--steps', String(steps), '--metrics', String(metrics)], {
    env: { ...process.env, PYTHONPATH: runtimeDir(), GRADLAB_HISTORY: file },
    stdio: 'ignore',
  });
  const size = statSync(file).size;
  console.log(`history: ${(steps * metrics).toLocaleString('en-US')} points (${steps.toLocaleString('en-US')} lines x ${metrics} metrics), ${(size / 1e6).toFixed(1)} MB`);

  const stages: Record<string, { wall: number[]; cpu: number[] }> = { read: { wall: [], cpu: [] }, parse: { wall: [], cpu: [] }, prepare: { wall: [], cpu: [] }, total: { wall: [], cpu: [] }, 'JSON.parse only': { wall: [], cpu: [] } };
  const add = (name: string, t: { wall: number; cpu: number }) => {
    stages[name].wall.push(t.wall);
    stages[name].cpu.push(t.cpu);
  };
  for (let i = 0; i < Number(values.repeat); i++) {
    const registry = new RunRegistry();
    const read = timed(() => readFileSync(file));
    const parse = timed(() => loadHistoryBytes(registry, read.value, file));
    if (parse.value.bad.length > 0) throw new Error(`bad lines: ${JSON.stringify(parse.value.bad.slice(0, 3))}`);
    const prepare = timed(() => registry.everything());
    add('read', read);
    add('parse', parse);
    add('prepare', prepare);
    add('total', { wall: read.wall + parse.wall + prepare.wall, cpu: read.cpu + parse.cpu + prepare.cpu });
    const points = prepare.value.points.reduce((n, b) => n + b.steps.length * Object.keys(b.columns).length, 0);
    if (points !== steps * metrics) throw new Error(`prepared ${points} points, expected ${steps * metrics}`);
    add(
      'JSON.parse only',
      timed(() => {
        const text = read.value.toString('latin1');
        let pos = 0;
        let n = 0;
        while (pos < text.length) {
          let end = text.indexOf('\n', pos);
          if (end < 0) end = text.length;
          if (end > pos) n += JSON.parse(text.slice(pos, end)).step ?? 0;
          pos = end + 1;
        }
        return n;
      }),
    );
  }
  // The first open: no cache yet (each one writes it; it is removed before the next).
  stages['first open'] = { wall: [], cpu: [] };
  for (let i = 0; i < Number(values.repeat); i++) {
    rmSync(cacheFile(file), { force: true });
    const registry = new RunRegistry();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const load = await loadHistoryFile(registry, file);
    const prepared = registry.everything();
    const used = process.cpuUsage(cpu);
    if (load.fromCache || load.bad.length > 0) throw new Error(`the first open was not a clean parse (${JSON.stringify(load.bad.slice(0, 3))})`);
    const points = prepared.points.reduce((n, b) => n + b.steps.length * Object.keys(b.columns).length, 0);
    if (points !== steps * metrics) throw new Error(`the first open prepared ${points} points, expected ${steps * metrics}`);
    add('first open', { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 });
    await load.caching; // written after the open, while the panel draws; not part of it
  }
  // The cached open: the last first open wrote the cache, the timed ones read it.
  stages['cached open'] = { wall: [], cpu: [] };
  stages['cached + prepare'] = { wall: [], cpu: [] };
  for (let i = 0; i < Number(values.repeat); i++) {
    const registry = new RunRegistry();
    const cpu = process.cpuUsage();
    const wall = performance.now();
    const load = await loadHistoryFile(registry, file);
    const used = process.cpuUsage(cpu);
    const opened = { wall: performance.now() - wall, cpu: (used.user + used.system) / 1000 };
    if (!load.fromCache) throw new Error(`no cache was used (${cacheFile(file)})`);
    const prepare = timed(() => registry.everything());
    add('cached open', opened);
    add('cached + prepare', { wall: opened.wall + prepare.wall, cpu: opened.cpu + prepare.cpu });
  }
  console.log(`cache: ${(statSync(cacheFile(file)).size / 1e6).toFixed(1)} MB at ${cacheFile(file)}`);
  for (const [name, t] of Object.entries(stages)) {
    console.log(`${name.padEnd(16)} median ${median(t.wall).toFixed(0).padStart(5)} ms wall, ${median(t.cpu).toFixed(0).padStart(5)} ms CPU`);
  }
  console.log('target: first open under 200 ms');
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
