// The pure in-place rewrite: document layout, byte-exact rewriting, comment carrying.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { carryComments } from '../../../src/inplace/comments.js';
import { layoutDocument } from '../../../src/inplace/layout.js';
import { jsonIndent, renderBody } from '../../../src/inplace/render.js';
import { rewriteFile } from '../../../src/inplace/rewrite.js';
import { unifiedDiff } from '../../../src/render/diff.js';
import { splitDocuments } from '../../../src/yaml/index.js';

const spans = (text: string) => splitDocuments(text).map((d) => ({ index: d.index, startLine: d.startLine, text: d.text }));

describe('layoutDocument', () => {
  test('keeps the marker, leading comments and trailing column-0 comments out of the body', () => {
    const l = layoutDocument('--- # first\n# about the job\n\nkind: A\nspec:\n  x: 1\n  # inner\n# after\n\n');
    expect(l.head).toBe('--- # first\n# about the job\n\n');
    // An indented comment may describe the object's last field: it stays with the body.
    expect(l.body).toBe('kind: A\nspec:\n  x: 1\n  # inner\n');
    expect(l.tail).toBe('# after\n\n');
    expect(l.bodyStartLine).toBe(4);
  });

  test('an indented comment at the end belongs to the body only when content follows; a block scalar keeps its # lines', () => {
    const l = layoutDocument('a:\n  b: |\n    echo\n    # not a comment\n');
    expect(l.body).toBe('a:\n  b: |\n    echo\n    # not a comment\n');
    expect(l.tail).toBe('');
  });

  test('a document without a final newline keeps that state', () => {
    const l = layoutDocument('kind: A\n# end');
    expect(l.body).toBe('kind: A\n');
    expect(l.tail).toBe('# end');
  });
});

describe('rewriteFile', () => {
  test('replaces only the given documents; every other byte stays', () => {
    const text = '# header\n---\nkind: A # keep\n---\n# job\nkind: B\nx: 1\n# trailer\n---\nkind: C\n';
    const out = rewriteFile(text, spans(text), new Map([[2, 'kind: NEW\n']]));
    expect(out).toBe('# header\n---\nkind: A # keep\n---\n# job\nkind: NEW\n# trailer\n---\nkind: C\n');
  });

  test('keeps CRLF line endings, a byte-order mark and a missing final newline', () => {
    const text = '\ufeffkind: B\r\nx: 1\r\n---\r\nkind: C';
    expect(rewriteFile(text, spans(text), new Map([[1, 'kind: NEW\ny: 2\n']]))).toBe('\ufeffkind: NEW\r\ny: 2\r\n---\r\nkind: C');
    const last = 'kind: A\n---\nkind: B';
    expect(rewriteFile(last, spans(last), new Map([[2, 'kind: NEW\n']]))).toBe('kind: A\n---\nkind: NEW');
  });

  test('two objects in one slot are separated by ---', () => {
    const text = 'kind: B\n';
    expect(rewriteFile(text, spans(text), new Map([[1, renderBody([{ apiVersion: 'v1', kind: 'X', metadata: { name: 'a' } }, { apiVersion: 'v1', kind: 'Z', metadata: { name: 'b' } }], 'yaml')]]))).toBe(
      'apiVersion: v1\nkind: X\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: Z\nmetadata:\n  name: b\n',
    );
  });

  test('no replacement returns the original text itself', () => {
    const text = 'a: 1\r\n';
    expect(rewriteFile(text, spans(text), new Map())).toBe(text);
  });
});

describe('renderBody for JSON', () => {
  test('one object as itself, with a generated runtime as a List, in the file\'s indentation', () => {
    expect(jsonIndent('{\n    "a": 1\n}')).toBe(4);
    expect(renderBody([{ apiVersion: 'v1', kind: 'X', metadata: {} }], 'json', 4)).toBe('{\n    "apiVersion": "v1",\n    "kind": "X",\n    "metadata": {}\n}\n');
    expect(JSON.parse(renderBody([{ apiVersion: 'v1', kind: 'X', metadata: {} }, { apiVersion: 'v1', kind: 'Y', metadata: {} }], 'json')).kind).toBe('List');
  });
});

