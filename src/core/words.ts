// Counts in words: "1 exercise", "2 exercises", "0 starters".

export function count(n: number, word: string, plural = `${word}s`): string {
  return `${n} ${n === 1 ? word : plural}`;
}
