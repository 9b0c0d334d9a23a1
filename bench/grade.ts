// Class grading throughput: submissions (one student's whole pack) graded per minute with --jobs 1 and 2 on a
// generated class (half the students hand in the solutions, half the starters), how it scales, a resumed run,
// and the memory of each worker (the worker, its zygote, templates and check processes, RSS from /proc).
// Other work on the machine slows the wall-clock figures; CPU seconds per submission depend on it far less. Starting
// the workers and importing PyTorch costs about two seconds once per run, which a 20-student class feels and a
// class of hundreds does not: --students 100 shows the rate at class scale.
// Each configuration runs with the learner's processes isolated (bubblewrap, as gradlab grade requires) and without
// (--no-isolation), so the isolation's cost shows per submission and per check.
// Each under both sandboxes (--sandbox fork,spawn), side by side.
//   node scripts/build.mjs --tests && node out/bench/grade.js [--students 20] [--jobs 1,2] [--isolation required,off] [--sandbox fork,spawn] [--python /usr/bin/python3] [--pack dir]
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gradeClass } from '../src/core/gradebook/grade';
import type { GradingIsolation, StudentRecord } from '../src/core/gradebook/model';
import type { SandboxKind } from '../src/protocol/worker';
import { loadPack, type LoadedPack } from '../src/core/packs/load';
import { materializeForm } from '../src/core/packs/scaffold';
import { builtinAuthoringPackDir, exerciseFolder } from '../src/core/paths';
import { childrenOf, cpuTimes, rssKib, sandboxedZygotes, treeCpu, workers } from './process-tree';

/**
 * For each worker started by this process: its own RSS and that of its whole tree (zygote, templates, checks), in
 * MiB.
 */
function workerMemory(): Array<{ worker: number; tree: number }> {
  const treeRss = (pid: number): number => rssKib(pid) + childrenOf(pid).reduce((sum, child) => sum + treeRss(child), 0);
  return workers().map((pid) => ({ worker: rssKib(pid) / 1024, tree: treeRss(pid) / 1024 }));
}

