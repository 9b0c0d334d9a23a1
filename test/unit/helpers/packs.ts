// What the pack tests look for in a learner release, written from the marker rules independently of
// src/core/packs/regions, so a bug there cannot hide a leak.
import * as assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { LoadedPack } from '../../../src/core/packs/load';

/** Every file under dir, relative, with its text. */
export function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

/**
 * The lines only a solution has: inside a SOLUTION block and not also a line of the file outside it.
 * Written here from the marker rules, independently of src/core/packs/regions.
 */
function solutionOnlyLines(source: string): string[] {
  const inside: string[] = [];
  const outside = new Set<string>();
  let block: string | undefined;
  for (const line of source.split('\n')) {
    const marker = /^\s*#\s*(BEGIN|END)\s+(SOLUTION|STARTER)\s*$/.exec(line);
    if (marker) block = marker[1] === 'BEGIN' ? marker[2] : undefined;
    else if (block === 'SOLUTION') inside.push(line.trim());
    else outside.add(line.trim());
  }
  return inside.filter((l) => l && !outside.has(l));
}

const MARKER_LINE = /^\s*#\s*(BEGIN|END)\s+(SOLUTION|STARTER)\s*$/m;

/**
 * Asserts that the release holds no solution text: no solution line of an exercise's learner files appears
 * in a file the build derived for that exercise (its learner files, script files that had markers, the
 * recorded JSON) or in the manifest, and every other file is a verbatim copy of what the author published
 * (given files, plain scripts, instructions, public tests). Other exercises' folders are not searched: a
 * later exercise may hand out an earlier one's answer as its given code.
 */
export function assertNoSolutionText(authoring: LoadedPack, release: string): void {
  const files = filesUnder(release);
  for (const exercise of authoring.manifest.exercises) {
    const folder = exercise.dir ?? exercise.id;
    const source = (path: string) => readFileSync(join(authoring.dir, folder, path), 'utf8');
    const derived: Array<[string, string]> = [['pack.json', files.get('pack.json')!]];
    for (const name of ['hidden.json', 'references.json']) derived.push([`${folder}/${name}`, files.get(`${folder}/${name}`)!]);
    for (const file of exercise.files) {
      const name = `${folder}/${file.path}`;
      const text = files.get(name);
      assert.ok(text !== undefined, `the release lacks ${name}`);
      if (file.role === 'learner' || (file.role === 'script' && MARKER_LINE.test(source(file.path)))) derived.push([name, text]);
      else assert.equal(text, source(file.path), `${name} is copied as the author wrote it`);
    }
    assert.equal(files.get(`${folder}/${exercise.instructions}`), source(exercise.instructions));
    for (const file of exercise.files.filter((f) => f.role === 'learner')) {
      const secret = solutionOnlyLines(source(file.path));
      assert.ok(secret.length > 0, `${folder}/${file.path} has solution lines to look for`);
      for (const [name, text] of derived) {
        const lines = new Set(text.split('\n').map((l) => l.trim()));
        for (const line of secret) assert.ok(!lines.has(line), `solution line of ${folder}/${file.path} found in the release's ${name}: ${line}`);
      }
    }
  }
}
