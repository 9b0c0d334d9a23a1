// What the training-panel suites share: throwaway training scripts in the test workspace, running one the way the
// command palette does, and waiting for the panel's own draw reports (what the webview says it drew).
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { TrainingExit } from '../../../src/core/runs/launcher';
import type { ReadonlyRun } from '../../../src/core/runs/registry';
import type { TrainingPanelObserver } from '../../../src/extension/panel/observer';
import type { RenderedMessage } from '../../../src/protocol/webview';
import { allTabs, workspaceDir } from './gradlab';

/** Writes `<workspace>/training-scripts/<name>.py` (a learner's own script, outside any exercise). */
export function writeScript(name: string, source: string): vscode.Uri {
  const dir = join(workspaceDir(), 'training-scripts');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.py`);
  writeFileSync(file, source.replace(/^\n/, ''));
  return vscode.Uri.file(file);
}

/** Gradient Lab: Run Training Script on `script`, to its end. */
export async function runScript(script: vscode.Uri): Promise<TrainingExit> {
  const exit = await vscode.commands.executeCommand<TrainingExit | undefined>('gradlab.runTrainingScript', script);
  assert.ok(exit, `${script.fsPath} did not start`);
  assert.equal(exit.spawnError, undefined);
  return exit;
}

/** The runs a script started (the runtime records the script's path in each run-start). */
export function runsOf(observer: TrainingPanelObserver, script: vscode.Uri): ReadonlyRun[] {
  return observer.registry.infos().flatMap((info) => (info.script === script.fsPath ? (observer.registry.get(info.id) ?? []) : []));
}

/** The only run a script started. */
export function onlyRunOf(observer: TrainingPanelObserver, script: vscode.Uri): ReadonlyRun {
  const runs = runsOf(observer, script);
  assert.equal(runs.length, 1, `${script.fsPath} started ${runs.length} runs`);
  return runs[0];
}

/** Removes runs from the panel (every run, or every run but the exercises' reference runs), as its Remove buttons do. */
export function removeRuns(observer: TrainingPanelObserver, keepReferences: boolean): void {
  for (const info of observer.registry.infos()) if (!(keepReferences && info.kind === 'reference')) observer.registry.remove(info.id);
}

/** A metric's finite values, in row order. */
export function finiteValues(run: ReadonlyRun, metric: string): number[] {
  const column = run.table.columns.get(metric);
  assert.ok(column, `${run.info.name} has no metric ${metric}`);
  return [...column.subarray(0, run.table.rows)].filter((v) => Number.isFinite(v));
}

/** The panel's draw reports from now on (reports come at most once a second, the latest always). */
export class DrawReports {
  private readonly seen: RenderedMessage[] = [];
  private listening = true;

  constructor(observer: TrainingPanelObserver) {
    void (async () => {
      while (this.listening) this.seen.push(await observer.nextRender());
    })();
  }

  /** The first report since this object was made that satisfies `wanted`; fails naming `what` and the last report. */
  async first(wanted: (report: RenderedMessage) => boolean, what: string, ms = 30_000): Promise<RenderedMessage> {
    const deadline = Date.now() + ms;
    for (;;) {
      const match = this.seen.find(wanted);
      if (match) return match;
      if (Date.now() > deadline) assert.fail(`timed out after ${ms} ms waiting for the panel to draw ${what}; last report: ${JSON.stringify(this.seen.at(-1))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  stop(): void {
    this.listening = false;
  }
}

/** Does `action`, then waits for a draw report that satisfies `wanted`. */
export async function drawAfter(
  observer: TrainingPanelObserver,
  action: () => PromiseLike<unknown>,
  wanted: (report: RenderedMessage) => boolean,
  what: string,
): Promise<RenderedMessage> {
  const reports = new DrawReports(observer);
  try {
    await action();
    return await reports.first(wanted, what);
  } finally {
    reports.stop();
  }
}

/** The training panel's tab, when it is open. */
export function panelTab(): vscode.Tab | undefined {
  return allTabs().find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.includes('gradlabTraining'));
}

/** Closes the training panel, as its tab's close button does. */
export async function closePanel(): Promise<void> {
  const tab = panelTab();
  if (tab) assert.ok(await vscode.window.tabGroups.close(tab), 'the training panel did not close');
}
