// Merging the gradebooks of shards (or of separate runs) into one. They must come from the same pack
// content and the same grading settings, and no student may appear in two of them. Shards must add up: each
// gradebook says which shard i of K it holds, and a shard missing or given twice is refused (or, missing,
// only warned about with `partial`, and recorded in the merged gradebook).
import { stableJson } from './fingerprint';
import { byStudent, type Gradebook } from './model';
import { GradebookError } from './write';

export interface LabelledGradebook {
  /** where it came from, for messages */
  label: string;
  gradebook: Gradebook;
}

export interface MergeOptions {
  /** merge although shards are missing (a warning, and `missingShards` in the result) */
  partial?: boolean;
}

export interface MergeResult {
  gradebook: Gradebook;
  /** what the person merging should know: the shards missing from a partial merge */
  warnings: string[];
}

/** The shard numbers missing from `parts`, of K; refuses a mix of K, a doubled shard, and a whole class among shards. */
function missingShards(parts: LabelledGradebook[]): { missing: number[]; count: number } | undefined {
  const sharded = parts.filter((p) => p.gradebook.shard);
  if (sharded.length === 0) return undefined;
  if (sharded.length < parts.length) {
    const whole = parts.filter((p) => !p.gradebook.shard).map((p) => p.label);
    throw new GradebookError(`${whole.join(', ')} ${whole.length === 1 ? 'holds' : 'hold'} a whole class, the others one shard each: merge shards of one grading only`);
  }
  const count = sharded[0].gradebook.shard!.count;
  const other = sharded.find((p) => p.gradebook.shard!.count !== count);
  if (other) throw new GradebookError(`${other.label} is shard ${other.gradebook.shard!.index}/${other.gradebook.shard!.count}, but ${sharded[0].label} is one of ${count}: merge the shards of one --shard i/K grading`);
  const holder = new Map<number, string>();
  for (const { label, gradebook } of sharded) {
    const { index } = gradebook.shard!;
    const earlier = holder.get(index);
    if (earlier) throw new GradebookError(`shard ${index}/${count} is given twice (${earlier} and ${label}): give each shard's gradebook once`);
    holder.set(index, label);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !holder.has(i));
  return missing.length ? { missing, count } : undefined;
}

function shardWords(missing: { missing: number[]; count: number }): string {
  return `shard${missing.missing.length === 1 ? '' : 's'} ${missing.missing.map((i) => `${i}/${missing.count}`).join(', ')}`;
}

export function mergeGradebooks(parts: LabelledGradebook[], options: MergeOptions = {}): MergeResult {
  if (parts.length === 0) throw new GradebookError('nothing to merge: give one or more gradebook folders');
  const [first] = parts;
  const missing = missingShards(parts); // first: a shard given twice is the cause of any student in two
  const owner = new Map<string, string>();
  const duplicates: string[] = [];
  for (const { label, gradebook } of parts) {
    if (gradebook.pack.hash !== first.gradebook.pack.hash) {
      throw new GradebookError(
        `${label} was graded with different pack content (${gradebook.pack.id} ${gradebook.pack.version}, ${gradebook.pack.hash.slice(0, 12)}) than ${first.label} (${first.gradebook.pack.id} ${first.gradebook.pack.version}, ${first.gradebook.pack.hash.slice(0, 12)}): grade every shard with the same pack`,
      );
    }
    if (stableJson(gradebook.late ?? null) !== stableJson(first.gradebook.late ?? null)) {
      throw new GradebookError(`${label} was graded with another due date or late policy than ${first.label}: grade every shard with the same --due, penalties and extensions`);
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
  if (missing && !options.partial) {
    throw new GradebookError(`${shardWords(missing)} ${missing.missing.length === 1 ? 'is' : 'are'} missing: their students would have no grade. Give every shard's gradebook, or --partial to merge what is there`);
  }
  const { shard: _shard, missingShards: _missing, ...common } = first.gradebook;
  const gradebook: Gradebook = { ...common, ...(missing ? { missingShards: missing } : {}), students: parts.flatMap((p) => p.gradebook.students).sort(byStudent) };
  return { gradebook, warnings: missing ? [`warning: partial merge, ${shardWords(missing)} missing: their students are not in this gradebook`] : [] };
}