async function generateClass(pack: LoadedPack, students: number): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gradlab-bench-class-'));
  for (let i = 1; i <= students; i++) {
    const form = i % 2 ? 'solution' : 'starter';
    for (const exercise of pack.manifest.exercises) await materializeForm(pack, exercise, form, exerciseFolder(join(dir, `student-${String(i).padStart(3, '0')}`), exercise.id));
  }
  return dir;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { students: { type: 'string', default: '20' }, jobs: { type: 'string', default: '1,2' }, isolation: { type: 'string', default: 'required,off' }, sandbox: { type: 'string', default: 'fork,spawn' }, python: { type: 'string' }, pack: { type: 'string' } },
  });
  const isolations = values.isolation.split(',') as GradingIsolation[];
  const jobList = values.jobs.split(',').map(Number);
  const sandboxes = values.sandbox.split(',') as SandboxKind[];
  const pack = await loadPack(values.pack ?? builtinAuthoringPackDir());
  const students = Number(values.students);
  const submissions = await generateClass(pack, students);
  const checks = pack.manifest.exercises.reduce((n, e) => n + e.checks.length, 0);
  console.log(`${pack.manifest.id}: ${pack.manifest.exercises.length} exercises, ${checks} checks per submission; ${students} students (half solutions, half starters); ${cpus().length} CPU cores`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('sandbox  isolation  jobs   wall s   submissions/min   exercise submissions/min   CPU s/submission   worker RSS MiB (max)   worker tree RSS MiB (max)   mean points');

  const perMinute = new Map<string, number[]>(); // by `${sandbox} ${isolation}`
  const cpu = new Map<string, number[]>();
  const scratch = [submissions];
  for (const sandbox of sandboxes) for (const isolation of isolations) for (const jobs of jobList) {
    const key = `${sandbox} ${isolation}`;
    const out = await mkdtemp(join(tmpdir(), 'gradlab-bench-gradebook-'));
    scratch.push(out);
    let peakWorker = 0;
    let peakTree = 0;
    let peakAll = 0;
    let peakCount = 0;
    const sandboxed = new Map<number, number>(); // zygote pid -> the CPU seconds its tree has used, highest seen
    const sample = setInterval(() => {
      for (const zygote of sandboxedZygotes()) sandboxed.set(zygote, Math.max(sandboxed.get(zygote) ?? 0, treeCpu(zygote)));
      const workers = workerMemory();
      for (const m of workers) {
        peakWorker = Math.max(peakWorker, m.worker);
        peakTree = Math.max(peakTree, m.tree);
      }
      peakAll = Math.max(peakAll, workers.reduce((sum, m) => sum + m.tree, 0));
      peakCount = Math.max(peakCount, workers.length);
    }, 50);
    const started = performance.now();
    // this process, and every child it has reaped (the workers, which in turn reaped their zygotes, templates and
    // check processes): what grading costs whatever else the machine is doing
    const cpuBefore = cpuTimes('self');
    const result = await gradeClass({ pack, submissions, out, jobs, python: values.python, isolation, sandbox });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuTimes('self');
    const nodePerSubmission = (cpuAfter.own - cpuBefore.own) / students;
    const inSandboxes = [...sandboxed.values()].reduce((sum, seconds) => sum + seconds, 0);
    const workersPerSubmission = (cpuAfter.reaped - cpuBefore.reaped + inSandboxes) / students;
    const cpuPerSubmission = nodePerSubmission + workersPerSubmission;
    cpu.set(key, [...(cpu.get(key) ?? []), cpuPerSubmission]);
    clearInterval(sample);
    const rate = (students / seconds) * 60;
    perMinute.set(key, [...(perMinute.get(key) ?? []), rate]);
    const mean = result.gradebook.students.reduce((s, r) => s + r.points, 0) / students;
    console.log(
      `${sandbox.padEnd(7)}  ${isolation.padEnd(9)} ${String(jobs).padStart(5)} ${seconds.toFixed(1).padStart(8)} ${rate.toFixed(0).padStart(17)} ${(rate * pack.manifest.exercises.length).toFixed(0).padStart(26)} ${cpuPerSubmission.toFixed(2).padStart(18)} ${peakWorker.toFixed(0).padStart(22)} ${peakTree.toFixed(0).padStart(27)} ${mean.toFixed(1).padStart(13)}`,
    );
    console.log(`      CPU s/submission: ${nodePerSubmission.toFixed(2)} in Node, ${workersPerSubmission.toFixed(2)} in the workers and their processes (${(inSandboxes / students).toFixed(2)} of it in the sandboxes)`);
    console.log(`      check time per submission by kind (wall, in the worker): ${timeByKind(result.gradebook.students)}`);
    console.log(`      ${peakCount} worker processes at most (one per job, and one per two jobs for the PyTorch exercises), ${peakAll.toFixed(0)} MiB RSS together at most`);
    if (jobs === jobList[jobList.length - 1] && isolation === isolations[0]) {
      const resumedStart = performance.now();
      const resumed = await gradeClass({ pack, submissions, out, jobs, python: values.python, isolation, sandbox });
      console.log(`resumed run (nothing changed): ${((performance.now() - resumedStart) / 1000).toFixed(2)} s for ${resumed.cached} cached submissions`);
    }
  }
  const cores = Math.min(2, cpus().length);
  for (const isolation of [...cpu.keys()]) {
    const least = Math.min(...cpu.get(isolation)!);
    const rates = perMinute.get(isolation)!;
    console.log(`${isolation}: CPU-bound ceiling on ${cores} idle cores ${((cores * 60) / least).toFixed(0)} submissions/min (${cores} x 60 s / ${least.toFixed(2)} CPU s per submission)`);
    if (rates.length > 1) console.log(`${isolation}: scaling from ${jobList[0]} to ${jobList[jobList.length - 1]} jobs ${(rates[rates.length - 1] / rates[0]).toFixed(2)}x`);
  }
  for (const sandbox of sandboxes.filter((kind) => cpu.has(`${kind} required`) && cpu.has(`${kind} off`))) {
    const [on, off] = [cpu.get(`${sandbox} required`)!, cpu.get(`${sandbox} off`)!].map((list) => list[list.length - 1]);
    const [rateOn, rateOff] = [perMinute.get(`${sandbox} required`)!, perMinute.get(`${sandbox} off`)!].map((list) => list[list.length - 1]);
    console.log(`${sandbox}: isolation costs ${(((on - off) / checks) * 1000).toFixed(2)} ms CPU per check (${(on - off).toFixed(2)} s per submission); with it the class grades at ${((rateOn / rateOff) * 100).toFixed(0)}% of the rate without`);
  }
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  await Promise.all(scratch.map((dir) => rm(dir, { recursive: true, force: true })));
}

/** Where a submission's check time goes, by check kind: seconds per submission, share, and checks per submission. */
function timeByKind(records: StudentRecord[]): string {
  const kinds = new Map<string, { ms: number; count: number }>();
  for (const check of records.flatMap((r) => r.exercises.flatMap((e) => e.checks))) {
    const entry = kinds.get(check.kind) ?? { ms: 0, count: 0 };
    kinds.set(check.kind, { ms: entry.ms + check.durationMs, count: entry.count + 1 });
  }
  const total = [...kinds.values()].reduce((sum, k) => sum + k.ms, 0);
  return [...kinds.entries()]
    .sort(([, a], [, b]) => b.ms - a.ms)
    .map(([kind, k]) => `${kind} ${(k.ms / 1000 / records.length).toFixed(3)} s (${((k.ms / total) * 100).toFixed(0)}%, ${(k.count / records.length).toFixed(1)} checks)`)
    .join(', ');
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
