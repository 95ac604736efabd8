import { describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parse as yamlParse } from 'yaml';
import { parseDocument, parseFastOnly, parseSlowOnly } from '../../../src/yaml/parse.js';
import { splitDocuments } from '../../../src/yaml/stream.js';
import { YamlSyntaxError } from '../../../src/yaml/errors.js';

const UPSTREAM = join(import.meta.dirname, '../../../upstream');

function yamlFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...yamlFiles(p));
    else if (/\.ya?ml$/.test(name)) out.push(p);
  }
  return out.sort();
}

/**
 * The reference result, what the fast path must reproduce exactly: the `yaml` package's parse with
 * plain scalars re-resolved the YAML 1.1 way (kubectl's). Where no scalar reads differently in YAML
 * 1.1 (no note), it must also equal yaml.parse with YAML 1.2.
 */
function reference(text: string): { value: unknown } | { error: true } {
  let v12: { value: unknown } | { error: true };
  try {
    v12 = { value: yamlParse(text, { uniqueKeys: true, maxAliasCount: 100, merge: true, logLevel: 'error' }) };
  } catch {
    v12 = { error: true };
  }
  try {
    const slow = parseSlowOnly(text);
    if (!slow.yaml11.length) expect(v12).toEqual({ value: slow.value });
    return { value: slow.value };
  } catch {
    // Errors only where YAML 1.2 errs too, or for .inf/.nan (which kubectl cannot send as JSON).
    if ('value' in v12) expect(JSON.stringify(v12.value)).toMatch(/null/);
    return { error: true };
  }
}

describe('parseDocument agrees with the yaml package on the upstream corpus', () => {
  const files = yamlFiles(UPSTREAM);
  test('corpus is present', () => {
    expect(files.length).toBeGreaterThan(50);
  });
  let docs = 0;
  let fast = 0;
  test.each(files.map((f) => [f.slice(UPSTREAM.length + 1), f]))('%s', (_name, file) => {
    for (const d of splitDocuments(readFileSync(file, 'utf8'), { source: file })) {
      docs++;
      const ref = reference(d.text);
      const fastResult = parseFastOnly(d.text);
      if (fastResult) {
        fast++;
        expect(ref).toEqual({ value: fastResult.value });
      }
      if ('value' in ref) expect(parseDocument(d.text).value).toEqual(ref.value);
      else expect(() => parseDocument(d.text)).toThrow(YamlSyntaxError);
    }
  });
  test('most corpus documents take the fast path', () => {
    expect(docs).toBeGreaterThan(0);
    expect(fast / docs).toBeGreaterThan(0.8);
  });
});

// Each case is checked against yaml.parse; `fast` says whether the fast path is expected to take it.
const CASES: { name: string; text: string; fast?: boolean }[] = [
  { name: 'empty', text: '', fast: true },
  { name: 'comment only', text: '# nothing\n', fast: true },
  { name: 'marker only', text: '---\n', fast: true },
  { name: 'marker with comment', text: '--- # c\na: 1\n', fast: true },
  { name: 'marker with content', text: '--- {a: 1}\n' },
  { name: 'marker with tag', text: '--- !!map\na: 1\n' },
  { name: 'scalars', text: 'a: 1\nb: -2\nc: +3\nd: 0o17\ne: 0x1F\nf: 1.5\ng: .5\nh: 1e3\nk: ~\nl: null\nm: Null\nnt: TRUE\no: false\np: yes\nq: 012\nr: 1_000\ns: 2024-01-01\nt: 0.\nu:\nv: -0\n', fast: true },
  { name: 'infinity is refused', text: 'a: -.inf\n' },
  { name: 'nan is refused', text: 'a: [.NaN]\n' },
  { name: 'quoted', text: `a: "x\\ty\\u00e9\\x41\\U0001F600\\"\\\\"\nb: 'it''s'\nc: "  "\nd: ''\n"e f": 1\n'g': 2\n`, fast: true },
  { name: 'comments everywhere', text: '# top\na: 1 # one\n# mid\nb: # empty\n  # inner\n  c: x#y # z\n', fast: true },
  { name: 'k8s sequences', text: 'containers:\n- name: a\n  args:\n  - --x\n  - "1"\n- name: b\n  env: []\nafter: 1\n', fast: true },
  { name: 'indented sequences', text: 'a:\n  - 1\n  - - 2\n    - 3\n  -\n    b: 4\n  - # null\n', fast: true },
  { name: 'compact mappings', text: '- a: 1\n  b:\n    c: 2\n-   d: 3\n    e: 4\n', fast: true },
  { name: 'flow', text: 'a: []\nb: {}\nc: [1, "two", three, [4]]\nd: {x: 1, "y": [z]}\n', fast: true },
  { name: 'flow trailing comma', text: 'a: [1, 2, ]\n' },
  { name: 'flow multi-line', text: 'a: [1,\n  2]\n' },
  { name: 'literal', text: 'a: |\n  line 1\n    indented\n\n  line 3\nb: |-\n  x\nc: |+\n  y\n\nd: 1\n', fast: true },
  { name: 'literal keep at end', text: 'a: |+\n  y\n\n\n', fast: true },
  { name: 'literal keep, one newline at end', text: 'a: |+\n  y\n', fast: true },
  { name: 'literal keep, no newline at end', text: '- |+\n  y', fast: true },
  { name: 'literal clip trailing blanks', text: 'a: |\n  y\n\n\nb: 2\n', fast: true },
  { name: 'folded', text: 'a: >\n  one\n  two\n\n  three\n    more\n  four\nb: >-\n  x\n  y\n', fast: true },
  { name: 'empty block scalars', text: 'a: |\nb: >-\nc: 1\n', fast: true },
  { name: 'block scalar in sequence', text: '- |\n  text\n- >\n  folded\n  text\n', fast: true },
  { name: 'block scalar under k8s sequence', text: 'args:\n- |\n  x\n  y\n- z\n', fast: true },
  { name: 'block scalar with comment-like lines', text: 'a: |\n  # not a comment\n  --- not a marker\nb: 1\n', fast: true },
  { name: 'block scalar indentation indicator', text: 'a: |2\n    leading\n' },
  { name: 'multi-line plain', text: 'a: one\n  two\n' },
  { name: 'multi-line quoted', text: 'a: "one\n  two"\n' },
  { name: 'anchors and aliases', text: 'a: &x 1\nb: *x\n' },
  { name: 'merge key', text: 'base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n' },
  { name: 'tags', text: 'a: !!str 1\nb: !custom x\n' },
  { name: 'complex key', text: '? [a]\n: 1\n' },
  { name: 'non-string keys', text: '1: a\ntrue: b\nnull: c\n' },
  { name: 'proto key', text: '__proto__: 1\n' },
  { name: 'directive', text: '%YAML 1.2\n---\na: 1\n' },
  { name: 'top-level scalar', text: 'hello\n', fast: true },
  { name: 'top-level flow', text: '[1, 2]\n', fast: true },
  { name: 'tab in value', text: 'a: x\ty\n' },
  { name: 'unicode', text: 'a: héllo 世界 😀\n"ключ": значение\n', fast: true },
  { name: 'colons in values', text: 'url: http://x:80/a\ntime: 12:30\nimg: repo:tag\n', fast: true },
  { name: 'dash values', text: 'a: -x\nb: - y\n' },
  { name: 'key with spaces before colon', text: 'a  : 1\n', fast: true },
  { name: 'windows-ish', text: 'a: 1\r\nb: 2\r\n' },
  { name: 'deep document', text: 'a:\n  b:\n    c:\n      d:\n      - e: [f]\n        g: {h: i}\n', fast: true },
];

