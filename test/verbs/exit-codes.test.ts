// Exit-code regression test: the documented table (docs/exit-codes.md), the ExitCode constants and
// what the CLI actually returns must agree for every documented outcome.
import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { runCli } from './run-cli.js';

const cases = path.join(process.cwd(), 'test/golden/cases');
const input = (c: string) => readFileSync(path.join(cases, c, 'input.yaml'));

describe('the documented table', () => {
  const doc = readFileSync(path.join(process.cwd(), 'docs/exit-codes.md'), 'utf8');
  const rows = [...doc.matchAll(/^\|\s*(\d+)\s*\|\s*([A-Z]+)\s*\|/gm)].map((m) => [m[2], Number(m[1])]);
  test('lists exactly the ExitCode constants', () => {
    expect(Object.fromEntries(rows)).toEqual(ExitCode);
  });
});

describe('convert returns', () => {
  test.each([
    ['0 for a clean conversion', ['convert', '-f', '-'], 'map-master-worker-identical', ExitCode.OK],
    ['3 when a job converts with warnings', ['convert', '-f', '-'], 'map-run-policy-ttl', ExitCode.WARNINGS],
    // Every v1 kind converts now: what is left out with a warning is the AppWrapper around a job.
    ['3 when parts of the input are left out', ['convert', '-f', '-'], 'input-appwrapper', ExitCode.WARNINGS],
    ['0 for a stream mixing v1 kinds with other objects', ['convert', '-f', '-'], 'input-mixed-kinds', ExitCode.OK],
    ['4 when a job is refused', ['convert', '-f', '-'], 'map-elastic-c10d', ExitCode.BLOCKED],
    ['3 when --force converts a refused job', ['convert', '-f', '-', '--force'], 'map-elastic-c10d', ExitCode.WARNINGS],
    ['4 when --strict refuses a job with warnings', ['convert', '-f', '-', '--strict'], 'map-run-policy-ttl', ExitCode.BLOCKED],
    ['1 for malformed YAML', ['convert', '-f', '-'], 'input-malformed-unclosed-quote', ExitCode.ERROR],
    ['1 for non-UTF-8 input', ['convert', '-f', '-'], 'input-non-utf8', ExitCode.ERROR],
    ['1 for an alias bomb', ['convert', '-f', '-'], 'input-alias-bomb', ExitCode.ERROR],
    ['4 for an invalid PyTorchJob', ['convert', '-f', '-'], 'input-mistyped-fields', ExitCode.BLOCKED],
  ])('%s', async (_name, args, c, code) => {
    const r = await runCli(args as string[], { stdin: input(c as string) });
    expect(r.code).toBe(code);
  });

  test('2 for an unknown flag', async () => {
    expect((await runCli(['convert', '--bogus'])).code).toBe(ExitCode.USAGE);
  });
  test('2 for an unknown verb', async () => {
    const r = await runCli(['convrt']);
    expect(r.code).toBe(ExitCode.USAGE);
  });
  test('0 for --help', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(ExitCode.OK);
  });
});
