// Every command of package.json (contributes.commands), as one table of factories: id -> (what a command needs) =>
// handler (the rust-analyzer pattern). Adding a command touches this table, package.json and the handler's file;
// an integration test holds the table's ids to package.json.
import * as vscode from 'vscode';
import type { Checker } from '../checking';
import type { Ctx } from '../ctx';
import { openTrainingPanel, runTrainingScript, runTrainingScriptWith, stopTrainingScript } from '../panel/commands';
import type { TrainingController } from '../panel/controller';
import { checkExercise, openPack, resetExercise, showHint, showInstructions, startExercise } from './exercise';
import { gradeSubmissions, openFeedback, validatePack } from './instructor';
import { selectInterpreter } from './interpreter';
import { takeMastery } from './mastery';

/** What a command factory receives: the context, and the long-lived parts that commands drive. */
export interface CommandContext {
  ctx: Ctx;
  checker: Checker;
  training: TrainingController;
  /** where the instructor commands write what they did */
  instructorOutput: vscode.OutputChannel;
}

type CommandFactory = (c: CommandContext) => (...args: never[]) => unknown;

export const COMMANDS = {
  'gradlab.startExercise': ({ ctx }) => startExercise(ctx),
  'gradlab.checkExercise': ({ ctx, checker }) => checkExercise(ctx, checker),
  'gradlab.openTrainingPanel': ({ training }) => openTrainingPanel(training),
  'gradlab.runTrainingScript': ({ training }) => runTrainingScript(training),
  'gradlab.runTrainingScriptWith': ({ training }) => runTrainingScriptWith(training),
  'gradlab.stopTrainingScript': ({ training }) => stopTrainingScript(training),
  'gradlab.selectInterpreter': ({ ctx }) => selectInterpreter(ctx),
  'gradlab.showLog': ({ ctx }) => () => ctx.log.show(),
  'gradlab.resetExercise': ({ ctx }) => resetExercise(ctx),
  'gradlab.showInstructions': ({ ctx }) => showInstructions(ctx),
  'gradlab.showHint': ({ ctx }) => showHint(ctx),
  'gradlab.takeMastery': ({ ctx }) => takeMastery(ctx),
  'gradlab.openPack': ({ ctx }) => openPack(ctx),
  'gradlab.validatePack': ({ ctx, instructorOutput }) => validatePack(ctx, instructorOutput),
  'gradlab.gradeSubmissions': ({ ctx, instructorOutput }) => gradeSubmissions(ctx, instructorOutput),
  'gradlab.openFeedback': ({ ctx, instructorOutput }) => openFeedback(ctx, instructorOutput),
} satisfies Record<string, CommandFactory>;

export function registerCommands(c: CommandContext): vscode.Disposable {
  return vscode.Disposable.from(...Object.entries(COMMANDS).map(([id, factory]) => vscode.commands.registerCommand(id, (factory as CommandFactory)(c))));
}