describe('hand-written cases: the fast path agrees with the yaml package (YAML 1.1 scalars as kubectl)', () => {
  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const ref = reference(c.text);
    const fastResult = parseFastOnly(c.text);
    if (c.fast) expect(fastResult).toBeDefined();
    if (fastResult) expect(ref).toEqual({ value: fastResult.value });
    if ('value' in ref) expect(parseDocument(c.text).value).toEqual(ref.value);
    else expect(() => parseDocument(c.text)).toThrow(YamlSyntaxError);
  });
});

function errorOf(fn: () => unknown): YamlSyntaxError {
  try {
    fn();
  } catch (e) {
    if (e instanceof YamlSyntaxError) return e;
    throw e;
  }
  throw new Error('expected a YamlSyntaxError');
}

describe('errors carry file, document, and absolute line and column', () => {
  const at = { source: 'jobs.yaml', document: 3, startLine: 41 };
  test('duplicate keys', () => {
    const e = errorOf(() => parseDocument('a: 1\nspec:\n  x: 1\n  x: 2\n', at));
    expect(e).toMatchObject({ file: 'jobs.yaml', document: 3, line: 44, column: 3 });
    expect(e.message).toContain('duplicate key "x" at line 44 col 3');
  });
  test('duplicate quoted keys', () => {
    expect(errorOf(() => parseDocument('"a": 1\n\'a\': 2\n')).message).toContain('duplicate key "a"');
  });
  test('malformed YAML', () => {
    const e = errorOf(() => parseDocument('a: 1\nb: [1, 2\nc: 3\n', at));
    expect(e.file).toBe('jobs.yaml');
    expect(e.line).toBeGreaterThanOrEqual(42);
  });
  test('tabs used for indentation', () => {
    const e = errorOf(() => parseDocument('a:\n\tb: 1\n', at));
    expect(e.line).toBe(42);
    expect(e.message).toMatch(/tab/i);
  });
  test('billion laughs fails fast', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 9; i++) {
      const p = String.fromCharCode(96 + i);
      const n = String.fromCharCode(97 + i);
      lines.push(`${n}: &${n} [*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p},*${p}]`);
    }
    const started = performance.now();
    const e = errorOf(() => parseDocument(lines.join('\n') + '\n', at));
    expect(performance.now() - started).toBeLessThan(2000);
    expect(e.message).toMatch(/alias/i);
    expect(e).toMatchObject({ file: 'jobs.yaml', document: 3, line: 41 });
  });
  test('bad indentation', () => {
    const e = errorOf(() => parseDocument('a:\n  b: 1\n c: 2\n'));
    expect(e.line).toBe(3);
  });
});
