// convert on bad input and bad output paths (issue 13, "Bad input"): every case is a clear exit 1
// naming the path, never "internal error"; a failed run prints nothing on stdout.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from '@jest/globals';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runCli } from './run-cli.js';

const cases = path.join(process.cwd(), 'test/golden/cases');
const job = readFileSync(path.join(cases, 'map-master-worker-identical/input.yaml'), 'utf8');
const named = (name: string) => job.replace(/name: bert-finetune/, `name: ${name}`);
const isRoot = process.getuid?.() === 0;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'ktj-bad-input-'));
});
afterEach(() => {
  chmodSync(dir, 0o755);
  rmSync(dir, { recursive: true, force: true });
});

const names = (yaml: string) => parseAllDocuments(yaml).map((d) => d.toJS()?.metadata?.name);

describe('output paths', () => {
  test('--output-dir that is a file: exit 1 naming it, nothing read or written', async () => {
    writeFileSync(path.join(dir, 'in.yaml'), job);
    writeFileSync(path.join(dir, 'out'), 'a file');
    const r = await runCli(['convert', '-f', 'in.yaml', '--output-dir', 'out'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: --output-dir "out" cannot be written: it (or a part of its path) is a file, not a directory');
    expect(r.stderr).not.toMatch(/bug/);
  });

  test('--output-dir under a file: exit 1 naming it', async () => {
    writeFileSync(path.join(dir, 'in.yaml'), job);
    writeFileSync(path.join(dir, 'file'), 'a file');
    const r = await runCli(['convert', '-f', 'in.yaml', '--output-dir', 'file/out'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: --output-dir "file/out" cannot be written');
  });

  (isRoot ? test.skip : test)('--output-dir not writable: exit 1 naming it', async () => {
    writeFileSync(path.join(dir, 'in.yaml'), job);
    mkdirSync(path.join(dir, 'ro'));
    chmodSync(path.join(dir, 'ro'), 0o555);
    const r = await runCli(['convert', '-f', 'in.yaml', '--output-dir', 'ro'], { cwd: dir });
    chmodSync(path.join(dir, 'ro'), 0o755);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: --output-dir "ro" cannot be written: permission denied');
  });

  test('--report-file that is a directory: exit 1 naming it, nothing on stdout', async () => {
    mkdirSync(path.join(dir, 'reports'));
    const r = await runCli(['convert', '-f', '-', '--report', 'json', '--report-file', 'reports'], { cwd: dir, stdin: job });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: --report-file "reports" cannot be written: it is a directory');
    expect(r.stdout).toBe('');
  });

  test('--report-file in a missing directory: exit 1 naming it', async () => {
    const r = await runCli(['convert', '-f', '-', '--report-file', 'nope/r.json'], { cwd: dir, stdin: job });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: --report-file "nope/r.json" cannot be written: its directory does not exist');
  });
});

describe('documents', () => {
  test('YAML nested 2,000 levels deep: exit 1 with file, line and document, no crash', async () => {
    let deep = 'apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: deep\nspec:\n';
    for (let i = 0; i < 2000; i++) deep += `${'  '.repeat(i + 1)}k${i}:\n`;
    writeFileSync(path.join(dir, 'deep.yaml'), `${job}---\n${deep}`);
    const r = await runCli(['convert', '-f', 'deep.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: deep\.yaml:\d+:1: document 2: collections nested more than 256 levels deep/);
    expect(r.stdout).toBe('');
  });

  test('deep flow nesting ([[[[...]]]]) is bounded the same way', async () => {
    writeFileSync(path.join(dir, 'flow.yaml'), `apiVersion: v1\nkind: ConfigMap\ndata: ${'['.repeat(3000)}${']'.repeat(3000)}\n`);
    const r = await runCli(['convert', '-f', 'flow.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: flow\.yaml:3:1: document 1: collections nested more than 256 levels deep/);
  });

  test('a run failing on file 3 has printed nothing from files 1 and 2', async () => {
    writeFileSync(path.join(dir, 'a.yaml'), named('job-a'));
    writeFileSync(path.join(dir, 'b.yaml'), named('job-b'));
    writeFileSync(path.join(dir, 'c.yaml'), 'apiVersion: [\n');
    const r = await runCli(['convert', '-f', 'a.yaml', '-f', 'b.yaml', '-f', 'c.yaml', '--report', 'none'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: c\.yaml:\d+:\d+: document 1:/);
    expect(r.stdout).toBe('');
  });

  test('the same file given twice (any spelling, or through its directory) is read once', async () => {
    mkdirSync(path.join(dir, 'jobs'));
    writeFileSync(path.join(dir, 'jobs/a.yaml'), named('job-a'));
    const r = await runCli(['convert', '-f', 'jobs/a.yaml', '-f', './jobs/a.yaml', '-f', 'jobs', '--report', 'none'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(['job-a']);
  });

  test('an empty input says "no objects passed" (exit 1), as kubectl does', async () => {
    const r = await runCli(['convert', '-f', '-'], { stdin: '# nothing here\n---\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: no objects passed to convert: <stdin> held no Kubernetes object');
  });

  test('input where nothing was converted does not exit 3', async () => {
    const r = await runCli(['convert', '-f', '-'], { stdin: 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: nothing to convert: no Training Operator v1 job in <stdin>');
    expect(r.stdout).toBe('');
  });
});

describe('-n and a namespace named in the manifest', () => {
  test('a mismatch is refused with kubectl\'s message (exit 1)', async () => {
    const r = await runCli(['convert', '-f', '-', '-n', 'other'], { stdin: job });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: the namespace from the provided object "ml-team" does not match the namespace "other". You must pass \'--namespace=ml-team\' to perform this operation (<stdin>#1)');
    expect(r.stdout).toBe('');
  });

  test('--override-namespace moves the job into the -n namespace', async () => {
    const r = await runCli(['convert', '-f', '-', '-n', 'other', '--override-namespace', '--report', 'none'], { stdin: job });
    expect(r.code).toBe(0);
    expect(parseAllDocuments(r.stdout)[0]!.toJS().metadata.namespace).toBe('other');
  });

  test('the same namespace, or none in the manifest, is fine', async () => {
    const same = await runCli(['convert', '-f', '-', '-n', 'ml-team', '--report', 'none'], { stdin: job });
    expect(same.code).toBe(0);
    const none = await runCli(['convert', '-f', '-', '-n', 'other', '--report', 'none'], { stdin: job.replace(/^\s+namespace: ml-team\n/m, '') });
    expect(none.code).toBe(0);
    expect(parseAllDocuments(none.stdout)[0]!.toJS().metadata.namespace).toBe('other');
  });

  test('--override-namespace without -n is a usage error', async () => {
    const r = await runCli(['convert', '-f', '-', '--override-namespace'], { stdin: job });
    expect(r.code).toBe(2);
  });
});

describe('-f URL', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/job.yaml') {
        res.writeHead(200, { 'content-type': 'application/yaml' });
        res.end(named('from-url'));
      } else {
        res.writeHead(404, 'Not Found');
        res.end('no');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test('reads a manifest over http, named by its URL in findings', async () => {
    const r = await runCli(['convert', '-f', `${base}/job.yaml`]);
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(['from-url']);
    expect(r.stderr).toContain(`(${base}/job.yaml#1)`);
  });

  test('a 404 is exit 1 with kubectl\'s message', async () => {
    const r = await runCli(['convert', '-f', `${base}/missing.yaml`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: unable to read URL "${base}/missing.yaml", server reported 404 Not Found, status code=404`);
  });

  test('an unreachable host is exit 1 naming the URL', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/job.yaml`;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const r = await runCli(['convert', '-f', url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: unable to read URL "${url}": ECONNREFUSED`);
  });
});

describe('templates and duplicate identities across files', () => {
  test('an envsubst template in the second file: exit 1 naming file, document, line and variable; nothing printed', async () => {
    writeFileSync(path.join(dir, 'a.yaml'), named('job-a'));
    writeFileSync(path.join(dir, 'b.yaml'), `${named('job-b')}---\n${named('job-c').replace('image: quay.io/acme-ml/bert-finetune:2.3.0', 'image: quay.io/acme-ml/${IMAGE_NAME}')}`);
    const r = await runCli(['convert', '-f', 'a.yaml', '-f', 'b.yaml'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: b\.yaml:\d+:\d+: document 2: unrendered template: \$\{IMAGE_NAME\} in spec\.pytorchReplicaSpecs\.Master\.template\.spec\.containers\[0\]\.image/);
    expect(r.stderr).toContain('hint: Render the template first, e.g. `envsubst < FILE');
    expect(r.stdout).toBe('');
  });

  test('two files with the same job and no namespace: emitted once', async () => {
    const nons = job.replace(/^\s+namespace: ml-team\n/m, '');
    writeFileSync(path.join(dir, 'a.yaml'), nons);
    writeFileSync(path.join(dir, 'copy.yaml'), nons);
    const r = await runCli(['convert', '-f', 'a.yaml', '-f', 'copy.yaml'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(names(r.stdout)).toEqual(['bert-finetune']);
    expect(r.stderr.replace(/\s+/g, ' ')).toContain('TrainJob bert-finetune from copy.yaml#1 is identical to the one from a.yaml#1; emitted once.');
  });

  test('two files with different jobs of one name: error naming both, the second not emitted (exit 4)', async () => {
    const nons = job.replace(/^\s+namespace: ml-team\n/m, '');
    writeFileSync(path.join(dir, 'a.yaml'), nons);
    writeFileSync(path.join(dir, 'b.yaml'), nons.replace('replicas: 3', 'replicas: 5'));
    const r = await runCli(['convert', '-f', 'a.yaml', '-f', 'b.yaml', '--output-dir', 'out'], { cwd: dir });
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/KTJ-DUP-002/);
    expect(r.stderr.replace(/\s+/g, ' ')).toContain('from b.yaml#1 has the identity of a different TrainJob from a.yaml#1');
    expect(readdirSync(path.join(dir, 'out'))).toEqual(['bert-finetune.yaml']);
    expect(readFileSync(path.join(dir, 'out/bert-finetune.yaml'), 'utf8')).toMatch(/numNodes: 4/);
  });
});
