// Check latency as a learner feels it, per exercise shape: cold (a fresh `gradlab check` process: Node,
// Python, NumPy import, first check) and warm (a re-check on the already running worker), p50/p95, with the first
// streamed result's p50; and the CPU time each costs (Node, the worker and every process under it), which other work
// on the machine hardly changes; each shape under both sandboxes, side by side (fork: a zygote forks each check's
// process; spawn: a pool of pre-started interpreters, one per check).
//   node scripts/build.mjs --tests && node out/bench/check-latency.js [--runs 20] [--python /usr/bin/python3]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkSubmission } from '../src/core/grading/check';
import { GraderClient } from '../src/core/grader/client';
import type { SandboxKind } from '../src/protocol/worker';
import { findExercise, loadPack } from '../src/core/packs/load';
import { materializeForm } from '../src/core/packs/scaffold';
import { builtinAuthoringPackDir, packageRoot, runtimeDir } from '../src/core/paths';
import { findPython } from '../src/core/python/discover';
import { cpuTimes, treeCpu, workers } from './process-tree';

const SHAPES: Array<[string, string]> = [
  ['scalar', '01-one-update'],
  ['NumPy linear regression', '02-grad-w'],
  ['1-64-1 MLP', '07-mlp-backward'],
  ['5x128 MLP', '11-overfitting'],
];

/** CPU seconds used so far by this process and the live tree of each worker it started. */
function hostCpu(): number {
  return cpuTimes('self').own + workers().reduce((sum, pid) => sum + treeCpu(pid), 0);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' }, python: { type: 'string' } } });
  const runs = Number(values.runs);
  const pack = await loadPack(builtinAuthoringPackDir());
  const found = await findPython({ configured: values.python, runtimeDir: runtimeDir() });
  await found.client.dispose();
  const sandboxes: SandboxKind[] = ['fork', 'spawn'];
  const clients = new Map(sandboxes.map((sandbox) => [sandbox, new GraderClient({ python: found.python, runtimeDir: runtimeDir(), sandbox })]));
  const cli = join(packageRoot(), 'dist', 'cli.js');
  console.log(`Python ${found.hello.python.version} (${found.python}), NumPy ${found.hello.numpy.version}, ${runs} warm runs per shape`);
  console.log('shape                     exercise            sandbox  cold ms   cold CPU ms   warm p50 ms   warm p95 ms   first p50 ms   warm CPU ms (mean)   checks');
  for (const [shape, id] of SHAPES) for (const [sandbox, client] of clients) {
    const exercise = findExercise(pack, id);
    const submission = mkdtempSync(join(tmpdir(), 'gradlab-bench-'));
    await materializeForm(pack, exercise, 'solution', submission);

    const coldStart = performance.now();
    const coldCpuStart = cpuTimes('self').reaped;
    try {
      execFileSync(process.execPath, [cli, 'check', id, '--submission', submission, '--pack', pack.dir, '--python', found.python, '--json', '--sandbox', sandbox], { stdio: 'pipe' });
    } catch (error) {
      console.log(`${shape}: the solution did not pass from the CLI: ${(error as { stdout?: Buffer }).stdout?.toString().slice(0, 400)}`);
    }
    const cold = performance.now() - coldStart;
    const coldCpu = cpuTimes('self').reaped - coldCpuStart; // the CLI process, its worker and theirs: all reaped

    const warm: number[] = [];
    const first: number[] = []; // the first streamed result of each warm check
    let checks = 0;
    await checkSubmission({ client, pack, exercise, submission }); // first check of this exercise loads its modules
    const warmCpuStart = hostCpu();
    for (let i = 0; i < runs; i++) {
      const start = performance.now();
      let firstAt: number | undefined;
      const report = await checkSubmission({ client, pack, exercise, submission, onResult: () => (firstAt ??= performance.now()) });
      warm.push(performance.now() - start);
      first.push((firstAt ?? performance.now()) - start);
      checks = report.checks.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 200)); // the zygote reaps the last template, the pool refills
    const warmCpu = (hostCpu() - warmCpuStart) / runs;
    rmSync(submission, { recursive: true, force: true });
    warm.sort((a, b) => a - b);
    first.sort((a, b) => a - b);
    console.log(
      `${shape.padEnd(25)} ${id.padEnd(19)} ${sandbox.padEnd(7)} ${cold.toFixed(0).padStart(7)} ${(coldCpu * 1000).toFixed(0).padStart(13)} ${percentile(warm, 50).toFixed(1).padStart(13)} ${percentile(warm, 95).toFixed(1).padStart(13)} ${percentile(first, 50).toFixed(1).padStart(14)} ${(warmCpu * 1000).toFixed(1).padStart(20)} ${String(checks).padStart(8)}`,
    );
  }
  for (const client of clients.values()) await client.dispose();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
