// gradlab preview <pack> [--python path]: the pack as a learner gets it, in a fresh VS Code window.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { buildRelease } from '../../core/packs/build';
import { exerciseDir, loadPack, type LoadedPack } from '../../core/packs/load';
import { printable } from '../../core/printable';
import { count } from '../../core/words';
import { startGrader } from '../grader';
import { CliProblem, EXIT_OK, EXIT_PROBLEM, type CliIO } from '../io';
import { graderOptions, parse } from '../options';

export const usage = `gradlab preview <pack> [--print] [--python <path>]
  builds the learner release of the pack into a temporary folder and opens it in a new VS Code window,
  in an empty workspace whose settings point Gradient Lab at that release (needs \`code\` on PATH)
  --print              print the learner's view in the terminal instead (no VS Code): per lesson, each
                       exercise's instructions, starter files and checks, and the mastery questions`;

/** The setting, in the workspace file, that makes the extension load the previewed pack. */
export const PACKS_SETTING = 'gradlab.packs';

/** The `code` launcher on PATH, if there is one. */
function findCode(path = process.env.PATH ?? ''): string | undefined {
  const names = process.platform === 'win32' ? ['code.cmd', 'code.exe'] : ['code'];
  for (const dir of path.split(delimiter).filter(Boolean)) {
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return join(dir, name);
      } catch {
        // not here
      }
    }
  }
  return undefined;
}

/** Builds the learner release (of an authoring pack) under `root` and writes a workspace file that loads it. */
async function previewWorkspace(pack: LoadedPack, root: string, python: string | undefined, io: CliIO): Promise<{ workspaceFile: string; release: string }> {
  let release = pack.zip ?? pack.dir;
  if (pack.form === 'authoring') {
    const client = await startGrader(python, [...new Set(pack.manifest.exercises.flatMap((e) => e.requires ?? []))]);
    try {
      release = (await buildRelease(pack, { out: join(root, 'release'), record: (params) => client.record(params), progress: (line) => io.err(line) })).dir;
    } finally {
      await client.dispose();
    }
  }
  await mkdir(join(root, 'workspace'));
  const workspaceFile = join(root, `${pack.manifest.id}.code-workspace`);
  await writeFile(workspaceFile, `${JSON.stringify({ folders: [{ path: 'workspace' }], settings: { [PACKS_SETTING]: [release] } }, null, 2)}\n`);
  return { workspaceFile, release };
}

/** The release as a learner meets it, as text: what the extension's tree, editor and mastery check show. */
async function learnerView(release: LoadedPack): Promise<string[]> {
  const { manifest } = release;
  const lines = [`# ${manifest.title} (${manifest.id} ${manifest.version}): ${count(manifest.exercises.length, 'exercise')}, ${count(manifest.lessons.length, 'lesson')}`];
  for (const lesson of manifest.lessons) {
    lines.push('', `## ${lesson.title}`);
    for (const exercise of manifest.exercises.filter((e) => e.lesson === lesson.id).sort((a, b) => a.order - b.order)) {
      const dir = exerciseDir(release, exercise);
      lines.push('', `### ${exercise.title} (${exercise.id})`, '', (await readFile(join(dir, ...exercise.instructions.split('/')), 'utf8')).trimEnd());
      for (const file of exercise.files) {
        if (file.role !== 'learner') {
          lines.push('', `${file.path} (${file.role === 'given' ? 'given: grading uses the pack\'s copy' : 'a script to run'})`);
          continue;
        }
        lines.push('', `${file.path} (yours to write${file.functions?.length ? `: ${file.functions.join(', ')}` : ''}):`, '', ...(await readFile(join(dir, ...file.path.split('/')), 'utf8')).trimEnd().split('\n').map((l) => `    ${l}`));
      }
      lines.push('', `Checks (${count(exercise.checks.length, 'check')}):`);
      for (const check of exercise.checks) lines.push(`  - ${check.title}${check.hidden ? ' (hidden)' : ''}, ${count(check.points ?? 1, 'point')}`);
      if (exercise.hints?.length) lines.push(`Hints: ${count(exercise.hints.length, 'hint')}, unlocked one at a time after failed checks`);
    }
    for (const [i, question] of (lesson.mastery?.questions ?? []).entries()) {
      if (i === 0) lines.push('', `Mastery check (pass mark ${Math.round(lesson.mastery!.passMark * 100)}%):`);
      lines.push(`  ${i + 1}. ${question.prompt}`, ...question.choices.map((choice, c) => `     ${String.fromCharCode(97 + c)}) ${choice}`));
    }
  }
  return lines.map((line) => printable(line));
}

export async function run(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parse('preview', argv, { python: graderOptions.python, print: { type: 'boolean' } });
  if (positionals.length !== 1) throw new CliProblem(`gradlab preview needs exactly one pack folder or .zip\n${usage}`);
  const pack = await loadPack(resolve(io.cwd, positionals[0]));
  // The preview's folder outlives the command, since VS Code opens the workspace in it; a failed build leaves nothing.
  const root = await mkdtemp(join(tmpdir(), `gradlab-preview-${pack.manifest.id}-`));
  const { workspaceFile, release } = await previewWorkspace(pack, root, values.python, io).catch(async (error: unknown) => {
    await rm(root, { recursive: true, force: true });
    throw error;
  });

  if (values.print) {
    try {
      for (const line of await learnerView(await loadPack(release))) io.out(line);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
    return EXIT_OK;
  }
  const code = findCode();
  if (!code) {
    io.err(`VS Code's \`code\` command is not on PATH, so the preview could not open it. The release is ready; either:`);
    io.err(`  - in VS Code, run "Shell Command: Install 'code' command in PATH" from the Command Palette (macOS; the Windows and Linux installers add it), then run gradlab preview again; or`);
    io.err(`  - open VS Code with the Gradient Lab extension and choose File > Open Workspace from File…: ${workspaceFile}`);
    return EXIT_PROBLEM;
  }
  const child = spawn(code, ['--new-window', workspaceFile], { detached: true, stdio: 'ignore', shell: process.platform === 'win32' });
  child.on('error', () => undefined); // a launcher that vanished after the PATH search: VS Code just does not open
  child.unref();
  io.out(`Opening ${pack.manifest.title} in VS Code as a learner sees it (workspace ${workspaceFile}; release ${release}).`);
  return EXIT_OK;
}
