// Plain scalars are read as kubectl reads them (go-yaml v2, YAML 1.1), issue 13. The expected values
// below were produced by the real kubectl (v1.32): `kubectl label --local -f FILE a=b -o json`, which
// decodes manifests exactly as `kubectl apply`/`create` do, offline. When kubectl is on the PATH the
// last test asks it again.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseDocument, parseSlowOnly, resolvePlain11 } from '../../../src/yaml/parse.js';
import { YamlSyntaxError } from '../../../src/yaml/errors.js';

// [plain scalar, what kubectl sends to the API server]
const KUBECTL: [string, unknown][] = [
  ['012', 10], ['0o12', 10], ['0x1F', 31], ['0b101', 5], ['1_000', 1000], ['1:30', '1:30'], ['1e3', 1000], ['.5', 0.5],
  ['no', false], ['yes', true], ['on', true], ['Off', false], ['y', true], ['N', false], ['True', true], ['~', null],
  ['2001-12-14', '2001-12-14'], ['1.10', 1.1], ['+12', 12], ['-012', -10], ['1.', 1], ['09', 9], ['1e', '1e'], ['-0x1F', -31],
  ['0777', 511], ['08', 8], ['1__0', 10], ['_1', '_1'], ['-0b11', -3], ['0x_1F', 31], ['+0x1F', 31], ['0B11', 3], ['0X1F', 31],
  ['1_0.5', 10.5], ['-.5', -0.5], ['+.5e2', 50], ['12e', '12e'], ['0.', 0], ['-0', 0], ['00', 0], ['1e400', '1e400'],
  ['9223372036854775808', 9223372036854775808], ['TRUE', true], ['tRUE', 'tRUE'], ['NO', false], ['Y', true], ['oN', 'oN'],
  ['1:30:00', '1:30:00'], ['0o8', '0o8'], ['0.1_5', 0.15], ['1e-3', 0.001], ['3.0', 3], ['-1.5E+3', -1500],
  ['0xFFFFFFFFFFFFFFFF', 18446744073709551615], ['null', null], ['Null', null], ['NULL', null], ['nULL', 'nULL'], ['yep', 'yep'],
];

describe('resolvePlain11', () => {
  test.each(KUBECTL)('%s is read as kubectl reads it', (raw, expected) => {
    expect(resolvePlain11(raw)).toEqual(expected);
  });
});

describe('parseDocument reads YAML 1.1 scalars like kubectl, on both paths, and notes each difference from YAML 1.2', () => {
  const text = 'spec:\n  replicas: 012\n  image: no\n  name: "012"\n  ok: 12\n  list: [0b11, x]\n';
  test.each([['fast', parseDocument], ['fallback', parseSlowOnly]] as const)('%s path', (_name, parse) => {
    const r = parse(text);
    expect(r.value).toEqual({ spec: { replicas: 10, image: false, name: '012', ok: 12, list: [3, 'x'] } });
    expect(r.yaml11.map((n) => [n.path, n.raw, n.value, n.yaml12, n.line])).toEqual([
      ['spec.replicas', '012', 10, 12, 2],
      ['spec.image', 'no', false, 'no', 3],
      ['spec.list', '0b11', 3, '0b11', 6],
    ].map((n) => (parse === parseSlowOnly && n[0] === 'spec.list' ? ['spec.list[0]', ...n.slice(1)] : n)));
  });

  test('keys are read the 1.1 way too (kubectl turns them into strings)', () => {
    expect(parseDocument('spec:\n  012: a\n  on: b\n').value).toEqual({ spec: { '10': 'a', true: 'b' } });
  });

  test('.inf and .nan are refused with their line: kubectl cannot send them', () => {
    expect(() => parseDocument('a: 1\nb: .inf\n', { startLine: 10 })).toThrow(/^<input>:11:4: document 1: \.inf is an infinite number for kubectl/);
    expect(() => parseDocument('a: .NaN\n')).toThrow(YamlSyntaxError);
  });
});

const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
(kubectl ? test : test.skip)('the real kubectl reads the same values as parseDocument', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ktj-yaml11-'));
  try {
    const lines = KUBECTL.filter(([raw]) => raw !== '~' && !raw.includes('inf')).map(([raw], i) => `  k${i}: ${raw}`);
    const file = path.join(dir, 'job.yaml');
    const text = `apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: t\nspec:\n${lines.join('\n')}\n`;
    writeFileSync(file, text);
    const r = spawnSync('kubectl', ['label', '--local', '-f', file, 'a=b', '-o', 'json'], { encoding: 'utf8', env: { ...process.env, KUBECONFIG: '/dev/null' } });
    expect(r.stderr).toBe('');
    const fromKubectl = JSON.parse(r.stdout).spec;
    expect(fromKubectl).toEqual((parseDocument(text).value as { spec: unknown }).spec);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
