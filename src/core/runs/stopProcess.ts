// Stopping a training script and whatever it started (DataLoader workers, a subprocess). POSIX: SIGTERM, which
// the runtime turns into runs marked stopped, then SIGKILL after a grace period. Windows has neither signal:
// Node's kill() there is TerminateProcess of that one process only, so its children would live on; taskkill /T
// ends the whole tree at once (the host then marks the runs stopped, as for any script that could not).
import { spawn, type ChildProcess } from 'node:child_process';

type Killable = Pick<ChildProcess, 'pid' | 'kill' | 'exitCode' | 'signalCode'>;
type Start = (command: string, args: string[]) => { on(event: 'error', listener: (error: Error) => void): unknown };

const startHidden: Start = (command, args) => spawn(command, args, { stdio: 'ignore', windowsHide: true });

export function stopProcess(child: Killable, graceMs: number, platform: NodeJS.Platform = process.platform, start: Start = startHidden): void {
  const running = () => child.exitCode === null && child.signalCode === null;
  if (!running()) return;
  if (platform === 'win32' && child.pid !== undefined) {
    // taskkill missing or refused (a locked-down machine): end at least the script itself
    start('taskkill', ['/pid', String(child.pid), '/T', '/F']).on('error', () => running() && child.kill());
    return;
  }
  child.kill('SIGTERM');
  const timer = setTimeout(() => running() && child.kill('SIGKILL'), graceMs);
  timer.unref();
}
