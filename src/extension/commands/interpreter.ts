// "Select Python Interpreter": the interpreters we can find, each validated, with what it lacks.
import * as vscode from 'vscode';
import { FixableError } from '../../core/errors';
import { candidateInterpreters, findPython } from '../../core/python/discover';
import { runtimeDir } from '../../core/paths';
import type { Ctx } from '../ctx';
import { activeInterpreter } from '../pythonExtension';
import * as settings from '../settings';


interface Choice extends vscode.QuickPickItem {
  python?: string;
  browse?: boolean;
}

async function describe(python: string): Promise<Choice> {
  try {
    const found = await findPython({ configured: python, require: [], runtimeDir: runtimeDir() });
    await found.client.dispose();
    const { hello } = found;
    const packages = [hello.numpy.available ? `NumPy ${hello.numpy.version}` : 'no NumPy', hello.torch.available ? `PyTorch ${hello.torch.version}` : 'no PyTorch'];
    return {
      label: `${hello.numpy.available ? '$(check)' : '$(warning)'} Python ${hello.python.version}`,
      description: found.python,
      detail: hello.numpy.available ? packages.join(', ') : `${packages.join(', ')}: install NumPy before using it to grade`,
      python: found.python,
    };
  } catch (error) {
    return { label: `$(error) ${python}`, detail: error instanceof FixableError ? error.message : String(error) };
  }
}

export function selectInterpreter(ctx: Ctx) {
  return async (): Promise<void> => {
    const pick = vscode.window.createQuickPick<Choice>();
    pick.title = 'Python interpreter for Gradient Lab';
    pick.placeholder = 'Looking for interpreters…';
    pick.busy = true;
    pick.show();
    const fromExtension = await activeInterpreter(ctx.workspaceFolder()?.uri);
    const seen = new Set<string>();
    const choices = (await Promise.all(candidateInterpreters(fromExtension ? [fromExtension] : []).map(describe))).filter(
      (c) => !c.python || (!seen.has(c.python) && seen.add(c.python)),
    );
    pick.items = [...choices.filter((c) => c.python), { label: '$(folder-opened) Enter interpreter path…', browse: true }];
    pick.placeholder = `Current: ${settings.pythonPath() ?? 'automatic (Python extension, then PATH)'}`;
    pick.busy = false;
    const choice = await new Promise<Choice | undefined>((resolve) => {
      pick.onDidAccept(() => resolve(pick.selectedItems[0]));
      pick.onDidHide(() => resolve(undefined));
    });
    pick.dispose();
    let python = choice?.python;
    if (choice?.browse) {
      python = await vscode.window.showInputBox({ prompt: 'Path of a Python interpreter that has NumPy', placeHolder: '/usr/bin/python3' });
    }
    if (!python) return;
    await settings.setPythonPath(python);
    void vscode.window.showInformationMessage(`Gradient Lab will use ${python}.`);
  };
}
