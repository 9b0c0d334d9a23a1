// Fingerprints of code by winnowing (Schleimer, Wilkerson and Aiken, "Winnowing: local algorithms for document
// fingerprinting", SIGMOD 2003: the algorithm of MOSS), written here for Python learner functions. The code is
// first normalised so that renaming variables, reformatting, comments and string contents change nothing: each
// identifier becomes V (keywords and builtins stay themselves), each number N and each string S. Every run of K
// tokens is hashed, and in each window of W consecutive hashes the smallest is kept (the rightmost of equals).
// Any match of at least W + K - 1 tokens is then sure to share a fingerprint, and noise shorter than K never does.

export const K = 5;
export const W = 4;

const KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
/** Names two independent solutions share anyway: renaming them is not how code gets disguised. */
const KEPT_NAMES = new Set('self np numpy torch range len sum min max abs float int zip enumerate list dict tuple print'.split(' '));

/** Python source as normalised tokens: comments and whitespace gone, names V, numbers N, strings S. */
export function tokens(source: string): string[] {
  const out: string[] = [];
  const pattern = /#[^\n]*|("""[\s\S]*?"""|'''[\s\S]*?'''|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')|([A-Za-z_]\w*)|(\d[\w.]*)|(\*\*=?|\/\/=?|[-+*/%@&|^<>=!]=|->|[^\s\w])/g;
  for (const match of source.matchAll(pattern)) {
    const [, string, name, number, operator] = match;
    if (string !== undefined) out.push('S');
    else if (name !== undefined) out.push(KEYWORDS.has(name) || KEPT_NAMES.has(name) ? name : 'V');
    else if (number !== undefined) out.push('N');
    else if (operator !== undefined) out.push(operator);
  }
  return out;
}

/** FNV-1a, 32 bits: a fast hash, good enough to tell K-grams apart. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** The winnowed fingerprints of a token stream; a stream shorter than K has none, and one short of a window one. */
export function fingerprints(stream: string[]): Set<number> {
  const grams: number[] = [];
  for (let i = 0; i + K <= stream.length; i++) grams.push(hash(stream.slice(i, i + K).join(' ')));
  const kept = new Set<number>();
  if (grams.length === 0) return kept;
  if (grams.length < W) {
    kept.add(Math.min(...grams));
    return kept;
  }
  for (let start = 0; start + W <= grams.length; start++) {
    let best = start;
    for (let i = start; i < start + W; i++) if (grams[i] <= grams[best]) best = i;
    kept.add(grams[best]);
  }
  return kept;
}
