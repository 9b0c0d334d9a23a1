// Student names as file names, the same in feedback/, gradescope/ and the cache.

/** A student name as a file name: kept when already safe, else made safe and told apart by a short hash. */
export function fileSafe(name: string, hash: (text: string) => string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(name)) return name;
  const base = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '').slice(0, 60);
  return `${base || 'student'}-${hash(name).slice(0, 8)}`;
}
