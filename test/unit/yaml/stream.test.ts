import { describe, expect, test } from '@jest/globals';
import { Readable } from 'node:stream';
import { readDocuments, splitDocuments, type SplitOptions, type YamlDocumentText } from '../../../src/yaml/stream.js';
import { YamlSyntaxError } from '../../../src/yaml/errors.js';
import { parseAllDocuments } from 'yaml';

async function collect(chunks: Uint8Array[], opts: SplitOptions = {}): Promise<YamlDocumentText[]> {
  const out: YamlDocumentText[] = [];
  for await (const d of readDocuments(Readable.from(chunks, { objectMode: true }), opts)) out.push(d);
  return out;
}

function chunked(bytes: Uint8Array, sizes: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = Math.max(1, sizes());
    out.push(bytes.subarray(i, i + n));
    i += n;
  }
  return out;
}

const STREAM = [
  '\ufeff# preamble comment',
  'a: 1',
  '---',
  'b: |',
  '  --- indented, not a marker',
  '  text',
  '--- # comment on the marker',
  'c: é😀',
  '--- {d: 1}',
  '---',
  '...',
  '# trailing comment after a document end',
  'e: after end',
  '...',
  '---word: not a marker',
  '--- !!map',
  'f: 2',
  '',
].join('\r\n');

describe('splitDocuments', () => {
  test('splits on column-0 markers and reports start lines', () => {
    const docs = splitDocuments(STREAM);
    expect(docs.map((d) => [d.index, d.startLine, d.text.split('\n')[0]])).toEqual([
      [1, 1, '# preamble comment'],
      [2, 3, '---'],
      [3, 7, '--- # comment on the marker'],
      [4, 9, '--- {d: 1}'],
      [5, 10, '---'],
      [6, 12, '# trailing comment after a document end'],
      [7, 15, '---word: not a marker'],
      [8, 16, '--- !!map'],
    ]);
    expect(docs.every((d) => !d.text.includes('\r'))).toBe(true);
  });
  test('agrees with the yaml package on the number of documents and their values', () => {
    const ours = splitDocuments(STREAM).map((d) => parseAllDocuments(d.text).map((x) => x.toJS() as unknown));
    const theirs = parseAllDocuments(STREAM.replace(/^\ufeff/, '')).map((x) => x.toJS() as unknown);
    expect(ours.map((x) => x[0] ?? null)).toEqual(theirs);
  });
  test('a comment-only preamble is not a document', () => {
    expect(splitDocuments('# only\n---\na: 1\n').map((d) => d.startLine)).toEqual([2]);
  });
  test('rejects NUL with its line and column', () => {
    expect(() => splitDocuments('a: 1\nb: x\0y\n', { source: 'f.yaml' })).toThrow(expect.objectContaining({ file: 'f.yaml', line: 2, column: 5 }));
  });
  test('rejects a document over the size limit', () => {
    const text = 'a: 1\n---\nb: ' + 'x'.repeat(200) + '\n';
    expect(() => splitDocuments(text, { maxDocumentBytes: 100 })).toThrow(expect.objectContaining({ line: 2, document: 2 }));
    expect(() => splitDocuments(text, { maxDocumentBytes: 100 })).toThrow(/larger than the limit of 100 bytes/);
  });
});

describe('readDocuments', () => {
  const bytes = new TextEncoder().encode(STREAM);
  test('one-byte chunks give the same documents as the in-memory split', async () => {
    expect(await collect(chunked(bytes, () => 1))).toEqual(splitDocuments(STREAM));
  });
  test('random chunk sizes give the same documents', async () => {
    let seed = 7;
    const r = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 13) + 1;
    for (let i = 0; i < 50; i++) expect(await collect(chunked(bytes, r))).toEqual(splitDocuments(STREAM));
  });
  test('invalid UTF-8 is reported with byte offset and line', async () => {
    const bad = new Uint8Array([...new TextEncoder().encode('a: 1\nb: x'), 0xff, ...new TextEncoder().encode('\n')]);
    for (const size of [1, 3, 100]) {
      const err = await collect(chunked(bad, () => size), { source: 'in.yaml' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(YamlSyntaxError);
      expect(err).toMatchObject({ file: 'in.yaml', line: 2, column: 5 });
      expect((err as Error).message).toContain('byte offset 9');
    }
  });
  test('a truncated multi-byte sequence at the end is an error', async () => {
    const bad = new Uint8Array([...new TextEncoder().encode('a: '), 0xe4, 0xb8]);
    await expect(collect([bad])).rejects.toThrow(/invalid UTF-8/);
  });
  test('NUL bytes are rejected', async () => {
    await expect(collect([new TextEncoder().encode('a: 1\n---\nb: \0\n')])).rejects.toMatchObject({ line: 3, column: 4 });
  });
  test('a document over the limit fails before the stream ends', async () => {
    let pulled = 0;
    async function* endless(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode('a: |\n');
      for (;;) {
        pulled++;
        yield new TextEncoder().encode('  ' + 'x'.repeat(1000) + '\n');
      }
    }
    const run = async () => { for await (const _ of readDocuments(endless(), { maxDocumentBytes: 10_000 })) { /* drain */ } };
    await expect(run()).rejects.toThrow(/larger than the limit/);
    expect(pulled).toBeLessThan(20);
  });
});
