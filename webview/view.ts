// What every tab of the panel is: a View draws the runs shown (a DrawContext), built from ViewDeps (the
// panel's state, its theme, and how to reach the host). tabs.ts lists the views, one row per tab.
import type { Notice, PanelState, SnapshotKind, WebviewMessage } from '../src/protocol/webview';
import type { RunStore } from './store';
import type { Theme } from './theme';

/** A run the legend shows, with its colour. */
export interface ShownRun {
  store: RunStore;
  colour: string;
}

/** What a view draws from, each frame. */
export interface DrawContext {
  /** the runs not hidden in the legend, oldest first */
  shown: ShownRun[];
  /** the run whose details are shown: the one chosen in the legend, else the newest run of the learner */
  focus: RunStore | undefined;
  colourOf(store: RunStore): string;
}

/** What one draw showed, for the draw report. */
export interface Drawn {
  points: number;
  /** non-finite values marked at a chart's edge */
  flagged: number;
}

/** What a view gets from the panel when it is built. */
export interface ViewDeps {
  theme(): Theme;
  /** the panel's saved state; a view that changes it calls changed() */
  state(): PanelState;
  /** the state changed: save it and redraw */
  changed(): void;
  /** draw again on the next frame (a scrubber moved) */
  redraw(): void;
  post(message: WebviewMessage): void;
  notice(notice: Notice): void;
}

/** One tab of the panel. */
export interface View {
  /** the tab's content */
  readonly element: HTMLElement;
  draw(context: DrawContext): Drawn;
  setTheme(theme: Theme): void;
}

/** The focus run when it has snapshots of this kind, else the newest shown run that has some. */
export function runWith(kind: SnapshotKind, context: DrawContext): RunStore | undefined {
  if (context.focus && context.focus.snapshots[kind].length > 0) return context.focus;
  return context.shown.map((s) => s.store).filter((s) => s.snapshots[kind].length > 0).at(-1);
}
