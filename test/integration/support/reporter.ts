// A mocha reporter for tests that run where nobody sees stdout (the VS Code server's extension host):
// it prints as the spec reporter does and, when GRADLAB_TEST_RESULTS names a folder, also appends the
// same lines to results.log there and writes summary.json at the end, for the launcher to read.
import Mocha from 'mocha';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const { EVENT_SUITE_BEGIN, EVENT_SUITE_END, EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;

export interface Summary {
  passes: number;
  failures: number;
  pending: number;
  durationMs: number;
  failed: Array<{ title: string; error: string }>;
}

export class FileReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const dir = process.env.GRADLAB_TEST_RESULTS;
    if (dir) mkdirSync(dir, { recursive: true });
    const write = (line: string) => {
      console.log(line);
      if (dir) appendFileSync(join(dir, 'results.log'), line + '\n');
    };
    const started = Date.now();
    const failed: Summary['failed'] = [];
    let depth = 0;
    const indent = () => '  '.repeat(depth);

    runner.on(EVENT_SUITE_BEGIN, (suite: Mocha.Suite) => {
      if (suite.root) return;
      depth = suite.titlePath().length;
      write(`${'  '.repeat(depth - 1)}${suite.title}`);
    });
    runner.on(EVENT_SUITE_END, (suite: Mocha.Suite) => {
      depth = Math.max(0, suite.titlePath().length - 1);
    });
    runner.on(EVENT_TEST_PASS, (test: Mocha.Test) => write(`${indent()}✓ ${test.title} (${test.duration} ms)`));
    runner.on(EVENT_TEST_PENDING, (test: Mocha.Test) => write(`${indent()}- ${test.title} (pending)`));
    runner.on(EVENT_TEST_FAIL, (test: Mocha.Test, err: Error) => {
      failed.push({ title: test.fullTitle(), error: err.stack ?? String(err) });
      write(`${indent()}✗ ${failed.length}) ${test.title}`);
    });
    runner.once(EVENT_RUN_END, () => {
      failed.forEach((f, i) => write(`\n${i + 1}) ${f.title}\n${f.error}`));
      const summary: Summary = {
        passes: this.stats.passes,
        failures: this.stats.failures,
        pending: this.stats.pending,
        durationMs: Date.now() - started,
        failed,
      };
      write(`\n${summary.passes} passing, ${summary.failures} failing, ${summary.pending} pending (${summary.durationMs} ms)`);
      if (dir) writeFileSync(join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
    });
  }
}
