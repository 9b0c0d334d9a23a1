// Near-miss names: a student who saved `Linear_MSE.py`, `linear_mse (1).py` or `02-grad_w/` meant the
// expected name, and an author who listed `grad_wx` meant `grad_w`. Nothing is used under a name it does not
// have, but we say which one was meant.

/** Lower case, no copy suffix ("(1)", "copy", "-2"), no separators: what two spellings of one name share. */
function normalized(name: string): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  const bare = stem.replace(/(\s*\(\d+\)|\s+copy(\s*\d+)?|[-_ ]\d)$/i, '');
  return (bare + ext).toLowerCase().replace(/[-_\s]/g, '');
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current.push(Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1)));
    previous = current;
  }
  return previous[b.length];
}

/** The entry of `found` that looks like a misspelling of `expected`, if one does. */
export function nearMiss(expected: string, found: string[]): string | undefined {
  const target = normalized(expected);
  const close = found.filter((name) => name !== expected && (normalized(name) === target || distance(name.toLowerCase(), expected.toLowerCase()) <= 2));
  return close.sort((a, b) => distance(a, expected) - distance(b, expected))[0];
}
