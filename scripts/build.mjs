// One esbuild script for every bundle: the extension host, the webview, the CLI, and the test suites.
//   node scripts/build.mjs               build extension, webview and CLI into dist/
//   node scripts/build.mjs --production  minified, no source maps (what the .vsix ships)
//   node scripts/build.mjs --watch       rebuild on change
//   node scripts/build.mjs --tests       also bundle test/{unit,integration,e2e} and bench/ into out/
import * as esbuild from 'esbuild';
import { readdirSync, statSync, mkdirSync } from 'node:fs';
import { join, relative, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const watch = args.has('--watch');
const withTests = args.has('--tests');

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const node = { ...common, platform: 'node', format: 'cjs', target: 'node20', external: ['vscode'] };

/** Every `*.ts` file under `dir` whose name passes `keep`, relative to the repo root. */
function tsFiles(dir, keep = () => true) {
  const abs = join(root, dir);
  let out = [];
  for (const name of readdirSync(abs)) {
    const path = join(abs, name);
    if (statSync(path).isDirectory()) out = out.concat(tsFiles(relative(root, path), keep));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts') && keep(name)) out.push(relative(root, path));
  }
  return out;
}

const builds = [
  { ...node, entryPoints: ['src/extension/extension.ts'], outfile: 'dist/extension.js' },
  {
    ...node,
    entryPoints: ['src/cli/main.ts'],
    outfile: 'dist/cli.js',
    banner: { js: '#!/usr/bin/env node' },
  },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    entryPoints: { main: 'webview/main.ts', panel: 'webview/panel.css' },
    outdir: 'dist/webview',
  },
];

if (withTests) {
  mkdirSync(join(root, 'out'), { recursive: true });
  const suites = ['test/unit', 'test/integration', 'test/e2e', 'bench'];
  for (const dir of suites) {
    let entries;
    try {
      entries = tsFiles(dir);
    } catch {
      continue; // a layer with no TypeScript yet
    }
    if (entries.length === 0) continue;
    builds.push({
      ...node,
      entryPoints: entries,
      outdir: join('out', dir),
      outbase: dir,
      // Suites load mocha, playwright and the code-server launcher from node_modules at run time.
      external: ['vscode', 'mocha', 'playwright-core', '@vscode/test-electron'],
    });
  }
}

if (watch) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('esbuild: watching for changes');
} else {
  const started = Date.now();
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`esbuild: ${builds.length} bundles in ${Date.now() - started} ms${production ? ' (production)' : ''}`);
}
