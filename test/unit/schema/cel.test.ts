// Every x-kubernetes-validations rule in the CRDs we embed, with behaviour cases. A rule that appears in a
// regenerated schema.json but is not listed here fails the inventory test, so the CEL subset can never
// silently fall behind the CRDs.
import { describe, expect, test } from '@jest/globals';
import { CelError, compileCel, listCelRules, validateObject } from '../../../src/schema/index.js';
import v20 from '../../../src/convert/targets/trainer-v2.0/schema.json' with { type: 'json' };
import v21 from '../../../src/convert/targets/trainer-v2.1/schema.json' with { type: 'json' };
import v22 from '../../../src/convert/targets/trainer-v2.2/schema.json' with { type: 'json' };
import v23 from '../../../src/convert/targets/trainer-v2.3/schema.json' with { type: 'json' };
import pytorch from '../../../src/convert/kinds/pytorchjob/schema.json' with { type: 'json' };

const SCHEMAS: [string, object][] = [v20, v21, v22, v23].flatMap((s, i) => [
  [`trainer-v2.${i} trainjob`, s.trainjob],
  [`trainer-v2.${i} trainingruntime`, s.trainingruntime],
  [`trainer-v2.${i} clustertrainingruntime`, s.clustertrainingruntime],
] as [string, object][]).concat([['pytorchjob-v1', pytorch.pytorchjob]]);

type Case = [self: unknown, expected: boolean | 'error', oldSelf?: unknown];

/** Rule → behaviour cases (self, expected result, oldSelf). "error" means the apiserver reports an evaluation error. */
const RULES: Record<string, Case[]> = {
  '!(has(self.numNodes) && (has(self.torch) && has(self.torch.elasticPolicy)))': [
    [{ numNodes: 2, torch: {} }, true],
    [{ numNodes: 2, torch: { elasticPolicy: {} } }, false],
    [{ torch: { elasticPolicy: {} } }, true],
  ],
  '!(has(self.torch) && has(self.mpi))': [
    [{ torch: {} }, true],
    [{ torch: {}, mpi: {} }, false],
  ],
  "self > 0 || self in ['auto', 'cpu', 'gpu']": [
    [4, true], ['auto', true], [0, false],
    // A string outside the list: `'x' > 0` has no overload and `in` is false, so cel-go reports the error.
    ['x', 'error'],
  ],
  "!(has(self.startupPolicy) && self.startupPolicy.startupPolicyOrder == 'InOrder' && self.replicatedJobs.exists(x, has(x.dependsOn)))": [
    [{ replicatedJobs: [{ name: 'a' }] }, true],
    [{ startupPolicy: { startupPolicyOrder: 'AnyOrder' }, replicatedJobs: [{ dependsOn: [] }] }, true],
    [{ startupPolicy: { startupPolicyOrder: 'InOrder' }, replicatedJobs: [{ name: 'a' }, { dependsOn: [] }] }, false],
  ],
  'self == oldSelf': [
    [{ a: [1, 2] }, true, { a: [1, 2] }],
    [{ a: [1, 2] }, false, { a: [2, 1] }],
    ['x', false, 'y'],
  ],
  "self in ['trainer.kubeflow.org/trainjob-controller', 'kueue.x-k8s.io/multikueue']": [
    ['kueue.x-k8s.io/multikueue', true],
    ['kueue', false],
  ],
  "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')": [
    [{ metadata: { name: 'mnist-1' } }, true],
    [{ metadata: { name: '1mnist' } }, false],
    [{ metadata: { name: 'a.b' } }, false],
    [{ metadata: {} }, 'error'],
  ],
  'size(self.metadata.name) <= 63': [
    [{ metadata: { name: 'a'.repeat(63) } }, true],
    [{ metadata: { name: 'a'.repeat(64) } }, false],
    // size() counts code points, not UTF-16 units.
    [{ metadata: { name: '😀'.repeat(63) } }, true],
  ],
  '[has(self.torch), has(self.mpi), has(self.jax), has(self.xgboost),has(self.flux)].filter(x, x).size() <= 1': [
    [{}, true], [{ jax: {} }, true], [{ torch: {}, flux: {} }, false],
  ],
  'self >= 1': [[1, true], [0, false]],
  'self.templates.all(t, !has(t.metadata.namespace) || size(t.metadata.namespace) == 0)': [
    [{ templates: [{ metadata: { name: 'x' } }, { metadata: { namespace: '' } }] }, true],
    [{ templates: [{ metadata: { namespace: 'ns' } }] }, false],
    // `t.metadata` missing is an evaluation error on the apiserver too (no such key).
    [{ templates: [{}] }, 'error'],
  ],
  'has(self.lastUpdatedTime)': [[{ lastUpdatedTime: '2026-01-01T00:00:00Z' }, true], [{}, false]],
  "!self.exists(c, c == 'node')": [[['sidecar'], true], [['sidecar', 'node'], false], [[], true]],
  "self == '' || self.matches('^[A-Za-z][A-Za-z0-9+.-]*://.+$')": [
    ['', true], ['hf://datasets/x', true], ['s3://b/k', true], ['mnist', false], ['://x', false],
  ],
};

