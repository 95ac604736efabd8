import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { convertDocument } from '../../../src/convert/index.js';
import { getTarget } from '../../../src/convert/targets/index.js';
import { convertListByItems, convertSources, LIST_ITEM_THRESHOLD, type ConvertedDocument } from '../../../src/pipeline/convert-files.js';
import { parseDocument } from '../../../src/yaml/parse.js';
import { InputError } from '../../../src/errors.js';

const opts = { target: getTarget('v2.3'), runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' as const }, envShim: true, force: false, toolVersion: 'test' };

/** What the whole-document path gives: the reference every item-by-item result must equal. */
function whole(text: string, source: string) {
  return convertDocument(parseDocument(text).value, { ...opts, source });
}

/** Builds a List from the documents of a multi-document stream, with `- ` at column `indent`. */
function listOf(docs: string[], indent: string, kind = 'List'): string {
  const items = docs.map((d) => d.replace(/\n+$/, '').split('\n').map((l, i) => (i === 0 ? `${indent}- ${l}` : l === '' ? '' : `${indent}  ${l}`)).join('\n'));
  return `apiVersion: v1\nkind: ${kind}\nmetadata:\n  resourceVersion: ""\nitems:\n${items.join('\n')}\n`;
}

const dir = mkdtempSync(path.join(tmpdir(), 'ktj-list-'));
const bench = path.join(dir, 'x.yaml');
execFileSync(process.execPath, ['scripts/gen-bench-input.mjs', '600', bench]);
const benchDocs = readFileSync(bench, 'utf8').split(/^---(?: .*)?\n/m).filter((d) => d.trim() && !d.trim().startsWith('#'));

async function run(text: string, chunk: () => number, threshold?: number): Promise<ConvertedDocument[]> {
  const bytes = Buffer.from(text);
  const src = {
    name: 'list.yaml',
    open: async function* () {
      for (let i = 0; i < bytes.length;) {
        const n = Math.max(1, chunk());
        yield bytes.subarray(i, i + n);
        i += n;
      }
    },
  };
  const out: ConvertedDocument[] = [];
  for await (const d of convertSources([src], opts, threshold)) out.push(d);
  return out;
}

describe('convertListByItems equals the whole-document path', () => {
  // input-pytorchjob-list has `metadata:` after `items:`, so it must take the whole-document path.
  test.each([['input-kind-list', true], ['input-pytorchjob-list', false]])('golden case %s (item path: %s)', async (name, byItems) => {
    const text = readFileSync(path.join('test/golden/cases', name, 'input.yaml'), 'utf8');
    const got = convertListByItems(text, 1, { ...opts, source: 'list.yaml#1' });
    expect(got !== undefined).toBe(byItems);
    if (got) expect(got).toEqual(whole(text, 'list.yaml#1'));
    const docs = await run(text, () => 1, 0);
    expect(docs).toEqual([{ ...whole(text, 'list.yaml#1'), source: 'list.yaml', index: 1, lines: text.split('\n').length - 1 }]);
  });

  test.each(['', '  '])('generated List with items at indent "%s"', (indent) => {
    const text = listOf(benchDocs.slice(0, 400), indent);
    const got = convertListByItems(text, 1, { ...opts, source: 'x#1' });
    expect(got).toBeDefined();
    expect(got!.jobs.length + got!.findings.length).toBeGreaterThan(300);
    expect(got).toEqual(whole(text, 'x#1'));
  });

  test('mixed items, nested Lists and non-objects keep their order and paths', () => {
    const text = listOf([benchDocs[0]!, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n', '42\n', benchDocs[1]!], '  ', 'PyTorchJobList');
    const got = convertListByItems(text, 1, { ...opts, source: 'x#1' });
    expect(got!.findings.map((f) => f.path)).toEqual(['items[1]', 'items[2]']);
    expect(got).toEqual(whole(text, 'x#1'));
  });

  test.each([
    ['an alias across items', (t: string) => t.replace('metadata:\n  resourceVersion: ""', 'metadata:\n  resourceVersion: &rv ""').replace(/(\n {4}name: [^\n]+)/, '$1\n    uid: *rv')],
    ['a key after items', (t: string) => `${t}extra: 1\n`],
    ['a List whose kind is not a List', (t: string) => t.replace('kind: List', 'kind: Thing')],
  ])('falls back on %s', (_name, edit) => {
    const text = edit(listOf(benchDocs.slice(0, 3), '  '));
    expect(convertListByItems(text, 1, { ...opts, source: 'x#1' })).toBeUndefined();
  });
});

describe('convertSources on a List above the threshold', () => {
  const text = listOf(benchDocs.slice(0, 500), '');
  test('is large enough to take the item path', () => {
    expect(text.length).toBeGreaterThan(LIST_ITEM_THRESHOLD);
    expect(convertListByItems(text, 1, { ...opts, source: 'list.yaml#1' })).toBeDefined();
  });

  test('random chunks give what the whole-document path gives', async () => {
    let seed = 7;
    const docs = await run(text, () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 9000) + 1);
    expect(docs).toHaveLength(1);
    expect(docs[0]).toEqual({ ...whole(text, 'list.yaml#1'), source: 'list.yaml', index: 1, lines: text.split('\n').length - 1 });
  });

  // (1-byte chunks of a whole MiB are quadratic in the splitter's string joins, so a small List with a low threshold.)
  test('1-byte chunks give the same', async () => {
    const small = listOf(benchDocs.slice(0, 3), '  ');
    const docs = await run(`---\n# c\n${small}`, () => 1, 0);
    expect(docs[0]).toEqual({ ...whole(small, 'list.yaml#1'), source: 'list.yaml', index: 1, lines: small.split('\n').length + 1 });
  }, 60_000);

  test('a syntax error inside an item names the absolute line and column', async () => {
    const lines = text.split('\n');
    const at = lines.findIndex((l, i) => i > 20000 && l.startsWith('    name: '));
    lines[at] = `${lines[at]}: nope`;
    const bad = `kind: Other\n---\n${lines.join('\n')}`;
    const err = await run(bad, () => 65536).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toMatch(new RegExp(`^list\\.yaml:${at + 3}:\\d+: document 2: `));
  });
});
