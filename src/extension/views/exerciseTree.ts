// The Exercises view: pack -> lesson -> exercise (and the lesson's mastery check), with status icons in
// theme colours. contextValue drives the inline actions and menus declared in package.json.
import * as vscode from 'vscode';
import type { LoadedPack } from '../../core/packs/load';
import type { ExerciseStatus } from '../../core/progress/store';
import type { ExerciseSpec, LessonSpec } from '../../protocol/pack';
import type { Ctx } from '../ctx';
import type { Checker } from '../checking';

type Node =
  | { kind: 'pack'; pack: LoadedPack }
  | { kind: 'lesson'; pack: LoadedPack; lesson: LessonSpec }
  | { kind: 'exercise'; pack: LoadedPack; exercise: ExerciseSpec; exerciseId: string }
  | { kind: 'mastery'; pack: LoadedPack; lesson: LessonSpec; lessonId: string };

const STATUS_ICON: Record<ExerciseStatus | 'running', vscode.ThemeIcon> = {
  'not-started': new vscode.ThemeIcon('circle-large-outline', new vscode.ThemeColor('disabledForeground')),
  'in-progress': new vscode.ThemeIcon('circle-large-filled', new vscode.ThemeColor('charts.yellow')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  passed: new vscode.ThemeIcon('pass-filled', new vscode.ThemeColor('testing.iconPassed')),
  running: new vscode.ThemeIcon('sync~spin'),
};

const STATUS_WORDS: Record<ExerciseStatus, string> = { 'not-started': 'not started', 'in-progress': 'in progress', failed: 'failing', passed: 'passed' };

export class ExerciseTree implements vscode.TreeDataProvider<Node>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<Node | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private readonly running = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly ctx: Ctx,
    checker: Checker,
  ) {
    this.disposables.push(
      this.emitter,
      ctx.onDidChange(() => this.refresh()),
      checker.onDidChange((e) => {
        if (e.running) this.running.add(e.ref.exercise.id);
        else this.running.delete(e.ref.exercise.id);
        this.refresh();
      }),
      vscode.workspace.onDidChangeWorkspaceFolders(() => this.refresh()),
    );
  }

  refresh(): void {
    this.emitter.fire(undefined);
  }

  status(pack: LoadedPack, exercise: ExerciseSpec): ExerciseStatus {
    const folder = this.ctx.workspaceFolder();
    return folder ? this.ctx.progress(folder).status(pack.manifest.id, exercise.id) : 'not-started';
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      try {
        return (await this.ctx.packs.all()).map((pack) => ({ kind: 'pack' as const, pack }));
      } catch (error) {
        this.ctx.log.error(String(error));
        return [];
      }
    }
    if (node.kind === 'pack') return node.pack.manifest.lessons.map((lesson) => ({ kind: 'lesson' as const, pack: node.pack, lesson }));
    if (node.kind === 'lesson') {
      const exercises = node.pack.manifest.exercises.filter((e) => e.lesson === node.lesson.id).sort((a, b) => a.order - b.order);
      const children: Node[] = exercises.map((exercise) => ({ kind: 'exercise', pack: node.pack, exercise, exerciseId: exercise.id }));
      if (node.lesson.mastery) children.push({ kind: 'mastery', pack: node.pack, lesson: node.lesson, lessonId: node.lesson.id });
      return children;
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'pack': {
        const item = new vscode.TreeItem(node.pack.manifest.title, vscode.TreeItemCollapsibleState.Expanded);
        const passed = this.passed(node.pack);
        item.description = `${passed}/${node.pack.manifest.exercises.length}`;
        item.iconPath = new vscode.ThemeIcon('book');
        item.contextValue = 'pack';
        return item;
      }
      case 'lesson': {
        const item = new vscode.TreeItem(node.lesson.title, vscode.TreeItemCollapsibleState.Expanded);
        item.iconPath = new vscode.ThemeIcon('mortar-board');
        item.contextValue = 'lesson';
        return item;
      }
      case 'mastery': {
        const folder = this.ctx.workspaceFolder();
        const result = folder ? this.ctx.progress(folder).mastery(node.pack.manifest.id, node.lesson.id) : undefined;
        const item = new vscode.TreeItem('Mastery check', vscode.TreeItemCollapsibleState.None);
        item.description = result ? `${Math.round(result.score * 100)}%${result.passed ? ' passed' : ''}` : `${node.lesson.mastery!.questions.length} questions`;
        item.iconPath = result?.passed ? STATUS_ICON.passed : new vscode.ThemeIcon('question');
        item.contextValue = 'mastery';
        item.command = { command: 'gradlab.takeMastery', title: 'Take Mastery Check', arguments: [node.lesson.id] };
        return item;
      }
      case 'exercise': {
        const status = this.status(node.pack, node.exercise);
        const item = new vscode.TreeItem(node.exercise.title, vscode.TreeItemCollapsibleState.None);
        item.id = `${node.pack.manifest.id}/${node.exercise.id}`;
        item.description = node.exercise.id;
        item.iconPath = this.running.has(node.exercise.id) ? STATUS_ICON.running : STATUS_ICON[status];
        item.tooltip = new vscode.MarkdownString(`**${node.exercise.title}** — ${STATUS_WORDS[status]}${node.exercise.requires?.length ? `\n\nNeeds ${node.exercise.requires.join(', ')}` : ''}`);
        item.contextValue = status === 'not-started' ? 'exercise.notStarted' : 'exercise.started';
        item.accessibilityInformation = { label: `${node.exercise.title}, ${STATUS_WORDS[status]}` };
        item.command =
          status === 'not-started'
            ? { command: 'gradlab.showInstructions', title: 'Show Instructions', arguments: [node.exercise.id] }
            : { command: 'gradlab.startExercise', title: 'Open Exercise', arguments: [node.exercise.id] };
        return item;
      }
    }
  }

  private passed(pack: LoadedPack): number {
    const folder = this.ctx.workspaceFolder();
    return folder ? this.ctx.progress(folder).passedCount(pack.manifest.id) : 0;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
