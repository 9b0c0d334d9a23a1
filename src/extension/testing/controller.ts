// The Testing API is where verdicts live: one test item per exercise, one child per check. Hidden checks
// carry the `hidden` tag and no source location of their own; failures point at the learner's function.
import * as vscode from 'vscode';
import type { CheckReport, CheckResult, CheckStatus } from '../../protocol/worker';
import type { ExerciseSpec } from '../../protocol/pack';
import { printable } from '../../core/printable';

const tags = new Map<string, vscode.TestTag>();
function tag(name: string): vscode.TestTag {
  let t = tags.get(name);
  if (!t) tags.set(name, (t = new vscode.TestTag(name)));
  return t;
}

export type RunExercises = (exerciseIds: string[], token: vscode.CancellationToken) => Promise<void>;

export class ExerciseTests implements vscode.Disposable {
  readonly controller: vscode.TestController;
  private readonly reports = new Map<string, CheckReport>();
  private readonly states = new Map<string, Record<string, CheckStatus | 'skipped'>>();
  /** each run's results as they streamed in (JSON, by check id), so that its report marks only what changed */
  private readonly marked = new WeakMap<vscode.TestRun, Map<string, string>>();
  /** the results of each exercise's latest run, in the order they arrived */
  private readonly latest = new Map<string, CheckResult[]>();
  private readonly ended = new WeakSet<vscode.TestRun>();

  constructor(runExercises: RunExercises) {
    this.controller = vscode.tests.createTestController('gradlab', 'Gradient Lab');
    this.controller.createRunProfile(
      'Check',
      vscode.TestRunProfileKind.Run,
      async (request, token) => {
        const ids = new Set<string>();
        const roots = request.include ?? [...this.itemsOf(this.controller.items)];
        for (const item of roots) ids.add(item.parent?.id ?? item.id);
        await runExercises([...ids], token);
      },
      true,
    );
  }

  private *itemsOf(collection: vscode.TestItemCollection): Iterable<vscode.TestItem> {
    for (const [, item] of collection) yield item;
  }

  /** Makes sure the exercise has an item (children appear as its checks are first reported). */
  exerciseItem(exercise: ExerciseSpec, learnerFile: vscode.Uri): vscode.TestItem {
    let item = this.controller.items.get(exercise.id);
    if (!item) {
      item = this.controller.createTestItem(exercise.id, exercise.title, learnerFile);
      this.controller.items.add(item);
    }
    return item;
  }

  lastReport(exerciseId: string): CheckReport | undefined {
    return this.reports.get(exerciseId);
  }

  testStates(exerciseId: string): Record<string, CheckStatus | 'skipped'> {
    return { ...(this.states.get(exerciseId) ?? {}) };
  }

  /** The results of the exercise's latest run so far, in arrival order (a new array for each run). */
  streamedResults(exerciseId: string): readonly CheckResult[] {
    return this.latest.get(exerciseId) ?? [];
  }

  /** Starts a visible run for an exercise: every check item is marked as running until its result arrives. */
  begin(exercise: ExerciseSpec, learnerFile: vscode.Uri): vscode.TestRun {
    const parent = this.exerciseItem(exercise, learnerFile);
    const run = this.controller.createTestRun(new vscode.TestRunRequest([parent]), `Check ${exercise.id}`, false);
    for (const check of exercise.checks) run.started(this.checkItem(parent, check.id, check.title, check.kind, !!check.hidden));
    this.marked.set(run, new Map());
    this.latest.set(exercise.id, []);
    return run;
  }

  /** Marks one check of a running run the moment its result streams in. */
  result(run: vscode.TestRun, exercise: ExerciseSpec, result: CheckResult, location: vscode.Location | undefined): void {
    const parent = this.controller.items.get(exercise.id);
    if (this.ended.has(run) || !parent) return; // its report came first and said it all
    this.mark(run, parent, result, location);
    this.latest.get(exercise.id)?.push(result);
  }

