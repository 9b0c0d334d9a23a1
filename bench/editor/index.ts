// Latency in the real editor, as a learner feels it: the extension's activation and, after the editor's save
// completes, the time to the first verdict (the first streamed result in the Testing API) and to all verdicts (the
// report), and the editor's save itself (check on save, warm worker). Runs inside the VS Code
// server's extension host like the integration suite:
//   node scripts/build.mjs --tests && node scripts/run-integration.mjs --no-build --tests out/bench/editor/index.js
import Mocha from 'mocha';
import { appendFileSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, exerciseFolder } from '../../src/core/paths';
import type { GradlabApi } from '../../src/extension/api';
import { FileReporter } from '../../test/integration/support/reporter';
import { replaceAndSave, workspaceDir } from '../../test/integration/support/gradlab';

const SAVES = 12;

function figure(line: string): void {
  console.log(line);
  if (process.env.GRADLAB_TEST_RESULTS) appendFileSync(join(process.env.GRADLAB_TEST_RESULTS, 'results.log'), `${line}\n`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

interface Timing {
  /** from the end of the editor's save to the first streamed verdict */
  first: number[];
  /** from the end of the editor's save to the whole report */
  all: number[];
  /** the editor's save itself */
  save: number[];
  /** and the grader's own report */
  grader: number[];
}

async function saveToVerdict(api: GradlabApi, exercise: string, file: string): Promise<Timing> {
  await vscode.commands.executeCommand('gradlab.startExercise', exercise);
  const uri = vscode.Uri.file(join(exerciseFolder(workspaceDir(), exercise), file));
  const solution = solutionForm(readFileSync(join(builtinAuthoringPackDir(), exercise, file), 'utf8'));
  const timing: Timing = { first: [], all: [], save: [], grader: [] };
  for (let i = 0; i <= SAVES; i++) {
    const before = api.lastReport(exercise);
    const streamedBefore = api.streamedResults(exercise);
    const started = performance.now();
    await replaceAndSave(uri, `${solution}\n# save ${i}\n`);
    const saved = performance.now();
    let first: number | undefined;
    let report = api.lastReport(exercise);
    // Poll tightly: the measurement should not add a polling interval of its own.
    for (const deadline = Date.now() + 60_000; report === before && Date.now() < deadline; report = api.lastReport(exercise)) {
      const streamed = api.streamedResults(exercise);
      if (first === undefined && streamed !== streamedBefore && streamed.length > 0) first = performance.now();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const done = performance.now();
    if (!report || report === before) throw new Error(`no verdict for ${exercise} within 60 s`);
    if (!report.passed) throw new Error(`${exercise}: the solution failed: ${report.checks.map((c) => c.message).join('; ')}`);
    if (i > 0) {
      // the first save pays the worker's start
      timing.first.push((first ?? done) - saved);
      timing.all.push(done - saved);
      timing.save.push(saved - started);
      timing.grader.push(report.durationMs);
    }
  }
  for (const list of Object.values(timing)) list.sort((a: number, b: number) => a - b);
  return timing;
}

export async function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', timeout: 300_000, color: false, reporter: FileReporter });
  mocha.suite.emit('pre-require', globalThis, 'bench', mocha);
  suite('Editor latency', () => {
    let api: GradlabApi;
    test('activation', async () => {
      const extension = vscode.extensions.getExtension<GradlabApi>('gradlab.gradlab')!;
      const wasActive = extension.isActive;
      const started = performance.now();
      api = await extension.activate();
      figure(`activation: ${wasActive ? 'already active' : `${(performance.now() - started).toFixed(1)} ms (module load + activate)`}`);
    });
    for (const [exercise, file] of [
      ['01-one-update', 'one_update.py'],
      ['02-grad-w', 'linear_mse.py'],
      ['07-mlp-backward', 'mlp.py'],
      ['11-overfitting', 'regularize.py'],
    ]) {
      test(`save to verdict, ${exercise}`, async () => {
        const t = await saveToVerdict(api, exercise, file);
        const p = (list: number[]) => `p50 ${percentile(list, 50).toFixed(0)} / p95 ${percentile(list, 95).toFixed(0)} ms`;
        figure(
          `save-to-verdict ${exercise} over ${t.all.length} warm saves, after the editor's save: first verdict ${p(t.first)}, all verdicts ${p(t.all)} ` +
            `(the editor's save ${p(t.save)}, the grader's report ${p(t.grader)}; load ${loadavg().map((l) => l.toFixed(2)).join(' ')})`,
        );
      });
    }
  });
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} measurement(s) failed`);
}
