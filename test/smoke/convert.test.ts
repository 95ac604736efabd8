// The convert verb through the real kubectl with the built single executable: the product on stdout
// is a YAML stream kubectl can read, stdin works through kubectl, and the golden output is identical
// to what the in-process CLI produced (same code, bundled).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { ROOT, makeSandbox, requireBinary, type Sandbox } from './sandbox.js';

let sb: Sandbox;
beforeAll(() => {
  requireBinary();
  sb = makeSandbox();
});
afterAll(() => sb?.cleanup());

const golden = (c: string, file: string) => path.join(ROOT, 'test/golden/cases', c, file);

describe('kubectl trainjob convert (built binary through kubectl)', () => {
  test.each(['map-master-worker-identical', 'map-sidecar-container', 'example-kubeflow-simple'])('%s matches its v2.3 golden output', (c) => {
    const r = sb.kubectl(['trainjob', 'convert', '-f', golden(c, 'input.yaml'), '--target-version', 'v2.3']);
    expect([0, 3]).toContain(r.code);
    expect(r.stdout).toBe(readFileSync(golden(c, 'v2.3/trainjob.yaml'), 'utf8'));
    expect(r.stderr).toMatch(/^Summary: 1\/1 PyTorchJob converted for Trainer v2.3/m);
  });

  test('a multi-document input gives a multi-document stream, never a List', () => {
    const r = sb.kubectl(['trainjob', 'convert', '-f', golden('input-multi-doc-3-jobs', 'input.yaml'), '--report', 'none']);
    expect(parseAllDocuments(r.stdout).map((d) => d.toJS().kind)).toEqual(['TrainJob', 'TrainJob', 'TrainJob']);
  });

  test('reads stdin through kubectl', () => {
    const r = spawnSync(path.join(sb.binDir, 'kubectl'), ['trainjob', 'convert', '-f', '-', '--report', 'none'], {
      env: sb.env,
      cwd: '/',
      input: readFileSync(golden('map-master-worker-identical', 'input.yaml')),
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(parseAllDocuments(r.stdout)[0]!.toJS().kind).toBe('TrainJob');
  });

  test('a refused job exits 4 with nothing on stdout', () => {
    const r = sb.kubectl(['trainjob', 'convert', '-f', golden('map-elastic-c10d', 'input.yaml')]);
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('KTJ-ELASTIC-001');
  });

  test('--diff and --in-place rewrite a repository through kubectl, as the in-process golden says', () => {
    const input = path.join(ROOT, 'test/golden/inplace/comments-and-other-kinds/input');
    const repo = mkdtempSync(path.join(tmpdir(), 'ktj-smoke-inplace-'));
    try {
      cpSync(input, repo, { recursive: true });
      const diff = spawnSync(path.join(sb.binDir, 'kubectl'), ['trainjob', 'convert', '-R', '-f', '.', '--diff', '--target-version', 'v2.3'], { env: sb.env, cwd: repo, encoding: 'utf8' });
      expect(diff.status).toBe(0);
      expect(diff.stdout).toBe(readFileSync(path.join(ROOT, 'test/golden/inplace/comments-and-other-kinds/v2.3/diff.patch'), 'utf8'));
      const r = spawnSync(path.join(sb.binDir, 'kubectl'), ['trainjob', 'convert', '-R', '-f', '.', '--in-place', '--target-version', 'v2.3'], { env: sb.env, cwd: repo, encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/^training\.yaml: rewritten: PyTorchJob nlp\/bert → TrainJob bert$/m);
      const after = readFileSync(path.join(repo, 'training.yaml'), 'utf8');
      expect(after).toMatch(/^kind: TrainJob$/m);
      expect(after).toContain('    image: ghcr.io/acme/bert:1.2  # do not bump');
      expect(after.startsWith('# Team NLP training manifests\n# owner: nlp-platform\napiVersion: v1\nkind: ConfigMap\n')).toBe(true);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});
