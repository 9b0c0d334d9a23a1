// gradlab similarity <authoring-pack> <submissions-dir> [--out file.md] [--top N] [--exercise id ...]
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { discoverStudents, refuseOneStudentsFolder } from '../../core/gradebook/discover';
import { stageStudent } from '../../core/gradebook/intake';
import { exerciseDir, findExercise, loadPack } from '../../core/packs/load';
import { starterForm } from '../../core/packs/regions';
import { pythonFunctions, similarPairs, similarityMarkdown, type StudentCode } from '../../core/similarity/report';
import { withTemporaryFolder } from '../../core/temporary';
import { CliProblem, EXIT_OK, type CliIO } from '../io';
import { parse } from '../options';

export const usage = `gradlab similarity <authoring-pack> <submissions-dir> [options]
  ranks pairs of students by how similar their learner functions are (winnowing fingerprints, as MOSS computes
  them, after normalising names and whitespace; the pack's starter code left out), with each pair's functions
  side by side in Markdown: a report for you to read, never an accusation
  --out <file>         where to write the report (default ./similarity.md)
  --top <n>            pairs shown in full (default 20)
  --exercise <id>      only this exercise (repeatable)`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('similarity', argv, { out: { type: 'string' }, top: { type: 'string' }, exercise: { type: 'string', multiple: true } });
  if (positionals.length !== 2) throw new CliProblem(`gradlab similarity needs the authoring pack and the submissions folder\n${usage}`);
  const top = Number(values.top ?? 20);
  if (!Number.isInteger(top) || top < 1) throw new CliProblem(`--top must be a whole number of at least 1, got "${values.top}"`);
  const pack = await loadPack(resolve(io.cwd, positionals[0]));
  if (pack.form !== 'authoring') throw new CliProblem(`${positionals[0]} is a learner release: give the authoring pack, whose starter code the report leaves out`);
  const exercises = values.exercise?.length ? values.exercise.map((id) => findExercise(pack, id)) : pack.manifest.exercises;
  const submissions = resolve(io.cwd, positionals[1]);
  const discovery = await discoverStudents(submissions);
  refuseOneStudentsFolder(submissions, discovery, pack.manifest.exercises.map((e) => e.id));

  const learnerFiles = exercises.flatMap((exercise) => exercise.files.filter((f) => f.role === 'learner' && f.functions?.length).map((file) => ({ exercise, file })));
  const starter: string[] = [];
  for (const { exercise, file } of learnerFiles) starter.push(starterForm(await readFile(join(exerciseDir(pack, exercise), ...file.path.split('/')), 'utf8')));

  const students: StudentCode[] = [];
  await withTemporaryFolder('gradlab-similarity-', async (temp) => {
    for (const entry of discovery.students) {
      const staged = await stageStudent(entry, exercises, temp); // the same intake as grading: zips, layouts, refusals
      const code: StudentCode = { student: entry.student, functions: [] };
      for (const { exercise, file } of learnerFiles) {
        const folder = staged.exercises.find((e) => e.exercise === exercise.id)?.folder;
        if (!folder) continue;
        const source = await readFile(join(folder, ...file.path.split('/')), 'utf8').catch(() => undefined);
        if (source === undefined) continue;
        for (const [name, body] of pythonFunctions(source, file.functions ?? [])) code.functions.push({ exercise: exercise.id, file: file.path, name, code: body });
      }
      students.push(code);
    }
  });
  const pairs = similarPairs(students, starter);
  const out = resolve(io.cwd, values.out ?? 'similarity.md');
  await writeFile(out, similarityMarkdown(pack.manifest.title, pairs, students.length, top));
  for (const p of pairs.slice(0, Math.min(top, 5))) io.out(`${Math.round(p.similarity * 100)}%  ${p.a} and ${p.b}`);
  io.out(`Similarity of ${students.length} student${students.length === 1 ? '' : 's'}: ${pairs.length} pair${pairs.length === 1 ? '' : 's'} with code in common beyond the starter; report in ${out}`);
  return EXIT_OK;
}
