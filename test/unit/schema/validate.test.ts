// Keyword-level semantics of the validator on tiny schemas, including keywords our CRDs do not use today
// (oneOf/allOf/not, nullable, embedded resources, preserve-unknown-fields) so a future CRD cannot surprise it.
import { describe, expect, test } from '@jest/globals';
import { applyDefaults, compileSchema, validateObject, type SchemaViolation } from '../../../src/schema/index.js';

const brief = (vs: SchemaViolation[]): string[] => vs.map((x) => `${x.rule} ${x.path}: ${x.message}`);
/** Validates a value under `spec` of a minimal root object, skipping the ObjectMeta checks' noise. */
const check = (spec: object, value: unknown): string[] =>
  brief(validateObject({ metadata: { name: 'x' }, spec: value }, { type: 'object', properties: { metadata: { type: 'object' }, spec } }));

describe('structural keywords', () => {
  test('types, including number accepting integers and integer rejecting floats', () => {
    expect(check({ type: 'number' }, 3)).toEqual([]);
    expect(check({ type: 'integer' }, 3.5)).toEqual(['type spec: must be of type integer, got number']);
    expect(check({ type: 'array' }, {})).toEqual(['type spec: must be of type array, got object']);
    expect(check({ type: 'boolean' }, 'true')).toEqual(['type spec: must be of type boolean, got string']);
  });

  test('int-or-string with a quantity pattern only applies the pattern to strings', () => {
    const q = { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }], pattern: '^[0-9]+(Gi|Mi)?$' };
    expect(check(q, 5)).toEqual([]);
    expect(check(q, '5Gi')).toEqual([]);
    expect(check(q, '5 GB')).toEqual(["pattern spec: should match '^[0-9]+(Gi|Mi)?$'"]);
    expect(check(q, true)).toEqual(['type spec: must be an integer or a string, got boolean']);
  });

  test('nullable, required, additionalProperties and preserve-unknown-fields', () => {
    const s = { type: 'object', required: ['a'], properties: { a: { type: 'string' }, b: { type: 'string', nullable: true } } };
    expect(check(s, { a: null, b: null })).toEqual(['nullable spec.a: must not be null (field is not nullable; the apiserver would drop it)']);
    expect(check(s, { c: 1 })).toEqual(['required spec.a: Required value', 'unknown-field spec.c: unknown field "c" (the apiserver would prune it)']);
    expect(check({ type: 'object', additionalProperties: { type: 'integer' } }, { x: 1, y: 'z' })).toEqual(['type spec[y]: must be of type integer, got string']);
    expect(check({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } }, { a: 1, anything: {} }))
      .toEqual(['type spec.a: must be of type string, got integer']);
  });

  test('enum, numeric bounds, int32/int64 formats and date-time', () => {
    expect(check({ type: 'string', enum: ['A', 'B'] }, 'C')).toEqual(['enum spec: Unsupported value: "C": supported values: "A", "B"']);
    expect(check({ type: 'integer', minimum: 1, maximum: 3, exclusiveMaximum: true }, 3)).toEqual(['maximum spec: should be less than 3']);
    expect(check({ type: 'integer', minimum: 1, exclusiveMinimum: true }, 1)).toEqual(['minimum spec: should be greater than 1']);
    expect(check({ type: 'integer', format: 'int32' }, -(2 ** 31) - 1)).toEqual(['format spec: must be of format int32 (out of range)']);
    expect(check({ type: 'integer', format: 'int64' }, 2 ** 40)).toEqual([]);
    expect(check({ type: 'string', format: 'date-time' }, '2026-01-02T03:04:05.5+01:00')).toEqual([]);
    expect(check({ type: 'string', format: 'date-time' }, '2026-13-02')).toEqual(['format spec: must be of format date-time']);
  });

  test('string lengths count Unicode code points', () => {
    expect(check({ type: 'string', maxLength: 2 }, '😀😀')).toEqual([]);
    expect(check({ type: 'string', maxLength: 2 }, '😀😀😀')).toEqual(['maxLength spec: Too long: may not be more than 2 characters']);
    expect(check({ type: 'string', minLength: 1 }, '')).toEqual(['minLength spec: should be at least 1 chars long']);
  });

  test('min/maxItems, uniqueItems, min/maxProperties', () => {
    expect(check({ type: 'array', minItems: 1, items: { type: 'string' } }, [])).toEqual(['minItems spec: should have at least 1 items']);
    expect(check({ type: 'array', uniqueItems: true }, [1, 1])).toEqual(['uniqueItems spec[1]: Duplicate value: 1']);
    expect(check({ type: 'object', minProperties: 1 }, {})).toEqual(['minProperties spec: should have at least 1 properties']);
    expect(check({ type: 'object', maxProperties: 1, additionalProperties: true }, { a: 1, b: 2 })).toEqual(['maxProperties spec: should have at most 1 properties']);
  });

  test('list-type map uses defaulted keys (ports keyed by containerPort+protocol); set rejects duplicates', () => {
    const ports = {
      type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol'],
      items: { type: 'object', required: ['containerPort'], properties: { containerPort: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } },
    };
    expect(check(ports, [{ containerPort: 80 }, { containerPort: 80, protocol: 'UDP' }])).toEqual([]);
    expect(check(ports, [{ containerPort: 80 }, { containerPort: 80, protocol: 'TCP' }]))
      .toEqual(['list-type spec[1]: Duplicate value: {"containerPort":80,"protocol":"TCP"}']);
    expect(check({ type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } }, ['a', 'b', 'a']))
      .toEqual(['list-type spec[2]: Duplicate value: "a"']);
  });

  test('anyOf, oneOf, allOf and not as value validations', () => {
    const base = { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } } };
    const oneOf = { ...base, oneOf: [{ required: ['a'] }, { required: ['b'] }] };
    expect(check(oneOf, { a: 'x' })).toEqual([]);
    expect(check(oneOf, { a: 'x', b: 'y' })).toEqual(['oneOf spec: must validate one and only one schema (oneOf), matched 2']);
    expect(check({ ...base, anyOf: [{ required: ['a'] }, { required: ['b'] }] }, {})).toEqual(['anyOf spec: must validate at least one schema (anyOf)']);
    expect(check({ ...base, allOf: [{ required: ['a'] }] }, {})).toEqual(['required spec.a: Required value']);
    expect(check({ ...base, not: { required: ['a'] } }, { a: 'x' })).toEqual(['not spec: must not validate the schema (not)']);
  });

  test('x-kubernetes-embedded-resource requires apiVersion/kind and validates its ObjectMeta', () => {
    const s = { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object' } } };
    expect(check(s, { metadata: { name: 'Bad' }, spec: {} })).toEqual([
      'required spec.apiVersion: Required value: must not be empty',
      'required spec.kind: Required value: must not be empty',
      'metadata spec.metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (got "Bad")',
    ]);
    expect(check(s, { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'p-' } })).toEqual([]);
  });

  test('unknown keywords make compilation fail instead of being ignored', () => {
    expect(() => compileSchema({ type: 'object', properties: { a: { type: 'string', const: 'x' } } })).toThrow('keyword "const" is not supported');
  });

  test('compilation is cached per schema object', () => {
    const s = { type: 'object' };
    expect(compileSchema(s)).toBe(compileSchema(s));
  });
});

