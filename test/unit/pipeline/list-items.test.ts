// Lists read item by item (issue 9, "Huge single documents"): a List over the size threshold is cut at its
// items by the splitter, each item parsed and converted as it is read. The result must be exactly what the
// whole-document path gives: the same objects byte for byte, the same findings in the same order, the
// same line count; these tests run every input both ways (threshold 0 forces the item path).
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { getTarget } from '../../../src/convert/targets/index.js';
import type { InputSource } from '../../../src/input/sources.js';
import { convertSources, type ConvertedDocument } from '../../../src/pipeline/convert-files.js';
import { renderObjects } from '../../../src/render/objects.js';
import { splitDocumentParts, type YamlStreamPart } from '../../../src/yaml/stream.js';

const target = getTarget('v2.3');

/** A source yielding `text` in chunks of the given sizes (cycled), as a file or a pipe would. */
function source(text: string, sizes: number[] = [1 << 20], name = 'in.yaml'): InputSource {
  const bytes = Buffer.from(text);
  return {
    name,
    open: () =>
      (async function* () {
        for (let i = 0, k = 0; i < bytes.length; k++) {
          const n = sizes[k % sizes.length]!;
          yield bytes.subarray(i, i + n);
          i += n;
        }
      })(),
  };
}

interface Run {
  output: string;
  findings: string[];
  documents: number;
  lines: number;
  error?: string;
}

async function run(text: string, listItemsAbove: number, sizes?: number[]): Promise<Run> {
  const r: Run = { output: '', findings: [], documents: 0, lines: 0 };
  try {
    for await (const d of convertSources([source(text, sizes)], { target, runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime', defaulted: true }, envShim: true, force: false, toolVersion: 'test' }, false, listItemsAbove)) record(r, d);
  } catch (e) {
    r.error = (e as Error).message;
  }
  return r;
}

function record(r: Run, d: ConvertedDocument): void {
  if (d.newDocument) r.documents++;
  r.lines += d.lines;
  for (const f of d.findings) r.findings.push(`${f.code} ${f.path} ${f.subject?.source ?? ''} ${f.message}`);
  for (const j of d.jobs) {
    for (const f of j.findings) r.findings.push(`${f.code} ${f.path} ${f.subject?.source ?? ''} ${f.message}`);
    r.output += renderObjects(j.objects, 'yaml');
  }
}

const JOB = (name: string, extra = '') => `apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: ${name}
  namespace: ml
spec:
  pytorchReplicaSpecs:
    Worker:
      replicas: 2
      template:
        spec:
          containers:
          - name: pytorch
            image: img:1
            command: [torchrun, train.py]${extra}
`;
const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n  a: "1"\n';
const TFJOB = 'apiVersion: kubeflow.org/v1\nkind: TFJob\nmetadata:\n  name: tf\nspec: {}\n';

/** A YAML List of `items` (each a YAML mapping) with its sequence at `indent`, kubectl's key order by default. */
function yamlList(items: string[], indent = 0, head = 'apiVersion: v1\n', tail = 'kind: List\nmetadata:\n  resourceVersion: ""\n'): string {
  const pad = ' '.repeat(indent);
  const body = items.map((it) => it.trimEnd().split('\n').map((l, i) => `${pad}${i === 0 ? '- ' : '  '}${l}`).join('\n')).join('\n');
  return `${head}items:\n${body}\n${tail}`;
}

function mixedItems(n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 5 === 1) out.push(CONFIGMAP.replace('name: cfg', `name: cfg-${i}`));
    else if (i % 7 === 3) out.push(TFJOB.replace('name: tf', `name: tf-${i}`));
    else out.push(JOB(`job-${i}`, i % 3 === 0 ? '\n            env:\n            - name: DEBUG\n              value: yes' : ''));
  }
  return out;
}

async function expectSame(text: string, sizes?: number[]): Promise<Run> {
  // The item path is really taken (not a fallback to the whole document).
  expect(splitDocumentParts(text, { listItemsAbove: 0 }).some((p) => p.part === 'item')).toBe(true);
  const whole = await run(text, Number.MAX_SAFE_INTEGER);
  const items = await run(text, 0, sizes);
  expect(items).toEqual(whole);
  return whole;
}

describe('a List read item by item gives what the whole List gives', () => {
  test('kubectl -o yaml shape, mixed kinds, YAML 1.1 notes: same output, findings in item order', async () => {
    const r = await expectSame(yamlList(mixedItems(30)));
    expect(r.error).toBeUndefined();
    expect(r.documents).toBe(1);
    // "Left out" findings come at their item's position: the ConfigMap of items[1] before job-2's findings.
    const firstLeftOut = r.findings.findIndex((f) => f.startsWith('KTJ-IN-002 items[1] '));
    const job2 = r.findings.findIndex((f) => f.includes('in.yaml#1 items[2] '));
    expect(firstLeftOut).toBeGreaterThanOrEqual(0);
    expect(firstLeftOut).toBeLessThan(job2);
    expect(r.findings.some((f) => f.startsWith('KTJ-YAML-001 items[0].spec'))).toBe(true);
  });

  test('indented sequence, comments, CRLF, and small chunks', async () => {
    const text = yamlList(mixedItems(12), 2, '# a fleet\napiVersion: v1\nkind: PyTorchJobList\n', 'metadata: {}\n');
    await expectSame(text, [7, 64, 3]);
    await expectSame(text.replace(/\n/g, '\r\n'), [5, 100]);
    await expectSame(text.replace(/\n  - /g, '\n  # an item\n  - '), [1024]);
  });

  test('a List between other documents, with --- markers and a final line without newline', async () => {
    const text = `${JOB('first')}---\n${yamlList(mixedItems(8))}---\n${CONFIGMAP}...\n---\n${yamlList(mixedItems(3)).trimEnd()}`;
    const r = await expectSame(text, [13]);
    expect(r.documents).toBe(4);
  });

  test('JSON Lists: kubectl -o json (pretty) and compact, in a JSON stream', async () => {
    const items = mixedItems(10).map((y) => JSON.parse(JSON.stringify(yamlToObject(y))));
    const pretty = JSON.stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }, null, 4);
    const r = await expectSame(pretty, [17, 300]);
    expect(r.output).toContain('name: job-2');
    await expectSame(JSON.stringify({ apiVersion: 'v1', kind: 'List', items }), [9]);
    await expectSame(`${JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [] })}\n${JSON.stringify({ apiVersion: 'v1', items, kind: 'List' })}`);
  });

  test('every golden input gives the same output and findings both ways', async () => {
    const casesDir = path.join(process.cwd(), 'test/golden/cases');
    for (const c of readdirSync(casesDir)) {
      const file = ['input.yaml', 'input.json'].map((f) => path.join(casesDir, c, f)).find((f) => existsSync(f));
      if (!file) continue;
      const text = readFileSync(file, 'utf8');
      const whole = await run(text, Number.MAX_SAFE_INTEGER);
      const items = await run(text, 0, [4096]);
      expect({ c, ...items }).toEqual({ c, ...whole });
    }
  });
});

