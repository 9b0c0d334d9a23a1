// A new learner on exercise 02-grad-w, through the UI only (issue 5): the walkthrough, the Exercises tree,
// a grad_w that drops the factor 2 failing its gradient check with the diagnosis in the Testing view and at
// the function, a hint, the fix passing, the status bar and the tree advancing, and the training panel.
// The whole journey runs in the light theme; the dark and high-contrast runs take the same path by the
// shortest route (palette, pasting) and photograph its key screens. One step per test; the launcher stops
// at the first failure, and every step leaves a screenshot under test-results/e2e/<theme>/02-grad-w/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { solutionForm } from '../../src/core/packs/regions';
import { builtinAuthoringPackDir, packageRoot } from '../../src/core/paths';
import type { PackManifest } from '../../src/protocol/pack';
import {
  clickInEditor,
  editorLine,
  editorTab,
  expandRow,
  expectExerciseStatus,
  exerciseRow,
  learnerWindow,
  notification,
  packRow,
  pasteOver,
  pickFromQuickPick,
  progressItem,
  runCommand,
  save,
  testRow,
  testRows,
  waitForDrawnRun,
  waitForInstructions,
  waitUntil,
  type Theme,
} from './workbench';

const EXERCISE = '02-grad-w';
const CHECK = 'grad-w-fd';
const WITH_FACTOR = 'return float(2 * np.mean(error * x))';
const WITHOUT_FACTOR = 'return float(np.mean(error * x))';
/** What the diagnosis of a grad_w that drops the factor 2 must say. */
const DIAGNOSIS = /\bhalf\b.*\bfactor 2\b/i;

const pack = JSON.parse(readFileSync(join(builtinAuthoringPackDir(), 'pack.json'), 'utf8')) as PackManifest;
const exercise = pack.exercises.find((e) => e.id === EXERCISE)!;
const check = exercise.checks.find((c) => c.id === CHECK)!;
const learnerFile = exercise.files.find((f) => f.role === 'learner')!;
const firstExercise = [...pack.exercises].sort((a, b) => a.order - b.order)[0];
const walkthrough = (JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as {
  contributes: { walkthroughs: Array<{ id: string; title: string; steps: Array<{ title: string }> }> };
}).contributes.walkthroughs.find((w) => w.id === 'gradlab.start')!;

const solution = solutionForm(readFileSync(join(builtinAuthoringPackDir(), EXERCISE, learnerFile.path), 'utf8'));
const attempt = solution.replace(WITH_FACTOR, WITHOUT_FACTOR);
const gradWLine = attempt.split('\n').findIndex((line) => line.startsWith('def grad_w')) + 1;

/** Passed exercises out of the pack's, as the status bar item shows them. */
async function expectProgress(page: Page, passed: number): Promise<void> {
  const item = progressItem(page);
  await item.locator('.codicon-beaker').waitFor({ state: 'visible' });
  const text = `${passed}/${pack.exercises.length}`;
  await waitUntil(page, async () => (await item.innerText()).trim() === text, `the status bar item to read ${text}`, 30_000);
}

/** The status bar item opens the Exercises view: how a learner gets back to the tree. */
async function showExercises(page: Page): Promise<void> {
  await progressItem(page).click();
  await exerciseRow(page, exercise.title).waitFor({ state: 'visible' });
}

async function showTestingView(page: Page): Promise<void> {
  await runCommand(page, 'Testing: Focus on Test Explorer View');
  await expandRow(testRow(page, exercise.title).first());
}

