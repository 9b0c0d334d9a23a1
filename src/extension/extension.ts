// Gradient Lab's VS Code host: one context, every command from one table of factories (commands/table.ts), the
// Testing API as the single source of verdicts, views that follow it, and the training panel. Activation comes
// from contributions.
import * as vscode from 'vscode';
import { runtimeDir } from '../core/paths';
import type { GradlabApi } from './api';
import { Checker } from './checking';
import { checkOnSave } from './checkOnSave';
import { registerCommands } from './commands/table';
import { Ctx } from './ctx';
import { registerTrainingPanel } from './panel';
import { contributeRuntimeToTerminals } from './terminalEnvironment';
import { ExerciseTests } from './testing/controller';
import { ExerciseTree } from './views/exerciseTree';
import { createStatusBar } from './views/statusBar';
import { Verdicts } from './views/verdicts';
import { warmUp } from './warmUp';

export function activate(context: vscode.ExtensionContext): GradlabApi {
  const started = performance.now();
  contributeRuntimeToTerminals(context.environmentVariableCollection, runtimeDir());
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
  const training = registerTrainingPanel({
    context,
    log: ctx.log,
    runtimeDir: runtimeDir(),
    requireTrust: (action) => ctx.requireTrust(action),
    resolvePython: async () => (await ctx.grader())?.python,
    findExercise: async (id) => (await ctx.packs.find(id))?.exercise,
  });
  const instructorOutput = vscode.window.createOutputChannel('Gradient Lab: Instructor');

  context.subscriptions.push(
    ctx,
    tests,
    checker,
    tree,
    vscode.window.createTreeView('gradlab.exercises', { treeDataProvider: tree, showCollapseAll: true }),
    new Verdicts(ctx, checker),
    statusBar,
    checkOnSave(ctx, checker),
    instructorOutput,
    registerCommands({ ctx, checker, training: training.controller, instructorOutput }),
    training,
    warmUp(ctx, checker),
  );
  ctx.log.info(`activated in ${(performance.now() - started).toFixed(1)} ms`);

  return {
    testController: tests.controller,
    lastReport: (id) => tests.lastReport(id),
    testStates: (id) => tests.testStates(id),
    streamedResults: (id) => tests.streamedResults(id),
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
