// The root command lists verbs without loading them (fast --help); the listing must match each
// verb module's own command and description, and every verb module must be listed.
import { describe, expect, test } from '@jest/globals';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { normalizeArgs, verbEntries } from '../../src/cli.js';
import type { Deps } from '../../src/io.js';

const deps: Deps = {
  io: { in: Readable.from([]), out: new PassThrough(), err: new PassThrough(), outIsTTY: false, errIsTTY: false },
  env: {},
  cwd: '/',
  now: () => new Date(0),
};

describe('verb registry', () => {
  test.each(verbEntries.map((e) => e.name))('%s: the listing matches the module', async (name) => {
    const entry = verbEntries.find((e) => e.name === name)!;
    const verb = (await entry.load())(deps);
    expect({ command: verb.command, describe: verb.describe }).toEqual({ command: entry.command, describe: entry.describe });
    expect(String(verb.command).split(' ')[0]).toBe(entry.name);
  });

  test('every module in src/verbs is registered', () => {
    const files = readdirSync(path.join(process.cwd(), 'src/verbs')).filter((f) => f.endsWith('.ts') && f !== 'flags.ts').map((f) => f.replace(/\.ts$/, ''));
    expect(files.sort()).toEqual(verbEntries.map((e) => e.name).sort());
  });
});

describe('normalizeArgs', () => {
  test('rewrites -f - so yargs keeps standard input', () => {
    expect(normalizeArgs(['convert', '-f', '-', '--filename', '-', '-f', 'x'])).toEqual(['convert', '--filename=-', '--filename=-', '-f', 'x']);
  });
});

describe('--suffix, shared by convert, preview, apply-v2 and migrate', () => {
  test.each([
    ['', ''],
    ['v2', '-v2'],
    ['-v2', '-v2'],
  ])('parseSuffix(%j) = %j', async (raw, expected) => {
    const { parseSuffix } = await import('../../src/verbs/flags.js');
    expect(parseSuffix(raw)).toBe(expected);
  });

  test('an invalid suffix is a usage error', async () => {
    const { parseSuffix } = await import('../../src/verbs/flags.js');
    expect(() => parseSuffix('_V2')).toThrow(/invalid --suffix/);
  });

  test.each(['convert', 'preview', 'apply-v2', 'migrate'])('%s --suffix -v2 (value read as a flag) is a usage error, not an empty suffix', async (verb) => {
    const { runCli } = await import('../verbs/run-cli.js');
    const r = await runCli([verb, '--suffix', '-v2', 'job']);
    expect(r.code).toBe(2);
  });
});
