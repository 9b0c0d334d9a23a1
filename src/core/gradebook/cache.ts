// Resumable grading: each student's record is saved as soon as it is made, under the key that produced
// it. A re-run (or a run after a crash) reuses a record only when the key, which hashes the graded files,
// the pack, the grader and the settings, is unchanged. A cache file that cannot be read is ignored.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StudentRecord } from './model';

export const CACHE_FOLDER = '.cache';
/** the grading run's seed, beside the records made with it (no student's file: those end in .json) */
const SEED_FILE = 'seed';

interface CacheFile {
  student: string;
  record: StudentRecord;
}

export class RecordCache {
  private readonly dir: string;

  constructor(
    outDir: string,
    /** the student's name as a file name (see fileSafe) */
    private readonly fileName: (student: string) => string,
  ) {
    this.dir = join(outDir, CACHE_FOLDER);
  }

  /** The saved record for this student when it was made under `key`. */
  async get(student: string, key: string): Promise<StudentRecord | undefined> {
    try {
      const saved = JSON.parse(await readFile(this.path(student), 'utf8')) as CacheFile;
      return saved.student === student && saved.record?.key === key ? saved.record : undefined;
    } catch {
      return undefined;
    }
  }

  async put(record: StudentRecord): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = this.path(record.student);
    const temporary = `${path}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify({ student: record.student, record } satisfies CacheFile));
    await rename(temporary, path);
  }

  /** The seed the saved records were made with, so that a re-run or a resumed run draws the same inputs. */
  async seed(): Promise<number | undefined> {
    try {
      const seed = Number((await readFile(join(this.dir, SEED_FILE), 'utf8')).trim());
      return Number.isSafeInteger(seed) && seed >= 0 ? seed : undefined;
    } catch {
      return undefined;
    }
  }

  async saveSeed(seed: number): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFile(join(this.dir, SEED_FILE), `${seed}\n`);
  }

  private path(student: string): string {
    return join(this.dir, `${this.fileName(student)}.json`);
  }
}
