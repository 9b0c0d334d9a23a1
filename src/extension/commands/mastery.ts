// A lesson's mastery check: the pack's multiple-choice questions, one quick pick each, scored against
// the pack's pass mark, with the explanation after each answer.
import * as vscode from 'vscode';
import type { Ctx } from '../ctx';

export interface MasteryResult {
  lesson: string;
  correct: number;
  total: number;
  passed: boolean;
}

export function takeMastery(ctx: Ctx) {
  return async (arg?: unknown): Promise<MasteryResult | undefined> => {
    const packs = await ctx.packs.all();
    const lessonId = typeof arg === 'string' ? arg : (arg as { lessonId?: string } | undefined)?.lessonId;
    const candidates = packs.flatMap((pack) => pack.manifest.lessons.filter((l) => l.mastery).map((lesson) => ({ pack, lesson })));
    const chosen = lessonId
      ? candidates.find((c) => c.lesson.id === lessonId)
      : (await vscode.window.showQuickPick(candidates.map((c) => ({ label: c.lesson.title, description: c.pack.manifest.title, c })), { placeHolder: 'Mastery check of which lesson?' }))?.c;
    if (!chosen?.lesson.mastery) {
      if (lessonId) void vscode.window.showErrorMessage(`No mastery check for lesson "${lessonId}".`);
      return undefined;
    }
    const { pack, lesson } = chosen;
    const mastery = chosen.lesson.mastery;
    let correct = 0;
    for (const [i, question] of mastery.questions.entries()) {
      const answer = await vscode.window.showQuickPick(
        question.choices.map((label, index) => ({ label, index })),
        { title: `${lesson.title}: question ${i + 1} of ${mastery.questions.length}`, placeHolder: question.prompt, ignoreFocusOut: true },
      );
      if (!answer) return undefined; // abandoned: nothing recorded
      const right = answer.index === question.answer;
      if (right) correct++;
      const verdict = right ? 'Right.' : `Not quite: the answer is "${question.choices[question.answer]}".`;
      void vscode.window.showInformationMessage(`Question ${i + 1}: ${verdict}${question.explanation ? ` ${question.explanation}` : ''}`);
    }
    const total = mastery.questions.length;
    const passed = correct / total >= mastery.passMark;
    const folder = ctx.workspaceFolder();
    if (folder) ctx.progress(folder).recordMastery(pack.manifest.id, lesson.id, correct / total, passed);
    ctx.changed();
    void vscode.window.showInformationMessage(
      `${lesson.title}: ${correct}/${total} (${Math.round((100 * correct) / total)}%). ${passed ? 'Mastery check passed.' : `The pass mark is ${Math.round(mastery.passMark * 100)}%: reread the lesson and try again.`}`,
    );
    return { lesson: lesson.id, correct, total, passed };
  };
}
