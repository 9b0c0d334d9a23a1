// Instructors in VS Code: validate a pack (solution passes, starter fails, mutants caught), grade a class's
// submissions into a gradebook, and open one student's feedback. The same core as `gradlab validate/grade`.
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { gradeClass } from '../../core/gradebook/grade';
import { feedbackPath, GRADEBOOK_CSV, readGradebook } from '../../core/gradebook/write';
import { loadPack } from '../../core/packs/load';
import * as validation from '../../core/grading/validate';
import { GraderClient, WorkerError } from '../../core/grader/client';
import type { GradingIsolation } from '../../core/gradebook/model';
import { ErrorCode } from '../../protocol/worker';
import { runtimeDir } from '../../core/paths';
import type { Ctx } from '../ctx';
import * as settings from '../settings';

async function pickFolder(title: string, given: unknown): Promise<string | undefined> {
  if (typeof given === 'string') return given;
  if (given instanceof vscode.Uri) return given.fsPath;
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title, openLabel: 'Select' });
  return picked?.[0]?.fsPath;
}

function report(ctx: Ctx, channel: vscode.OutputChannel, error: unknown, what: string): undefined {
  const message = error instanceof Error ? error.message : String(error);
  channel.appendLine(`${what}: ${message}`);
  ctx.log.error(`${what}: ${message}`);
  void vscode.window.showErrorMessage(`${what}: ${message}`);
  return undefined;
}

export function validatePack(ctx: Ctx, channel: vscode.OutputChannel) {
  return async (arg?: unknown) => {
    if (!ctx.requireTrust('Validating a pack')) return undefined;
    const dir = await pickFolder('Pack to validate (authoring form)', arg);
    if (!dir) return undefined;
    channel.show(true);
    channel.appendLine(`Validating ${dir}`);
    try {
      const pack = await loadPack(dir);
      const found = await ctx.findPython([...new Set(pack.manifest.exercises.flatMap((e) => e.requires ?? []))].filter((p) => p !== 'numpy'));
      const second = new GraderClient({ python: found.python, runtimeDir: runtimeDir(), sandbox: settings.sandbox() });
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Validating ${pack.manifest.title}` },
          (progress) =>
            validation.validatePack(pack, { clients: [found.client, second], hello: found.hello, progress: (line) => (channel.appendLine(line), progress.report({ message: line })) }),
        );
        for (const line of validation.formatValidation(result)) channel.appendLine(line);
        void (result.ok ? vscode.window.showInformationMessage(`${pack.manifest.title}: every solution passes and every starter fails. Mutant catch rates are in the output.`) : vscode.window.showErrorMessage(`${pack.manifest.title}: a solution fails or a starter passes; see the output.`));
        return result;
      } finally {
        await Promise.all([found.client.dispose(), second.dispose()]);
      }
    } catch (error) {
      return report(ctx, channel, error, 'Validation stopped');
    }
  };
}

export function gradeSubmissions(ctx: Ctx, channel: vscode.OutputChannel) {
  return async (packArg?: unknown, submissionsArg?: unknown, outArg?: unknown) => {
    if (!ctx.requireTrust('Grading submissions')) return undefined;
    const packDir = await pickFolder('Authoring pack to grade with', packArg);
    const submissions = packDir && (await pickFolder('Folder with one folder or .zip per student', submissionsArg));
    if (!packDir || !submissions) return undefined;
    const out = typeof outArg === 'string' ? outArg : join(dirname(submissions), 'gradebook');
    channel.show(true);
    try {
      const pack = await loadPack(packDir);
      const python = settings.pythonPath();
      const grade = (isolation: GradingIsolation) =>
        vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `Grading with ${pack.manifest.title}`, cancellable: true },
          (progress, token) => {
            const abort = new AbortController();
            token.onCancellationRequested(() => abort.abort());
            return gradeClass({
              pack,
              submissions,
              out,
              python,
              isolation,
              sandbox: settings.sandbox(),
              signal: abort.signal,
              onProgress: (e) => {
                channel.appendLine(`${e.done}/${e.total} ${e.record.student}: ${e.record.points}/${e.record.maxPoints}${e.cached ? ' (unchanged, from the cache)' : ''}`);
                progress.report({ message: `${e.done}/${e.total} ${e.record.student}`, increment: 100 / e.total });
              },
            });
          },
        );
      let result;
      try {
        result = await grade('required');
      } catch (error) {
        if (!(error instanceof WorkerError && error.code === ErrorCode.IsolationUnavailable)) throw error;
        channel.appendLine(error.message);
        const choice = await vscode.window.showWarningMessage(
          'This machine cannot isolate each submission from the rest of it (see the Gradient Lab output). Without isolation a hostile submission can read other students\' work, the hidden tests and the reference solution.',
          { modal: true, detail: error.message },
          'Grade Without Isolation',
        );
        if (!choice) return undefined;
        channel.appendLine('Grading without isolation, as chosen.');
        result = await grade('off');
      }
      channel.appendLine(`Gradebook: ${result.out} (${result.graded} graded, ${result.cached} unchanged)`);
      void vscode.window.showInformationMessage(`Graded ${result.gradebook.students.length} students into ${result.out}.`, 'Open Gradebook', 'Open Feedback…').then((choice) => {
        if (choice === 'Open Gradebook') void vscode.window.showTextDocument(vscode.Uri.file(join(result.out, GRADEBOOK_CSV)));
        if (choice === 'Open Feedback…') void vscode.commands.executeCommand('gradlab.openFeedback', result.out);
      });
      return result;
    } catch (error) {
      return report(ctx, channel, error, 'Grading stopped');
    }
  };
}

export function openFeedback(ctx: Ctx, channel: vscode.OutputChannel) {
  return async (gradebookArg?: unknown, studentArg?: unknown) => {
    const dir = await pickFolder('Gradebook folder', gradebookArg);
    if (!dir) return undefined;
    try {
      const gradebook = await readGradebook(dir);
      const student =
        typeof studentArg === 'string'
          ? studentArg
          : (await vscode.window.showQuickPick(gradebook.students.map((s) => ({ label: s.student, description: `${s.points}/${s.maxPoints}` })), { placeHolder: 'Whose feedback?' }))?.label;
      if (!student) return undefined;
      const file = vscode.Uri.file(feedbackPath(dir, student));
      await vscode.commands.executeCommand('markdown.showPreview', file);
      return file.fsPath;
    } catch (error) {
      return report(ctx, channel, error, 'No feedback to open');
    }
  };
}