describe('carryComments', () => {
  const source = [
    'kind: PyTorchJob # not carried',
    'metadata:',
    '  name: bert # the name',
    'spec:',
    '  # per GPU',
    '  nprocPerNode: "4"',
    '  pytorchReplicaSpecs:',
    '    Worker:',
    '      replicas: 2 # not carried either',
    '      template:',
    '        spec:',
    '          containers:',
    '            - name: pytorch',
    '              image: img:1   # pinned',
    '              args:',
    '                - --a # flag a',
    '              env:',
    '                # debug',
    '                - name: NCCL_DEBUG',
    '                  value: INFO',
    '              command: ["sh", "-c", "echo # not a comment"]',
    '',
  ].join('\n');
  const rendered = [
    'kind: TrainJob',
    'metadata:',
    '  name: bert',
    'spec:',
    '  trainer:',
    '    image: img:1',
    '    command:',
    '    - sh',
    '    - -c',
    '    - echo # not a comment',
    '    args:',
    '    - --a',
    '    env:',
    '    - name: NCCL_DEBUG',
    '      value: INFO',
    '    numNodes: 2',
    '    numProcPerNode: 4',
    '',
  ].join('\n');

  test('follow carried fields to their one home; report the others by line', () => {
    const r = carryComments(source, rendered);
    expect(r.text).toBe(
      [
        'kind: TrainJob',
        'metadata:',
        '  name: bert # the name',
        'spec:',
        '  trainer:',
        '    image: img:1   # pinned',
        '    command:',
        '    - sh',
        '    - -c',
        "    - echo # not a comment",
        '    args:',
        '    - --a # flag a',
        '    env:',
        '    # debug',
        '    - name: NCCL_DEBUG',
        '      value: INFO',
        '    numNodes: 2',
        '    # per GPU',
        '    numProcPerNode: 4',
        '',
      ].join('\n'),
    );
    expect(r.notCarried).toEqual([1, 9]);
  });

  test('a field with two equal homes keeps its comment out', () => {
    const r = carryComments('a:\n  x: 1 # c\n', 'b:\n  x: 1\nc:\n  x: 1\na:\n  x: 1\n---\nq:\n  a:\n    x: 1\n');
    // (parent key a, key x, value 1) has two homes: the first object's a.x and the second's q.a.x.
    expect(r.notCarried).toEqual([2]);
  });

  test('no comment, no work', () => {
    expect(carryComments('a: 1\n', 'b: 2\n')).toEqual({ text: 'b: 2\n', notCarried: [] });
  });
});

describe('unifiedDiff agrees with diff -u and git apply', () => {
  const cases: [string, string][] = [
    ['a\nb\nc\n', 'a\nB\nc\n'],
    ['a\nb', 'a\nc'],
    ['a\nb', 'a\nb\n'],
    ['a\nb\n', 'a\nb'],
    ['x\ny\nz', 'x\nY\nz'],
    ['1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n', '1\n2\nthree\n4\n5\n6\n7\n8\nnine\n10\n'],
  ];
  const hasDiff = spawnSync('diff', ['--version']).status === 0;
  test.each(cases)('%j → %j', (from, to) => {
    const ours = unifiedDiff(from, to, { fromLabel: 'a/f', toLabel: 'b/f' });
    const dir = mkdtempSync(path.join(tmpdir(), 'ktj-diff-'));
    try {
      writeFileSync(path.join(dir, 'f'), from);
      if (hasDiff) {
        writeFileSync(path.join(dir, 'g'), to);
        const gnu = spawnSync('diff', ['-u', '--label', 'a/f', '--label', 'b/f', 'f', 'g'], { cwd: dir, encoding: 'utf8' }).stdout;
        expect(ours).toBe(gnu);
      }
      const applied = spawnSync('git', ['apply', '-'], { cwd: dir, input: `diff --git a/f b/f\n${ours}`, encoding: 'utf8' });
      expect(applied.stderr).toBe('');
      expect(readFileSync(path.join(dir, 'f'), 'utf8')).toBe(to);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