for (const [theme, whole] of [['light', true], ['dark', false], ['high-contrast', false]] as Array<[Theme, boolean]>) {
  describe(`A new learner on ${EXERCISE} (${theme} theme${whole ? ', the whole journey' : ', key screens'})`, () => {
    const learner = learnerWindow(EXERCISE, theme);
    before(() => {
      if (attempt === solution) throw new Error(`the reference solution of ${EXERCISE} no longer contains "${WITH_FACTOR}": update this journey`);
    });

    it('opens a fresh folder in VS Code and trusts its authors', async () => {
      await learner.open();
    });

    if (whole) {
      it(`opens the walkthrough "${walkthrough.title}" and sees its steps`, async () => {
        const { page } = learner;
        await runCommand(page, 'Welcome: Open Walkthrough...');
        await pickFromQuickPick(page, 'Select a walkthrough to open', walkthrough.title);
        const titles = page.locator('.getting-started-step .step-title');
        await titles.first().waitFor({ state: 'visible' });
        const shown = (await titles.allInnerTexts()).map((t) => t.trim());
        if (shown.join('|') !== walkthrough.steps.map((s) => s.title).join('|')) {
          throw new Error(`the walkthrough shows the steps ${JSON.stringify(shown)}, not ${JSON.stringify(walkthrough.steps.map((s) => s.title))}`);
        }
      });

      it(`follows the walkthrough to the Exercises view: ${EXERCISE} not started, nothing passed yet`, async () => {
        const { page } = learner;
        await page.locator('.getting-started-step', { hasText: 'Open the built-in pack' }).click();
        await page.locator('.getting-started-step.expanded').getByRole('button', { name: 'Show the Exercises' }).click();
        await expectExerciseStatus(page, exercise.title, 'not started', 'circle-large-outline');
        await packRow(page, pack.title).filter({ hasText: `0/${pack.exercises.length}` }).waitFor({ state: 'visible' });
        await expectProgress(page, 0);
      });

      it(`starts ${EXERCISE} from its row's Start action and sees ${learnerFile.path} beside its instructions`, async () => {
        const { page } = learner;
        const row = exerciseRow(page, exercise.title);
        await row.hover();
        await row.locator('.action-label[aria-label="Start Exercise"]').click();
        await page.mouse.move(0, 0);
        await editorTab(page, learnerFile.path).waitFor({ state: 'visible' });
        await editorTab(page, exercise.instructions).waitFor({ state: 'visible' });
        await waitForInstructions(page, exercise.title);
        await expectExerciseStatus(page, exercise.title, 'in progress', 'circle-large-filled');
      });
    } else {
      it(`starts ${EXERCISE} from the command palette and sees ${learnerFile.path} beside its instructions`, async () => {
        const { page } = learner;
        await runCommand(page, 'Gradient Lab: Start Exercise');
        await pickFromQuickPick(page, 'Which exercise do you want to start?', EXERCISE);
        await editorTab(page, learnerFile.path).waitFor({ state: 'visible' });
        await editorTab(page, exercise.instructions).waitFor({ state: 'visible' });
        await waitForInstructions(page, exercise.title);
      });
    }

    it('writes a grad_w that drops the factor 2 and saves', async () => {
      const { page } = learner;
      await pasteOver(page, 'def grad_w', attempt, WITHOUT_FACTOR);
      await save(page, learnerFile.path);
    });

    it(`sees ${EXERCISE} marked failing in the Exercises tree`, async () => {
      const { page } = learner;
      await showExercises(page);
      await expectExerciseStatus(page, exercise.title, 'failing', 'error');
      await expectProgress(page, 0);
    });

    it('sees the gradient check fail in the Testing view, and the diagnosis in its peek', async () => {
      const { page } = learner;
      await showTestingView(page);
      const row = testRow(page, check.title).filter({ has: page.locator('.codicon-testing-failed-icon') });
      await row.waitFor({ state: 'visible', timeout: 60_000 });
      // Clicking a failed check opens its message at the learner's function.
      await row.click();
      const peek = page.locator('.peekview-widget', { hasText: check.title });
      await peek.locator('.peekview-title', { hasText: DIAGNOSIS }).waitFor({ state: 'visible' });
      await page.locator('.part.editor .line-numbers.active-line-number', { hasText: String(gradWLine) }).waitFor({ state: 'visible' });
    });

    it('sees the diagnosis as a problem at def grad_w, and in the hover over it', async () => {
      const { page } = learner;
      await runCommand(page, 'Problems: Focus on Problems View');
      const problem = page.locator('.markers-panel .monaco-list-row', { hasText: check.title }).filter({ hasText: `[Ln ${gradWLine}, Col 1]` });
      await problem.filter({ hasText: 'Gradient Lab' }).waitFor({ state: 'visible' });
      // Selected, the problem shows its whole message, the diagnosis on its second line.
      await problem.click();
      await problem.filter({ hasText: DIAGNOSIS }).waitFor({ state: 'visible' });
      await clickInEditor(page, 'def grad_w', 'grad_w');
      await runCommand(page, 'Show or Focus Hover');
      await page.locator('.monaco-hover', { hasText: DIAGNOSIS }).filter({ hasText: check.title }).waitFor({ state: 'visible' });
    });

    if (whole) {
      it('asks for a hint from the CodeLens above grad_w and reads it in a notification', async () => {
        const { page } = learner;
        await page.keyboard.press('Escape');
        // The lens line of grad_w: its verdict, then "Check" and "Hint".
        const lens = page.locator('.codelens-decoration', { hasText: `failing: ${check.title}` });
        await lens.getByText('Hint', { exact: true }).click();
        // Hints unlock with failed checks; the failing check's own hint comes first.
        await notification(page, `Hint 1/`).filter({ hasText: check.hints![0] }).waitFor({ state: 'visible' });
      });

      it('types the missing factor 2 into grad_w, saves, and sees every check pass', async () => {
        const { page } = learner;
        await clickInEditor(page, WITHOUT_FACTOR, 'np');
        await page.keyboard.type('2 * ');
        await editorLine(page, WITH_FACTOR).waitFor({ state: 'visible' });
        await save(page, learnerFile.path);
        await expectEveryCheckPassed(page);
      });
    } else {
      it('pastes the corrected grad_w, saves, and sees every check pass', async () => {
        const { page } = learner;
        await pasteOver(page, 'def grad_w', solution, WITH_FACTOR);
        await save(page, learnerFile.path);
        await expectEveryCheckPassed(page);
      });
    }

    it(`sees the status bar count ${EXERCISE} and the tree mark it passed`, async () => {
      const { page } = learner;
      await expectProgress(page, 1);
      await showExercises(page);
      await expectExerciseStatus(page, exercise.title, 'passed', 'pass-filled');
      await packRow(page, pack.title).filter({ hasText: `1/${pack.exercises.length}` }).waitFor({ state: 'visible' });
    });

    it(`starts ${firstExercise.id} and sees its reference run drawn in the training panel`, async () => {
      const { page } = learner;
      await runCommand(page, 'Gradient Lab: Start Exercise');
      await pickFromQuickPick(page, 'Which exercise do you want to start?', firstExercise.id);
      const code = firstExercise.files.find((f) => f.role === 'learner')!;
      await editorTab(page, code.path).waitFor({ state: 'visible' });
      await waitForInstructions(page, firstExercise.title);
      // Back into the code (the instructions beside it took the focus), then the panel for it, with room.
      await clickInEditor(page, `def ${code.functions![0]}`);
      await runCommand(page, 'View: Hide Panel');
      await runCommand(page, 'Gradient Lab: Open Training Panel');
      await waitForDrawnRun(page, /^reference solution\b/, 30_000);
    });
  });
}

/** The CodeLens above every function says passed, and the Testing view shows the exercise passed, no failure. */
async function expectEveryCheckPassed(page: Page): Promise<void> {
  const lenses = page.locator('.part.editor .codelens-decoration');
  await waitUntil(
    page,
    async () => (await lenses.filter({ hasText: 'failing' }).count()) === 0 && (await lenses.filter({ hasText: 'passed' }).count()) === learnerFile.functions!.length,
    `the CodeLens above each of ${learnerFile.functions!.join(', ')} to say passed`,
    60_000,
  );
  await showTestingView(page);
  await testRow(page, exercise.title).first().locator('.codicon-testing-passed-icon').waitFor({ state: 'visible' });
  await waitUntil(page, async () => (await testRows(page, 'failed').count()) === 0, 'the Testing view to show no failed check', 30_000);
}
