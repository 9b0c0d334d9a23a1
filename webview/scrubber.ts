// A slider over a run's snapshots (fits or decision boundaries): it follows the newest snapshot while it sits at the
// end, and stays where the learner put it otherwise.
export class Scrubber {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly label: HTMLElement;
  private count = 0;
  private following = true;

  constructor(name: string, onChange: () => void) {
    this.element = document.createElement('div');
    this.element.className = 'scrubber';
    this.input = document.createElement('input');
    this.input.type = 'range';
    this.input.min = '0';
    this.input.setAttribute('aria-label', name);
    this.label = document.createElement('span');
    this.label.className = 'scrubber-label';
    this.label.setAttribute('aria-live', 'polite');
    this.input.addEventListener('input', () => {
      this.following = Number(this.input.value) === this.count - 1;
      onChange();
    });
    this.element.append(this.input, this.label);
  }

  /** The snapshot to show out of `steps` (their steps, oldest first). */
  select(steps: number[]): number {
    this.count = steps.length;
    this.element.hidden = steps.length < 2;
    this.input.max = String(Math.max(0, steps.length - 1));
    let index = Math.min(Number(this.input.value) || 0, steps.length - 1);
    if (this.following) index = steps.length - 1;
    this.input.value = String(index);
    this.label.textContent = steps.length ? `step ${steps[index]} (${index + 1} of ${steps.length})` : '';
    return index;
  }
}
