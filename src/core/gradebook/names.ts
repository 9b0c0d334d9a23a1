// Near-miss names: a student who saved `Linear_MSE.py`, `linear_mse (1).py` or `02-grad_w/` meant the
// expected name. We never grade a file under a name it does not have, but we say which one was meant.

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

/** A student name as a file name: kept when already safe, else made safe and told apart by a short hash. */
export function fileSafe(name: string, hash: (text: string) => string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) return name;
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60);
  return `${base || 'student'}-${hash(name).slice(0, 8)}`;
}
