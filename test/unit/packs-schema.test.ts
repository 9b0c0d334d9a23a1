import * as assert from 'node:assert/strict';
import schema from '../../schemas/pack.schema.json';
import type { BooleanParameter, ChoiceParameter, IntegerParameter, NumberParameter, ParameterKind } from '../../src/protocol/parameters';
import type {
  DeclaredMutant,
  LatePolicySpec,
  CheckBase,
  CheckKind,
  EquivalentMutant,
  KinkSpec,
  OptimizerRule,
  ExerciseFile,
  ExerciseLimits,
  HintPolicy,
  Tolerance,
  ExerciseSpec,
  GradcheckSpec,
  LessonSpec,
  MasteryQuestion,
  MasterySpec,
  PackManifest,
  RunCondition,
  RunSpec,
  TestSpec,
  TrainingLoopSpec,
  ValueGraphSpec,
} from '../../src/protocol/pack';
import { schemaProblems } from '../../src/core/packs/schema';

// `Fields<T>` must name every key of T and nothing else, so these tables fail to compile when
// src/protocol/pack.ts changes; the tests then hold the schema to the same lists.
type Fields<T> = Record<keyof T, true>;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type Required<T> = Record<RequiredKeys<T>, true>;

interface Definition {
  properties: Record<string, { description?: string; $ref?: string }>;
  required?: string[];
}
const definitions = schema.definitions as unknown as Record<string, Definition>;

function keys(table: object): string[] {
  return Object.keys(table).sort();
}

const base: Fields<CheckBase> = { id: true, title: true, points: true, hidden: true, function: true, file: true, hints: true, tolerance: true, onKink: true };
const kinds: Record<CheckKind, { fields: object; required: object }> = {
  gradcheck: {
    fields: { inputs: true, learnerInputs: true, loss: true, gradient: true, wrt: true, labels: true, trials: true, mode: true, directions: true, relu: true, kind: true } satisfies Fields<Omit<GradcheckSpec, keyof CheckBase>>,
    required: { inputs: true, loss: true, gradient: true, wrt: true, kind: true, id: true, title: true } satisfies Required<GradcheckSpec>,
  },
  'value-graph': {
    fields: { class: true, ops: true, focus: true, graphs: true, seed: true, kind: true } satisfies Fields<Omit<ValueGraphSpec, keyof CheckBase>>,
    required: { ops: true, kind: true, id: true, title: true } satisfies Required<ValueGraphSpec>,
  },
  'training-loop': {
    fields: { setup: true, run: true, parameters: true, optimizer: true, rule: true, kind: true } satisfies Fields<Omit<TrainingLoopSpec, keyof CheckBase>>,
    required: { setup: true, run: true, parameters: true, optimizer: true, kind: true, id: true, title: true } satisfies Required<TrainingLoopSpec>,
  },
  test: {
    fields: { kind: true } satisfies Fields<Omit<TestSpec, keyof CheckBase>>,
    required: { kind: true, id: true, title: true } satisfies Required<TestSpec>,
  },
  run: {
    fields: { script: true, args: true, call: true, data: true, metrics: true, conditions: true, kind: true } satisfies Fields<Omit<RunSpec, keyof CheckBase>>,
    required: { script: true, call: true, metrics: true, conditions: true, kind: true, id: true, title: true } satisfies Required<RunSpec>,
  },
};

