// gradlab merge <gradebook-dir>... --out <dir> [--roster canvas.csv] [--canvas-column name] [--partial]
import { resolve } from 'node:path';
import { mergeGradebooks } from '../../core/gradebook/merge';
import { absentees } from '../../core/gradebook/roster';
import { ensureGradebookFolder, readGradebook, writeGradebook } from '../../core/gradebook/write';
import { byStudent } from '../../core/gradebook/model';
import { CliProblem, EXIT_OK, type CliIO } from '../io';
import { parse } from '../options';
import { readRoster } from './grade';

export const usage = `gradlab merge <gradebook-dir>... --out <dir> [--roster <csv>] [--partial]
  merges gradebooks of shards (gradebook.json is read; the CSVs, feedback and Gradescope files are rewritten);
  refuses a shard given twice, and one missing unless --partial
  --out <dir>            the merged gradebook folder
  --roster <csv>         a gradebook exported from Canvas, to put Canvas IDs into canvas.csv (and a zero row,
                         "no submission", for each roster student without one)
  --canvas-column <name> the Canvas assignment column to fill, as Canvas's export names it ("Homework 3 (12345)")
  --partial              merge although shards are missing (a warning says which)`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('merge', argv, { out: { type: 'string' }, roster: { type: 'string' }, 'canvas-column': { type: 'string' }, partial: { type: 'boolean' } });
  if (positionals.length === 0) throw new CliProblem(`gradlab merge needs one or more gradebook folders\n${usage}`);
  if (!values.out) throw new CliProblem('gradlab merge needs --out <dir> for the merged gradebook');
  const roster = await readRoster(values.roster, io.cwd);
  const out = resolve(io.cwd, values.out);
  const parts = [];
  for (const path of positionals) {
    const dir = resolve(io.cwd, path);
    if (dir === out) throw new CliProblem(`--out ${values.out} is also one of the gradebooks to merge; write the merge to a new folder`);
    parts.push({ label: path, gradebook: await readGradebook(dir) });
  }
  const { gradebook: merged, warnings } = mergeGradebooks(parts, { partial: values.partial });
  for (const warning of warnings) io.err(warning);
  // Shards graded with the roster hold their own absentees; a roster given only here adds the rest.
  if (roster) merged.students = [...merged.students, ...absentees(merged.students, merged.exercises, roster)].sort(byStudent);
  await ensureGradebookFolder(out);
  const { unmatched } = await writeGradebook(out, merged, { roster, canvasColumn: values['canvas-column'] });
  if (unmatched.length) io.err(`not in the roster (canvas.csv names them by folder): ${unmatched.join(', ')}`);
  const students = merged.students.length;
  io.out(`Merged ${parts.length} gradebook${parts.length === 1 ? '' : 's'}: ${students} student${students === 1 ? '' : 's'} into ${out}`);
  return EXIT_OK;
}
