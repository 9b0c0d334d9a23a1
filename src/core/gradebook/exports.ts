// The gradebook in the shapes schools keep grades in:
// - gradebook.csv: one row per student, one column of points per exercise, the total and the maximum;
// - canvas.csv: Canvas's gradebook import (Student, ID, SIS User ID, SIS Login ID, Section, then one
//   assignment column holding the total; a "Points Possible" row under the header);
// - Gradescope's autograder results.json for one student (score, tests[] with name, score, max_score,
//   status, output, visibility), as a Gradescope run_autograder script writes it.
import { FixableError } from '../errors';
import { csv, parseCsv } from '../csv';
import { points } from './feedback';
import type { Gradebook, StudentRecord } from './model';
import { lateWords } from './late';
import { NO_SUBMISSION } from './roster';
import { visibleCheck } from './visible';

/** What a row's `note` says: "no submission" for a roster student who submitted nothing, "late 2 days: -20%". */
function note(record: StudentRecord): string {
  return record.source === 'roster' ? NO_SUBMISSION : lateWords(record.late);
}

export function gradebookCsv(gradebook: Gradebook): string {
  const header = ['student', ...gradebook.exercises.map((e) => e.id), 'total', 'max', 'note'];
  const rows = gradebook.students.map((s) => [
    s.student,
    ...gradebook.exercises.map((e) => points(s.exercises.find((o) => o.exercise === e.id)?.points ?? 0)),
    points(s.points),
    points(s.maxPoints),
    note(s),
  ]);
  return csv([header, ...rows]);
}

/** A student as Canvas knows them, from an exported Canvas gradebook (the roster). */
export interface CanvasIdentity {
  name: string;
  id: string;
  sisUserId: string;
  sisLoginId: string;
  section: string;
}

export class RosterError extends FixableError {
  constructor(message: string) {
    super(message);
    this.name = 'RosterError';
  }
}

const ROSTER_COLUMNS = ['Student', 'ID', 'SIS User ID', 'SIS Login ID', 'Section'] as const;

/**
 * Reads a gradebook exported from Canvas (Grades > Export) and indexes its students by every name a
 * submission folder might carry: the Canvas ID, the SIS User ID, the SIS Login ID or the full name.
 */
export function parseRoster(text: string): Map<string, CanvasIdentity> {
  const [header, ...rows] = parseCsv(text);
  const at = ROSTER_COLUMNS.map((name) => header?.findIndex((h) => h.trim() === name) ?? -1);
  if (at[0] < 0 || at[1] < 0) throw new RosterError(`the roster has no "Student" and "ID" columns: export it from Canvas (Grades > Export > CSV), whose header starts ${ROSTER_COLUMNS.join(', ')}`);
  const roster = new Map<string, CanvasIdentity>();
  for (const row of rows) {
    const cell = (i: number) => (at[i] >= 0 ? (row[at[i]] ?? '').trim() : '');
    const identity: CanvasIdentity = { name: cell(0), id: cell(1), sisUserId: cell(2), sisLoginId: cell(3), section: cell(4) };
    // Canvas puts a "Points Possible" row (and sometimes a test student) under the header.
    if (!identity.id || /points possible/i.test(identity.name)) continue;
    for (const key of [identity.id, identity.sisUserId, identity.sisLoginId, identity.name]) if (key && !roster.has(key)) roster.set(key, identity);
  }
  return roster;
}

/**
 * `column`: the assignment column to fill, as Canvas's export names it ("Homework 3 (12345)"), so the import
 * updates that assignment; by default a column named after the pack, which Canvas makes a new assignment.
 */
export function canvasCsv(gradebook: Gradebook, roster?: Map<string, CanvasIdentity>, column?: string): { text: string; unmatched: string[] } {
  const maxTotal = gradebook.exercises.reduce((sum, e) => sum + e.maxPoints, 0);
  const rows: Array<Array<string | number>> = [
    [...ROSTER_COLUMNS, column ?? gradebook.pack.title],
    ['    Points Possible', '', '', '', '', points(maxTotal)],
  ];
  const unmatched: string[] = [];
  for (const s of gradebook.students) {
    const identity = roster?.get(s.student);
    if (roster && !identity) unmatched.push(s.student);
    // Without a roster entry, Canvas matches the row by the student's name (the folder name).
    rows.push(identity ? [identity.name, identity.id, identity.sisUserId, identity.sisLoginId, identity.section, points(s.points)] : [s.student, '', '', '', '', points(s.points)]);
  }
  return { text: csv(rows), unmatched };
}

export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
  visibility: 'visible';
}

export interface GradescopeResults {
  score: number;
  output: string;
  tests: GradescopeTest[];
}

export function gradescopeResults(gradebook: Gradebook, record: StudentRecord): GradescopeResults {
  const tests: GradescopeTest[] = [];
  for (const outcome of record.exercises) {
    const exercise = gradebook.exercises.find((e) => e.id === outcome.exercise);
    const prefix = `${outcome.exercise}: `;
    if (outcome.status !== 'graded') {
      // Every check of an ungraded exercise is listed with 0 points, so the maximum score stays right.
      for (const spec of exercise?.checks ?? []) {
        tests.push({ name: prefix + spec.title, score: 0, max_score: spec.points, status: 'failed', output: outcome.messages.join('\n'), visibility: 'visible' });
      }
      continue;
    }
    for (const check of outcome.checks) {
      const seen = visibleCheck(check, exercise);
      const output = [
        check.hidden ? `Hidden test: ${seen.verdict}.` : seen.passed ? 'Passed.' : '',
        ...(seen.message ? [seen.message] : []),
        ...(seen.diagnosis ? [seen.diagnosis] : []),
        ...(seen.output ? [`Your code printed:\n${seen.output}`] : []),
        ...seen.hints.map((h) => `Hint: ${h}`),
      ].filter(Boolean);
      tests.push({ name: prefix + check.title, score: check.points, max_score: check.maxPoints, status: check.passed ? 'passed' : 'failed', output: output.join('\n\n'), visibility: 'visible' });
    }
  }
  return { score: record.points, output: [...(lateWords(record.late) ? [lateWords(record.late)] : []), ...record.messages, ...record.exercises.flatMap((o) => o.messages.map((m) => `${o.exercise}: ${m}`))].join('\n'), tests };
}
