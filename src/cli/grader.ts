// The CLI's way to a grader: find an interpreter (--python, else PATH and the system's python3) and keep
// the worker that answered, warm, for the whole command.
import type { GraderClient } from '../core/grader/client';
import { findPython } from '../core/python/discover';
import { runtimeDir } from '../core/paths';
import type { PythonPackage } from '../protocol/pack';
import type { SandboxChoice } from '../protocol/worker';

export async function startGrader(python: string | undefined, require: PythonPackage[] = [], sandbox?: SandboxChoice): Promise<GraderClient> {
  const log = process.env.GRADLAB_DEBUG ? (line: string) => process.stderr.write(`${line}\n`) : undefined;
  const found = await findPython({ configured: python, require: [...new Set<PythonPackage>(['numpy', ...require])], runtimeDir: runtimeDir(), log, sandbox });
  return found.client;
}
