// Merging the gradebooks of shards (or of separate runs) into one. They must come from the same pack
// content and the same grading settings, and no student may appear in two of them.
import { stableJson } from './fingerprint';
import { byStudent, type Gradebook } from './model';
import { GradebookError } from './write';

export interface LabelledGradebook {
  /** where it came from, for messages */
  label: string;
  gradebook: Gradebook;
}

export function mergeGradebooks(parts: LabelledGradebook[]): Gradebook {
  if (parts.length === 0) throw new GradebookError('nothing to merge: give one or more gradebook folders');
  const [first] = parts;
  const owner = new Map<string, string>();
  const duplicates: string[] = [];
  for (const { label, gradebook } of parts) {
    if (gradebook.pack.hash !== first.gradebook.pack.hash) {
      throw new GradebookError(
        `${label} was graded with different pack content (${gradebook.pack.id} ${gradebook.pack.version}, ${gradebook.pack.hash.slice(0, 12)}) than ${first.label} (${first.gradebook.pack.id} ${first.gradebook.pack.version}, ${first.gradebook.pack.hash.slice(0, 12)}): grade every shard with the same pack`,
      );
    }
    if (stableJson(gradebook.settings) !== stableJson(first.gradebook.settings) || stableJson(gradebook.exercises.map((e) => e.id)) !== stableJson(first.gradebook.exercises.map((e) => e.id))) {
      throw new GradebookError(`${label} was graded with other settings or exercises than ${first.label} (${stableJson(gradebook.settings)} vs ${stableJson(first.gradebook.settings)}): grade every shard with the same flags`);
    }
    for (const record of gradebook.students) {
      const earlier = owner.get(record.student);
      if (earlier) duplicates.push(`${record.student} (in ${earlier} and ${label})`);
      else owner.set(record.student, label);
    }
  }
  if (duplicates.length) {
    throw new GradebookError(`${duplicates.length} student${duplicates.length > 1 ? 's appear' : ' appears'} in more than one gradebook: ${duplicates.slice(0, 10).join(', ')}${duplicates.length > 10 ? ', …' : ''}. Merge each shard once, or remove the stale gradebook.`);
  }
  return { ...first.gradebook, students: parts.flatMap((p) => p.gradebook.students).sort(byStudent) };
}
