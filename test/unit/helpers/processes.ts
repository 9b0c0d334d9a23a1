// The processes below one of ours, read from /proc as the host sees them (namespaces included): what a command
// leaves running when it is done. Linux only, like the isolation it checks.
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessEntry {
  pid: number;
  command: string;
}

export function processesBelow(root: number): ProcessEntry[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, parent] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue; // already dead, waiting to be reaped
      children.set(Number(parent), [...(children.get(Number(parent)) ?? []), Number(name)]);
    } catch {
      // gone while we looked
    }
  }
  const found: ProcessEntry[] = [];
  const stack = [root];
  while (stack.length) {
    for (const pid of children.get(stack.pop()!) ?? []) {
      let command = '';
      try {
        command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim();
      } catch {
        // gone
      }
      found.push({ pid, command });
      stack.push(pid);
    }
  }
  return found;
}
