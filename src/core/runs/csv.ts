// A run's metrics as CSV, one row per logged step: what "Export run as CSV" saves.
import { csvField } from '../csv';
import type { RunTable } from './table';

/**
 * step, t, then one column per metric; an empty cell where a row has no value, NaN/inf/-inf where it logged one.
 * Metric names come from the training script, so the header goes through csvField (which marks a formula as
 * text); the cells are only numbers we format ourselves, so they stay bare and -0.5 stays a number.
 */
export function runToCsv(table: RunTable): string {
  const names = table.metricNames();
  const columns = names.map((name) => table.columns.get(name) as Float64Array);
  const marks = new Map<number, Map<string, string>>();
  for (const mark of table.nonFinite) {
    const row = marks.get(mark.row) ?? new Map<string, string>();
    row.set(mark.metric, mark.kind === 'nan' ? 'NaN' : mark.kind);
    marks.set(mark.row, row);
  }
  const lines = [['step', 't', ...names].map(csvField).join(',')];
  for (let row = 0; row < table.rows; row++) {
    const t = table.t[row];
    const cells = [String(table.steps[row]), Number.isNaN(t) ? '' : String(t)];
    const rowMarks = marks.get(row);
    for (let c = 0; c < names.length; c++) {
      const value = columns[c][row];
      cells.push(Number.isNaN(value) ? (rowMarks?.get(names[c]) ?? '') : String(value));
    }
    lines.push(cells.join(','));
  }
  return lines.join('\n') + '\n';
}
