// Which pack a command works on: --pack (a folder or a .zip), else the built-in one.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { builtinAuthoringPackDir, builtinPackDir } from '../core/paths';
import { loadPack, type LoadedPack } from '../core/packs/load';
import { CliProblem } from './io';

export async function packFor(option: string | undefined, cwd: string): Promise<LoadedPack> {
  if (option) return loadPack(resolve(cwd, option));
  // The release ships with the extension; a development checkout that has not built it yet uses the source.
  for (const dir of [builtinPackDir(), builtinAuthoringPackDir()]) if (existsSync(dir)) return loadPack(dir);
  throw new CliProblem('The built-in pack is missing: run `npm run build`, or pass --pack <dir>.');
}
