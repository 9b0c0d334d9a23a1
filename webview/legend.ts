// The list of runs beside the charts: each run's colour, show/hide, status, device and settings, and its actions.
// Runs of one sweep sit under a group row that shows or hides them together.
import type { RunStore } from './store';
import { describeStatus } from './tableView';

export interface LegendRun {
  store: RunStore;
  colour: string;
  hidden: boolean;
  focused: boolean;
}

export interface LegendActions {
  show(runIds: string[], shown: boolean): void;
  focus(runId: string): void;
  remove(runId: string): void;
  exportCsv(runId: string): void;
}

export class Legend {
  readonly element: HTMLElement;

  constructor(private readonly actions: LegendActions) {
    this.element = document.createElement('aside');
    this.element.className = 'legend';
    this.element.setAttribute('aria-label', 'Runs');
  }

  render(runs: LegendRun[]): void {
    if (runs.length === 0) {
      const empty = document.createElement('p');
      empty.className = 'empty';
      empty.textContent = 'No runs yet. Run a training script (Gradient Lab: Run Training Script) or add runs from history.';
      this.element.replaceChildren(empty);
      return;
    }
    const entries: (LegendRun | { group: string; runs: LegendRun[] })[] = [];
    const groups = new Map<string, { group: string; runs: LegendRun[] }>();
    for (const run of runs) {
      const group = run.store.info.group;
      if (!group) {
        entries.push(run);
        continue;
      }
      let entry = groups.get(group);
      if (!entry) {
        entry = { group, runs: [] };
        groups.set(group, entry);
        entries.push(entry);
      }
      entry.runs.push(run);
    }
    const list = document.createElement('ul');
    list.append(...entries.map((e) => ('group' in e ? this.groupItem(e.group, e.runs) : this.item(e))));
    this.element.replaceChildren(list);
  }

  private groupItem(group: string, runs: LegendRun[]): HTMLLIElement {
    const li = document.createElement('li');
    li.className = 'group';
    const toggle = checkbox(`sweep ${group} (${runs.length} runs)`, runs.some((r) => !r.hidden), (shown) =>
      this.actions.show(runs.map((r) => r.store.info.id), shown),
    );
    const members = document.createElement('ul');
    // The group's device is every member's; the members' names already say their settings.
    const first = runs[0].store.info;
    const device = [first.backend, first.device].filter(Boolean).join(' · ');
    members.append(...runs.map((r) => this.item(r, true)));
    li.append(toggle);
    if (device) li.append(text('div', 'run-details device', first.deviceName ? `${device} (${first.deviceName})` : device));
    li.append(members);
    return li;
  }

  /** One run; `compact` (a member of a sweep) leaves out the device and settings its group shows once. */
  private item(run: LegendRun, compact = false): HTMLLIElement {
    const info = run.store.info;
    const li = document.createElement('li');
    li.className = `run ${info.kind}${run.focused ? ' focused' : ''}`;
    const swatch = document.createElement('span');
    swatch.className = 'swatch';
    swatch.setAttribute('aria-hidden', 'true');
    swatch.style.background = run.colour;
    if (info.kind === 'reference') swatch.classList.add('dashed');
    const label = run.store.label;
    const show = checkbox(info.kind === 'reference' ? `${label} (reference)` : label, !run.hidden, (shown) =>
      this.actions.show([info.id], shown),
    );
    const head = document.createElement('div');
    head.className = 'run-head';
    head.append(swatch, show);

    const details = document.createElement('div');
    details.className = 'run-details';
    const status = document.createElement('span');
    status.className = `status ${info.status}`;
    status.textContent = describeStatus(run.store);
    details.append(status);
    const device = [info.backend, info.device].filter(Boolean).join(' · ');
    if (device && !compact) details.append(text('span', 'device', info.deviceName ? `${device} (${info.deviceName})` : device));
    if (info.deviceNote) details.append(text('span', 'warning', info.deviceNote));
    if (info.config && !compact) details.append(text('span', 'config', configText(info.config)));
    for (const warning of info.warnings) details.append(text('span', 'warning', warning));

    const actions = document.createElement('div');
    actions.className = 'run-actions';
    actions.append(
      button(run.focused ? 'Shown below' : 'Show details', `Show the fit, boundary and table of ${label}`, () => this.actions.focus(info.id), run.focused),
      button('CSV', `Export ${label} as CSV`, () => this.actions.exportCsv(info.id)),
      button('Remove', `Remove ${label} from the panel (its history file stays)`, () => this.actions.remove(info.id)),
    );
    li.append(head, details, actions);
    return li;
  }
}

function checkbox(label: string, checked: boolean, onChange: (checked: boolean) => void): HTMLElement {
  const box = document.createElement('vscode-checkbox');
  box.label = label;
  box.checked = checked;
  box.addEventListener('change', () => onChange(box.checked));
  return box;
}

function button(label: string, title: string, onClick: () => void, pressed?: boolean): HTMLElement {
  const b = document.createElement('vscode-button');
  b.secondary = true;
  b.textContent = label;
  b.title = title;
  b.setAttribute('aria-label', title);
  if (pressed !== undefined) b.setAttribute('aria-pressed', String(pressed));
  b.addEventListener('click', onClick);
  return b;
}

function text(tag: string, className: string, content: string): HTMLElement {
  const el = document.createElement(tag);
  el.className = className;
  el.textContent = content;
  return el;
}

function configText(config: Record<string, unknown>): string {
  return Object.entries(config)
    .map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
    .join(', ');
}
