// A training script's stdout/stderr into an output channel without letting a script that floods stdout flood
// VS Code: text is batched every FLUSH_MS and cut off after LIMIT characters per run (the script keeps running).
import type * as vscode from 'vscode';

const FLUSH_MS = 100;
const LIMIT = 2_000_000;

export class ThrottledOutput {
  private pending = '';
  private written = 0;
  private dropped = 0;
  private announced = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly channel: vscode.OutputChannel) {}

  append(text: string): void {
    const room = LIMIT - this.written - this.pending.length;
    if (room <= 0) {
      this.dropped += text.length;
      return;
    }
    if (text.length > room) this.dropped += text.length - room;
    this.pending += text.slice(0, room);
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS);
  }

  line(text: string): void {
    this.flush();
    this.channel.appendLine(text);
  }

  /** Writes what is pending and, once, how much output was not shown. */
  dispose(): void {
    this.flush();
    if (this.dropped > 0) {
      this.channel.appendLine(`… ${this.dropped.toLocaleString('en-US')} more characters of output were not shown (the first ${LIMIT.toLocaleString('en-US')} were).`);
    }
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending) return;
    this.channel.append(this.pending);
    this.written += this.pending.length;
    this.pending = '';
    if (this.dropped > 0 && !this.announced) {
      this.announced = true;
      this.channel.appendLine(`\n… output limit reached: the rest of this script's output is not shown (it keeps running and logging).`);
    }
  }
}