describe('root ObjectMeta', () => {
  const root = { type: 'object', properties: { metadata: { type: 'object' }, apiVersion: { type: 'string' }, kind: { type: 'string' } } };

  test('needs a name or generateName, and reports unknown ObjectMeta fields and gvk mismatches', () => {
    expect(brief(validateObject({ apiVersion: 'v1', kind: 'X', metadata: { labelz: {} } }, root, { apiVersion: 'v2', kind: 'X' }))).toEqual([
      'gvk apiVersion: must be "v2", got "v1"',
      'unknown-field metadata.labelz: unknown field "labelz" in ObjectMeta',
      'required metadata.name: name or generateName is required',
    ]);
  });

  test('namespace is checked for namespaced objects only (the apiserver clears it on cluster-scoped ones)', () => {
    const obj = { metadata: { name: 'a', namespace: 'Team_A' } };
    expect(brief(validateObject(obj, root))).toEqual([
      "metadata metadata.namespace: a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
    ]);
    expect(validateObject(obj, root, { scope: 'Cluster' })).toEqual([]);
  });

  test('annotation keys may use upper case, label keys may not exceed 63 in the name part', () => {
    expect(validateObject({ metadata: { name: 'a', annotations: { 'Example.COM/Note': 'x' } } }, root)).toEqual([]);
    expect(brief(validateObject({ metadata: { name: 'a', labels: { ['k'.repeat(64)]: 'v' } } }, root)))
      .toEqual([`metadata metadata.labels[${'k'.repeat(64)}]: invalid key "${'k'.repeat(64)}": name part must be no more than 63 characters`]);
  });
});

describe('applyDefaults', () => {
  const s = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          mode: { type: 'string', default: 'a' },
          nested: { type: 'object', default: {}, properties: { level: { type: 'integer', default: 3 } } },
          absentParent: { type: 'object', properties: { x: { type: 'integer', default: 1 } } },
          items: { type: 'array', items: { type: 'object', properties: { p: { type: 'string', default: 'TCP' } } } },
          nulled: { type: 'string', default: 'd' },
        },
      },
    },
  };

  test('fills missing and null fields, defaults the defaults, never creates parents, and copies', () => {
    const input = { spec: { items: [{}, { p: 'UDP' }], nulled: null } };
    const out = applyDefaults(input, s);
    expect(out).toEqual({ spec: { mode: 'a', nested: { level: 3 }, items: [{ p: 'TCP' }, { p: 'UDP' }], nulled: 'd' } });
    expect(input).toEqual({ spec: { items: [{}, { p: 'UDP' }], nulled: null } });
  });
});
