// .github/workflows/ci.yml cannot run here; what can be checked is that it is a workflow of the matrix the
// project promises and that every command it runs exists: npm scripts in package.json, layers of test-all.mjs.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { packageRoot } from '../../src/core/paths';

interface Step {
  name?: string;
  run?: string;
  uses?: string;
  if?: string;
}

const root = packageRoot();
const workflow = parse(readFileSync(join(root, '.github', 'workflows', 'ci.yml'), 'utf8')) as {
  on: Record<string, unknown>;
  jobs: Record<string, { strategy: { matrix: { os: string[]; python: string[] } }; steps: Step[] }>;
};
const job = Object.values(workflow.jobs)[0];
const runs = job.steps.filter((s) => s.run).map((s) => ({ ...s, run: s.run as string }));
const scripts = Object.keys((JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts);
const testAll = readFileSync(join(root, 'scripts', 'test-all.mjs'), 'utf8');
const layerBlock = /^const layers = \{\n([\s\S]*?)^\};/m.exec(testAll)?.[1] ?? '';
const layers = [...layerBlock.matchAll(/^ {2}(\w+): /gm)].map((m) => m[1]);

describe('CI workflow (.github/workflows/ci.yml)', () => {
  it('runs on pushes and pull requests over three systems and Python 3.9 and 3.12', () => {
    assert.ok('push' in workflow.on && 'pull_request' in workflow.on);
    assert.deepEqual([...job.strategy.matrix.os].sort(), ['macos-latest', 'ubuntu-latest', 'windows-latest']);
    assert.deepEqual(job.strategy.matrix.python, ['3.9', '3.12']);
  });

  it('every npm script and test layer it runs exists', () => {
    assert.ok(layers.length >= 5, `read too few layers from scripts/test-all.mjs: ${layers.join(', ')}`);
    const used = runs.flatMap((s) => [...s.run.matchAll(/npm run (\S+)/g)].map((m) => m[1]));
    assert.ok(used.length > 0);
    for (const script of used) assert.ok(scripts.includes(script), `ci.yml runs \`npm run ${script}\`, which package.json does not define`);
    for (const s of runs) {
      for (const m of s.run.matchAll(/scripts\/test-all\.mjs((?: [a-z0-9]+)+)/g)) {
        for (const layer of m[1].trim().split(' ')) assert.ok(layers.includes(layer), `ci.yml runs the layer ${layer}, which test-all.mjs lacks`);
      }
    }
  });

  it('typecheck, unit and runtime run on every system; the VS Code layers under xvfb on Linux and natively elsewhere', () => {
    for (const script of ['typecheck', 'test:unit', 'test:runtime']) {
      const step = runs.find((s) => s.run.includes(`npm run ${script}`));
      assert.ok(step, `no step runs npm run ${script}`);
      assert.equal(step.if, undefined, `npm run ${script} must run on every system, not only if ${step.if}`);
    }
    const electron = runs.filter((s) => s.run.includes('npm run test:electron'));
    assert.deepEqual(
      electron.map((s) => [s.if, s.run.startsWith('xvfb-run')]),
      [
        ["runner.os == 'Linux'", true],
        ["runner.os != 'Linux'", false],
      ],
    );
  });
});
