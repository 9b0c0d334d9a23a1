// Which Python grades and runs training scripts. Order, as users' machines need it: the explicit setting
// (or --python), then interpreters the caller knows about (the Python extension's active environment),
// then python3 / python on PATH, then the system's own python3. Each is validated by starting the worker and asking `hello`, so "found"
// means "can grade", and a refusal says exactly what is missing and how to fix it.
import { GraderClient, ProtocolMismatchError } from '../grader/client';
import type { HelloResult, IsolationMode, SandboxChoice } from '../../protocol/worker';
import type { PythonPackage } from '../../protocol/pack';
import { FixableError } from '../errors';
import { storeAlias, storeAliasMessage, windowsInterpreters, type WindowsFacts } from './windows';

export interface FindPythonOptions {
  /** gradlab.pythonPath or --python: when given, only this one is accepted */
  configured?: string;
  /** further interpreters to try before PATH, e.g. the Python extension's active environment */
  candidates?: string[];
  /** packages the interpreter must have; default ['numpy'] */
  require?: PythonPackage[];
  runtimeDir: string;
  log?: (line: string) => void;
  /** OS-level isolation the worker that answers must use (GraderClientOptions.isolation) */
  isolation?: IsolationMode;
  /** the machine's facts for telling the Microsoft Store's python.exe alias (default: this machine's) */
  windows?: WindowsFacts;
  /** the sandbox the worker that answers must use (GraderClientOptions.sandbox) */
  sandbox?: SandboxChoice;
}

export interface FoundPython {
  python: string;
  hello: HelloResult;
  /** the worker that answered hello, still running: reuse it so the first check pays no second start-up */
  client: GraderClient;
}

export class PythonError extends FixableError {
  constructor(
    message: string,
    /** what was tried and why each was refused, for the log */
    readonly tried: string[],
  ) {
    super(message);
    this.name = 'PythonError';
  }
}

const PATH_NAMES = process.platform === 'win32' ? ['python', 'py', 'python3'] : ['python3', 'python'];
/** Linux and macOS: system interpreters often carry the distribution's NumPy when the one first on PATH (pyenv, venv) does not. */
const SYSTEM_PYTHONS = ['/usr/bin/python3', '/usr/local/bin/python3', '/opt/homebrew/bin/python3'];

/** Debian/Ubuntu's NumPy is slow without an optimised BLAS; say so where we say how to install it. */
/** Where to look, in order, when nothing is configured: the caller's candidates, PATH, then the system's (on Windows: windowsInterpreters). */
export function candidateInterpreters(first: string[] = []): string[] {
  return [...new Set([...first, ...PATH_NAMES, ...(process.platform === 'win32' ? windowsInterpreters() : SYSTEM_PYTHONS)])];
}

export function installHint(pkg: PythonPackage, python: string): string {
  if (pkg === 'torch') return `install PyTorch into it (\`${python} -m pip install torch\`; on Debian/Ubuntu \`sudo apt install python3-torch\`)`;
  return `install NumPy into it (\`${python} -m pip install numpy\`; on Debian/Ubuntu \`sudo apt install python3-numpy libopenblas0-pthread\`)`;
}

export function missingPackages(hello: HelloResult, require: PythonPackage[]): PythonPackage[] {
  return require.filter((pkg) => !(pkg === 'numpy' ? hello.numpy.available : hello.torch.available));
}

async function probe(python: string, options: FindPythonOptions): Promise<{ hello: HelloResult; client: GraderClient }> {
  const client = new GraderClient({ python, runtimeDir: options.runtimeDir, log: options.log, isolation: options.isolation, sandbox: options.sandbox });
  try {
    return { hello: await client.hello(), client };
  } catch (error) {
    await client.dispose();
    throw error;
  }
}

export async function findPython(options: FindPythonOptions): Promise<FoundPython> {
  const require = options.require ?? ['numpy'];
  const tried: string[] = [];
  const explicit = options.configured?.trim();
  const order = explicit ? [explicit] : candidateInterpreters(options.candidates);
  let lacking: { python: string; missing: PythonPackage[] } | undefined;
  let alias: string | undefined;

  for (const python of order) {
    let hello: HelloResult;
    let client: GraderClient;
    try {
      ({ hello, client } = await probe(python, options));
    } catch (error) {
      if (error instanceof ProtocolMismatchError) throw error; // the runtime folder is the same for every interpreter
      const store = storeAlias(python, options.windows);
      tried.push(`${python}: ${store ? storeAliasMessage(python, store) : (error as Error).message}`);
      if (store) alias ??= storeAliasMessage(python, store);
      continue;
    }
    const missing = missingPackages(hello, require);
    if (missing.length === 0) return { python: hello.python.executable || python, hello, client };
    await client.dispose();
    tried.push(`${python} (Python ${hello.python.version}): no ${missing.join(', ')}`);
    lacking ??= { python: hello.python.executable || python, missing };
  }

  if (explicit) {
    if (alias) throw new PythonError(`The configured Python: ${alias}`, tried);
    if (lacking) {
      throw new PythonError(
        `The configured Python ${explicit} has no ${lacking.missing.join(' or ')}: ${lacking.missing.map((p) => installHint(p, explicit)).join('; ')}, or point gradlab.pythonPath at an interpreter that has it.`,
        tried,
      );
    }
    throw new PythonError(
      `The configured Python ${explicit} could not be started (${tried[0]?.replace(/^[^:]*: /, '') ?? 'unknown error'}). Fix gradlab.pythonPath (or --python), or clear it to use python3 from PATH.`,
      tried,
    );
  }
  if (lacking) {
    throw new PythonError(
      `Found Python at ${lacking.python}, but it has no ${lacking.missing.join(' or ')}: ${lacking.missing.map((p) => installHint(p, lacking!.python)).join('; ')}. Or choose another interpreter with "Gradient Lab: Select Python Interpreter" (CLI: --python).`,
      tried,
    );
  }
  throw new PythonError(
    'No Python interpreter was found (tried ' +
      order.join(', ') +
      '). Install Python 3.9 or newer with NumPy, then set gradlab.pythonPath (CLI: --python) if it is not on PATH.' +
      (alias ? ` ${alias}` : ''),
    tried,
  );
}
