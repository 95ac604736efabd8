// Concatenated JSON objects in one file (issue 13), read as kubectl's JSON stream decoder reads them.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { splitDocuments } from '../../src/yaml/stream.js';
import { runCli } from './run-cli.js';

const cases = path.join(process.cwd(), 'test/golden/cases');
const job = JSON.parse(readFileSync(path.join(cases, 'input-json/input.json'), 'utf8'));
const named = (name: string) => JSON.stringify({ ...job, metadata: { ...job.metadata, name } });
const names = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS()?.metadata?.name);

describe('JSON streams', () => {
  test('objects back to back, one per line, and pretty-printed are each one document', async () => {
    const pretty = JSON.stringify({ ...job, metadata: { ...job.metadata, name: 'c' } }, null, 2);
    const r = await runCli(['convert', '-f', '-', '--report', 'none'], { stdin: `${named('a')}${named('b')}\n${pretty}\n` });
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(['a', 'b', 'c']);
  });

  test('documents are numbered from 1 and placed on their line', () => {
    const docs = splitDocuments('{"a": 1}\n\n{"b": "}{"}\n  {"c": [1,\n2]}');
    expect(docs.map((d) => [d.index, d.startLine, d.json, d.text])).toEqual([
      [1, 1, true, '{"a": 1}'],
      [2, 3, true, '{"b": "}{"}'],
      [3, 4, true, '{"c": [1,\n2]}'],
    ]);
  });

  test('a broken object names its document and line; garbage between objects is an error', async () => {
    const bad = await runCli(['convert', '-f', '-'], { stdin: `${named('a')}\n{"apiVersion": "kubeflow.org/v1",\n "kind": }\n` });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("error: <stdin>:2:1: document 2: invalid JSON: Unexpected token '}'\n");
    expect(bad.stdout).toBe('');
    const junk = await runCli(['convert', '-f', '-'], { stdin: `${named('a')}\nxyz\n` });
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('error: <stdin>:2:1: document 2: unexpected "x" between the objects of a JSON stream');
  });

  test('JSON nested 2,000 levels deep is refused before any parser recurses', async () => {
    const r = await runCli(['convert', '-f', '-'], { stdin: `{"a": ${'['.repeat(2000)}${']'.repeat(2000)}}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('document 1: JSON nested more than 256 levels deep');
  });
});

describe('JSON that kubectl reads on as YAML', () => {
  test('JSON objects joined by --- lines (one object, then YAML documents) are each one document', async () => {
    const r = await runCli(['convert', '-f', '-', '--report', 'none'], { stdin: [named('a'), named('b'), named('c')].join('\n---\n') });
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(['a', 'b', 'c']);
    const docs = splitDocuments(`${named('a')}\n---\n${named('b')}\n`);
    expect(docs.map((d) => [d.index, d.startLine, Boolean(d.json)])).toEqual([[1, 1, true], [2, 2, false]]);
  });

  test('a first object in YAML flow style is read as YAML', async () => {
    const flow = `{apiVersion: kubeflow.org/v1, kind: PyTorchJob, metadata: {name: flow, namespace: ns}, spec: ${JSON.stringify(job.spec)}}`;
    const r = await runCli(['convert', '-f', '-', '--report', 'none'], { stdin: flow });
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(['flow']);
  });

  test('after two JSON objects the stream stays JSON: a --- line is an error', async () => {
    const r = await runCli(['convert', '-f', '-'], { stdin: `${named('a')}${named('b')}\n---\n${named('c')}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unexpected "-" between the objects of a JSON stream');
  });
});
