// A fixed set of workers (grader clients) shared by many tasks: each task gets a free worker for its
// whole run, tasks wait in arrival order, so N workers means at most N requests in flight.

export class WorkerPool<W> {
  private readonly free: W[];
  private readonly waiting: Array<(worker: W) => void> = [];

  constructor(workers: W[]) {
    if (workers.length === 0) throw new Error('a worker pool needs at least one worker');
    this.free = [...workers];
  }

  async run<T>(task: (worker: W) => Promise<T>): Promise<T> {
    const worker = this.free.pop() ?? (await new Promise<W>((resolve) => this.waiting.push(resolve)));
    try {
      return await task(worker);
    } finally {
      const next = this.waiting.shift();
      if (next) next(worker);
      else this.free.push(worker);
    }
  }
}
