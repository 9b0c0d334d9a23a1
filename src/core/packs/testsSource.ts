// The `@test("id")` functions of a pack's tests.py, found without running Python: enough of Python's
// tokenizer to know where each top-level statement starts (strings, brackets and continuations span
// lines), so a hidden test can be cut out whole, with its decorators and the comments just above it.

export interface TestFunction {
  /** the check id in `@test("id")` */
  id: string;
  /** the Python function's name */
  name: string;
  /** 1-based line of its first decorator */
  line: number;
}

interface Statement {
  /** 0-based index of the statement's first physical line */
  start: number;
  /** the statement's text up to the end of its logical line */
  head: string;
}

/** Top-level statements: logical lines that begin at column 0 and are not blank or comments. */
function topLevelStatements(lines: string[]): Statement[] {
  const statements: Statement[] = [];
  let quote: string | undefined; // the open string's delimiter: ', ", ''' or """
  let depth = 0;
  let continued = false;
  let current: { start: number; text: string[] } | undefined;
  lines.forEach((line, index) => {
    const startsLogical = !quote && depth === 0 && !continued;
    if (startsLogical) {
      if (current) statements.push({ start: current.start, head: current.text.join('\n') });
      current = /^[^\s#]/.test(line) ? { start: index, text: [] } : undefined;
    }
    current?.text.push(line);
    continued = false;
    for (let i = 0; i < line.length; i++) {
      const c = line[i];
      if (quote) {
        if (c === '\\') i++;
        else if (line.startsWith(quote, i)) {
          i += quote.length - 1;
          quote = undefined;
        }
      } else if (c === '#') {
        break;
      } else if (c === '"' || c === "'") {
        quote = line.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
        i += quote.length - 1;
      } else if ('([{'.includes(c)) {
        depth++;
      } else if (')]}'.includes(c)) {
        depth = Math.max(0, depth - 1);
      } else if (c === '\\' && i === line.replace(/\r$/, '').length - 1) {
        continued = true;
      }
    }
    // An unterminated one-quote string ends with its line (a syntax error Python will report).
    if (quote && quote.length === 1) quote = undefined;
  });
  if (current) statements.push({ start: current.start, head: current.text.join('\n') });
  return statements;
}

const TEST_DECORATOR = /^@\s*(?:[A-Za-z_]\w*\s*\.\s*)*test\s*\(\s*(?:id\s*=\s*)?[rRuU]?(['"])(.*?)\1/s;
const DEFINITION = /^(?:async\s+)?def\s+([A-Za-z_]\w*)/;

interface Span extends TestFunction {
  /** 0-based [first, end) physical lines the test occupies, leading comments included */
  first: number;
  end: number;
}

function spans(lines: string[]): Span[] {
  const statements = topLevelStatements(lines);
  const found: Span[] = [];
  for (let s = 0; s < statements.length; s++) {
    if (!statements[s].head.startsWith('@')) continue;
    let d = s;
    while (d < statements.length && statements[d].head.startsWith('@')) d++;
    const definition = d < statements.length ? DEFINITION.exec(statements[d].head) : null;
    const decorators = statements.slice(s, d);
    const id = decorators.map((st) => TEST_DECORATOR.exec(st.head)?.[2]).find((x) => x !== undefined);
    if (definition && id !== undefined) {
      let first = statements[s].start;
      while (first > 0 && /^#/.test(lines[first - 1])) first--;
      let end = d + 1 < statements.length ? statements[d + 1].start : lines.length;
      while (end > statements[d].start + 1 && /^#/.test(lines[end - 1])) end--; // comments that open the next statement
      found.push({ id, name: definition[1], line: statements[s].start + 1, first, end });
    }
    s = d;
  }
  return found;
}

/** Every `@test("id")` function at the top level of a tests.py source. */
export function findTests(source: string): TestFunction[] {
  return spans(source.split('\n')).map(({ id, name, line }) => ({ id, name, line }));
}

/** The source without the test functions whose ids are in `ids` (decorators and leading comments too). */
export function removeTests(source: string, ids: ReadonlySet<string>): string {
  const lines = source.split('\n');
  const drop = new Set<number>();
  for (const span of spans(lines)) if (ids.has(span.id)) for (let i = span.first; i < span.end; i++) drop.add(i);
  return lines.filter((_, i) => !drop.has(i)).join('\n');
}
