// `kubectl trainjob backup` against the real kube-apiserver: one clean manifest per job plus index.yaml,
// atomic and idempotent, and a backup file that recreates the same object byte for byte.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanManifest } from '../../../src/live/clean.js';
import { readBackupIndex, sha256 } from '../../../src/migration/backup-store.js';
import { toYaml } from '../../../src/yaml/index.js';
import { adminClient, testNamespace } from '../../controlplane/harness.js';
import { createJobs, getObject, ktj, pjPath, pytorchJob, setState, tempDir } from '../migrate/helpers.js';

let ns: string;
let dir: string;
beforeAll(async () => {
  ns = await testNamespace('backup');
  dir = tempDir('ktj-backup-');
  await createJobs([
    pytorchJob('alpha', ns, { labels: { team: 'a' }, annotations: { 'example.com/owner': 'me' } }),
    pytorchJob('beta', ns, { labels: { team: 'a' } }),
    pytorchJob('gamma', ns, { labels: { team: 'b' } }),
  ]);
  await setState(ns, 'alpha', 'succeeded');
  await setState(ns, 'beta', 'running');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('backup', () => {
  it('writes one clean manifest per job and an index with uid, resourceVersion, state and sha256', async () => {
    const r = await ktj(['backup', '-n', ns, '-l', 'team=a', '--backup-dir', dir, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.jobs.map((j: any) => [j.name, j.status, j.state])).toEqual([
      ['alpha', 'written', 'succeeded'],
      ['beta', 'written', 'running'],
    ]);
    const index = (await readBackupIndex(dir))!;
    expect(index).toMatchObject({ apiVersion: 'kubectl-trainjob.io/v1', kind: 'PyTorchJobBackup', cluster: { context: expect.any(String), server: expect.stringMatching(/^https:/) } });
    expect(index.created).toBe('2026-11-24T12:00:00.000Z');
    for (const e of index.entries) {
      const live = await getObject(pjPath(ns, e.name));
      expect(e).toMatchObject({ namespace: ns, uid: live.metadata.uid, resourceVersion: live.metadata.resourceVersion, file: `${ns}/${e.name}.yaml` });
      const text = fs.readFileSync(path.join(dir, e.file));
      expect(sha256(text)).toBe(e.sha256);
      expect(text.toString()).toBe(toYaml(cleanManifest(live)));
      expect(text.toString()).not.toMatch(/uid:|resourceVersion:|managedFields|creationTimestamp|status:/);
    }
    expect(fs.readdirSync(path.join(dir, ns)).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('is idempotent: a second run writes nothing; a changed job gets a new file next to the old one', async () => {
    const before = fs.readFileSync(path.join(dir, ns, 'alpha.yaml'), 'utf8');
    const again = await ktj(['backup', '-n', ns, '-l', 'team=a', '--backup-dir', dir, '-o', 'json']);
    expect(JSON.parse(again.stdout).jobs.map((j: any) => j.status)).toEqual(['unchanged', 'unchanged']);

    const client = await adminClient();
    await client.ok('PATCH', pjPath(ns, 'alpha'), { body: { metadata: { labels: { extra: 'x' } } }, contentType: 'application/merge-patch+json' });
    const third = await ktj(['backup', '-n', ns, 'alpha', '--backup-dir', dir, '-o', 'json']);
    const job = JSON.parse(third.stdout).jobs[0];
    expect(job.status).toBe('written');
    expect(job.file).toMatch(new RegExp(`^${ns}/alpha@\\d+\\.yaml$`));
    expect(fs.readFileSync(path.join(dir, ns, 'alpha.yaml'), 'utf8')).toBe(before);
    const index = (await readBackupIndex(dir))!;
    expect(index.entries.filter((e) => e.name === 'alpha')).toHaveLength(2);
  });

  it('repairs a deleted or edited file of the same version from the live object', async () => {
    fs.writeFileSync(path.join(dir, ns, 'beta.yaml'), 'tampered\n');
    const r = await ktj(['backup', '-n', ns, 'beta', '--backup-dir', dir, '-o', 'json']);
    expect(JSON.parse(r.stdout).jobs[0].status).toBe('repaired');
    const e = (await readBackupIndex(dir))!.entries.find((x) => x.name === 'beta')!;
    expect(sha256(fs.readFileSync(path.join(dir, e.file)))).toBe(e.sha256);
  });

  it('applying a backup file recreates the same spec, labels and annotations (byte-for-byte after re-read)', async () => {
    const file = path.join(dir, ns, 'gamma.yaml');
    await ktj(['backup', '-n', ns, 'gamma', '--backup-dir', dir]);
    const text = fs.readFileSync(file, 'utf8');
    const original = await getObject(pjPath(ns, 'gamma'));
    const client = await adminClient();
    await client.ok('DELETE', pjPath(ns, 'gamma'));
    // kubectl create -f gamma.yaml, done with the raw client (the YAML is parsed by the project's own parser).
    const { parseDocument } = await import('../../../src/yaml/index.js');
    await client.ok('POST', pjPath(ns), { body: parseDocument(text).value });
    const restored = await getObject(pjPath(ns, 'gamma'));
    expect(restored.metadata.uid).not.toBe(original.metadata.uid);
    expect(toYaml(cleanManifest(restored))).toBe(text);
  });

  it('reports a missing name and exits 1; -A table output names namespaces', async () => {
    const r = await ktj(['backup', '-n', ns, 'nope', '--backup-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/nope\s+-\s+not-found/);
    const all = await ktj(['backup', '-A', '-l', 'team=b', '--backup-dir', dir]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(new RegExp(`NAMESPACE\\s+JOB.*\\n${ns}\\s+gamma`));
  });

  it('refuses a backup directory of another cluster', async () => {
    const idx = path.join(dir, 'index.yaml');
    const text = fs.readFileSync(idx, 'utf8');
    const other = tempDir('ktj-other-');
    fs.writeFileSync(path.join(other, 'index.yaml'), text.replace(/server: .*/, 'server: https://elsewhere:6443'));
    const r = await ktj(['backup', '-n', ns, 'gamma', '--backup-dir', other]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/holds a backup of https:\/\/elsewhere:6443/);
    fs.rmSync(other, { recursive: true, force: true });
  });
});

describe('backup of every v1 kind', () => {
  it('-A style selection covers every served kind; TYPE/NAME names one; --kind narrows; files never collide', async () => {
    const kns = await testNamespace('backup-kinds');
    const kdir = tempDir('ktj-backup-kinds-');
    try {
      const { aV1Job, create, V1_KINDS } = await import('../compare/fixtures.js');
      // One job of each kind, all named "same": six objects, six files.
      for (const kind of V1_KINDS) await create(aV1Job(kind, 'same', kns));
      const all = await ktj(['backup', '-n', kns, '--backup-dir', kdir, '-o', 'json']);
      expect(all.code).toBe(0);
      expect(JSON.parse(all.stdout).jobs.map((j: any) => `${j.kind}/${j.name}:${j.status}`)).toEqual(V1_KINDS.map((k) => `${k}/same:written`));
      const index = (await readBackupIndex(kdir))!;
      expect(index.entries.map((e) => e.file).sort()).toEqual([`${kns}/jaxjobs/same.yaml`, `${kns}/mpijobs/same.yaml`, `${kns}/paddlejobs/same.yaml`, `${kns}/same.yaml`, `${kns}/tfjobs/same.yaml`, `${kns}/xgboostjobs/same.yaml`]);
      const mpi = index.entries.find((e) => e.kind === 'MPIJob')!;
      expect(fs.readFileSync(path.join(kdir, mpi.file), 'utf8')).toMatch(/^apiVersion: kubeflow.org\/v1\nkind: MPIJob\n/);

      const named = await ktj(['backup', '-n', kns, 'mpijob/same', 'tfjobs.kubeflow.org/same', 'jaxjob/missing', '--backup-dir', kdir]);
      expect(named.code).toBe(1);
      expect(named.stdout).toMatch(/mpijob\/same\s+created\s+unchanged/);
      expect(named.stdout).toMatch(/tfjob\/same\s+created\s+unchanged/);
      expect(named.stdout).toMatch(/jaxjob\/missing\s+-\s+not-found\s+jaxjobs.kubeflow.org "missing" not found/);

      const narrowed = await ktj(['backup', '-n', kns, '--kind', 'xgboostjob', '--kind', 'paddlejob', '--backup-dir', kdir, '-o', 'json']);
      expect(JSON.parse(narrowed.stdout).jobs.map((j: any) => j.kind)).toEqual(['XGBoostJob', 'PaddleJob']);

      const bad = await ktj(['backup', '-n', kns, 'deployment/x', '--backup-dir', kdir]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain('the server doesn\'t have a resource type "deployment"');
    } finally {
      fs.rmSync(kdir, { recursive: true, force: true });
    }
  });
});
