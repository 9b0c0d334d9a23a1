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

/** Asserts that no solution line of any learner file appears in any file of the release. */
export function assertNoSolutionText(authoring: LoadedPack, release: string): void {
  const files = filesUnder(release);
  for (const exercise of authoring.manifest.exercises) {
    for (const file of exercise.files.filter((f) => f.role === 'learner')) {
      const secret = solutionOnlyLines(readFileSync(join(authoring.dir, exercise.dir ?? exercise.id, file.path), 'utf8'));
      assert.ok(secret.length > 0, `${exercise.id}/${file.path} has solution lines to look for`);
      for (const [name, text] of files) {
        const lines = new Set(text.split('\n').map((l) => l.trim()));
        for (const line of secret) assert.ok(!lines.has(line), `solution line of ${exercise.id}/${file.path} found in the release's ${name}: ${line}`);
      }
    }
  }
}

