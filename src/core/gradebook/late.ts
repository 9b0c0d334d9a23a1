// Late work: when each student submitted, against the due date (theirs, with an extension), and what lateness
// costs. The due date and policy come from the pack's `late` or the command line; submission times from a
// manifest (a CSV such as GitHub Classroom's grades export) or else from the files themselves (the newest file in
// the student's folder, or the .zip's own time). Records keep the points earned before the penalty, so a policy
// changed later is applied afresh, never on top of an earlier one.
import { lstat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { LatePolicySpec } from '../../protocol/pack';
import { parseCsv } from '../csv';
import { FixableError } from '../errors';
import type { StudentEntry } from './discover';
import { round, type StudentRecord } from './model';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The policy as the gradebook records it (merged gradebooks must agree on it). */
export interface LatePolicy {
  /** ISO 8601 */
  due: string;
  penaltyPerDay: number;
  cap: number;
  graceMinutes: number;
  /** per student (folder name), their own due date (ISO 8601) */
  extensions: Record<string, string>;
}

/** What lateness did to one student's points. */
export interface LateOutcome {
  /** ISO 8601 */
  submittedAt: string;
  /** where the time came from */
  from: 'manifest' | 'files';
  /** the student's due date, theirs when extended (ISO 8601) */
  due: string;
  /** days late, each part of a day a whole one, after the grace period; 0 when on time */
  daysLate: number;
  /** percent taken */
  penalty: number;
  /** the points before the penalty */
  pointsBefore: number;
}

export class LateWorkError extends FixableError {
  constructor(message: string) {
    super(message);
    this.name = 'LateWorkError';
  }
}

function instant(text: string, what: string): number {
  const time = Date.parse(text);
  if (!Number.isFinite(time)) throw new LateWorkError(`${what} '${text}' is not a date and time: write it as ISO 8601 with its zone, e.g. 2026-10-09T23:59:00-04:00`);
  return time;
}

function percent(value: number | undefined, fallback: number, what: string): number {
  const n = value ?? fallback;
  if (!(Number.isFinite(n) && n >= 0 && n <= 100)) throw new LateWorkError(`${what} must be a percentage from 0 to 100, got ${value}`);
  return n;
}

/** The pack's policy with the command line's overrides; undefined when neither gives a due date. */
export function latePolicy(pack: LatePolicySpec | undefined, overrides: Partial<LatePolicySpec>, extensions: Record<string, string> = {}): LatePolicy | undefined {
  const due = overrides.due ?? pack?.due;
  if (due === undefined) {
    if (Object.keys(extensions).length || Object.values(overrides).some((v) => v !== undefined)) throw new LateWorkError('a late policy needs a due date: give --due, or `late.due` in the pack');
    return undefined;
  }
  instant(due, 'the due date');
  for (const [student, date] of Object.entries(extensions)) instant(date, `the extension of ${student}`);
  const graceMinutes = overrides.graceMinutes ?? pack?.graceMinutes ?? 0;
  if (!(Number.isFinite(graceMinutes) && graceMinutes >= 0)) throw new LateWorkError(`the grace period must be a number of minutes from 0, got ${graceMinutes}`);
  return {
    due,
    penaltyPerDay: percent(overrides.penaltyPerDay ?? pack?.penaltyPerDay, 10, 'the penalty per day'),
    cap: percent(overrides.cap ?? pack?.cap, 100, 'the penalty cap'),
    graceMinutes,
    extensions,
  };
}

/** The columns a submission-times manifest may name its student and its time by (GitHub Classroom's first). */
const STUDENT_COLUMNS = ['github_username', 'roster_identifier', 'student', 'login', 'sis login id', 'name'];
const TIME_COLUMNS = ['submission_timestamp', 'submitted_at', 'submitted at', 'submitted', 'time'];

function columnOf(header: string[], names: string[]): number {
  const lower = header.map((h) => h.trim().toLowerCase());
  for (const name of names) {
    const at = lower.indexOf(name);
    if (at >= 0) return at;
  }
  return -1;
}

/** A CSV of students and times: each student's time, by every name column it has. */
export function parseSubmissionTimes(text: string, label: string): Map<string, string> {
  const [header = [], ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  const time = columnOf(header, TIME_COLUMNS);
  const names = STUDENT_COLUMNS.map((n) => columnOf(header, [n])).filter((i) => i >= 0);
  if (time < 0 || names.length === 0) {
    throw new LateWorkError(`${label} has no student and time columns: it needs one of ${STUDENT_COLUMNS.join(', ')} and one of ${TIME_COLUMNS.join(', ')} (GitHub Classroom's grades export has github_username and submission_timestamp)`);
  }
  const times = new Map<string, string>();
  for (const row of rows) {
    const at = (row[time] ?? '').trim();
    if (!at) continue; // nothing submitted
    instant(at, `${label}: the time`);
    for (const i of names) if (row[i]?.trim()) times.set(row[i].trim(), at);
  }
  return times;
}

/** A CSV of extensions: `student` and either `due` (a date and time) or `days` (added to the due date). */
export function parseExtensions(text: string, label: string, due: string | undefined): Record<string, string> {
  const [header = [], ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  const student = columnOf(header, ['student']);
  const until = columnOf(header, ['due']);
  const days = columnOf(header, ['days']);
  if (student < 0 || (until < 0 && days < 0)) throw new LateWorkError(`${label} needs a "student" column and a "due" (date and time) or "days" column`);
  const extensions: Record<string, string> = {};
  for (const row of rows) {
    const name = (row[student] ?? '').trim();
    if (!name) continue;
    if (until >= 0 && row[until]?.trim()) extensions[name] = new Date(instant(row[until].trim(), `${label}: the due date of ${name}`)).toISOString();
    else {
      const n = Number(row[days]);
      if (!Number.isFinite(n) || n < 0) throw new LateWorkError(`${label}: the extension of ${name} must be a number of days, got '${row[days] ?? ''}'`);
      if (due === undefined) throw new LateWorkError(`${label} gives days of extension, but there is no due date: give --due, or \`late.due\` in the pack`);
      extensions[name] = new Date(instant(due, 'the due date') + n * DAY_MS).toISOString();
    }
  }
  return extensions;
}

/** When a student's submission was made, by its files: the newest regular file in the folder, or the .zip's time. */
export async function filesTime(entry: StudentEntry): Promise<number | undefined> {
  if (entry.kind === 'zip') return (await lstat(entry.path)).mtimeMs;
  if (entry.kind !== 'folder') return undefined;
  let newest: number | undefined;
  const walk = async (dir: string): Promise<void> => {
    for (const item of await readdir(dir, { withFileTypes: true })) {
      if (item.name.startsWith('.')) continue;
      const path = join(dir, item.name);
      if (item.isDirectory()) await walk(path);
      else if (item.isFile()) newest = Math.max(newest ?? 0, (await lstat(path)).mtimeMs);
    }
  };
  await walk(entry.path);
  return newest;
}

/** What lateness costs a submission made at `submittedAt` (ms) under `policy`. */
export function lateness(policy: LatePolicy, student: string, submittedAt: number, from: LateOutcome['from'], pointsBefore: number): LateOutcome {
  const due = policy.extensions[student] ?? policy.due;
  const late = submittedAt - (Date.parse(due) + policy.graceMinutes * 60_000);
  const daysLate = late > 0 ? Math.ceil(late / DAY_MS) : 0;
  return { submittedAt: new Date(submittedAt).toISOString(), from, due: new Date(Date.parse(due)).toISOString(), daysLate, penalty: Math.min(policy.cap, daysLate * policy.penaltyPerDay), pointsBefore };
}

/** The record with `late` applied to the points it earned (never on top of an earlier penalty); none: restored. */
export function withLate(record: StudentRecord, late: LateOutcome | undefined): StudentRecord {
  const { late: earlier, ...rest } = record;
  const earned = earlier?.pointsBefore ?? record.points;
  if (!late) return { ...rest, points: earned };
  return { ...rest, points: round(earned * (1 - late.penalty / 100)), late: { ...late, pointsBefore: earned } };
}

/** "late 2 days: -20%", or "" when on time: the gradebook's note and the feedback's words. */
export function lateWords(late: LateOutcome | undefined): string {
  if (!late || late.daysLate === 0) return '';
  return `late ${late.daysLate} day${late.daysLate === 1 ? '' : 's'}: -${round(late.penalty)}%`;
}
