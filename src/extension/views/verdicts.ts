// Verdicts where the code is: a diagnostic at each function whose check failed (setting
// gradlab.diagnostics.enabled), and CodeLens above each exercise function with its latest verdict,
// "Check" and "Hint".
import * as vscode from 'vscode';
import type { Checker, PartialReport } from '../checking';
import type { Ctx } from '../ctx';
import { definitionLine, exerciseIdOf, learnerFileUri, locateResult } from '../exercises';
import * as settings from '../settings';

export class Verdicts implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('gradlab');
  private readonly lensEmitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.lensEmitter.event;
  private readonly reports = new Map<string, PartialReport>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    checker: Checker,
  ) {
    this.disposables.push(
      this.diagnostics,
      this.lensEmitter,
      vscode.languages.registerCodeLensProvider({ language: 'python', scheme: 'file' }, this),
      // each streamed result updates its function's lens and diagnostic at once; the report settles them all
      checker.onDidChange((e) => {
        const report = e.running ? e.partial : e.report;
        if (!report) return;
        this.reports.set(e.ref.exercise.id, report);
        void this.showDiagnostics(e.folder, e.ref.exercise.id, report);
        this.lensEmitter.fire();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (settings.affects(e, settings.SettingKey.DiagnosticsEnabled) && !settings.diagnosticsEnabled()) this.diagnostics.clear();
      }),
    );
  }

  private async showDiagnostics(folder: vscode.WorkspaceFolder, exerciseId: string, report: PartialReport): Promise<void> {
    const ref = await this.ctx.packs.find(exerciseId);
    if (!ref) return;
    for (const file of ref.exercise.files.filter((f) => f.role === 'learner')) this.diagnostics.delete(learnerFileUri(folder, ref.exercise, file.path));
    if (!settings.diagnosticsEnabled()) return;
    const byFile = new Map<string, { uri: vscode.Uri; items: vscode.Diagnostic[] }>();
    for (const result of report.checks.filter((c) => !c.passed)) {
      const location = await locateResult(folder, ref.exercise, result);
      const doc = await vscode.workspace.openTextDocument(location.uri).then(undefined, () => undefined);
      const line = doc?.lineAt(Math.min(location.range.start.line, doc.lineCount - 1));
      const range = line ? line.range.with(line.range.start.translate(0, line.firstNonWhitespaceCharacterIndex)) : location.range;
      const text = [`${result.title}: ${result.message}`, result.diagnosis].filter(Boolean).join('\n');
      const diagnostic = new vscode.Diagnostic(range, text, result.status === 'failed' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning);
      diagnostic.source = 'Gradient Lab';
      diagnostic.code = result.id;
      const entry = byFile.get(location.uri.toString()) ?? { uri: location.uri, items: [] };
      entry.items.push(diagnostic);
      byFile.set(location.uri.toString(), entry);
    }
    for (const note of report.notes ?? []) {
      // given code the learner edited: grading ignores the edit, which is worth knowing, not an error
      const uri = learnerFileUri(folder, ref.exercise, note.file);
      const line = Math.max(0, (note.line ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, 0), note.message, vscode.DiagnosticSeverity.Information);
      diagnostic.source = 'Gradient Lab';
      const entry = byFile.get(uri.toString()) ?? { uri, items: [] };
      entry.items.push(diagnostic);
      byFile.set(uri.toString(), entry);
    }
    for (const { uri, items } of byFile.values()) this.diagnostics.set(uri, items);
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    const exerciseId = exerciseIdOf(document.uri);
    if (!exerciseId) return [];
    const ref = await this.ctx.packs.find(exerciseId);
    const file = ref?.exercise.files.find((f) => document.uri.fsPath.endsWith(f.path) && f.role === 'learner');
    if (!ref || !file) return [];
    const report = this.reports.get(exerciseId);
    const lenses: vscode.CodeLens[] = [];
    for (const fn of file.functions ?? []) {
      const line = await definitionLine(document.uri, fn.split('.').pop()!);
      if (line === undefined) continue;
      const range = new vscode.Range(line, 0, line, 0);
      const checks = ref.exercise.checks.filter((c) => (c.function ?? '') === fn && (c.file ?? file.path) === file.path);
      const results = report?.checks.filter((r) => checks.some((c) => c.id === r.id)) ?? [];
      if (results.length) {
        const failing = results.filter((r) => !r.passed);
        const title = failing.length ? `$(error) ${failing.length}/${results.length} failing: ${failing[0].title}` : `$(pass) ${results.length}/${results.length} passed`;
        lenses.push(new vscode.CodeLens(range, { title, command: 'testing.showMostRecentOutput', tooltip: 'Show the latest verdicts' }));
      }
      lenses.push(new vscode.CodeLens(range, { title: 'Check', command: 'gradlab.checkExercise', arguments: [exerciseId] }));
      lenses.push(new vscode.CodeLens(range, { title: 'Hint', command: 'gradlab.showHint', arguments: [exerciseId] }));
    }
    return lenses;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
