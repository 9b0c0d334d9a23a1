// gradlab new <dir> [--id id] [--title "Title"]
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { PACK_SCHEMA_ID } from '../../core/packs/schema';
import { packageRoot } from '../../core/paths';
import { CliProblem, EXIT_OK, type CliIO } from '../io';
import { parse } from '../options';

export const usage = `gradlab new <dir> [--id <id>] [--title <title>]
  creates an exercise pack in authoring form: a manifest, one example exercise with a solution, a starter,
  a gradient check, a public and a hidden test, and a README for authors
  --id <id>            the pack id (default: the folder name)
  --title <title>      the pack title (default: from the id)`;

/** The template `gradlab new` copies; {{id}}, {{title}} and {{schema}} are filled in. */
function templateDir(): string {
  return join(packageRoot(), 'templates', 'new-pack');
}

function idFrom(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '') || 'my-pack';
}

function titleFrom(id: string): string {
  const words = id.replace(/[-._]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

async function copyTemplate(from: string, to: string, fill: (text: string, json: boolean) => string): Promise<string[]> {
  const written: string[] = [];
  await mkdir(to, { recursive: true });
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) written.push(...(await copyTemplate(source, target, fill)));
    else {
      await writeFile(target, fill(await readFile(source, 'utf8'), entry.name.endsWith('.json')), { flag: 'wx' });
      written.push(target);
    }
  }
  return written;
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('new', argv, { id: { type: 'string' }, title: { type: 'string' } });
  if (positionals.length !== 1) throw new CliProblem(`gradlab new needs exactly one folder for the new pack\n${usage}`);
  const dir = resolve(io.cwd, positionals[0]);
  if (existsSync(dir)) {
    if (!(await stat(dir)).isDirectory()) throw new CliProblem(`${dir} exists and is not a folder; choose a new folder for the pack`);
    if ((await readdir(dir)).length) throw new CliProblem(`${dir} is not empty; gradlab new only writes into a new or empty folder`);
  }
  const id = values.id ?? idFrom(basename(dir));
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) throw new CliProblem(`--id may hold letters, digits, '.', '_' and '-' and must start with a letter or digit, got "${id}"`);
  const title = values.title ?? titleFrom(id);
  const fields: Record<string, string> = { id, title, schema: PACK_SCHEMA_ID };
  const fill = (text: string, json: boolean) => text.replace(/\{\{(id|title|schema)\}\}/g, (_, key: string) => (json ? JSON.stringify(fields[key]).slice(1, -1) : fields[key]));

  const written = await copyTemplate(templateDir(), dir, fill);
  io.out(`Created the pack ${id} in ${dir}:`);
  for (const file of written.sort()) io.out(`  ${relative(dir, file).split(sep).join('/')}`);
  io.out(`Next: gradlab validate ${positionals[0]}   (then read README.md there, and docs/authoring.md)`);
  return EXIT_OK;
}
