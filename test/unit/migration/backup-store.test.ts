// BackupStore on a real temp directory: atomic files, coalesced index rewrites, versions, other clusters.
import { afterEach, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupStore, defaultBackupDir, findEntry, latestEntry, loadBackupManifest, readBackupIndex } from '../../../src/migration/backup-store.js';
import { addProvenance, ANNOTATIONS_BUDGET_BYTES } from '../../../src/migration/provenance.js';
import { toYaml } from '../../../src/yaml/index.js';

const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
const origin = { toolVersion: '0.1.0', server: 'https://a:6443', context: 'ctx', now: () => new Date('2026-11-24T12:00:00Z') };
const job = (name: string, rv: string, uid = `uid-${name}`) => ({
  apiVersion: 'kubeflow.org/v1',
  kind: 'PyTorchJob',
  metadata: { name, namespace: 'ns', uid, resourceVersion: rv, managedFields: [{}], creationTimestamp: 'x' },
  spec: { a: rv },
  status: { conditions: [{ type: 'Running', status: 'True' }] },
});

describe('BackupStore', () => {
  it('the index, rendered entry by entry, is byte for byte the YAML of the whole document (also after a repair)', async () => {
    const dir = tmp();
    const store = await BackupStore.open(dir, origin);
    const text = (): string => fs.readFileSync(path.join(dir, 'index.yaml'), 'utf8');
    expect(text()).toBe(toYaml(await readBackupIndex(dir)));
    await Promise.all(['c', 'a', 'b'].map((n) => store.add(job(n, '1'))));
    await store.add(job('a', '2'));
    fs.writeFileSync(path.join(dir, 'ns', 'b.yaml'), 'edited');
    expect((await store.add(job('b', '1'))).action).toBe('repaired');
    const index = (await readBackupIndex(dir))!;
    expect(index.entries.map((e) => `${e.name}@${e.resourceVersion}`)).toEqual(['a@1', 'a@2', 'b@1', 'c@1']);
    expect(text()).toBe(toYaml(index));
  });

  it('every v1 kind: an MPIJob and a PyTorchJob of one name get their own files; entries carry the kind (PyTorchJob implied)', async () => {
    const d = tmp();
    const store = await BackupStore.open(d, origin);
    await store.add(job('bert', '1'));
    await store.add({ ...job('bert', '2', 'uid-mpi'), apiVersion: 'kubeflow.org/v2beta1', kind: 'MPIJob' });
    await store.add({ ...job('bert', '3', 'uid-mpi'), apiVersion: 'kubeflow.org/v2beta1', kind: 'MPIJob' });
    await store.add({ ...job('bert', '4', 'uid-tf'), kind: 'TFJob', status: { conditions: [{ type: 'Succeeded', status: 'True' }] } });
    const index = (await readBackupIndex(d))!;
    expect(index.entries.map((e) => [e.kind ?? '-', e.file, e.state])).toEqual([
      ['MPIJob', 'ns/mpijobs/bert.yaml', 'running'],
      ['MPIJob', 'ns/mpijobs/bert@3.yaml', 'running'],
      ['-', 'ns/bert.yaml', 'running'],
      ['TFJob', 'ns/tfjobs/bert.yaml', 'succeeded'],
    ]);
    expect(latestEntry(index, 'ns', 'bert')!.uid).toBe('uid-bert');
    expect(latestEntry(index, 'ns', 'bert', 'MPIJob')!.resourceVersion).toBe('3');
    expect((await loadBackupManifest(d, latestEntry(index, 'ns', 'bert', 'TFJob')!)).kind).toBe('TFJob');
  });

  it('default dir: context made path-safe, UTC stamp', () => {
    expect(defaultBackupDir('/w', 'default/api-x:6443/admin', new Date('2026-11-24T12:00:05.123Z'))).toBe('/w/trainjob-backups/default_api-x_6443_admin/20261124T120005Z');
  });

  it('100 concurrent adds: every file and one index naming all of them, no temp files left', async () => {
    const d = tmp();
    const store = await BackupStore.open(d, origin);
    await Promise.all(Array.from({ length: 100 }, (_, i) => store.add(job(`j${i}`, '1'))));
    const index = (await readBackupIndex(d))!;
    expect(index.entries).toHaveLength(100);
    expect(index.entries[0]).toMatchObject({ namespace: 'ns', name: 'j0', state: 'running', file: 'ns/j0.yaml' });
    for (const e of index.entries) expect(await loadBackupManifest(d, e)).toEqual({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: e.name, namespace: 'ns' }, spec: { a: '1' } });
    expect(fs.readdirSync(d).filter((f) => f.startsWith('.'))).toEqual([]);
    expect(fs.readdirSync(path.join(d, 'ns')).filter((f) => f.startsWith('.'))).toEqual([]);
  });

  it('same version → unchanged; new version → new file; reopen keeps the history', async () => {
    const d = tmp();
    const s1 = await BackupStore.open(d, origin);
    expect((await s1.add(job('a', '1'))).action).toBe('written');
    expect((await s1.add(job('a', '1'))).action).toBe('unchanged');
    const s2 = await BackupStore.open(d, { ...origin, now: () => new Date('2026-11-24T13:00:00Z') });
    expect((await s2.add(job('a', '1'))).action).toBe('unchanged');
    const v2 = await s2.add(job('a', '2'));
    expect(v2).toMatchObject({ action: 'written', entry: { file: 'ns/a@2.yaml' } });
    const index = (await readBackupIndex(d))!;
    expect(latestEntry(index, 'ns', 'a')?.resourceVersion).toBe('2');
    expect(findEntry(index, 'uid-a', '1')?.file).toBe('ns/a.yaml');
  });

  it('detects a modified file and refuses another cluster', async () => {
    const d = tmp();
    const s = await BackupStore.open(d, origin);
    const r = await s.add(job('a', '1'));
    fs.appendFileSync(r.path, '# edit\n');
    await expect(loadBackupManifest(d, r.entry)).rejects.toThrow(/was modified/);
    await expect(BackupStore.open(d, { ...origin, server: 'https://b:6443' })).rejects.toThrow(/holds a backup of https:\/\/a:6443/);
  });
});

describe('addProvenance', () => {
  it('embeds the manifest, or omits it with a reason when over the 256 KiB budget', () => {
    const tj = { metadata: { annotations: { x: 'y' } } };
    expect(addProvenance(tj, { path: '/b/ns/a.yaml', sha256: 'abc' }, { spec: 1 })).toEqual({ v1ManifestEmbedded: true });
    expect(tj.metadata.annotations).toMatchObject({ 'kubectl-trainjob.io/backup': '/b/ns/a.yaml', 'kubectl-trainjob.io/backup-sha256': 'abc', 'kubectl-trainjob.io/v1-manifest': '{"spec":1}' });
    const big = { metadata: { annotations: {} as Record<string, string> } };
    const r = addProvenance(big, undefined, { blob: 'x'.repeat(ANNOTATIONS_BUDGET_BYTES) });
    expect(r.v1ManifestEmbedded).toBe(false);
    expect(big.metadata.annotations['kubectl-trainjob.io/v1-manifest']).toBeUndefined();
    expect(big.metadata.annotations['kubectl-trainjob.io/v1-manifest-omitted']).toMatch(/over the 256 KiB limit/);
  });
});