describe('the manifest schema and src/protocol/pack.ts', () => {
  const objects: Array<[string, Definition, object, object]> = [
    ['(top level)', schema as unknown as Definition, { $schema: true, formatVersion: true, id: true, title: true, version: true, description: true, form: true, late: true, lessons: true, exercises: true } satisfies Fields<PackManifest>, { formatVersion: true, id: true, title: true, version: true, form: true, lessons: true, exercises: true } satisfies Required<PackManifest>],
    ['late', (schema as unknown as { properties: { late: Definition } }).properties.late, { due: true, penaltyPerDay: true, cap: true, graceMinutes: true } satisfies Fields<LatePolicySpec>, { due: true } satisfies Required<LatePolicySpec>],
    [
      'exercise.mutants.declared[]',
      (definitions.exercise.properties.mutants as unknown as { properties: { declared: { items: Definition } } }).properties.declared.items,
      { id: true, file: true, replace: true, with: true, description: true } satisfies Fields<DeclaredMutant>,
      { id: true, replace: true, with: true } satisfies Required<DeclaredMutant>,
    ],
    ['lesson', definitions.lesson, { id: true, title: true, mastery: true } satisfies Fields<LessonSpec>, { id: true, title: true } satisfies Required<LessonSpec>],
    ['mastery', definitions.mastery, { passMark: true, questions: true } satisfies Fields<MasterySpec>, { passMark: true, questions: true } satisfies Required<MasterySpec>],
    ['question', definitions.question, { id: true, prompt: true, choices: true, answer: true, explanation: true } satisfies Fields<MasteryQuestion>, { id: true, prompt: true, choices: true, answer: true } satisfies Required<MasteryQuestion>],
    ['file', definitions.file, { path: true, role: true, functions: true, parameters: true } satisfies Fields<ExerciseFile>, { path: true, role: true } satisfies Required<ExerciseFile>],
    ['tolerance', definitions.tolerance, { rtol: true, atol: true } satisfies Fields<Tolerance>, {}],
    ['exercise.limits', definitions.exercise.properties.limits as unknown as Definition, { timeoutS: true, memoryMb: true } satisfies Fields<ExerciseLimits>, {}],
    ['exercise.hintPolicy', definitions.exercise.properties.hintPolicy as unknown as Definition, { attemptsPerHint: true } satisfies Fields<HintPolicy>, { attemptsPerHint: true } satisfies Required<HintPolicy>],
    [
      'exercise.mutants.equivalent[]',
      (definitions.exercise.properties.mutants as unknown as { properties: { equivalent: { items: Definition } } }).properties.equivalent.items,
      { id: true, why: true } satisfies Fields<EquivalentMutant>,
      { id: true, why: true } satisfies Required<EquivalentMutant>,
    ],
    ['kink', definitions.kink, { function: true, value: true, at: true, tolerance: true, why: true } satisfies Fields<KinkSpec>, { function: true, value: true, why: true } satisfies Required<KinkSpec>],
    ['optimizerRule', definitions.optimizerRule, { name: true, lr: true, betas: true, eps: true } satisfies Fields<OptimizerRule>, { name: true, lr: true } satisfies Required<OptimizerRule>],
    ['runCondition', definitions.runCondition, { metric: true, below: true, above: true, finite: true } satisfies Fields<RunCondition>, { metric: true } satisfies Required<RunCondition>],
    [
      'exercise',
      definitions.exercise,
      { id: true, title: true, lesson: true, order: true, prerequisites: true, dir: true, instructions: true, requires: true, limits: true, files: true, tests: true, hints: true, hintPolicy: true, checks: true, kinks: true, mutants: true } satisfies Fields<ExerciseSpec>,
      { id: true, title: true, lesson: true, order: true, instructions: true, files: true, checks: true } satisfies Required<ExerciseSpec>,
    ],
  ];
  for (const [name, definition, fields, required] of objects) {
    it(`${name}: same fields, same required ones`, () => {
      assert.deepEqual(keys(definition.properties), keys(fields));
      assert.deepEqual([...(definition.required ?? [])].sort(), keys(required));
    });
  }

  it('checks: each kind allows exactly its fields and requires exactly its required ones', () => {
    const check = definitions.check as Definition & { allOf: Array<{ if: { properties: { kind: { const: string } } }; then: { required?: string[]; propertyNames: { enum: string[] } } }> };
    const branches = new Map(check.allOf.map((b) => [b.if.properties.kind.const, b.then]));
    assert.deepEqual([...branches.keys()].sort(), Object.keys(kinds).sort());
    assert.deepEqual([...(check.properties.kind as unknown as { enum: string[] }).enum].sort(), Object.keys(kinds).sort(), 'the kind enum');
    const all = new Set<string>(Object.keys(base));
    for (const [kind, { fields, required }] of Object.entries(kinds)) {
      const branch = branches.get(kind)!;
      assert.deepEqual([...branch.propertyNames.enum].sort(), [...keys(base), ...keys(fields)].sort(), kind);
      assert.deepEqual([...(branch.required ?? []), ...check.required!].sort(), keys(required), kind);
      for (const f of Object.keys(fields)) all.add(f);
    }
    assert.deepEqual(keys(check.properties), [...all].sort());
  });

  it('script parameters: each kind allows exactly its fields and requires exactly its required ones', () => {
    const parameter = definitions.scriptParameter as Definition & { allOf: Array<{ if: { properties: { kind: { const: string } } }; then: { required?: string[]; propertyNames: { enum: string[] } } }> };
    const parameterKinds: Record<ParameterKind, { fields: object; required: object }> = {
      choice: { fields: { name: true, label: true, kind: true, flag: true, configKey: true, default: true, choices: true } satisfies Fields<ChoiceParameter>, required: { name: true, label: true, kind: true, default: true, choices: true } satisfies Required<ChoiceParameter> },
      number: { fields: { name: true, label: true, kind: true, flag: true, configKey: true, default: true, min: true, max: true, step: true, scale: true } satisfies Fields<NumberParameter>, required: { name: true, label: true, kind: true, default: true, min: true, max: true } satisfies Required<NumberParameter> },
      integer: { fields: { name: true, label: true, kind: true, flag: true, configKey: true, default: true, min: true, max: true } satisfies Fields<IntegerParameter>, required: { name: true, label: true, kind: true, default: true, min: true, max: true } satisfies Required<IntegerParameter> },
      boolean: { fields: { name: true, label: true, kind: true, flag: true, configKey: true, default: true } satisfies Fields<BooleanParameter>, required: { name: true, label: true, kind: true, default: true, flag: true } satisfies Required<BooleanParameter> },
    };
    const branches = new Map(parameter.allOf.map((b) => [b.if.properties.kind.const, b.then]));
    assert.deepEqual([...branches.keys()].sort(), Object.keys(parameterKinds).sort());
    const all = new Set<string>();
    for (const [kind, { fields, required }] of Object.entries(parameterKinds)) {
      const branch = branches.get(kind)!;
      assert.deepEqual([...branch.propertyNames.enum].sort(), keys(fields), kind);
      assert.deepEqual([...new Set([...(branch.required ?? []), ...parameter.required!])].sort(), keys(required), kind);
      for (const f of Object.keys(fields)) all.add(f);
    }
    assert.deepEqual(keys(parameter.properties), [...all].sort());
  });

  it('describes every field, so editors can show what it is for', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (typeof node !== 'object' || node === null) return;
      const properties = (node as Definition).properties;
      if (properties) {
        for (const [name, property] of Object.entries(properties)) {
          const target = property.$ref ? definitions[property.$ref.split('/').pop()!] : undefined;
          if (!property.description && !(target as { description?: string } | undefined)?.description) missing.push(`${path}.${name}`);
        }
      }
      // `if` subschemas only select a check kind; they describe nothing.
      for (const [key, value] of Object.entries(node)) if (key !== 'if') walk(value, `${path}.${key}`);
    };
    walk(schema, '#');
    assert.deepEqual(missing, []);
  });

  it('accepts a complete manifest and reports nothing', () => {
    assert.deepEqual(
      schemaProblems({
        formatVersion: 1, id: 'p', title: 'P', version: '1', form: 'authoring', lessons: [{ id: 'l', title: 'L' }],
        exercises: [{ id: 'e', title: 'E', lesson: 'l', order: 1, instructions: 'README.md', files: [{ path: 'a.py', role: 'learner' }],
          checks: [{ id: 'c', title: 'C', kind: 'value-graph', ops: ['mul'] }] }],
      }),
      [],
    );
  });
});
