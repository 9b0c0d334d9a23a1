// The manifest's JSON Schema (schemas/pack.schema.json, also contributed to VS Code for authors), compiled
// once, with its errors rewritten as an author reads them: the field, what was found, what was expected.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import schema from '../../../schemas/pack.schema.json';

export interface SchemaProblem {
  /** path segments of the field the problem is about */
  segments: Array<string | number>;
  message: string;
}

/** The schema's published id: what a manifest's `$schema` says, so that it resolves wherever the pack is moved. */
export const PACK_SCHEMA_ID: string = schema.$id;

let compiled: ValidateFunction | undefined;

function validator(): ValidateFunction {
  if (!compiled) {
    // VS Code's own schema keywords are annotations here; declaring them keeps strict mode on for typos.
    // (strictRequired is off: a kind's `then` requires fields declared once on the check object.)
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false });
    ajv.addVocabulary(['enumDescriptions', 'patternErrorMessage']);
    compiled = ajv.compile(schema);
  }
  return compiled;
}

/** Every way `data` breaks the schema, in document order, or [] when it fits. */
export function schemaProblems(data: unknown): SchemaProblem[] {
  const validate = validator();
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  // A field unknown to every check kind is reported once, as unknown, not also as foreign to this kind.
  const unknown = new Set(errors.filter((e) => e.keyword === 'additionalProperties').map((e) => `${e.instancePath}/${String(e.params.additionalProperty)}`));
  const problems: SchemaProblem[] = [];
  const seen = new Set<string>();
  for (const error of errors) {
    if (error.propertyName !== undefined && unknown.has(`${error.instancePath}/${error.propertyName}`)) continue;
    const problem = describe(error, data);
    if (!problem) continue;
    const key = `${problem.segments.join('/')}\0${problem.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push(problem);
  }
  return problems;
}

function segmentsOf(instancePath: string): Array<string | number> {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function shown(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`;
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${shown(value)}`;
}

const TYPE_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  integer: 'a whole number',
  boolean: 'true or false',
};

/** Closest allowed names within two edits: the usual typo. */
function didYouMean(name: string, allowed: string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of allowed) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (distance <= 2 && (!best || distance < best.distance)) best = { name: candidate, distance };
  }
  return best?.name;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}

interface SchemaNode {
  title?: string;
  properties?: Record<string, unknown>;
  patternErrorMessage?: string;
}

/** The value at `segments` inside `root`. */
function valueAt(root: unknown, segments: Array<string | number>): unknown {
  return segments.reduce<unknown>((value, s) => (typeof value === 'object' && value !== null ? (value as Record<string | number, unknown>)[s] : undefined), root);
}

function describe(error: ErrorObject, root: unknown): SchemaProblem | undefined {
  const segments = segmentsOf(error.instancePath);
  const parent = (error.parentSchema ?? {}) as SchemaNode;
  const params = error.params as Record<string, unknown>;
  const data = error.data as unknown;
  const kind = (valueAt(root, segments) as { kind?: unknown } | undefined)?.kind;
  switch (error.keyword) {
    case 'if':
    case 'propertyNames':
      return undefined; // restated by the error underneath
    case 'required': {
      const field = String(params.missingProperty);
      const forKind = error.schemaPath.includes('/then/') && typeof kind === 'string' ? ` (a ${kind} check needs it)` : '';
      return { segments, message: `missing required field '${field}'${forKind}` };
    }
    case 'additionalProperties': {
      const field = String(params.additionalProperty);
      const allowed = Object.keys(parent.properties ?? {});
      const guess = didYouMean(field, allowed);
      const hint = guess ? `did you mean '${guess}'?` : allowed.length <= 12 ? `expected one of ${allowed.join(', ')}` : 'see the schema for the fields allowed here';
      return { segments: [...segments, field], message: `unknown field '${field}' (${hint})` };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      if (error.propertyName !== undefined) {
        return {
          segments: [...segments, error.propertyName],
          message: `field '${error.propertyName}' does not belong to a ${String(kind)} check (its fields: ${allowed.join(', ')})`,
        };
      }
      const noun = parent.title ?? 'value';
      const guess = typeof data === 'string' ? didYouMean(data, allowed) : undefined;
      return { segments, message: `unknown ${noun} ${shown(data)} (expected one of ${allowed.join(', ')}${guess ? `; did you mean '${guess}'?` : ''})` };
    }
    case 'type': {
      const expected = String(params.type)
        .split(',')
        .map((t) => TYPE_WORDS[t] ?? t)
        .join(' or ');
      return { segments, message: `expected ${expected}, found ${typeName(data)}` };
    }
    case 'pattern':
      return { segments, message: `expected ${parent.patternErrorMessage ?? `text matching ${String(params.pattern)}`}, found ${shown(data)}` };
    case 'minLength':
      return { segments, message: 'must not be empty' };
    case 'minItems':
      return { segments, message: `needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}` };
    case 'minProperties':
      return { segments, message: `needs at least ${String(params.limit)} entr${params.limit === 1 ? 'y' : 'ies'}` };
    case 'uniqueItems': {
      const list = data as unknown[];
      return { segments, message: `${shown(list[Number(params.i)])} is listed twice (items ${String(params.j)} and ${String(params.i)})` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { segments, message: `${error.message ?? 'out of range'}, found ${shown(data)}` };
    default:
      return { segments, message: error.message ?? `does not fit the schema (${error.keyword})` };
  }
}
