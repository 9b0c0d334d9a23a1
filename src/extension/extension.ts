// Gradient Lab's VS Code host: one context, commands as factories of it, the Testing API as the single
// source of verdicts, views that follow it, and the training panel. Activation comes from contributions.
import * as vscode from 'vscode';
import { runtimeDir } from '../core/paths';
import type { GradlabApi } from './api';
import { Checker } from './checking';
import { checkOnSave } from './checkOnSave';
import { checkExercise, openPack, resetExercise, showHint, showInstructions, startExercise } from './commands/exercise';
import { instructorCommands } from './commands/instructor';
import { selectInterpreter } from './commands/interpreter';
import { takeMastery } from './commands/mastery';
import { Ctx } from './ctx';
import { registerTrainingPanel } from './panel';
import { ExerciseTests } from './testing/controller';
import { ExerciseTree } from './views/exerciseTree';
import { createStatusBar } from './views/statusBar';
import { Verdicts } from './views/verdicts';

export function activate(context: vscode.ExtensionContext): GradlabApi {
  const started = performance.now();
  const ctx = new Ctx(context);
  const tests = new ExerciseTests(async (ids, token) => {
    const folder = ctx.workspaceFolder();
    if (!folder) return;
    for (const id of ids) {
      const ref = await ctx.packs.find(id);
      if (ref) await checker.check(ref, folder, token);
    }
  });
  const checker = new Checker(ctx, tests);
  const tree = new ExerciseTree(ctx, checker);
  const statusBar = createStatusBar(ctx, checker);
  const command = (id: string, handler: (...args: never[]) => unknown) => vscode.commands.registerCommand(id, handler);
  const training = registerTrainingPanel({
    context,
    log: ctx.log,
    runtimeDir: runtimeDir(),
    requireTrust: (action) => ctx.requireTrust(action),
    resolvePython: async () => (await ctx.grader())?.python,
  });

  context.subscriptions.push(
    ctx,
    tests,
    checker,
    tree,
    vscode.window.createTreeView('gradlab.exercises', { treeDataProvider: tree, showCollapseAll: true }),
    new Verdicts(ctx, checker),
    statusBar,
    checkOnSave(ctx, checker),
    command('gradlab.startExercise', startExercise(ctx)),
    command('gradlab.checkExercise', checkExercise(ctx, checker)),
    command('gradlab.resetExercise', resetExercise(ctx)),
    command('gradlab.showInstructions', showInstructions(ctx)),
    command('gradlab.showHint', showHint(ctx)),
    command('gradlab.takeMastery', takeMastery(ctx)),
    command('gradlab.openPack', openPack(ctx)),
    command('gradlab.selectInterpreter', selectInterpreter(ctx)),
    command('gradlab.showLog', () => ctx.log.show()),
    instructorCommands(ctx),
    training,
  );
  ctx.log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);

  return {
    testController: tests.controller,
    lastReport: (id) => tests.lastReport(id),
    testStates: (id) => tests.testStates(id),
    exerciseStatus: async (id) => {
      const ref = await ctx.packs.find(id);
      const folder = ctx.workspaceFolder();
      return ref && folder ? ctx.progress(folder).status(ref.pack.manifest.id, id) : 'not-started';
    },
    statusBarText: () => statusBar.text(),
    training,
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
