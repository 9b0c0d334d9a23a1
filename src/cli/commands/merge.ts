// gradlab merge <gradebook-dir>... --out <dir> [--roster canvas.csv]
import { resolve } from 'node:path';
import { mergeGradebooks } from '../../core/gradebook/merge';
import { ensureGradebookFolder, readGradebook, writeGradebook } from '../../core/gradebook/write';
import { CliProblem, EXIT_OK, type CliIO } from '../io';
import { parse } from '../options';
import { readRoster } from './grade';

export const usage = `gradlab merge <gradebook-dir>... --out <dir> [--roster <csv>]
  merges gradebooks of shards (gradebook.json is read; the CSVs, feedback and Gradescope files are rewritten)
  --out <dir>          the merged gradebook folder
  --roster <csv>       a gradebook exported from Canvas, to put Canvas IDs into canvas.csv`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('merge', argv, { out: { type: 'string' }, roster: { type: 'string' } });
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
  const merged = mergeGradebooks(parts);
  await ensureGradebookFolder(out);
  const { unmatched } = await writeGradebook(out, merged, { roster });
  if (unmatched.length) io.err(`not in the roster (canvas.csv names them by folder): ${unmatched.join(', ')}`);
  io.out(`Merged ${parts.length} gradebook${parts.length === 1 ? '' : 's'}: ${merged.students.length} students into ${out}`);
  return EXIT_OK;
}
