// The numbers behind the charts as HTML tables, for screen-reader users and anyone who wants exact values: a summary
// per metric (last, lowest and where, non-finite count) and the latest rows.
import { FromWebview } from '../src/protocol/webview';
import { earlyStop, formatNumber } from './curves';
import type { RunStore } from './store';
import type { Drawn, DrawContext, View, ViewDeps } from './view';

const ROWS_SHOWN = 200;

export class TableView implements View {
  readonly element: HTMLElement;

  constructor(private readonly deps: ViewDeps) {
    this.element = document.createElement('section');
    this.element.className = 'view table';
  }

  setTheme(): void {
    // HTML tables follow the theme through CSS
  }

  draw({ focus }: DrawContext): Drawn {
    this.render(focus);
    return { points: 0, flagged: 0 };
  }

  private render(run: RunStore | undefined): void {
    if (!run) {
      this.element.replaceChildren(paragraph('No run to show yet. Run a training script, or add runs from history.'));
      return;
    }
    const info = run.info;
    const parts: Node[] = [];
    const heading = document.createElement('h3');
    heading.textContent = `${run.label} (${describeStatus(run)})`;
    parts.push(heading);
    const device = [info.backend, info.device, info.deviceName].filter(Boolean).join(' · ');
    if (device) parts.push(paragraph(`Ran on ${device}.${info.deviceNote ? ` ${info.deviceNote}` : ''}`));
    const stop = earlyStop(run);
    if (stop) parts.push(paragraph(`Lowest ${stop.metric}: ${formatNumber(stop.value)} at step ${stop.step}, where early stopping would keep the weights.`));
    for (const warning of info.warnings) parts.push(paragraph(warning, 'warning'));

    const names = run.metricNames();
    parts.push(scrollable(this.summary(run, names)), scrollable(this.rows(run, names)));
    const button = document.createElement('vscode-button');
    button.textContent = 'Export all rows as CSV';
    button.addEventListener('click', () => this.deps.post({ type: FromWebview.ExportCsv, runId: info.id }));
    parts.push(button);
    this.element.replaceChildren(...parts);
  }

  private summary(run: RunStore, names: string[]): HTMLTableElement {
    const table = tableWith(`Summary of ${run.label}: ${run.rows.toLocaleString('en-US')} logged steps`, [
      'metric',
      'last',
      'lowest',
      'at step',
      'highest',
      'non-finite',
    ]);
    const body = table.createTBody();
    for (const name of names) {
      const s = run.seriesOf(name);
      let last: number | null = null;
      let low = -1;
      let high = -1;
      for (let i = 0; i < s.ys.length; i++) {
        const y = s.ys[i];
        if (y !== y) continue;
        last = y;
        if (low < 0 || y < s.ys[low]) low = i;
        if (high < 0 || y > s.ys[high]) high = i;
      }
      const nonFinite = run.marksOf(name).length;
      row(body, [
        name,
        last === null ? '—' : formatNumber(last),
        low < 0 ? '—' : formatNumber(s.ys[low]),
        low < 0 ? '—' : String(s.xs[low]),
        high < 0 ? '—' : formatNumber(s.ys[high]),
        String(nonFinite),
      ]);
    }
    return table;
  }

  private rows(run: RunStore, names: string[]): HTMLTableElement {
    const first = Math.max(0, run.rows - ROWS_SHOWN);
    const caption =
      run.rows > ROWS_SHOWN
        ? `The last ${ROWS_SHOWN} of ${run.rows.toLocaleString('en-US')} rows (export the run as CSV for all of them)`
        : `All ${run.rows} rows`;
    const table = tableWith(caption, ['step', 't (s)', ...names]);
    const body = table.createTBody();
    const marks = new Map<string, string>();
    for (const m of run.marks) if (m.row >= first) marks.set(`${m.row}/${m.metric}`, formatNumber(m.kind === 'nan' ? NaN : m.kind === 'inf' ? Infinity : -Infinity));
    for (let r = first; r < run.rows; r++) {
      const cells = [String(run.steps[r]), Number.isNaN(run.t[r]) ? '' : run.t[r].toFixed(3)];
      for (const name of names) {
        const v = run.columns.get(name)?.[r] ?? NaN;
        cells.push(Number.isNaN(v) ? (marks.get(`${r}/${name}`) ?? '') : formatNumber(v));
      }
      row(body, cells);
    }
    return table;
  }
}

export function describeStatus(run: RunStore): string {
  const { status, error } = run.info;
  if (status === 'running') return run.info.kind === 'live' ? 'running' : 'no end recorded';
  if (status === 'failed') return `failed${error ? `: ${error}` : ''}`;
  if (status === 'stopped') return 'stopped';
  return 'finished';
}

function tableWith(caption: string, headers: string[]): HTMLTableElement {
  const table = document.createElement('table');
  table.createCaption().textContent = caption;
  const head = table.createTHead().insertRow();
  for (const h of headers) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    head.append(th);
  }
  return table;
}

/** A body row whose first cell heads the row. */
function row(body: HTMLTableSectionElement, cells: string[]): void {
  const tr = body.insertRow();
  cells.forEach((text, i) => {
    const cell = document.createElement(i === 0 ? 'th' : 'td');
    if (i === 0) cell.scope = 'row';
    cell.textContent = text;
    tr.append(cell);
  });
}

/** A table in a box that scrolls when the table is wider or longer than the panel (a hundred metrics, 200 rows), its
 * header row staying in view; focusable, so the keyboard scrolls it too. */
function scrollable(table: HTMLTableElement): HTMLElement {
  const box = document.createElement('div');
  box.className = 'table-scroll';
  box.tabIndex = 0;
  box.setAttribute('role', 'region');
  box.setAttribute('aria-label', table.caption?.textContent ?? 'table');
  box.append(table);
  return box;
}

function paragraph(text: string, className?: string): HTMLParagraphElement {
  const p = document.createElement('p');
  p.textContent = text;
  if (className) p.className = className;
  return p;
}
