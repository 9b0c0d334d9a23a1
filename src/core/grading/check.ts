// One check of one submission, the same for the CLI and the extension: builds CheckParams from the pack,
// the exercise and the caller's limits, and asks the warm worker.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraderClient, ResultListener } from '../grader/client';
import type { LoadedPack } from '../packs/load';
import { effectiveLimits } from '../packs/limits';
import { materializeForm, type LearnerForm } from '../packs/scaffold';
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
  /** functions the learner just edited: their checks run first (CheckParams.focus) */
  focus?: string[];
  /** hears each check's result as it streams in, before the report */
  onResult?: ResultListener;
  /** absolute paths the learner's code may not open (CheckParams.private) */
  private?: string[];
  /** a grading run's own seed (CheckParams.seed) */
  seed?: number;
  /** watch the exercise's declared kinks (CheckParams.auditKinks): validate, on the solution */
  auditKinks?: boolean;
  signal?: AbortSignal;
}

// The worker gets the learner files in two forms besides the submission: the starter form, whose given code it
// trusts (inputs, losses, metrics), and for authoring packs the solution form (reference values). Each is written
// once per process, pack and exercise, under one temporary folder that goes when the process exits.
let formsRoot: string | undefined;
const formFolders = new Map<string, Promise<string>>();

function formsFolder(): string {
  if (!formsRoot) {
    const root = mkdtempSync(join(tmpdir(), 'gradlab-forms-'));
    process.once('exit', () => rmSync(root, { recursive: true, force: true }));
    formsRoot = root;
  }
  return formsRoot;
}

/** The folder holding `exercise`'s learner files in `form` (written on first use). */
export function formFolder(pack: LoadedPack, exercise: ExerciseSpec, form: LearnerForm): Promise<string> {
  const key = `${pack.dir}\0${exercise.id}\0${form}`;
  let dir = formFolders.get(key);
  if (!dir) {
    const folder = mkdtempSync(join(formsFolder(), `${exercise.id}-${form}-`));
    dir = materializeForm(pack, exercise, form, folder).then(() => folder);
    dir.catch(() => formFolders.delete(key)); // a failed copy is tried again next time
    formFolders.set(key, dir);
  }
  return dir;
}

export async function checkSubmission(request: CheckRequest): Promise<CheckReport> {
  const { pack, exercise } = request;
  const [given, reference] = await Promise.all([
    formFolder(pack, exercise, 'starter'),
    pack.form === 'authoring' ? formFolder(pack, exercise, 'solution') : undefined,
  ]);
  // Every exercise's reference solution is as private as this one's.
  const kept = [...(request.private ?? []), ...(reference && formsRoot ? [formsRoot] : [])];
  return request.client.check(
    {
      pack: { dir: pack.dir, form: pack.form },
      exercise,
      submission: request.submission,
      given,
      reference,
      limits: effectiveLimits(exercise, request.limits),
      gradcheck: request.gradcheck ?? 'auto',
      only: request.only,
      focus: request.focus?.length ? request.focus : undefined,
      seed: request.seed,
      auditKinks: request.auditKinks,
      private: kept.length ? kept : undefined,
    },
    request.signal,
    request.onResult,
  );
}
