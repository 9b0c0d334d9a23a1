// One check of one submission, the same for the CLI and the extension: builds CheckParams from the pack,
// the exercise and the caller's limits, and asks the warm worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraderClient } from '../grader/client';
import type { LoadedPack } from '../packs/load';
import { effectiveLimits } from '../packs/limits';
import { materializeForm } from '../packs/scaffold';
import type { CheckReport, Limits } from '../../protocol/worker';
import type { ExerciseSpec, GradcheckMode } from '../../protocol/pack';

export interface CheckRequest {
  client: GraderClient;
  pack: LoadedPack;
  exercise: ExerciseSpec;
  /** folder with the learner's files (see submissionFolder) */
  submission: string;
  /** limits the user chose explicitly (setting or flag); they win over the exercise's own */
  limits?: Partial<Limits>;
  gradcheck?: GradcheckMode;
  only?: string[];
  /** absolute paths the learner's code may not open (CheckParams.private) */
  private?: string[];
  signal?: AbortSignal;
}

// Authoring packs grade against the solution form of the learner files; materialize it once per process and
// exercise, under one temporary folder that goes when the process exits.
let referenceRoot: string | undefined;
const referenceFolders = new Map<string, Promise<string>>();

function referencesFolder(): string {
  if (!referenceRoot) {
    const root = mkdtempSync(join(tmpdir(), 'gradlab-reference-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    referenceRoot = root;
  }
  return referenceRoot;
}

function referenceFolder(pack: LoadedPack, exercise: ExerciseSpec): Promise<string> | undefined {
  if (pack.form !== 'authoring') return undefined;
  const key = `${pack.dir}\0${exercise.id}`;
  let dir = referenceFolders.get(key);
  if (!dir) {
    const folder = mkdtempSync(join(referencesFolder(), `${exercise.id}-`));
    dir = materializeForm(pack, exercise, 'solution', folder).then(() => folder);
    dir.catch(() => referenceFolders.delete(key)); // a failed copy is tried again next time
    referenceFolders.set(key, dir);
  }
  return dir;
}

export async function checkSubmission(request: CheckRequest): Promise<CheckReport> {
  const { pack, exercise } = request;
  const reference = await referenceFolder(pack, exercise);
  // Every exercise's reference solution is as private as this one's.
  const kept = [...(request.private ?? []), ...(reference && referenceRoot ? [referenceRoot] : [])];
  return request.client.check(
    {
      pack: { dir: pack.dir, form: pack.form },
      exercise,
      submission: request.submission,
      reference,
      limits: effectiveLimits(exercise, request.limits),
      gradcheck: request.gradcheck ?? 'auto',
      only: request.only,
      private: kept.length ? kept : undefined,
    },
    request.signal,
  );
}
