// This process's tree as Linux /proc shows it, for the benchmarks: who the children are, their memory and the CPU
// time a tree has used. Only our own tree is read: scanning every process of a shared machine costs more than
// what is measured. A bubblewrap sandbox's processes are reaped inside it, so their CPU time never reaches this
// process's reaped children: the benchmarks sample the sandboxed zygotes' trees while they live instead.

import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS = 100;

/** The children of a process (Linux lists them per thread: Node, the workers and the zygotes fork from their main thread). */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
  } catch {
    return []; // the process ended while we looked
  }
}

export function rssKib(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** utime, stime, cutime, cstime of a process in seconds (`cutime`/`cstime`: the children it has reaped). */
export function cpuTimes(pid: number | 'self'): { own: number; reaped: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ').map(Number);
    return { own: (fields[11] + fields[12]) / TICKS, reaped: (fields[13] + fields[14]) / TICKS };
  } catch {
    return { own: 0, reaped: 0 };
  }
}

/** CPU seconds a live tree has used: every process in it, and every process they have reaped. */
export function treeCpu(pid: number): number {
  const { own, reaped } = cpuTimes(pid);
  return own + reaped + childrenOf(pid).reduce((sum, child) => sum + treeCpu(child), 0);
}

/** The grading workers this process started. */
export function workers(): number[] {
  return childrenOf(process.pid).filter((pid) => commandLine(pid).includes('gradlab.worker'));
}

/**
 * The sandboxed zygotes of the workers this process started: inside bubblewrap, the first zygote below each bwrap
 * process (its templates and their copies are forks, with the same command line, and belong to its tree).
 */
export function sandboxedZygotes(): number[] {
  const zygoteBelow = (pid: number): number[] =>
    childrenOf(pid).flatMap((child) => (commandLine(child).includes('gradlab.sandbox.zygote') ? [child] : zygoteBelow(child)));
  return workers()
    .flatMap((worker) => childrenOf(worker).filter((child) => commandLine(child).includes('bwrap')))
    .flatMap(zygoteBelow);
}
