// Checking an exercise from VS Code: trust, saving, the warm grader, cancelling an older check of the same
// exercise when a newer one starts, and reporting through the Testing API.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { checkSubmission } from '../core/grading/check';
import { learnerFiles } from '../core/grading/submission';
import { WorkerError } from '../core/grader/client';
import type { CheckReport, CheckResult } from '../protocol/worker';
import type { Ctx } from './ctx';
import { exerciseFolderUri, learnerFileUri, locateResult } from './exercises';
import type { ExerciseRef } from './packs';
import * as settings from './settings';
import type { ExerciseTests } from './testing/controller';

export interface CheckEvent {
  ref: ExerciseRef;
  folder: vscode.WorkspaceFolder;
  running: boolean;
  /** when it ended: the report, when it produced one */
  report?: CheckReport;
  /**
   * while it runs, at its start and after each streamed result: the previous report with every check that has a
   * result in this run replaced by it (checks still running keep their previous verdict until theirs arrives)
   */
  partial?: PartialReport;
  /** while it runs: checks with no result yet */
  remaining?: number;
}

/** A report being streamed: which sandbox runs it is known only from the worker's full report. */
export type PartialReport = Omit<CheckReport, 'sandbox'> & Partial<Pick<CheckReport, 'sandbox'>>;

/** `previous` with `results` in place of its checks of the same id, and those it lacks added. */
function merged(exerciseId: string, previous: CheckReport | undefined, results: CheckResult[]): PartialReport {
  const byId = new Map((previous?.checks ?? []).map((c) => [c.id, c]));
  for (const result of results) byId.set(result.id, result);
  const checks = [...byId.values()];
  return {
    exercise: exerciseId,
    passed: checks.every((c) => c.passed),
    points: checks.reduce((sum, c) => sum + c.points, 0),
    maxPoints: checks.reduce((sum, c) => sum + c.maxPoints, 0),
    checks,
    notes: previous?.notes,
    durationMs: 0,
    sandbox: previous?.sandbox,
  };
}

/** A check's key: an exercise in a workspace folder (two folders holding the same exercise never cancel each other). */
function keyOf(folder: vscode.WorkspaceFolder, exerciseId: string): string {
  return `${folder.uri.toString()}\0${exerciseId}`;
}

export class Checker {
  private readonly running = new Map<string, AbortController>();
  /** when the latest check of each exercise started: a save older than that is already being checked */
  private readonly startedAt = new Map<string, number>();
  private readonly listeners = new Set<(event: CheckEvent) => void>();

  constructor(
    private readonly ctx: Ctx,
    private readonly tests: ExerciseTests,
  ) {}

  /** Called when a check starts (no report yet) and when it ends (with its report, when it produced one). */
  onDidChange(listener: (event: CheckEvent) => void): vscode.Disposable {
    this.listeners.add(listener);
    return new vscode.Disposable(() => this.listeners.delete(listener));
  }

