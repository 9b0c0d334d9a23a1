// A slider over a run's snapshots (fits, decision boundaries, steps on a landscape), with play: it follows the newest
// snapshot while it sits at the end (a live run), stays where the learner put it otherwise, and Play steps through
// the snapshots the run logged at the chosen speed, once or in a loop.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';

/** Snapshots shown per second at speed 1x. */
const FRAMES_PER_SECOND = 8;
const SPEEDS = ['0.5', '1', '2', '4', '8'];

export class Scrubber {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly label: HTMLElement;
  private readonly play = document.createElement('vscode-button');
  private readonly speed = document.createElement('vscode-single-select');
  private readonly loop = document.createElement('vscode-checkbox');
  private count = 0;
  private following = true;
  /** the animation frame of a play under way, and when it last advanced */
  private playing: { frame: number; last: number; position: number } | undefined;

  constructor(
    name: string,
    private readonly onChange: () => void,
  ) {
    this.element = document.createElement('div');
    this.element.className = 'scrubber';
    this.play.className = 'play';
    this.play.secondary = true;
    this.play.addEventListener('click', () => (this.playing ? this.pause() : this.start()));
    this.input = document.createElement('input');
    this.input.type = 'range';
    this.input.min = '0';
    this.input.setAttribute('aria-label', name);
    this.label = document.createElement('span');
    this.label.className = 'scrubber-label';
    this.label.setAttribute('aria-live', 'polite');
    this.input.addEventListener('input', () => {
      this.pause();
      this.following = Number(this.input.value) === this.count - 1;
      onChange();
    });
    this.speed.className = 'speed';
    this.speed.setAttribute('aria-label', `${name}: play speed`);
    for (const value of SPEEDS) {
      const option = document.createElement('vscode-option');
      option.value = value;
      option.textContent = `${value}x`;
      option.selected = value === '1';
      this.speed.append(option);
    }
    this.loop.label = 'loop';
    this.element.append(this.play, this.input, this.speed, this.loop, this.label);
    this.showPlayState();
  }

  /** Whether Play is stepping through the snapshots. */
  get isPlaying(): boolean {
    return this.playing !== undefined;
  }

  /** The snapshot to show out of `steps` (their steps, oldest first). */
  select(steps: number[]): number {
    this.count = steps.length;
    this.element.hidden = steps.length < 2;
    this.input.max = String(Math.max(0, steps.length - 1));
    let index = Math.min(Number(this.input.value) || 0, steps.length - 1);
    if (this.playing) index = Math.min(Math.floor(this.playing.position), steps.length - 1);
    else if (this.following) index = steps.length - 1;
    this.input.value = String(index);
    this.label.textContent = steps.length ? `step ${steps[index]} (${index + 1} of ${steps.length})` : '';
    return index;
  }

  /** Plays from the start (or from where the slider is, when it is not at the end). */
  start(): void {
    if (this.count < 2) return;
    const at = Number(this.input.value) || 0;
    this.following = false;
    this.playing = { frame: 0, last: performance.now(), position: at >= this.count - 1 ? 0 : at };
    this.playing.frame = requestAnimationFrame((now) => this.advance(now));
    this.showPlayState();
    this.onChange();
  }

  pause(): void {
    if (!this.playing) return;
    cancelAnimationFrame(this.playing.frame);
    this.playing = undefined;
    this.showPlayState();
  }

  private advance(now: number): void {
    const playing = this.playing;
    if (!playing) return;
    playing.position += ((now - playing.last) / 1000) * FRAMES_PER_SECOND * Number(this.speed.value || '1');
    playing.last = now;
    if (playing.position >= this.count) {
      if (this.loop.checked) playing.position %= this.count;
      else {
        // the end: stay on the last snapshot, following the run again if it is still live
        this.playing = undefined;
        this.following = true;
        this.showPlayState();
        this.onChange();
        return;
      }
    }
    this.onChange();
    playing.frame = requestAnimationFrame((t) => this.advance(t));
  }

  private showPlayState(): void {
    this.play.textContent = this.playing ? 'Pause' : 'Play';
    this.play.setAttribute('aria-label', this.playing ? 'Pause the animation' : 'Play the snapshots from the start');
    this.play.setAttribute('aria-pressed', String(this.playing !== undefined));
  }
}
