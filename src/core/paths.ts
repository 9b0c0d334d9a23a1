// Where the extension's own files are, whichever bundle asks: dist/extension.js, dist/cli.js, or a test
// bundle under out/. Everything is found relative to the package root (the folder of our package.json).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cachedRoot: string | undefined;

/** The folder holding Gradient Lab's package.json. */
export function packageRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if (JSON.parse(readFileSync(manifest, 'utf8')).name === 'gradlab') return (cachedRoot = dir);
      } catch {
        // not ours (or unreadable): keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`Gradient Lab could not find its package folder above ${__dirname}.`);
    dir = parent;
  }
}

/** The Python package `gradlab` lives in <root>/runtime/gradlab; this folder goes on PYTHONPATH. */
export function runtimeDir(): string {
  return join(packageRoot(), 'runtime');
}

export const BUILTIN_PACK_ID = 'training-from-scratch';

/** The learner release of the built-in pack, written by `npm run build:pack`. */
export function builtinPackDir(): string {
  return join(packageRoot(), 'dist', 'packs', BUILTIN_PACK_ID);
}

/** The authoring form of the built-in pack (present in the repository, not in the .vsix). */
export function builtinAuthoringPackDir(): string {
  return join(packageRoot(), 'exercises', BUILTIN_PACK_ID);
}

/** Where Start Exercise scaffolds an exercise inside a workspace folder. */
export function exerciseFolder(workspaceDir: string, exerciseId: string): string {
  return join(workspaceDir, 'gradlab', exerciseId);
}