describe('CEL rule inventory', () => {
  const found = new Map<string, string[]>();
  for (const [name, schema] of SCHEMAS) {
    for (const r of listCelRules(schema)) {
      found.set(r.rule, [...(found.get(r.rule) ?? []), `${name} ${r.path}`]);
      if (!r.supported) throw new Error(`unsupported CEL rule in ${name} at ${r.path}: ${r.rule}: ${r.error}`);
    }
  }

  test('every rule in the embedded CRDs is known here (add cases for a new one)', () => {
    expect([...found.keys()].sort()).toEqual(Object.keys(RULES).sort());
  });

  test('every rule compiles in the supported subset', () => {
    for (const rule of found.keys()) expect(() => compileCel(rule)).not.toThrow();
  });

  test('only the immutability rules are transition rules', () => {
    const transition = [...found.keys()].filter((r) => compileCel(r).transition);
    expect(transition).toEqual(['self == oldSelf']);
  });

  for (const [rule, cases] of Object.entries(RULES)) {
    for (const [self, expected, oldSelf] of cases) {
      test(`${rule} with self=${JSON.stringify(self).slice(0, 60)} → ${expected}`, () => {
        const got = compileCel(rule).evaluate(self, oldSelf);
        if (expected === 'error') expect(got).toBeInstanceOf(CelError);
        else expect(got).toBe(expected);
      });
    }
  }
});

describe('CEL interpreter', () => {
  test('&& and || absorb errors when the other side decides (cel-spec commutativity)', () => {
    expect(compileCel('self.missing || true').evaluate({})).toBe(true);
    expect(compileCel('false && self.missing').evaluate({})).toBe(false);
    expect(compileCel('self.missing && false').evaluate({})).toBe(false);
    expect(compileCel('self.missing || false').evaluate({})).toBeInstanceOf(CelError);
  });

  test('supports the usual operators and macros beyond the inventory', () => {
    const ev = (src: string, self?: unknown): unknown => compileCel(src).evaluate(self);
    expect(ev("self.map(x, x * 2) == [2, 4] && self.exists_one(x, x == 1)", [1, 2])).toBe(true);
    expect(ev("'ab'.startsWith('a') && 'ab'.endsWith('b') && 'abc'.contains('b') && size(self) == 2", { a: 1, b: 2 })).toBe(true);
    expect(ev("self.a > 1 ? 'big' : 'small'", { a: 2 })).toBe('big');
    expect(ev("r'\\d' == '\\\\d' && 7 / 2 == 3 && 7 % 2 == 1 && -1 < 0 && {'a': 1}['a'] == 1")).toBe(true);
  });

  test.each([
    ['self.lowerAscii() == "x"', "unsupported function 'lowerAscii'"],
    ['isURL(self)', "unsupported function 'isURL'"],
    ['other == 1', "unknown identifier 'other'"],
    ["'''x'''", 'triple-quoted strings are not supported'],
    ['self ==', 'unexpected token'],
  ])('rejects %s at compile time', (src, message) => {
    expect(() => compileCel(src)).toThrow(message);
  });

  test('an unsupported rule is a cel-unsupported violation at run time, never a pass', () => {
    const schema = { type: 'object', properties: { a: { type: 'string', 'x-kubernetes-validations': [{ rule: 'self.lowerAscii() == self', message: 'lower' }] } } };
    expect(validateObject({ a: 'X' }, schema, {})).toEqual(expect.arrayContaining([{
      path: 'a',
      message: "CEL rule \"self.lowerAscii() == self\" cannot be evaluated offline: unsupported function 'lowerAscii'",
      rule: 'cel-unsupported',
    }]));
  });
});
