// Class grading throughput: submissions (one student's whole pack) graded per minute with --jobs 1 and 2 on a
// generated class (half the students hand in the solutions, half the starters), how it scales, a resumed run,
// and the memory of each worker (the worker, its zygote and the check processes it forks, RSS from /proc).
// Other work on the machine slows the wall-clock figures; CPU seconds per submission do not depend on it.
//   node scripts/build.mjs --tests && node out/bench/grade.js [--students 20] [--jobs 1,2] [--python /usr/bin/python3] [--pack dir]
import { readFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { gradeClass } from '../src/core/gradebook/grade';
import { loadPack, type LoadedPack } from '../src/core/packs/load';
import { materializeForm } from '../src/core/packs/scaffold';
import { builtinAuthoringPackDir, exerciseFolder } from '../src/core/paths';

/** The children of a process (Linux lists them per thread: Node, the workers and the zygotes fork from their main thread). */
function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return []; // the process ended while we looked
  }
}

function rssKib(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/**
 * For each worker started by this process: its own RSS and that of its whole tree (zygote, templates, checks), in
 * MiB. Walks our own tree only: reading every process of a shared machine 20 times a second cost more CPU than
 * grading a submission.
 */
function workerMemory(): Array<{ worker: number; tree: number }> {
  const treeRss = (pid: number): number => rssKib(pid) + childrenOf(pid).reduce((sum, child) => sum + treeRss(child), 0);
  return childrenOf(process.pid)
    .filter((pid) => commandLine(pid).includes('gradlab.worker'))
    .map((pid) => ({ worker: rssKib(pid) / 1024, tree: treeRss(pid) / 1024 }));
}

/**
 * CPU seconds used so far by this process (`own`) and by every child it has reaped (`reaped`: the workers, which in
 * turn reaped their zygotes, templates and check processes): what grading costs whatever else the machine is doing.
 */
function cpuSeconds(): { own: number; reaped: number } {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
  return { own: (fields[11] + fields[12]) / 100, reaped: (fields[13] + fields[14]) / 100 }; // utime stime cutime cstime
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
  const { values } = parseArgs({ options: { students: { type: 'string', default: '20' }, jobs: { type: 'string', default: '1,2' }, python: { type: 'string' }, pack: { type: 'string' } } });
  const pack = await loadPack(values.pack ?? builtinAuthoringPackDir());
  const students = Number(values.students);
  const submissions = await generateClass(pack, students);
  const checks = pack.manifest.exercises.reduce((n, e) => n + e.checks.length, 0);
  console.log(`${pack.manifest.id}: ${pack.manifest.exercises.length} exercises, ${checks} checks per submission; ${students} students (half solutions, half starters); ${cpus().length} CPU cores`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('jobs   wall s   submissions/min   exercise submissions/min   CPU s/submission   worker RSS MiB (max)   worker tree RSS MiB (max)   mean points');

  const perMinute: number[] = [];
  const cpu: number[] = [];
  for (const jobs of values.jobs.split(',').map(Number)) {
    const out = await mkdtemp(join(tmpdir(), 'gradlab-bench-gradebook-'));
    let peakWorker = 0;
    let peakTree = 0;
    let peakAll = 0;
    let peakCount = 0;
    const sample = setInterval(() => {
      const workers = workerMemory();
      for (const m of workers) {
        peakWorker = Math.max(peakWorker, m.worker);
        peakTree = Math.max(peakTree, m.tree);
      }
      peakAll = Math.max(peakAll, workers.reduce((sum, m) => sum + m.tree, 0));
      peakCount = Math.max(peakCount, workers.length);
    }, 50);
    const started = performance.now();
    const cpuBefore = cpuSeconds();
    const result = await gradeClass({ pack, submissions, out, jobs, python: values.python });
    const seconds = (performance.now() - started) / 1000;
    const cpuAfter = cpuSeconds();
    const nodePerSubmission = (cpuAfter.own - cpuBefore.own) / students;
    const workersPerSubmission = (cpuAfter.reaped - cpuBefore.reaped) / students;
    const cpuPerSubmission = nodePerSubmission + workersPerSubmission;
    cpu.push(cpuPerSubmission);
    clearInterval(sample);
    const rate = (students / seconds) * 60;
    perMinute.push(rate);
    const mean = result.gradebook.students.reduce((s, r) => s + r.points, 0) / students;
    console.log(
      `${String(jobs).padStart(4)} ${seconds.toFixed(1).padStart(8)} ${rate.toFixed(0).padStart(17)} ${(rate * pack.manifest.exercises.length).toFixed(0).padStart(26)} ${cpuPerSubmission.toFixed(2).padStart(18)} ${peakWorker.toFixed(0).padStart(22)} ${peakTree.toFixed(0).padStart(27)} ${mean.toFixed(1).padStart(13)}`,
    );
    console.log(`      CPU s/submission: ${nodePerSubmission.toFixed(2)} in Node, ${workersPerSubmission.toFixed(2)} in the workers and their processes`);
    console.log(`      ${peakCount} worker processes at most (one per job, and one per job for the PyTorch exercises), ${peakAll.toFixed(0)} MiB RSS together at most`);
    if (jobs === Number(values.jobs.split(',').pop())) {
      const resumedStart = performance.now();
      const resumed = await gradeClass({ pack, submissions, out, jobs, python: values.python });
      console.log(`resumed run (nothing changed): ${((performance.now() - resumedStart) / 1000).toFixed(2)} s for ${resumed.cached} cached submissions`);
    }
  }
  const cores = Math.min(2, cpus().length);
  console.log(`CPU-bound ceiling on ${cores} idle cores: ${((cores * 60) / Math.min(...cpu)).toFixed(0)} submissions/min (${cores} x 60 s / ${Math.min(...cpu).toFixed(2)} CPU s per submission)`);
  console.log(`load average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  if (perMinute.length > 1) console.log(`scaling from ${values.jobs.split(',')[0]} to ${values.jobs.split(',').pop()} jobs: ${(perMinute[perMinute.length - 1] / perMinute[0]).toFixed(2)}x`);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
