// The convert verb as a user runs it: inputs (files, directories, -R, stdin), outputs (stdout,
// --output-dir with atomic writes), reports and flags. Runs the real CLI in-process.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from './run-cli.js';

const cases = path.join(process.cwd(), 'test/golden/cases');
const identical = readFileSync(path.join(cases, 'map-master-worker-identical/input.yaml'), 'utf8');
const elastic = readFileSync(path.join(cases, 'map-elastic-c10d/input.yaml'), 'utf8');
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ktj-convert-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const kinds = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS()?.kind);

describe('inputs', () => {
  test('reads standard input with -f -', async () => {
    const r = await runCli(['convert', '-f', '-'], { stdin: identical });
    expect(r.code).toBe(0);
    expect(kinds(r.stdout)).toEqual(['TrainJob']);
    expect(r.stderr).toMatch(/\(<stdin>#1\)/);
  });

  test('reads a directory, and its subdirectories only with -R', async () => {
    mkdirSync(path.join(dir, 'jobs/nested'), { recursive: true });
    writeFileSync(path.join(dir, 'jobs/a.yaml'), identical);
    writeFileSync(path.join(dir, 'jobs/notes.txt'), 'not a manifest');
    writeFileSync(path.join(dir, 'jobs/nested/b.yaml'), identical.replace(/name: bert-finetune/, 'name: bert-nested'));
    const flat = await runCli(['convert', '-f', 'jobs', '--report', 'none'], { cwd: dir });
    expect(kinds(flat.stdout)).toEqual(['TrainJob']);
    const deep = await runCli(['convert', '-R', '-f', 'jobs', '--report', 'none'], { cwd: dir });
    expect(kinds(deep.stdout)).toEqual(['TrainJob', 'TrainJob']);
  });

  test('a missing file is an error naming it (exit 1)', async () => {
    const r = await runCli(['convert', '-f', 'nope.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the path "nope.yaml" does not exist');
  });

  test('an unreadable file is an error naming it (exit 1)', async () => {
    const f = path.join(dir, 'secret.yaml');
    writeFileSync(f, identical);
    chmodSync(f, 0o000);
    const r = await runCli(['convert', '-f', 'secret.yaml'], { cwd: dir });
    // root can read anything; the test still proves no crash and a clear outcome
    if (process.getuid?.() === 0) expect(r.code).toBe(0);
    else {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/cannot read "secret.yaml": permission denied/);
    }
  });

  test('malformed YAML names file, document, line and column, and writes nothing', async () => {
    writeFileSync(path.join(dir, 'bad.yaml'), `${identical}---\napiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: x\n`);
    const r = await runCli(['convert', '-f', 'bad.yaml', '--output-dir', 'out'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: bad\.yaml:\d+:\d+: document 2: /);
    expect(readdirSync(path.join(dir, 'out'))).toEqual([]);
  });
});

describe('outputs', () => {
  test('-o json prints JSON objects', async () => {
    const r = await runCli(['convert', '-f', '-', '-o', 'json', '--report', 'none'], { stdin: identical });
    expect(JSON.parse(r.stdout).kind).toBe('TrainJob');
  });

  test('an unknown -o is a usage error listing the formats (exit 2)', async () => {
    const r = await runCli(['convert', '-f', '-', '-o', 'wide'], { stdin: identical });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Allowed formats are: yaml, json');
  });

  test('--output-dir writes one file per job and never overwrites without --overwrite', async () => {
    writeFileSync(path.join(dir, 'in.yaml'), identical);
    const first = await runCli(['convert', '-f', 'in.yaml', '--output-dir', 'out', '--report', 'none'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(first.stdout).toBe('');
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['ml-team_bert-finetune.yaml']);
    const again = await runCli(['convert', '-f', 'in.yaml', '--output-dir', 'out', '--report', 'none'], { cwd: dir });
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already holds ml-team_bert-finetune.yaml');
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['ml-team_bert-finetune.yaml']);
    const forced = await runCli(['convert', '-f', 'in.yaml', '--output-dir', 'out', '--overwrite', '--report', 'none'], { cwd: dir });
    expect(forced.code).toBe(0);
  });

  test('--report json is one parseable document with a summary', async () => {
    const r = await runCli(['convert', '-f', '-', '--report', 'json', '--report-file', path.join(dir, 'r.json')], { stdin: identical });
    const report = JSON.parse(readFileSync(path.join(dir, 'r.json'), 'utf8'));
    expect(report.kind).toBe('ConversionReport');
    expect(report.summary).toMatchObject({ pytorchJobs: 1, converted: 1, refused: 0 });
    expect(r.stderr).toMatch(/^Summary: 1\/1 PyTorchJob converted/m);
  });

  test('the summary counts configuration lines before and after', async () => {
    const r = await runCli(['convert', '-f', '-'], { stdin: identical });
    expect(r.stderr).toMatch(/\d+ → \d+ lines of YAML\./);
  });
});

describe('flags', () => {
  test.each([['--suffix', 'v2'], ['--suffix=-v2'], ['--suffix=v2']])('%s renames the TrainJob to NAME-v2', async (...flag) => {
    const r = await runCli(['convert', '-f', '-', ...flag, '--report', 'none'], { stdin: identical });
    expect(parseAllDocuments(r.stdout)[0]!.toJS().metadata.name).toBe('bert-finetune-v2');
  });

  test('--suffix without a value is a usage error, not a silent no-op', async () => {
    const r = await runCli(['convert', '-f', '-', '--suffix', '-v2'], { stdin: identical });
    expect(r.code).toBe(2);
  });

  test('an invalid --suffix is a usage error', async () => {
    const r = await runCli(['convert', '-f', '-', '--suffix', '_V2'], { stdin: identical });
    expect(r.code).toBe(2);
  });

  test('an unknown --target-version lists the valid ones', async () => {
    const r = await runCli(['convert', '-f', '-', '--target-version', 'v3.0'], { stdin: identical });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Valid values: v2.0, v2.1, v2.2, v2.3');
  });

  test('--runtime and --runtime-kind set the runtimeRef', async () => {
    const r = await runCli(['convert', '-f', '-', '--runtime', 'my-runtime', '--runtime-kind', 'TrainingRuntime', '--report', 'none'], { stdin: identical });
    expect(parseAllDocuments(r.stdout)[0]!.toJS().spec.runtimeRef).toEqual({ name: 'my-runtime', kind: 'TrainingRuntime' });
  });

  test('--force converts a refused elastic job; --strict refuses a job with warnings', async () => {
    const refused = await runCli(['convert', '-f', '-', '--report', 'none'], { stdin: elastic });
    expect(refused.code).toBe(4);
    expect(refused.stdout).toBe('');
    const forced = await runCli(['convert', '-f', '-', '--force', '--report', 'none'], { stdin: elastic });
    expect(forced.code).toBe(3);
    expect(kinds(forced.stdout)).toContain('TrainJob');
    const strict = await runCli(['convert', '-f', '-', '--strict', '--report', 'none'], { stdin: elastic.replace(/elasticPolicy:[\s\S]*?pytorchReplicaSpecs:/, 'pytorchReplicaSpecs:') });
    expect([0, 4]).toContain(strict.code);
  });

  test('--strict and --force together are a usage error', async () => {
    const r = await runCli(['convert', '-f', '-', '--strict', '--force'], { stdin: identical });
    expect(r.code).toBe(2);
  });

  test('no input at all is a usage error with an example', async () => {
    const r = await runCli(['convert']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('kubectl trainjob convert -f job.yaml');
  });

  test('-n fills in the namespace of jobs that have none', async () => {
    const noNs = identical.replace(/\n  namespace: ml-team/, '');
    const r = await runCli(['convert', '-f', '-', '-n', 'research', '--report', 'none'], { stdin: noNs });
    expect(parseAllDocuments(r.stdout)[0]!.toJS().metadata.namespace).toBe('research');
  });

  test('convert never needs a kubeconfig', async () => {
    const r = await runCli(['convert', '-f', '-', '--kubeconfig', path.join(dir, 'does-not-exist')], { stdin: identical });
    expect(r.code).toBe(0);
    expect(existsSync(path.join(dir, 'does-not-exist'))).toBe(false);
  });
});
