import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { normalizeArgs, verbosityOf } from '../../src/cli.js';
import { UsageError } from '../../src/errors.js';
import { parseDryRun } from '../../src/verbs/flags.js';
import { runCli } from '../verbs/run-cli.js';

describe('normalizeArgs: kubectl (pflag) spellings', () => {
  test.each([
    [['convert', '-oyaml'], ['convert', '--output=yaml']],
    [['convert', '-ojson'], ['convert', '--output=json']],
    [['backup', '-nteam-a'], ['backup', '--namespace=team-a']],
    [['backup', '-n=team-a'], ['backup', '--namespace=team-a']],
    [['backup', '-lteam=nlp'], ['backup', '--selector=team=nlp']],
    [['convert', '-fjob.yaml'], ['convert', '--filename=job.yaml']],
    [['backup', '-Ay'], ['backup', '-A', '-y']],
    [['backup', '-An', 'x'], ['backup', '-A', '-n', 'x']],
    [['backup', '-Aoname'], ['backup', '-A', '--output=name']],
    [['backup', '-v', '6', 'bert'], ['backup', '--v=6', 'bert']],
    [['backup', '-v6'], ['backup', '--v=6']],
    [['backup', '-v=6'], ['backup', '--v=6']],
    [['backup', '--v', '8'], ['backup', '--v=8']],
    [['backup', '--v=04'], ['backup', '--v=4']],
    [['backup', '-Av', '6'], ['backup', '-A', '--v=6']],
    [['backup', '--verbose'], ['backup', '--v=4']],
    [['apply-v2', '--dry-run', 'bert'], ['apply-v2', '--dry-run=client', 'bert']],
    [['apply-v2', '--dry-run=server'], ['apply-v2', '--dry-run=server']],
    [['convert', '-f', '-'], ['convert', '--filename=-']],
    [['convert', '-x'], ['convert', '-x']],
    [['convert', '-Zq'], ['convert', '-Zq']],
    [['convert', '--', '-oyaml', '-v'], ['convert', '--', '-oyaml', '-v']],
  ])('%j -> %j', (input, expected) => {
    expect(normalizeArgs(input)).toEqual(expected);
  });

  test.each([[['backup', '-v']], [['backup', '-v', 'bert']], [['backup', '-v', '--all']], [['backup', '-vx']], [['backup', '--v=high']]])('%j is a usage error, never a job name', (args) => {
    expect(() => normalizeArgs(args)).toThrow(UsageError);
  });

  test('verbosityOf reads the last -v in any spelling, and never throws', () => {
    expect(verbosityOf(['backup'])).toBe(0);
    expect(verbosityOf(['backup', '-v', '4', '--v=8'])).toBe(8);
    expect(verbosityOf(['backup', '-v6'])).toBe(6);
    expect(verbosityOf(['backup', '-v'])).toBe(0);
    expect(verbosityOf(['convert', '--', '--v=9'])).toBe(0);
  });
});

describe('parseDryRun', () => {
  test('kubectl values, the bare flag and the legacy booleans', () => {
    expect(parseDryRun(undefined, ['client', 'server'])).toBe('none');
    expect(parseDryRun('none', ['client', 'server'])).toBe('none');
    expect(parseDryRun('false', ['client'])).toBe('none');
    expect(parseDryRun('', ['client'])).toBe('client');
    expect(parseDryRun('true', ['client'])).toBe('client');
    expect(parseDryRun('client', ['client', 'server'])).toBe('client');
    expect(parseDryRun('server', ['client', 'server'])).toBe('server');
    expect(() => parseDryRun('server', ['client'])).toThrow('invalid --dry-run "server"');
    expect(() => parseDryRun('yes', ['client', 'server'])).toThrow(UsageError);
  });
});

describe('the CLI with kubectl spellings (in-process)', () => {
  const job = 'apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: j1}\nspec:\n  pytorchReplicaSpecs:\n    Master:\n      replicas: 1\n      template: {spec: {containers: [{name: pytorch, image: img}]}}\n';

  test('-ojson and -nteam-a (no space) are the output format and the namespace', async () => {
    const r = await runCli(['convert', '-f', '-', '-ojson', '-nteam-a', '--report', 'none'], { stdin: job });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metadata.namespace).toBe('team-a');
  });

  test('-n a -n b means b (the last of a repeated single-valued flag wins)', async () => {
    const r = await runCli(['convert', '-f', '-', '-n', 'a', '-n', 'b', '-o', 'yaml', '-o', 'json', '--report', 'none'], { stdin: job });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metadata.namespace).toBe('b');
  });

  test('repeatable flags still collect every value (-f, --as-group)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ktj-spell-'));
    try {
      writeFileSync(path.join(dir, 'a.yaml'), job);
      writeFileSync(path.join(dir, 'b.yaml'), job.replace('name: j1', 'name: j2'));
      const r = await runCli(['convert', '-f', 'a.yaml', '-f', 'b.yaml', '--report', 'none', '--as', 'u', '--as-group', 'a', '--as-group', 'b'], { cwd: dir });
      expect(r.stderr).toContain('2/2 PyTorchJobs converted');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('name: j1');
      expect(r.stdout).toContain('name: j2');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('backup -v 6 never takes 6 for a job name', async () => {
    const r = await runCli(['backup', '-v', '6', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.stderr).not.toContain('"6"');
    expect(r.stderr).toContain('kubeconfig file /nonexistent/kubeconfig does not exist');
    expect(r.code).toBe(1);
  });

  test('a -v without a number is a usage error (exit 2) that says what -v takes', async () => {
    const r = await runCli(['backup', '-v', 'bert']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('invalid argument "bert" for "-v, --v" flag');
    expect(r.stderr).toContain('-v=6 API requests');
  });

  test('-v=4 prints the stack trace of an error; -v=0 does not', async () => {
    const quiet = await runCli(['backup', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(quiet.stderr).not.toMatch(/\n\s+at /);
    const loud = await runCli(['backup', '-v=4', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(loud.stderr).toMatch(/\n\s+at /);
  });

  test('--kubeconfig pointing at a directory is exit 1 naming the path (not an internal error)', async () => {
    const r = await runCli(['backup', '--kubeconfig', '/tmp']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: kubeconfig /tmp (from --kubeconfig) is a directory, not a file');
    expect(r.stderr).not.toContain('internal error');
  });

  test('--as-uid needs --as, like kubectl', async () => {
    const r = await runCli(['backup', '--as-uid', '1234', '--server', 'https://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--as-uid requires --as');
  });

  test('an invalid --dry-run value is a usage error listing the allowed values', async () => {
    const r = await runCli(['apply-v2', '--dry-run=maybe', '-f', '-'], { stdin: job });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed values are: none, client, server');
  });

  test('cleanup --dry-run without --delete-migrated is a usage error', async () => {
    const r = await runCli(['cleanup', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--dry-run only applies with --delete-migrated');
  });
});
