// Gradient Lab's VS Code host: one context, commands as factories of it, the Testing API for verdicts and
// the training panel. Activation comes from contributions (commands, views, the panel serializer).
import * as vscode from 'vscode';
import { runtimeDir } from '../core/paths';
import type { GradlabApi } from './api';
import { Checker } from './checking';
import { checkExercise, startExercise } from './commands/exercise';
import { selectInterpreter } from './commands/interpreter';
import { Ctx } from './ctx';
import { registerTrainingPanel } from './panel';
import { ExerciseTests } from './testing/controller';
import { findExercise } from '../core/packs/load';

export function activate(context: vscode.ExtensionContext): GradlabApi {
  const ctx = new Ctx(context);
  const tests = new ExerciseTests(async (ids, token) => {
    const pack = await ctx.pack();
    const folder = ctx.workspaceFolder();
    if (!folder) return;
    for (const id of ids) await checker.check(findExercise(pack, id), folder, token);
  });
  const checker = new Checker(ctx, tests);

  context.subscriptions.push(
    ctx,
    tests,
    checker,
    vscode.commands.registerCommand('gradlab.startExercise', startExercise(ctx)),
    vscode.commands.registerCommand('gradlab.checkExercise', checkExercise(ctx, checker)),
    vscode.commands.registerCommand('gradlab.selectInterpreter', selectInterpreter(ctx)),
    vscode.commands.registerCommand('gradlab.showLog', () => ctx.log.show()),
    registerTrainingPanel({
      context,
      log: ctx.log,
      runtimeDir: runtimeDir(),
      isTrusted: () => vscode.workspace.isTrusted,
      resolvePython: async () => (await ctx.grader())?.python,
    }),
  );

  return {
    testController: tests.controller,
    lastReport: (id) => tests.lastReport(id),
    testStates: (id) => tests.testStates(id),
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
