// The experiment bar: one control per parameter the pack declares for the exercise's training script, Train (the
// script with these values), Stop, and Reset (train again from a new seed, or the same one). A value outside its
// declaration is marked as it is typed and Train waits for it; the host refuses it again before the script starts.
import { valueProblem, type ParameterValue, type ScriptParameter } from '../src/protocol/parameters';
import type { ExperimentBar as Experiment } from '../src/protocol/webview';

export interface ExperimentActions {
  train(values: Record<string, ParameterValue>): void;
  stop(): void;
  /** the learner changed a value: keep it with the panel's state */
  changed(script: string, values: Record<string, ParameterValue>): void;
}

/** The name of the parameter Reset draws anew. */
const SEED = 'seed';

export class ExperimentBarView {
  readonly element: HTMLElement;
  private experiment: Experiment | undefined;
  private values: Record<string, ParameterValue> = {};
  /** text typed into a number field that is not a value it takes, with why: Train waits until it is fixed */
  private readonly typed = new Map<string, { text: string; problem: string }>();
  private running = false;
  private newSeed = true;

  constructor(private readonly actions: ExperimentActions) {
    this.element = document.createElement('section');
    this.element.className = 'experiment';
    this.element.setAttribute('aria-label', 'Experiment');
    this.element.hidden = true;
  }

  /** Shows the bar of `experiment` (hidden when undefined), starting from the values kept for its script. */
  show(experiment: Experiment | undefined, kept: Record<string, ParameterValue> | undefined): void {
    this.experiment = experiment;
    this.typed.clear();
    this.values = experiment ? { ...Object.fromEntries(experiment.parameters.map((p) => [p.name, p.default])), ...kept } : {};
    for (const p of experiment?.parameters ?? []) if (valueProblem(p, this.values[p.name])) this.values[p.name] = p.default;
    this.render();
  }

  setRunning(running: boolean): void {
    if (running === this.running) return;
    this.running = running;
    this.render();
  }

  /** Sets values (a guided experiment's) and shows them, without training. */
  set(values: Record<string, ParameterValue>): void {
    if (!this.experiment) return;
    this.values = { ...this.values, ...values };
    this.typed.clear();
    this.actions.changed(this.experiment.script, this.values);
    this.render();
  }

  private render(): void {
    const experiment = this.experiment;
    this.element.hidden = !experiment;
    if (!experiment) {
      this.element.replaceChildren();
      return;
    }
    const title = document.createElement('span');
    title.className = 'experiment-title';
    title.textContent = experiment.script.split(/[\\/]/).pop() ?? experiment.script;
    const controls = experiment.parameters.map((p) => this.control(p));
    const problems = [...[...this.typed.values()].map((t) => t.problem), ...experiment.parameters.map((p) => valueProblem(p, this.values[p.name])).filter((m): m is string => !!m)];

    const train = button('Train', `Run ${title.textContent} with these values`, () => this.actions.train({ ...this.values }));
    train.toggleAttribute('disabled', this.running || problems.length > 0);
    const items: HTMLElement[] = [title, ...controls, train];
    if (this.running) items.push(button('Stop', 'Stop the running training script', () => this.actions.stop(), true));
    const seed = experiment.parameters.find((p) => p.name === SEED);
    const reset = button('Reset', seed ? 'Train again, from a new seed or the same one' : 'Train again with the same values', () => this.reset(), true);
    reset.toggleAttribute('disabled', this.running || problems.length > 0);
    items.push(reset);
    if (seed) {
      const fresh = document.createElement('vscode-checkbox');
      fresh.label = 'new seed';
      fresh.checked = this.newSeed;
      fresh.addEventListener('change', () => (this.newSeed = fresh.checked));
      items.push(fresh);
    }
    const message = document.createElement('p');
    message.className = 'experiment-problem';
    message.setAttribute('role', 'alert');
    message.textContent = problems.join('; ');
    message.hidden = problems.length === 0;
    const row = document.createElement('div');
    row.className = 'experiment-row';
    row.append(...items);
    this.element.replaceChildren(row, message);
  }

  private reset(): void {
    const seed = this.experiment?.parameters.find((p) => p.name === SEED);
    if (seed && seed.kind === 'integer' && this.newSeed) this.set({ [SEED]: seed.min + Math.floor(Math.random() * (seed.max - seed.min + 1)) });
    this.actions.train({ ...this.values });
  }

  private control(p: ScriptParameter): HTMLElement {
    const label = document.createElement('label');
    label.className = 'parameter';
    const name = document.createElement('span');
    name.textContent = p.label;
    label.append(name);
    const commit = (value: ParameterValue) => {
      this.values[p.name] = value;
      this.typed.delete(p.name);
      this.actions.changed(this.experiment!.script, this.values);
      this.render();
    };
    if (p.kind === 'boolean') {
      const box = document.createElement('vscode-checkbox');
      box.label = p.label;
      box.checked = this.values[p.name] === true;
      box.addEventListener('change', () => commit(box.checked));
      return box;
    }
    if (p.kind === 'choice') {
      const select = document.createElement('vscode-single-select');
      select.setAttribute('aria-label', p.label);
      for (const choice of p.choices) {
        const option = document.createElement('vscode-option');
        option.value = choice;
        option.textContent = choice;
        option.selected = choice === this.values[p.name];
        select.append(option);
      }
      select.addEventListener('change', () => commit(select.value));
      label.append(select);
      return label;
    }
    const field = document.createElement('vscode-textfield');
    // The browser's number field steps by `step` (1 by default, and it marks 0.05 wrong against that): whole numbers
    // and linear numbers with a declared step use it, the rest (a log scale) is text held to valueProblem.
    const step = p.kind === 'integer' ? 1 : p.scale !== 'log' ? p.step : undefined;
    field.type = step ? 'number' : 'text';
    field.step = step;
    field.value = this.typed.get(p.name)?.text ?? String(this.values[p.name]);
    field.setAttribute('aria-label', `${p.label}, ${p.min} to ${p.max}`);
    field.min = p.min;
    field.max = p.max;
    field.className = p.kind === 'integer' ? 'integer' : 'number';
    field.invalid = this.typed.has(p.name);
    field.addEventListener('change', () => {
      const value = field.value.trim() === '' ? Number.NaN : Number(field.value);
      const problem = valueProblem(p, value);
      if (!problem) return commit(value);
      this.typed.set(p.name, { text: field.value, problem });
      this.render();
    });
    label.append(field);
    return label;
  }
}

function button(text: string, title: string, onClick: () => void, secondary = false): HTMLElement {
  const b = document.createElement('vscode-button');
  b.textContent = text;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.secondary = secondary;
  b.addEventListener('click', () => {
    if (!b.hasAttribute('disabled')) onClick();
  });
  return b;
}
