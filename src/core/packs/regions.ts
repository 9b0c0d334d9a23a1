// Solution markers in learner files (authoring form):
//   # BEGIN SOLUTION ... # END SOLUTION   the reference code, stripped from the release
//   # BEGIN STARTER  ... # END STARTER    what the learner starts from, dropped from the solution form
// Markers are whole comment lines at any indentation; blocks do not nest. Lines keep their own endings.
import { FixableError } from '../errors';

export type BlockKind = 'SOLUTION' | 'STARTER';

export interface MarkerProblem {
  /** 1-based line of the marker at fault */
  line: number;
  message: string;
}

export class MarkerError extends FixableError {
  constructor(readonly problems: MarkerProblem[]) {
    super(problems.map((p) => `line ${p.line}: ${p.message}`).join('\n'));
    this.name = 'MarkerError';
  }
}

const MARKER = /^[ \t]*#[ \t]*(BEGIN|END)[ \t]+(SOLUTION|STARTER)[ \t]*\r?$/;
/** A comment that was meant as a marker but is not one: ignoring it would ship a solution to learners. */
const NEAR_MARKER = /^[ \t]*#.*\b(BEGIN|END)[ \t]+(SOLUTION|STARTER)\b/i;

interface Line {
  text: string;
  /** the block the line is inside, when it is not a marker */
  block?: BlockKind;
  marker: boolean;
}

function classify(source: string): Line[] {
  const problems: MarkerProblem[] = [];
  let open: { kind: BlockKind; line: number } | undefined;
  const lines = source.split('\n').map((text, index): Line => {
    const match = MARKER.exec(text);
    if (!match) {
      const near = NEAR_MARKER.exec(text);
      if (near) problems.push({ line: index + 1, message: `\`${text.trim()}\` looks like a marker but is not one: write exactly \`# ${near[1].toUpperCase()} ${near[2].toUpperCase()}\` on a line of its own` });
      return { text, block: open?.kind, marker: false };
    }
    const [, edge, kind] = match as unknown as [string, 'BEGIN' | 'END', BlockKind];
    const line = index + 1;
    if (edge === 'BEGIN') {
      if (open) problems.push({ line, message: `\`# BEGIN ${kind}\` inside the ${open.kind} block opened at line ${open.line}: blocks do not nest; close that one first with \`# END ${open.kind}\`` });
      open = { kind, line };
    } else if (!open) {
      problems.push({ line, message: `\`# END ${kind}\` without a \`# BEGIN ${kind}\` before it` });
    } else if (open.kind !== kind) {
      problems.push({ line, message: `\`# END ${kind}\` closes the \`# BEGIN ${open.kind}\` of line ${open.line}: write \`# END ${open.kind}\`` });
      open = undefined;
    } else {
      open = undefined;
    }
    return { text, marker: true };
  });
  if (open) problems.push({ line: open.line, message: `\`# BEGIN ${open.kind}\` is never closed: add \`# END ${open.kind}\` after its last line` });
  if (problems.length) throw new MarkerError(problems);
  return lines;
}

/** Whether the source has any marker line (a release file must have none). */
export function hasMarkers(source: string): boolean {
  return source.split('\n').some((line) => MARKER.test(line));
}

/** The blocks of `source`, as 1-based marker line numbers; throws MarkerError when unbalanced. */
export function markerBlocks(source: string): Array<{ kind: BlockKind; begin: number; end: number }> {
  const blocks: Array<{ kind: BlockKind; begin: number; end: number }> = [];
  classify(source).forEach((line, index) => {
    if (!line.marker) return;
    const last = blocks[blocks.length - 1];
    if (last && last.end === 0) last.end = index + 1;
    else blocks.push({ kind: MARKER.exec(line.text)![2] as BlockKind, begin: index + 1, end: 0 });
  });
  return blocks;
}

function without(source: string, dropped: BlockKind): string {
  return classify(source)
    .filter((line) => !line.marker && line.block !== dropped)
    .map((line) => line.text)
    .join('\n');
}

/** The reference solution: starter blocks and marker lines removed. */
export function solutionForm(source: string): string {
  return without(source, 'STARTER');
}

/** What the learner gets: solution blocks and marker lines removed. */
export function starterForm(source: string): string {
  return without(source, 'SOLUTION');
}

/** 1-based inclusive line ranges of the solution blocks' code, as lines of solutionForm(source). */
export function solutionRegions(source: string): Array<[number, number]> {
  const regions: Array<[number, number]> = [];
  let lineNo = 0;
  let current: [number, number] | undefined;
  for (const line of classify(source)) {
    if (line.marker) {
      if (current) regions.push(current);
      current = undefined;
      continue;
    }
    if (line.block === 'STARTER') continue;
    lineNo++;
    if (line.block === 'SOLUTION') current = current ? [current[0], lineNo] : [lineNo, lineNo];
  }
  return regions;
}

/** For each line of solutionForm(source), its 1-based line in `source`: where an author finds it. */
export function solutionLineNumbers(source: string): number[] {
  const numbers: number[] = [];
  classify(source).forEach((line, index) => {
    if (!line.marker && line.block !== 'STARTER') numbers.push(index + 1);
  });
  return numbers;
}