  /**
   * `focus`: the functions the learner just edited, whose checks run first. A check on save (`onSave`) checks what
   * was saved and saves nothing itself: saving edits made since would race the editor's own next save.
   */
  async check({ pack, exercise }: ExerciseRef, folder: vscode.WorkspaceFolder, token?: vscode.CancellationToken, focus?: string[], onSave = false): Promise<CheckReport | undefined> {
    if (!this.ctx.requireTrust('Checking an exercise')) return undefined;
    const dir = exerciseFolderUri(folder, exercise.id);
    for (const doc of onSave ? [] : vscode.workspace.textDocuments) {
      if (doc.isDirty && doc.uri.fsPath.startsWith(dir.fsPath)) await doc.save();
    }
    const missing = learnerFiles(exercise).filter((path) => !existsSync(join(dir.fsPath, path)));
    const run = this.tests.begin(exercise, learnerFileUri(folder, exercise));
    if (missing.length) {
      // Deleted or renamed: say so instead of grading nothing; Reset brings the starter back (with a backup of what is there).
      const reason = `${missing.join(', ')} is missing from ${dir.fsPath}: was it deleted or renamed? Rename it back, or reset the exercise to get the starter code again.`;
      this.tests.abort(run, exercise, reason);
      void vscode.window.showWarningMessage(reason, 'Reset Exercise').then((c) => c && vscode.commands.executeCommand('gradlab.resetExercise', exercise.id));
      return undefined;
    }
    const key = keyOf(folder, exercise.id);
    this.startedAt.set(key, Date.now());
    this.running.get(key)?.abort();
    const abort = new AbortController();
    this.running.set(key, abort);
    token?.onCancellationRequested(() => abort.abort());
    const previous = this.tests.lastReport(exercise.id);
    const streamed: CheckResult[] = [];
    this.emit({ ref: { pack, exercise }, folder, running: true, partial: merged(exercise.id, previous, []), remaining: exercise.checks.length });
    let report: CheckReport | undefined;
    // a newer check of the same exercise took over: what this one still hears belongs to an older save
    const superseded = () => this.running.get(key) !== abort;
    try {
      const client = await this.ctx.grader(exercise.requires);
      if (!client) {
        this.tests.abort(run, exercise, 'No Python interpreter that can grade this exercise: see the message and "Gradient Lab: Select Python Interpreter".');
        return undefined;
      }
      const finished = await checkSubmission({
        client,
        pack,
        exercise,
        submission: dir.fsPath,
        limits: settings.chosenLimits(),
        gradcheck: settings.gradcheckMode(),
        focus,
        signal: abort.signal,
        onResult: ({ result, remaining }) => {
          if (superseded()) return;
          streamed.push(result);
          void locateResult(folder, exercise, result).then((location) => superseded() || this.tests.result(run, exercise, result, location));
          this.emit({ ref: { pack, exercise }, folder, running: true, partial: merged(exercise.id, previous, streamed), remaining });
        },
      });
      const locations = await Promise.all(finished.checks.map((r) => locateResult(folder, exercise, r)));
      if (superseded()) {
        this.tests.supersede(run, exercise);
        return undefined;
      }
      report = finished;
      this.tests.finish(run, exercise, report, (r) => locations[finished.checks.indexOf(r)]);
      this.ctx.progress(folder).recordCheck(pack.manifest.id, report);
      this.ctx.log.info(`${exercise.id}: ${report.checks.filter((c) => c.passed).length}/${report.checks.length} checks passed in ${report.durationMs} ms`);
      return report;
    } catch (error) {
      if ((error instanceof WorkerError && error.code === 'cancelled') || superseded()) {
        // a newer check of this exercise (or the learner) stopped it: the newer run has the verdicts
        this.tests.supersede(run, exercise);
        return undefined;
      }
      const message = error instanceof Error ? error.message : String(error);
      this.ctx.log.error(`${exercise.id}: ${message}`);
      this.tests.abort(run, exercise, message);
      void vscode.window.showErrorMessage(`Gradient Lab could not check ${exercise.id}: ${message}`, 'Show Log').then((c) => c && this.ctx.log.show());
      return undefined;
    } finally {
      if (this.running.get(key) === abort) this.running.delete(key);
      this.emit({ ref: { pack, exercise }, folder, running: false, report });
    }
  }

  /** Check on save: skipped when a check that started after the save already covers it. */
  checkSaved(ref: ExerciseRef, folder: vscode.WorkspaceFolder, savedAt: number, focus?: string[]): Promise<CheckReport | undefined> {
    if ((this.startedAt.get(keyOf(folder, ref.exercise.id)) ?? 0) >= savedAt) return Promise.resolve(undefined);
    return this.check(ref, folder, undefined, focus, true);
  }

  private emit(event: CheckEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  dispose(): void {
    for (const abort of this.running.values()) abort.abort();
  }
}