describe('what cannot be read item by item says so', () => {
  test('a big document with top-level items that is not a List is refused, naming it', async () => {
    const r = await run(yamlList(mixedItems(3), 0, 'apiVersion: example.com/v1\n', 'kind: Inventory\n'), 0);
    expect(r.error).toMatch(/in\.yaml: document 1 was read item by item for its 3 top-level items .* but it is a Inventory, not a List/);
  });

  test('a second items key after the items is a duplicate key', async () => {
    const r = await run(yamlList(mixedItems(2), 0, 'apiVersion: v1\n', 'kind: List\nitems: []\n'), 0);
    expect(r.error).toMatch(/duplicate key "items" at line \d+ col 1/);
    const j = await run('{"apiVersion":"v1","kind":"List","items":[{"a":1}],"items":[]}', 0);
    expect(j.error).toMatch(/duplicate key "items"/);
  });

  test('a syntax error in an item names its line in the file', async () => {
    const text = yamlList([JOB('a'), JOB('b').replace('image: img:1', 'image: "img:1')]);
    const items = await run(text, 0);
    // The item of job b starts at line 18; the parser stops inside it (where exactly differs from the whole-document parse).
    const line = Number(/in\.yaml:(\d+):\d+/.exec(items.error ?? '')?.[1]);
    expect(items.error).toMatch(/document 1/);
    expect(line).toBeGreaterThanOrEqual(18);
    expect(line).toBeLessThanOrEqual(text.split('\n').length);
  });

  test('an alias to another item\'s anchor cannot be resolved item by item', async () => {
    const text = yamlList([JOB('a').replace('image: img:1', 'image: &img img:1'), JOB('b').replace('image: img:1', 'image: *img')]);
    expect((await run(text, Number.MAX_SAFE_INTEGER)).error).toBeUndefined();
    expect((await run(text, 0)).error).toMatch(/alias|anchor/i);
  });
});

describe('the splitter cuts Lists only past the threshold', () => {
  const text = yamlList(mixedItems(6));
  const kinds = (parts: YamlStreamPart[]) => parts.map((p) => p.part ?? 'document');

  test('under the threshold a List is one document; over it, items then the rest', () => {
    expect(kinds(splitDocumentParts(text, { listItemsAbove: text.length + 1 }))).toEqual(['document']);
    const parts = splitDocumentParts(text, { listItemsAbove: 100 });
    expect(kinds(parts)).toEqual(['item', 'item', 'item', 'item', 'item', 'item', 'rest']);
    const rest = parts[6]!;
    expect(rest.part === 'rest' && [rest.head, rest.tail, rest.items, rest.lines]).toEqual(['apiVersion: v1\n', 'kind: List\nmetadata:\n  resourceVersion: ""\n', 6, text.split('\n').length - 1]);
    const first = parts[0]!;
    expect(first.part === 'item' && [first.startLine, first.text.startsWith('- apiVersion: kubeflow.org/v1\n')]).toEqual([3, true]);
  });

  test('a document whose items key holds no block sequence stays whole', () => {
    const flow = `apiVersion: v1\nkind: List\nmetadata:\n  annotations:\n    big: "${'x'.repeat(500)}"\nitems: []\n`;
    expect(kinds(splitDocumentParts(flow, { listItemsAbove: 100 }))).toEqual(['document']);
    expect(kinds(splitDocumentParts('{"kind":"List","items":{}}\n{"a":[1,2]}', { listItemsAbove: 0 }))).toEqual(['document', 'document']);
  });
});

function yamlToObject(y: string): unknown {
  // Tiny test inputs only: parse with the converter's own reader.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return parseYaml(y);
}

import { parseDocument } from '../../../src/yaml/parse.js';
function parseYaml(y: string): unknown {
  return parseDocument(y).value;
}
