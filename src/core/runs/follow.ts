// Following history files that grow while they are watched: a script started from a terminal (or outside VS Code)
// appends to the workspace's history, and each poll feeds the bytes added since the last one into the registry, so
// the open panel draws the run as it trains. A last line cut short (a killed script) waits for the rest, and a run
// that never ended keeps what it logged.
import { open } from 'node:fs/promises';
import { HistoryParser, type BadLine } from './parser';
import type { RunRegistry } from './registry';

interface Followed {
  offset: number;
  parser: HistoryParser;
  /** polls of one file run one after another */
  queue: Promise<void>;
}

export class HistoryFollower {
  private readonly files = new Map<string, Followed>();

  constructor(
    private readonly registry: RunRegistry,
    private readonly onBad: (file: string, line: BadLine) => void = () => {},
  ) {}

  /** Reads what `file` gained since the last poll (all of it the first time); resolves when it is in the registry. */
  poll(file: string): Promise<void> {
    let followed = this.files.get(file);
    if (!followed) {
      followed = { offset: 0, parser: this.parser(file), queue: Promise.resolve() };
      this.files.set(file, followed);
    }
    const state = followed;
    state.queue = state.queue.then(() => this.read(file, state)).catch(() => {
      // a file that went away or cannot be read yet: the next change polls it again
    });
    return state.queue;
  }

  /** Stops following a file (it was removed). */
  forget(file: string): void {
    this.files.delete(file);
  }

  /** A parser into the registry that leaves out the runs it holds already (a file loaded before, or streamed live). */
  private parser(file: string): HistoryParser {
    const held = new Set(this.registry.infos().map((info) => info.id));
    return new HistoryParser(this.registry.handler({ kind: 'history', file }, (line) => this.onBad(file, line), held));
  }

  private async read(file: string, state: Followed): Promise<void> {
    const handle = await open(file, 'r');
    try {
      const { size } = await handle.stat();
      if (size < state.offset) {
        // replaced by a shorter file: start over (runs already shown stay)
        state.offset = 0;
        state.parser = this.parser(file);
      }
      while (state.offset < size) {
        const chunk = Buffer.alloc(Math.min(size - state.offset, 1 << 20));
        const { bytesRead } = await handle.read(chunk, 0, chunk.length, state.offset);
        if (bytesRead === 0) break;
        state.offset += bytesRead;
        state.parser.push(chunk.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }
}
