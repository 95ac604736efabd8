import { describe, expect, test } from '@jest/globals';
import { parse as yamlParse } from 'yaml';
import { toYaml } from '../../../src/yaml/emit.js';
import { parseDocument } from '../../../src/yaml/parse.js';

// mulberry32: a small seeded generator so failures reproduce.
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY = [
  '', ' ', '  lead', 'trail ', 'yes', 'No', 'ON', 'off', 'y', 'N', '~', 'null', 'NULL', 'true', 'False', '0', '-1', '+1', '012',
  '0x1f', '0o17', '1e3', '1.5', '.5', '.inf', '-.Inf', '.nan', '2024-01-01', '1:20', '1_000', '=', '<<', '-', '--', '---', '...',
  '- a', '-a', '--epochs', '? a', ':a', 'a: b', 'a:', 'a #b', 'a#b', '#c', '&a', '*a', '!t', '|', '>', "'", '"', '%x', '@x', '`x',
  '[a]', '{a}', 'a, b', 'a,b', 'a\nb', 'a\n', 'a\n\n', '\n', '\n\na', ' a\nb', 'a \nb', 'a\tb', '\t', 'a\rb', '\0', '\u0085',
  '\u2028', '\ufeff', 'é', '世界', '😀', '\ud800', 'x\udc00y', 'a\u00a0', '"quoted"', "it's", 'back\\slash', 'line1\nline2\n  indented\n',
  'key: value\n- item\n', '# comment\ntext', 'a\n\n\n', ' leading\nspace', 'http://x:80/a', 'a: "b"',
];

function genString(r: () => number): string {
  if (r() < 0.3) return NASTY[Math.floor(r() * NASTY.length)] as string;
  const alphabet = 'abcXYZ019 -_:#&*!|>\'"%@`,[]{}?.\n\t\\/~=+é😀';
  let s = '';
  const n = Math.floor(r() * 12);
  for (let i = 0; i < n; i++) s += [...alphabet][Math.floor(r() * [...alphabet].length)];
  return s;
}

function genValue(r: () => number, depth: number): unknown {
  const x = r();
  if (depth > 3 || x < 0.45) {
    const y = r();
    if (y < 0.6) return genString(r);
    if (y < 0.75) return Math.floor((r() - 0.5) * 1e6);
    if (y < 0.85) return (r() - 0.5) * 10 ** Math.floor(r() * 30 - 10);
    if (y < 0.95) return r() < 0.5;
    return null;
  }
  if (x < 0.7) return Array.from({ length: Math.floor(r() * 4) }, () => genValue(r, depth + 1));
  const o: Record<string, unknown> = {};
  const n = Math.floor(r() * 5);
  for (let i = 0; i < n; i++) o[genString(r)] = genValue(r, depth + 1);
  return o;
}

describe('toYaml round-trips through parseDocument and yaml.parse', () => {
  test('random JSON values (seeded)', () => {
    const r = rng(42);
    for (let i = 0; i < 3000; i++) {
      const v = genValue(r, 0);
      const text = toYaml(v);
      const expected = JSON.parse(JSON.stringify(v)) as unknown;
      let ours: unknown;
      let theirs: unknown;
      try {
        ours = parseDocument(text).value;
        theirs = yamlParse(text, { uniqueKeys: true });
      } catch (e) {
        throw new Error(`case ${i}: ${String(e)}\n${text}`);
      }
      if (!Object.is(JSON.stringify(ours), JSON.stringify(expected))) expect({ i, text, ours }).toEqual({ i, text, ours: expected });
      expect(theirs).toEqual(expected);
    }
  });
  test.each(NASTY.map((s) => [JSON.stringify(s), s]))('string %s as value, key and sequence item', (_n, s) => {
    for (const v of [{ k: s }, { [s]: 1 }, [s], [[s]], [{ a: s, b: 1 }]]) {
      expect(parseDocument(toYaml(v)).value).toEqual(v);
    }
  });
});

describe('toYaml output looks like kubectl', () => {
  test('sequences sit at their key, mappings indent by two (and the YAML 1.1 boolean key n is quoted)', () => {
    expect(toYaml({ spec: { containers: [{ name: 'x', args: ['--a', '1'] }], empty: {}, none: [] }, n: 3, ok: true, z: null })).toBe(
      'spec:\n  containers:\n  - name: x\n    args:\n    - --a\n    - "1"\n  empty: {}\n  none: []\nn: 3\nok: true\nz: null\n'.replace('"1"', "'1'").replace('\nn: 3', "\n'n': 3"),
    );
  });
  test('multi-line strings become literal block scalars', () => {
    expect(toYaml({ script: 'set -e\necho hi\n' })).toBe('script: |\n  set -e\n  echo hi\n');
    expect(toYaml({ s: 'a\nb' })).toBe('s: |-\n  a\n  b\n');
    expect(toYaml({ s: 'a\n\n' })).toBe('s: |+\n  a\n\n');
    expect(toYaml([' a\nb'])).toBe('- |2-\n   a\n  b\n');
  });
  test('YAML 1.1 booleans and number-like strings are quoted', () => {
    expect(toYaml({ a: 'yes', b: 'on', c: '1.0', d: '2024-01-01', e: '0x1f', f: 'plain' })).toBe("a: 'yes'\nb: 'on'\nc: '1.0'\nd: '2024-01-01'\ne: '0x1f'\nf: plain\n");
  });
  test('top-level scalars and empty collections', () => {
    expect(toYaml({})).toBe('{}\n');
    expect(toYaml([])).toBe('[]\n');
    expect(toYaml('x\ny')).toBe('"x\\ny"\n');
  });
});
