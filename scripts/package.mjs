// `npm run package`: a production build, then `vsce package` into gradlab-<version>.vsix. The bundles
// carry their dependencies, so the .vsix needs no node_modules (--no-dependencies); .vscodeignore keeps
// only what runs.
import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildExtension } from './vscode/build-extension.mjs';
import { repoRoot, runCommand } from './vscode/repo.mjs';

/** Build and package; resolves with the .vsix path. */
export async function packageExtension() {
  const { name, version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
  const vsix = join(repoRoot, `${name}-${version}.vsix`);
  // A clean dist/: no source maps or stale files from development builds end up in the .vsix.
  rmSync(join(repoRoot, 'dist'), { recursive: true, force: true });
  await buildExtension(['--production']);
  await runCommand(join(repoRoot, 'node_modules', '.bin', 'vsce'), ['package', '--no-dependencies', '--out', vsix]);
  console.log(`${vsix}: ${(statSync(vsix).size / 1024).toFixed(1)} KiB`);
  return vsix;
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  packageExtension().catch((err) => {
    console.error(`npm run package: ${err.message}`);
    process.exit(1);
  });
}
