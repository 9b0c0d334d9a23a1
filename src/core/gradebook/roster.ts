// Roster students who submitted nothing: each gets a zero row marked "no submission", so a class's gradebook (and
// the Canvas import made from it) has every student of the roster, not only those who handed something in.
import type { CanvasIdentity } from './exports';
import { round, type GradebookExercise, type StudentRecord } from './model';

export const NO_SUBMISSION = 'no submission';

/** The name a roster student's record carries: their full name when it identifies them alone, else the Canvas ID. */
function rosterName(identity: CanvasIdentity, roster: Map<string, CanvasIdentity>): string {
  return identity.name && roster.get(identity.name) === identity ? identity.name : identity.id;
}

/**
 * A zero record for every roster student whom none of `records` names (by any of the roster's keys), of those
 * `mine` takes (a shard takes the absentees that hash to it, so that merged shards hold each once).
 */
export function absentees(records: StudentRecord[], exercises: GradebookExercise[], roster: Map<string, CanvasIdentity>, mine: (student: string) => boolean = () => true): StudentRecord[] {
  const present = new Set(records.map((r) => roster.get(r.student)).filter(Boolean));
  const missing: StudentRecord[] = [];
  for (const identity of new Set(roster.values())) {
    const student = rosterName(identity, roster);
    if (present.has(identity) || !mine(student)) continue;
    missing.push({
      student,
      source: 'roster',
      messages: [`${NO_SUBMISSION}: the roster lists this student, and the submissions folder has nothing of theirs`],
      points: 0,
      maxPoints: round(exercises.reduce((sum, e) => sum + e.maxPoints, 0)),
      key: NO_SUBMISSION,
      exercises: exercises.map((e) => ({ exercise: e.id, status: 'not-submitted', points: 0, maxPoints: e.maxPoints, messages: [NO_SUBMISSION], checks: [] })),
    });
  }
  return missing;
}
