// Opening a pack: a folder, a .zip of one, or its manifest file. The manifest is checked against the
// schema, then against the files it names; a pack with any problem is refused with all of them listed.
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { ExerciseSpec, PackForm, PackManifest } from '../../protocol/pack';
import { MANIFEST_NAMES, readManifest } from './manifest';
import { PackError, jsonPath } from './problems';
import { schemaProblems } from './schema';
import { exerciseDirName, semanticProblems } from './semantics';
import { isZipFile, unpackCached, ZipError } from './zip';

export interface LoadedPack {
  /** absolute path of the pack folder (for a .zip: where it was unpacked) */
  dir: string;
  /** absolute path of pack.json or pack.yaml */
  manifestPath: string;
  manifest: PackManifest;
  form: PackForm;
  /** the .zip the pack came from, when it came from one */
  zip?: string;
}

export interface LoadOptions {
  /** where .zip packs are unpacked (default: a folder under the OS temp folder) */
  zipCacheDir?: string;
}

export async function loadPack(pathOrZip: string, options: LoadOptions = {}): Promise<LoadedPack> {
  const given = resolve(pathOrZip);
  let dir = given;
  let zip: string | undefined;
  if (await isZipFile(given)) {
    zip = given;
    try {
      dir = await packRoot(await unpackCached(given, options.zipCacheDir), given);
    } catch (error) {
      if (error instanceof ZipError) throw new PackError([{ file: basename(given), message: error.reason }], given);
      throw error;
    }
  } else if ((MANIFEST_NAMES as readonly string[]).includes(basename(given))) {
    dir = dirname(given);
  } else {
    let isFolder = false;
    try {
      isFolder = (await stat(given)).isDirectory();
    } catch {
      throw new PackError([{ file: basename(given), message: `no pack folder or .zip at ${given}` }], given);
    }
    if (!isFolder) throw new PackError([{ file: basename(given), message: 'expected a pack folder, a .zip of one, or its pack.json/pack.yaml' }], given);
  }

  const source = await readManifest(dir);
  const label = zip ?? dir;
  const shape = schemaProblems(source.data).map((p) => ({ file: source.name, line: source.lineOf(p.segments), path: p.segments.length ? jsonPath(p.segments) : undefined, message: p.message }));
  const manifest = source.data as PackManifest;
  // Every problem in one pass: the files and names the manifest's well-formed parts point at are checked too,
  // except under a field the schema refused (its words say what is wrong there).
  const refused = shape.flatMap((p) => (p.path ? [p.path] : []));
  const under = (path: string | undefined) => path !== undefined && refused.some((r) => path === r || path.startsWith(`${r}.`) || path.startsWith(`${r}[`));
  const semantic = (await semanticProblems(manifest, source, dir, shape.length > 0)).filter((p) => !under(p.path));
  const problems = [...shape, ...semantic];
  if (problems.length) throw new PackError(problems, label);
  return { dir, manifestPath: source.path, manifest, form: manifest.form, zip };
}

/** The unpacked folder itself when it holds the manifest, else its single top folder. */
async function packRoot(dir: string, zip: string): Promise<string> {
  const entries = (await readdir(dir, { withFileTypes: true })).filter((e) => !e.name.startsWith('.') && e.name !== '__MACOSX');
  if (entries.some((e) => (MANIFEST_NAMES as readonly string[]).includes(e.name))) return dir;
  if (entries.length === 1 && entries[0].isDirectory()) return join(dir, entries[0].name);
  throw new ZipError(zip, 'holds no pack.json or pack.yaml, neither at its top nor in a single top folder');
}

/** The exercise with this id; the error lists the ids there are. */
export function findExercise(pack: LoadedPack, id: string): ExerciseSpec {
  const exercise = pack.manifest.exercises.find((e) => e.id === id);
  if (exercise) return exercise;
  throw new PackError(
    [{ file: basename(pack.manifestPath), message: `no exercise '${id}' in pack ${pack.manifest.id} (exercises: ${pack.manifest.exercises.map((e) => e.id).join(', ')})` }],
    '',
  );
}

/** Absolute path of an exercise's folder in the pack. */
export function exerciseDir(pack: LoadedPack, exercise: ExerciseSpec): string {
  return join(pack.dir, ...exerciseDirName(exercise).split('/'));
}
