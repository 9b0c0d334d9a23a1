// gradlab build <pack> [--out dir] [--zip] [--python path]
import { resolve } from 'node:path';
import { buildRelease } from '../../core/packs/build';
import { loadPack } from '../../core/packs/load';
import { count } from '../../core/words';
import { runtimeDir } from '../../core/paths';
import { readArgSpec } from '../../core/python/argspec';
import { startGrader } from '../grader';
import { CliProblem, EXIT_OK, type CliIO } from '../io';
import { graderOptions, limitsFrom, parse } from '../options';

export const usage = `gradlab build <pack> [options]
  writes the learner release of an authoring pack: solutions and hidden-test sources stripped,
  hidden tests recorded as transcripts against the reference solution
  --out <dir>          the release folder (default: dist/packs/<pack id>); only an earlier release is replaced
  --zip                also write <out>.zip
  --python <path>      interpreter that records the hidden tests (default: python3 on PATH, then the system's)
  --timeout <s>        time limit per check while recording (default 10)
  --memory <MiB>       memory limit per check while recording (default 1024)`;

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('build', argv, {
    python: graderOptions.python,
    timeout: graderOptions.timeout,
    memory: graderOptions.memory,
    out: { type: 'string' },
    zip: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new CliProblem(`gradlab build needs exactly one pack folder or .zip\n${usage}`);
  const limits = limitsFrom(values);
  const pack = await loadPack(resolve(io.cwd, positionals[0]));
  const out = resolve(io.cwd, values.out ?? `dist/packs/${pack.manifest.id}`);
  const client = await startGrader(values.python, [...new Set(pack.manifest.exercises.flatMap((e) => e.requires ?? []))]);
  try {
    const started = Date.now();
    const result = await buildRelease(pack, { out, zip: values.zip, limits, record: (params) => client.record(params),
      readArgSpec: (script) => readArgSpec(client.python, runtimeDir(), script),
      progress: (line) => io.err(line) });
    const hidden = result.exercises.reduce((n, e) => n + e.hiddenTests, 0);
    io.out(`built ${pack.manifest.id} (${count(result.exercises.length, 'exercise')}, ${count(hidden, 'hidden test')} recorded) into ${result.dir} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    if (result.zip) io.out(`zipped into ${result.zip}`);
  } finally {
    await client.dispose();
  }
  return EXIT_OK;
}
