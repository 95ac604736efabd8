// convert --in-place / --diff through the CLI: flag rules, exit codes, and the file-level guarantees
// (atomic, all-or-nothing on bad input, modes and symlinks kept, a second run changes nothing).
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ExitCode } from '../../src/errors.js';
import { runCli } from './run-cli.js';

const golden = (c: string) => path.join(process.cwd(), 'test/golden/cases', c, 'input.yaml');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ktj-inplace-verb-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('flags', () => {
  test.each([
    [['--in-place', '-f', '-'], /--in-place needs files or directories, not standard input/],
    [['--diff', '-f', 'x.yaml', '--output-dir', 'out'], /--diff and --output-dir cannot be combined/],
    [['--in-place', '-f', 'x.yaml', '-o', 'json'], /--in-place cannot be combined with -o\/--output/],
  ])('%j is a usage error', async (args, message) => {
    const r = await runCli(['convert', ...args], { cwd: dir });
    expect(r.code).toBe(ExitCode.USAGE);
    expect(r.stderr).toMatch(message);
  });
});

describe('--in-place', () => {
  test('rewrites the file, keeps its mode, and a second run finds nothing left to convert', async () => {
    cpSync(golden('map-master-worker-identical'), path.join(dir, 'job.yaml'));
    chmodSync(path.join(dir, 'job.yaml'), 0o640);
    const r = await runCli(['convert', '--in-place', '-f', 'job.yaml'], { cwd: dir });
    expect(r.code).toBe(ExitCode.OK);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^job\.yaml: rewritten: PyTorchJob ml-team\/bert-finetune → TrainJob bert-finetune$/m);
    const after = readFileSync(path.join(dir, 'job.yaml'), 'utf8');
    const plain = await runCli(['convert', '-f', golden('map-master-worker-identical'), '--report', 'none']);
    // Without comments or neighbours, the file is exactly what convert prints (without its leading ---).
    expect(after).toBe(plain.stdout.replace(/^---\n/, ''));
    expect(statSync(path.join(dir, 'job.yaml')).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['job.yaml']);
    const again = await runCli(['convert', '--in-place', '-f', 'job.yaml'], { cwd: dir });
    // As plain convert: nothing to convert is exit 1, and nothing changes.
    expect(again.code).toBe(ExitCode.ERROR);
    expect(again.stderr).toMatch(/nothing to convert: no Training Operator v1 job in job\.yaml/);
    expect(readFileSync(path.join(dir, 'job.yaml'), 'utf8')).toBe(after);
  });

  test('a syntax error in any file leaves every file unchanged (exit 1)', async () => {
    mkdirSync(path.join(dir, 'repo'));
    cpSync(golden('map-master-worker-identical'), path.join(dir, 'repo/a.yaml'));
    cpSync(golden('input-malformed-unclosed-quote'), path.join(dir, 'repo/b.yaml'));
    const before = readFileSync(path.join(dir, 'repo/a.yaml'), 'utf8');
    const r = await runCli(['convert', '--in-place', '-R', '-f', 'repo'], { cwd: dir });
    expect(r.code).toBe(ExitCode.ERROR);
    expect(r.stderr).toMatch(/repo\/b\.yaml/);
    expect(r.stderr).toMatch(/no file was changed/);
    expect(readFileSync(path.join(dir, 'repo/a.yaml'), 'utf8')).toBe(before);
  });

  test('a symlink stays a link; its target is rewritten', async () => {
    mkdirSync(path.join(dir, 'real'));
    cpSync(golden('map-master-worker-identical'), path.join(dir, 'real/job.yaml'));
    symlinkSync('real/job.yaml', path.join(dir, 'link.yaml'));
    const r = await runCli(['convert', '--in-place', '-f', 'link.yaml'], { cwd: dir });
    expect(r.code).toBe(ExitCode.OK);
    expect(lstatSync(path.join(dir, 'link.yaml')).isSymbolicLink()).toBe(true);
    expect(readFileSync(path.join(dir, 'real/job.yaml'), 'utf8')).toMatch(/^kind: TrainJob$/m);
  });

  test('--strict leaves a file with warnings unchanged (exit 4); without it the file converts (exit 3)', async () => {
    cpSync(golden('map-run-policy-ttl'), path.join(dir, 'job.yaml'));
    const before = readFileSync(path.join(dir, 'job.yaml'), 'utf8');
    const strict = await runCli(['convert', '--in-place', '--strict', '-f', 'job.yaml'], { cwd: dir });
    expect(strict.code).toBe(ExitCode.BLOCKED);
    expect(strict.stderr).toMatch(/job\.yaml: left unchanged \(PyTorchJob .* refused\)/);
    expect(readFileSync(path.join(dir, 'job.yaml'), 'utf8')).toBe(before);
    const r = await runCli(['convert', '--in-place', '-f', 'job.yaml'], { cwd: dir });
    expect(r.code).toBe(ExitCode.WARNINGS);
    expect(readFileSync(path.join(dir, 'job.yaml'), 'utf8')).not.toBe(before);
  });

  // Root writes into any directory, so this one can only be checked as another user.
  (process.getuid?.() === 0 ? test.skip : test)('a directory that cannot be written fails before any file changes', async () => {
    mkdirSync(path.join(dir, 'a'));
    mkdirSync(path.join(dir, 'b'));
    cpSync(golden('map-master-worker-identical'), path.join(dir, 'a/job.yaml'));
    cpSync(golden('map-master-worker-identical'), path.join(dir, 'b/job.yaml'));
    const before = readFileSync(path.join(dir, 'a/job.yaml'), 'utf8');
    chmodSync(path.join(dir, 'b'), 0o555);
    try {
      const r = await runCli(['convert', '--in-place', '-R', '-f', '.'], { cwd: dir });
      expect(r.code).toBe(ExitCode.ERROR);
      expect(r.stderr).toMatch(/cannot rewrite "b\/job\.yaml": its directory .* is not writable/);
      expect(readFileSync(path.join(dir, 'a/job.yaml'), 'utf8')).toBe(before);
    } finally {
      chmodSync(path.join(dir, 'b'), 0o755);
    }
  });
});

describe('--diff', () => {
  test('prints a git-style diff, writes nothing, exits as convert would', async () => {
    cpSync(golden('map-run-policy-ttl'), path.join(dir, 'job.yaml'));
    const before = readFileSync(path.join(dir, 'job.yaml'), 'utf8');
    const r = await runCli(['convert', '--diff', '-f', 'job.yaml'], { cwd: dir });
    expect(r.code).toBe(ExitCode.WARNINGS);
    expect(r.stdout).toMatch(/^diff --git a\/job\.yaml b\/job\.yaml\n--- a\/job\.yaml\n\+\+\+ b\/job\.yaml\n@@ /);
    expect(r.stderr).toMatch(/^job\.yaml: would be rewritten: /m);
    expect(readFileSync(path.join(dir, 'job.yaml'), 'utf8')).toBe(before);
    expect(existsSync(path.join(dir, 'out'))).toBe(false);
  });

  test('a refused job gives no diff for its file and exit 4', async () => {
    cpSync(golden('map-master-replicas-2'), path.join(dir, 'job.yaml'));
    const r = await runCli(['convert', '--diff', '-f', 'job.yaml'], { cwd: dir });
    expect(r.code).toBe(ExitCode.BLOCKED);
    expect(r.stdout).toBe('');
  });
});