  private mark(run: vscode.TestRun, parent: vscode.TestItem, result: CheckResult, location: vscode.Location | undefined): void {
    const item = this.checkItem(parent, result.id, result.title, result.kind, result.hidden);
    this.marked.get(run)?.set(result.id, JSON.stringify(result));
    if (!result.hidden && location) {
      item.range = location.range;
    }
    // the test output is a terminal: a learner's escape sequences (a fake green PASS) must not reach it raw
    if (result.output) run.appendOutput(printable(result.output).replace(/\r?\n/g, '\r\n'), location, item);
    if (result.status === 'passed') {
      run.passed(item, result.durationMs);
      return;
    }
    const message = this.messageFor(result);
    message.location = location;
    if (result.status === 'failed') run.failed(item, message, result.durationMs);
    else run.errored(item, message, result.durationMs);
  }

  /** Reports every check of `report` that its streamed result did not already say; `locate` says where a learner function is. */
  finish(run: vscode.TestRun, exercise: ExerciseSpec, report: CheckReport, locate: (result: CheckResult) => vscode.Location | undefined): void {
    const parent = this.controller.items.get(exercise.id);
    const states: Record<string, CheckStatus | 'skipped'> = {};
    const marked = this.marked.get(run);
    for (const result of report.checks) {
      states[result.id] = result.status;
      if (marked?.get(result.id) !== JSON.stringify(result)) this.mark(run, parent!, result, locate(result));
    }
    for (const check of exercise.checks) {
      if (!(check.id in states)) {
        const item = parent?.children.get(`${exercise.id}/${check.id}`);
        if (item) run.skipped(item);
        states[check.id] = 'skipped';
      }
    }
    this.reports.set(exercise.id, report);
    this.states.set(exercise.id, states);
    this.end(run);
  }

  /** Ends a run that produced no report (no interpreter, crashed) with one errored message on each check it has not reported. */
  abort(run: vscode.TestRun, exercise: ExerciseSpec, reason: string): void {
    const parent = this.controller.items.get(exercise.id);
    const marked = this.marked.get(run);
    if (parent) for (const [, item] of parent.children) if (!marked?.has(this.checkId(parent, item))) run.errored(item, new vscode.TestMessage(reason));
    this.end(run);
  }

  /**
   * Ends a run that a newer one of the same exercise replaced: what it did not report is skipped, never an error,
   * so that nothing of an older save reads as the newest verdict.
   */
  supersede(run: vscode.TestRun, exercise: ExerciseSpec): void {
    const parent = this.controller.items.get(exercise.id);
    const marked = this.marked.get(run);
    if (parent) for (const [, item] of parent.children) if (!marked?.has(this.checkId(parent, item))) run.skipped(item);
    this.end(run);
  }

  private checkId(parent: vscode.TestItem, item: vscode.TestItem): string {
    return item.id.slice(parent.id.length + 1);
  }

  private end(run: vscode.TestRun): void {
    this.ended.add(run);
    run.end();
  }

  private checkItem(parent: vscode.TestItem, id: string, title: string, kind: string, hidden: boolean): vscode.TestItem {
    const key = `${parent.id}/${id}`;
    let item = parent.children.get(key);
    if (!item) {
      // Hidden checks get no uri: there is no source to go to.
      item = this.controller.createTestItem(key, title, hidden ? undefined : parent.uri);
      item.tags = [tag(kind), ...(hidden ? [tag('hidden')] : [])];
      item.description = hidden ? 'hidden' : kind;
      parent.children.add(item);
    }
    return item;
  }

  /** The diagnosis leads: the peek's title and the Test Results view show only a message's first line. */
  private messageFor(result: CheckResult): vscode.TestMessage {
    const text = [result.diagnosis, result.status === 'timeout' ? `Time-out: ${result.message}` : result.message, ...(result.warnings ?? [])]
      .filter(Boolean)
      .join('\n\n');
    const message =
      result.expected !== undefined && result.actual !== undefined && !result.hidden
        ? vscode.TestMessage.diff(text, result.expected, result.actual)
        : new vscode.TestMessage(text);
    return message;
  }

  dispose(): void {
    this.controller.dispose();
  }
}
