import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import { RunOutput } from '../../../src/pipeline/output-buffer.js';

async function collect(run: (out: PassThrough) => Promise<void>): Promise<string> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await run(out);
  return Buffer.concat(chunks).toString('utf8');
}

describe('RunOutput', () => {
  test('holds output in memory and writes it all on commit', async () => {
    const o = new RunOutput();
    o.write('a\n');
    o.write('b\n');
    expect(await collect((out) => o.commit(out))).toBe('a\nb\n');
  });

  test('spills to a temporary file past the limit, keeps the order and bytes, and removes the file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ktj-spill-'));
    try {
      const o = new RunOutput(1000, dir);
      let expected = '';
      for (let i = 0; i < 5000; i++) {
        const t = `---\nname: job-${i} é\n`;
        expected += t;
        o.write(t);
      }
      expect(readdirSync(dir)).toHaveLength(1);
      expect(await collect((out) => o.commit(out))).toBe(expected);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('spills exactly when the UTF-8 bytes (not the characters) pass the limit, counting each write once', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ktj-spill-'));
    try {
      // 'é' is 1 character and 2 bytes: 300 writes of 'éé' are 600 characters, 1,200 bytes.
      const o = new RunOutput(1000, dir);
      for (let i = 0; i < 250; i++) o.write('éé');
      expect(readdirSync(dir)).toEqual([]); // 1,000 bytes: not over
      o.write('é');
      expect(readdirSync(dir)).toHaveLength(1); // 1,002 bytes
      o.discard();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('discard drops everything and removes the temporary file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ktj-spill-'));
    try {
      const o = new RunOutput(10, dir);
      o.write('x'.repeat(100));
      o.discard();
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
