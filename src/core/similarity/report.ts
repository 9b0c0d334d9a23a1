// A similarity report across a class: pairs of students ranked by how much of their learner functions share
// winnowed fingerprints (winnow.ts), with the functions side by side. Fingerprints of the pack's starter code
// are left out, as MOSS leaves out a base file, so the code every learner was given counts for nothing. It is a
// report for a person to read, never an accusation: the words at its top say so.
import { fingerprints, tokens } from './winnow';

/** One learner function of one student. */
export interface StudentFunction {
  exercise: string;
  file: string;
  name: string;
  code: string;
}

export interface StudentCode {
  student: string;
  functions: StudentFunction[];
}

export interface PairFunction {
  key: string;
  similarity: number;
  a: StudentFunction;
  b: StudentFunction;
}

export interface SimilarPair {
  a: string;
  b: string;
  /** shared fingerprints over the fingerprints of either (Jaccard), over every function both wrote */
  similarity: number;
  shared: number;
  functions: PairFunction[];
}

/** Each function of a Python file by name, with its body, from its `def` line to the next line as little indented. */
export function pythonFunctions(source: string, names: string[]): Map<string, string> {
  const lines = source.split('\n');
  const found = new Map<string, string>();
  lines.forEach((line, i) => {
    const match = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)/.exec(line);
    if (!match || !names.includes(match[2]) || found.has(match[2])) return;
    const indent = match[1].length;
    let end = i + 1;
    while (end < lines.length && (lines[end].trim() === '' || lines[end].search(/\S/) > indent)) end++;
    found.set(match[2], lines.slice(i, end).join('\n').trimEnd());
  });
  return found;
}

function jaccard(a: Set<number>, b: Set<number>): { similarity: number; shared: number } {
  let shared = 0;
  for (const f of a) if (b.has(f)) shared++;
  const union = a.size + b.size - shared;
  return { similarity: union ? shared / union : 0, shared };
}

/** Every pair of students with anything in common beyond the starter, most similar first. */
export function similarPairs(students: StudentCode[], starter: string[]): SimilarPair[] {
  const base = new Set(starter.flatMap((code) => [...fingerprints(tokens(code))]));
  const prints = (code: string) => new Set([...fingerprints(tokens(code))].filter((f) => !base.has(f)));
  const keyed = students.map((s) => ({ student: s.student, functions: new Map(s.functions.map((f) => [`${f.exercise}/${f.file}:${f.name}`, { f, prints: prints(f.code) }])) }));
  const pairs: SimilarPair[] = [];
  for (let i = 0; i < keyed.length; i++) {
    for (let j = i + 1; j < keyed.length; j++) {
      const [a, b] = [keyed[i], keyed[j]];
      const all = { a: new Set<number>(), b: new Set<number>() };
      const functions: PairFunction[] = [];
      for (const [key, fa] of a.functions) {
        const fb = b.functions.get(key);
        if (!fb) continue;
        fa.prints.forEach((p) => all.a.add(p));
        fb.prints.forEach((p) => all.b.add(p));
        functions.push({ key, similarity: jaccard(fa.prints, fb.prints).similarity, a: fa.f, b: fb.f });
      }
      const { similarity, shared } = jaccard(all.a, all.b);
      if (shared > 0) pairs.push({ a: a.student, b: b.student, similarity, shared, functions: functions.sort((x, y) => y.similarity - x.similarity) });
    }
  }
  return pairs.sort((x, y) => y.similarity - x.similarity || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
}

const percent = (x: number) => `${Math.round(x * 100)}%`;
/** A student's folder name inside Markdown: no line breaks, no table pipes. */
const named = (student: string) => student.replace(/\s+/g, ' ').replace(/\|/g, '\\|');

/** A table cell holding one line of code, as inline code that no backtick or pipe in it can break. */
function cell(line: string | undefined): string {
  if (line === undefined || line.trim() === '') return ' ';
  const text = line.replace(/\t/g, '    ').replace(/ /g, '\u00a0').replace(/\|/g, '\\|');
  const ticks = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  return `${ticks} ${text} ${ticks}`;
}

export function similarityMarkdown(title: string, pairs: SimilarPair[], students: number, top: number): string {
  const shown = pairs.slice(0, top);
  const lines = [
    `# ${title}: similarity of learner functions`,
    '',
    `${students} student${students === 1 ? '' : 's'}, ${pairs.length} pair${pairs.length === 1 ? '' : 's'} with code in common beyond the starter; the ${shown.length} most similar below.`,
    '',
    '> This is a report, never an accusation. Similar code has innocent causes: one short right answer, the',
    "> lesson's worked example, help that was allowed, a shared textbook. Read the functions side by side, and",
    '> talk with the students, before you conclude anything.',
    '',
    'Method: winnowing fingerprints (Schleimer, Wilkerson and Aiken 2003, the algorithm of MOSS) of each learner',
    "function after normalising names, numbers, strings, comments and whitespace, without the pack's starter code;",
    'similarity is the share of fingerprints two students have in common (Jaccard), over the functions both wrote.',
    '',
    '| rank | students | similarity | shared fingerprints |',
    '| --- | --- | --- | --- |',
    ...shown.map((p, i) => `| ${i + 1} | ${named(p.a)} and ${named(p.b)} | ${percent(p.similarity)} | ${p.shared} |`),
  ];
  shown.forEach((p, i) => {
    lines.push('', `## ${i + 1}. ${named(p.a)} and ${named(p.b)}: ${percent(p.similarity)}`);
    for (const f of p.functions) {
      lines.push('', `### ${f.key}: ${percent(f.similarity)}`, '', `| ${named(p.a)} | ${named(p.b)} |`, '| --- | --- |');
      const [left, right] = [f.a.code.split('\n'), f.b.code.split('\n')];
      for (let n = 0; n < Math.max(left.length, right.length); n++) lines.push(`| ${cell(left[n])} | ${cell(right[n])} |`);
    }
  });
  return `${lines.join('\n')}\n`;
}
