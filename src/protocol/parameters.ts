// A training script's parameters, declared in the pack (ExerciseFile.parameters): what a learner may change before a
// run and how each value reaches the script. The rule for a value is here too, once, because both sides of the
// webview boundary apply it: the experiment bar marks a bad value as it is typed, and the host refuses it before
// the script starts (src/core/packs/parameters.ts builds the command line).

/** A value a parameter takes: a choice's string, a number, or a boolean's on/off. */
export type ParameterValue = string | number | boolean;

export type ParameterKind = ScriptParameter['kind'];

interface ParameterBase {
  /** the identifier runs are compared by, e.g. "lr"; a run's config key of the same name shows the value it used */
  name: string;
  /** words on the control, e.g. "Learning rate" */
  label: string;
  /** the command-line option, e.g. "--lr"; absent: a positional argument, in declaration order */
  flag?: string;
  /** the run-config key the script records the value under, when it is not `name` */
  configKey?: string;
}

export interface ChoiceParameter extends ParameterBase {
  kind: 'choice';
  choices: string[];
  default: string;
}

export interface NumberParameter extends ParameterBase {
  kind: 'number';
  min: number;
  max: number;
  /** the control's step (in the value, or in log10 of it on a log scale) */
  step?: number;
  /** a log scale moves by factors (learning rates); default linear */
  scale?: 'linear' | 'log';
  default: number;
}

export interface IntegerParameter extends ParameterBase {
  kind: 'integer';
  min: number;
  max: number;
  default: number;
}

/** On: the flag alone is passed (argparse's store_true); off: nothing. */
export interface BooleanParameter extends ParameterBase {
  kind: 'boolean';
  flag: string;
  default: boolean;
}

export type ScriptParameter = ChoiceParameter | NumberParameter | IntegerParameter | BooleanParameter;

/** Why `value` cannot be given to the parameter, in words that say what would be accepted; undefined when it can. */
export function valueProblem(parameter: ScriptParameter, value: unknown): string | undefined {
  const what = `${parameter.label} (${parameter.name})`;
  switch (parameter.kind) {
    case 'choice':
      return typeof value === 'string' && parameter.choices.includes(value) ? undefined : `${what} must be one of ${parameter.choices.join(', ')}, not ${shownValue(value)}`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${what} is on or off (true or false), not ${shownValue(value)}`;
    case 'integer':
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${what} must be a number from ${parameter.min} to ${parameter.max}, not ${shownValue(value)}`;
      if (parameter.kind === 'integer' && !Number.isInteger(value)) return `${what} must be a whole number, not ${value}`;
      if (value < parameter.min || value > parameter.max) return `${what} must be from ${parameter.min} to ${parameter.max}; ${value} is outside`;
      return undefined;
    }
  }
}

/** A value as a message shows it: strings quoted, the rest as JSON. */
export function shownValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value) ?? String(value);
}
