// Reading a pack's manifest (pack.json or pack.yaml) into plain data, keeping enough of the text to say
// on which line a field is: every later problem is reported at its line.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LineCounter, isMap, isSeq, parseDocument, type Document } from 'yaml';
import { PackError, type PackProblem } from './problems';

export const MANIFEST_NAMES = ['pack.json', 'pack.yaml', 'pack.yml'] as const;

export interface ManifestSource {
  /** absolute path */
  path: string;
  /** file name, as problems name it */
  name: string;
  data: unknown;
  /** the 1-based line of a field (or of its nearest existing parent) */
  lineOf(segments: ReadonlyArray<string | number>): number | undefined;
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Reads the manifest of the pack folder `dir`; a missing, doubled or unparsable manifest is a PackError. */
export async function readManifest(dir: string): Promise<ManifestSource> {
  const found: Array<{ name: string; text: string }> = [];
  for (const name of MANIFEST_NAMES) {
    const text = await readIfExists(join(dir, name));
    if (text !== undefined) found.push({ name, text });
  }
  if (found.length === 0) {
    throw new PackError([{ file: 'pack.json', message: `no pack.json or pack.yaml in ${dir}: is this a pack folder?` }], dir);
  }
  if (found.length > 1) {
    throw new PackError([{ file: found[0].name, message: `${found.map((f) => f.name).join(' and ')} both exist; keep one manifest` }], dir);
  }
  const { name, text } = found[0];
  const lines = new LineCounter();
  // The YAML parser reads JSON too: one document model gives line numbers for both formats.
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  const problems: PackProblem[] = [];
  let data: unknown;
  if (name === 'pack.json') {
    try {
      data = JSON.parse(text);
    } catch (error) {
      problems.push({ file: name, line: jsonErrorLine(error as Error, lines), message: `not valid JSON: ${(error as Error).message}` });
    }
    for (const e of doc.errors) if (e.code === 'DUPLICATE_KEY') problems.push({ file: name, line: lines.linePos(e.pos[0]).line, message: 'a key appears twice in the same object' });
  } else {
    for (const e of doc.errors) problems.push({ file: name, line: lines.linePos(e.pos[0]).line, message: `not valid YAML: ${e.message.split('\n')[0]}` });
    if (problems.length === 0) data = doc.toJS();
  }
  if (problems.length) throw new PackError(problems, dir);
  return { path: join(dir, name), name, data, lineOf: (segments) => lineOf(doc, lines, segments) };
}

function jsonErrorLine(error: Error, lines: LineCounter): number | undefined {
  const line = /\(line (\d+) column \d+\)/.exec(error.message);
  if (line) return Number(line[1]);
  const position = /at position (\d+)/.exec(error.message);
  return position ? lines.linePos(Number(position[1])).line : undefined;
}

function lineOf(doc: Document, lines: LineCounter, segments: ReadonlyArray<string | number>): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as { range?: [number, number, number] } | null)?.range?.[0];
  for (const segment of segments) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as { value?: unknown } | null)?.value === segment);
      if (!pair) break;
      offset = (pair.key as { range?: [number, number, number] }).range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment]) {
      node = node.items[segment];
      offset = (node as { range?: [number, number, number] }).range?.[0] ?? offset;
    } else {
      break;
    }
  }
  return offset === undefined ? undefined : lines.linePos(offset).line;
}
