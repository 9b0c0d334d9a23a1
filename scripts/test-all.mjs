// `npm test`: every test layer, in order, each timed; all run even when one fails, and the exit code is
// non-zero when any failed. A layer that finds no tests fails too: nothing is skipped silently (debian13, without
// its root, says SKIPPED in its line and in the table).
//
//   node scripts/test-all.mjs [layer ...]     (default: all; layers: typecheck lint build unit runtime debian13 integration e2e)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { buildExtension } from './vscode/build-extension.mjs';
import { requirePythonWithNumpy } from './vscode/python.mjs';
import { npmCommand, repoRoot, runCommand } from './vscode/repo.mjs';

/** Run a command with its output streamed and captured; resolves with the captured text, rejects on failure. */
function runCaptured(command, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let text = '';
    const keep = (stream) => (chunk) => {
      text += chunk;
      stream.write(chunk);
    };
    child.stdout.on('data', keep(process.stdout));
    child.stderr.on('data', keep(process.stderr));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(text) : reject(new Error(`\`${command} ${args.join(' ')}\` exited with code ${code}`))));
  });
}

const SANDBOXES = ['fork', 'spawn'];
const node = (script, ...args) => runCommand(process.execPath, [join(repoRoot, script), ...args]);

/** test/runtime with `python`; fails when it ran no test. */
async function runtimeTests(python, env = {}) {
  const output = await runCaptured(python, ['-m', 'unittest', 'discover', '-s', 'test/runtime', '-t', '.'], {
    PYTHONPATH: join(repoRoot, 'runtime'),
    ...env,
  });
  const ran = Number(/^Ran (\d+) tests? in/m.exec(output)?.[1] ?? 0);
  if (ran === 0) throw new Error('unittest found no tests under test/runtime');
}

/** Debian 13's Python through .ci/debian13-python, or undefined (with the reason printed) when its root is not built. */
function debian13Python() {
  const where = spawnSync(join(repoRoot, '.ci', 'debian13-root'), ['--path'], { encoding: 'utf8' });
  if (where.status !== 0) {
    console.log(`debian13: SKIPPED, no Debian 13 root at ${where.stdout.trim() || '(unknown)'}: .ci/debian13-root builds it (2 minutes, 1.5 GB; .ci/run does).`);
    return undefined;
  }
  return join(repoRoot, '.ci', 'debian13-python');
}

const layers = {
  typecheck: () => runCommand(npmCommand, ['run', '--silent', 'typecheck']),
  // the Python side: the runtime, its tests, the benchmarks and the packs' code (settings in .flake8)
  lint: () => runCommand('flake8', ['.']).catch((error) => {
    throw /ENOENT/.test(error.message) ? new Error('flake8 is not installed (Debian/Ubuntu: apt install flake8; else python3 -m pip install flake8)') : error;
  }),
  build: () => buildExtension(['--tests']),
  // mocha itself fails when the glob matches no file.
  unit: () => node('node_modules/mocha/bin/mocha.js', 'out/test/unit/**/*.test.js'),
  // once per sandbox (GRADLAB_SANDBOX): every test, the corpus and the tamper tests must hold under both
  runtime: async () => {
    const python = requirePythonWithNumpy();
    for (const sandbox of SANDBOXES) {
      console.log(`Python: ${python}, sandbox: ${sandbox}`);
      await runtimeTests(python, { GRADLAB_SANDBOX: sandbox });
    }
  },
  // Today's Python, NumPy and PyTorch (Debian 13: 3.13, 2.2, 2.6) beside the system's: the runtime layer, and
  // the built-in pack validated through the CLI. The interpreter runs chrooted, so temporary files must lie in
  // the bound repository.
  debian13: async () => {
    const python = debian13Python();
    if (!python) return 'skipped';
    const cli = join(repoRoot, 'dist', 'cli.js');
    if (!existsSync(cli)) throw new Error('dist/cli.js is missing: build first (`node scripts/test-all.mjs build debian13`).');
    const tmp = join(repoRoot, '.ci', 'tmp');
    mkdirSync(tmp, { recursive: true });
    await runCommand(python, ['-c', 'import sys, numpy, torch; print("Python", sys.version.split()[0], "NumPy", numpy.__version__, "PyTorch", torch.__version__)']);
    await runtimeTests(python, { TMPDIR: tmp });
    await runCommand(process.execPath, [cli, 'validate', join(repoRoot, 'exercises', 'training-from-scratch'), '--python', python], {
      env: { ...process.env, TMPDIR: tmp },
    });
  },
  // the trusted run under each sandbox; the untrusted and multi-root runs test the host, not the sandbox
  integration: async () => {
    await node('scripts/run-integration.mjs', '--no-build');
    await runCommand(process.execPath, [join(repoRoot, 'scripts/run-integration.mjs'), '--no-build'], { env: { ...process.env, GRADLAB_SANDBOX: 'spawn' } });
    await node('scripts/run-integration.mjs', '--no-build', '--untrusted');
    await node('scripts/run-integration.mjs', '--no-build', '--multi-root');
  },
  e2e: () => node('scripts/run-e2e.mjs', '--no-build'),
};

const wanted = process.argv.slice(2);
const unknown = wanted.filter((name) => !(name in layers));
if (unknown.length > 0) {
  console.error(`Unknown layer(s): ${unknown.join(', ')}. Layers: ${Object.keys(layers).join(', ')}.`);
  process.exit(2);
}

const results = [];
for (const name of wanted.length > 0 ? wanted : Object.keys(layers)) {
  console.log(`\n━━━ ${name} ━━━`);
  const started = Date.now();
  let error;
  let outcome;
  try {
    outcome = await layers[name]();
  } catch (err) {
    error = err;
    console.error(`\n${name} FAILED: ${err.message}`);
  }
  results.push({ name, ok: !error, skipped: outcome === 'skipped', seconds: (Date.now() - started) / 1000 });
}

const total = results.reduce((sum, r) => sum + r.seconds, 0);
console.log('\nlayer        result   seconds');
for (const r of results) console.log(`${r.name.padEnd(12)} ${(r.ok ? (r.skipped ? 'SKIPPED' : 'passed') : 'FAILED').padEnd(8)} ${r.seconds.toFixed(1).padStart(7)}`);
console.log(`${'total'.padEnd(12)} ${''.padEnd(8)} ${total.toFixed(1).padStart(7)}`);
if (wanted.length === 0) console.log('(`npm run test:electron` runs the integration suite in VS Code desktop where it can be downloaded; not part of npm test.)');
process.exit(results.every((r) => r.ok) ? 0 : 1);
