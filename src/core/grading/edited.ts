// Which functions an edit touched: the checks of the functions the learner just edited run first (CheckParams.focus).
// Python's own indentation tells where a `def` ends, which is all this needs; a line outside every function (an
// import, a constant) names none.

const DEF = /^(\s*)(?:async\s+)?def\s+([A-Za-z_]\w*)/;

function indentOf(line: string): number {
  return /^\s*/.exec(line)![0].length;
}

/** The names of the innermost functions of `source` that hold any of `lines` (0-based), in source order. */
export function enclosingFunctions(source: string, lines: Iterable<number>): string[] {
  const text = source.split(/\r?\n/);
  const names = new Map<number, string>();
  for (const line of lines) {
    if (line < 0 || line >= text.length) continue;
    // a blank or comment line belongs to whatever surrounds it: measure from the code line it sits in
    let limit = text[line].trim() && !text[line].trim().startsWith('#') ? indentOf(text[line]) : Infinity;
    for (let at = line; at >= 0; at--) {
      const code = text[at];
      if (!code.trim() || code.trim().startsWith('#')) continue;
      const def = DEF.exec(code);
      const indent = indentOf(code);
      if (def && (at === line || def[1].length < limit)) {
        names.set(at, def[2]);
        break;
      }
      if (indent === 0 && at !== line) break; // top-level code that is no def: outside every function
      limit = Math.min(limit, indent);
    }
  }
  return [...names.entries()].sort(([a], [b]) => a - b).map(([, name]) => name);
}
