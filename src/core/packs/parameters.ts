// A training script's declared parameters (ExerciseFile.parameters): whether a declaration makes sense, whether a
// value is one the script may be given, the command line that carries chosen values, and what a finished run's
// config says about a parameter the script did not use. The extension, the CLI and validate share these rules.
import type { ExerciseFile, ExerciseSpec } from '../../protocol/pack';
import { shownValue, valueProblem, type ParameterValue, type ScriptParameter } from '../../protocol/parameters';
import type { ScriptArgSpec } from '../python/argspec';

export type ParameterValues = Record<string, ParameterValue>;

/** A set of values the script must not be started with: every problem, each naming its parameter. */
export class ParameterError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ParameterError';
  }
}

/** The script files of an exercise that declare parameters. */
export function parameterisedScripts(exercise: ExerciseSpec): ExerciseFile[] {
  return exercise.files.filter((f) => f.role === 'script' && (f.parameters?.length ?? 0) > 0);
}

export function defaultValues(parameters: ScriptParameter[]): ParameterValues {
  return Object.fromEntries(parameters.map((p) => [p.name, p.default]));
}

/**
 * The command-line arguments for `values` (defaults fill what is not given): positionals in declaration order first,
 * then each flag with its value; a boolean's flag alone when on. Throws ParameterError listing every bad value and
 * every name the script does not declare.
 */
export function parameterArgs(parameters: ScriptParameter[], values: ParameterValues): string[] {
  const problems: string[] = [];
  const known = new Set(parameters.map((p) => p.name));
  for (const name of Object.keys(values)) if (!known.has(name)) problems.push(`'${name}' is not a parameter of this script (it has ${[...known].join(', ')})`);
  const chosen = { ...defaultValues(parameters), ...values };
  for (const p of parameters) {
    const problem = valueProblem(p, chosen[p.name]);
    if (problem) problems.push(problem);
  }
  if (problems.length) throw new ParameterError(problems);
  const positionals = parameters.filter((p) => !p.flag).map((p) => String(chosen[p.name]));
  const flags = parameters.filter((p) => p.flag).flatMap((p) => (p.kind === 'boolean' ? (chosen[p.name] ? [p.flag!] : []) : [p.flag!, String(chosen[p.name])]));
  return [...positionals, ...flags];
}

/** The run-config key that records a parameter's value. */
export function configKey(parameter: ScriptParameter): string {
  return parameter.configKey ?? parameter.name;
}

/**
 * Parameters whose value the run's config contradicts (the script ignored what it was given) or does not record at
 * all, as sentences for the learner; [] when the config agrees with every value.
 */
export function ignoredParameters(parameters: ScriptParameter[], values: ParameterValues, config: Record<string, unknown> | undefined): string[] {
  const chosen = { ...defaultValues(parameters), ...values };
  const notes: string[] = [];
  for (const p of parameters) {
    const key = configKey(p);
    const recorded = config?.[key];
    if (recorded === undefined) notes.push(`the run's config does not record ${p.label} (${key}), so nothing shows the script used ${shownValue(chosen[p.name])}`);
    else if (!sameValue(recorded, chosen[p.name])) notes.push(`${p.label} was set to ${shownValue(chosen[p.name])}, but the run's config says ${key}=${shownValue(recorded)}: the script ignored the value it was given`);
  }
  return notes;
}

function sameValue(recorded: unknown, chosen: ParameterValue): boolean {
  if (typeof chosen === 'number' && typeof recorded === 'number') return Math.abs(recorded - chosen) <= 1e-12 * Math.max(1, Math.abs(chosen));
  return recorded === chosen;
}

/** The problems of one declaration a schema cannot see: bounds that contradict, a default outside them. */
export function declarationProblems(parameter: ScriptParameter): Array<{ field: string; message: string }> {
  const problems: Array<{ field: string; message: string }> = [];
  if (parameter.kind === 'choice') {
    const seen = new Set<string>();
    for (const choice of parameter.choices) {
      if (seen.has(choice)) problems.push({ field: 'choices', message: `'${choice}' is listed twice` });
      seen.add(choice);
    }
  }
  if (parameter.kind === 'number' || parameter.kind === 'integer') {
    if (parameter.min >= parameter.max) problems.push({ field: 'max', message: `max ${parameter.max} must be above min ${parameter.min}` });
    if (parameter.kind === 'number' && parameter.scale === 'log' && parameter.min <= 0) problems.push({ field: 'min', message: `a log scale needs min above 0, not ${parameter.min}` });
    if (parameter.kind === 'integer' && (!Number.isInteger(parameter.min) || !Number.isInteger(parameter.max))) problems.push({ field: 'min', message: 'an integer parameter needs whole-number min and max' });
  }
  const problem = valueProblem(parameter, parameter.default);
  if (problem) problems.push({ field: 'default', message: `the default: ${problem}` });
  return problems;
}


/**
 * How the declarations disagree with the script's own parser: a flag it rejects, a positional it lacks, a choice it
 * refuses, a number it reads as a whole number, a default that is not the script's, a boolean that takes a value.
 */
export function argparseProblems(script: string, parameters: ScriptParameter[], spec: ScriptArgSpec): string[] {
  if (!spec.parsed) return parameters.length ? [`${script} never parses a command line (argparse), so none of its declared parameters can reach it`] : [];
  const problems: string[] = [];
  const flags = spec.arguments.flatMap((a) => a.flags);
  const positionals = spec.arguments.filter((a) => a.flags.length === 0);
  let position = 0;
  for (const p of parameters) {
    const argument = p.flag ? spec.arguments.find((a) => a.flags.includes(p.flag!)) : positionals[position++];
    const where = p.flag ?? `positional argument ${position}`;
    if (!argument) {
      problems.push(p.flag
        ? `${script}: parameter '${p.name}' is passed as ${p.flag}, which the script's argparse rejects (it accepts ${flags.join(', ') || 'no options'})`
        : `${script}: parameter '${p.name}' is ${where}, but the script takes ${positionals.length} positional argument${positionals.length === 1 ? '' : 's'}`);
      continue;
    }
    if (p.kind === 'boolean') {
      if (argument.takesValue) problems.push(`${script}: ${where} takes a value, but '${p.name}' is a boolean (the flag alone); declare it as store_true or change its kind`);
      else if (Boolean(argument.default) !== p.default) problems.push(`${script}: '${p.name}' defaults to ${p.default}, but without ${where} the script's value is ${Boolean(argument.default)}`);
      continue;
    }
    if (!argument.takesValue) {
      problems.push(`${script}: ${where} takes no value, but '${p.name}' is a ${p.kind} parameter`);
      continue;
    }
    if (p.kind === 'choice' && argument.choices) {
      const refused = p.choices.filter((c) => !argument.choices!.includes(c));
      if (refused.length) problems.push(`${script}: '${p.name}' offers ${refused.join(', ')}, which ${where} refuses (its choices: ${argument.choices.join(', ')})`);
    }
    if (p.kind === 'number' && argument.type === 'int') problems.push(`${script}: ${where} reads a whole number, but '${p.name}' is a number with fractions; declare it as an integer or read it with type=float`);
    if (argument.default !== null && !sameValue(argument.default, p.default)) {
      problems.push(`${script}: '${p.name}' declares the default ${shownValue(p.default)}, but the script's own default for ${where} is ${shownValue(argument.default)}`);
    }
  }
  return problems;
}
