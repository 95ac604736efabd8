// `rollback` against the real apiserver: after complete and partial migrations and after interrupted
// runs, byte-for-byte restoration from the backup, shared runtimes, refusals (no backup, edited backup,
// dead v1 webhook, missing PyTorchJob CRD) before any change, --yes, idempotence, a namespace-scoped user.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanManifest } from '../../../src/live/clean.js';
import { BackupStore, renderBackupManifest } from '../../../src/migration/backup-store.js';
import { adminClient, adminKubeconfigPath, KubeClient, startExtraControlPlane, testNamespace, userKubeconfig, type ExtraControlPlane } from '../../controlplane/harness.js';
import { installTrainerCrds } from '../../controlplane/trainer.js';
import { runCli } from '../../verbs/run-cli.js';
import { aGeneratedRuntime, aMigratedTrainJob, aPyTorchJob, at, collection, create, eventually, setStatus, v1Conditions } from '../compare/fixtures.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-rollback-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Migrated {
  v1: any;
  backupFile: string;
  backupDir: string;
}

/**
 * Sets up what `migrate` leaves: the PyTorchJob backed up into `backupDir`, a TrainJob with provenance
 * (and a generated runtime when asked); `replace` deletes the PyTorchJob like a replacement migration.
 */
async function migrated(ns: string, name: string, o: { replace?: boolean; runtime?: string; v1Manifest?: boolean; backupAnnotation?: boolean; backupDir?: string } = {}, client?: KubeClient): Promise<Migrated> {
  const c = client ?? (await adminClient());
  await create(aPyTorchJob(name, ns, { workers: 2, labels: { wave: '1' } }), c);
  const v1 = await setStatus('PyTorchJob', ns, name, { conditions: v1Conditions('succeeded', at(0), at(9)) }, c);
  const backupDir = o.backupDir ?? path.join(tmp, `${ns}-backup`);
  const store = await BackupStore.open(backupDir, { toolVersion: 'test', server: 'https://test', context: 'test', now: () => new Date() });
  const b = await store.add(v1);
  if (o.runtime) await create(aGeneratedRuntime(o.runtime, ns, name), c);
  await create(aMigratedTrainJob(v1, { ...(o.runtime ? { generatedRuntime: o.runtime } : {}), v1Manifest: o.v1Manifest ?? true, ...(o.backupAnnotation ? { backup: b.path } : {}) }), c);
  if (o.replace) await c.ok('DELETE', `${collection('PyTorchJob', ns)}/${name}`);
  return { v1, backupFile: b.path, backupDir };
}

async function exists(kind: string, ns: string, name: string, client?: KubeClient): Promise<boolean> {
  const res = await (client ?? (await adminClient())).request('GET', `${collection(kind, ns)}/${name}`);
  return res.status === 200;
}

async function get(kind: string, ns: string, name: string, client?: KubeClient): Promise<any> {
  return (client ?? (await adminClient())).ok('GET', `${collection(kind, ns)}/${name}`);
}

describe('rollback on the shared plane', () => {
  let ns: string;
  const kc = () => ['--kubeconfig', adminKubeconfigPath(), '-n', ns];
  beforeAll(async () => {
    ns = await testNamespace('rollback');
  });

  it('after a complete (replacement) migration: plan first, --yes required, then the PyTorchJob comes back byte for byte and the TrainJob and runtime go', async () => {
    const m = await migrated(ns, 'full', { replace: true, runtime: 'full-runtime' });
    expect(await exists('PyTorchJob', ns, 'full')).toBe(false);

    const noYes = await runCli(['rollback', 'full', ...kc(), '--backup-dir', m.backupDir]);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain(`${ns}/full (TrainJob full):`);
    expect(noYes.stderr).toMatch(/1\. create PyTorchJob full from backup .*full\.yaml/);
    expect(noYes.stderr).toContain('2. delete TrainJob full (uid');
    expect(noYes.stderr).toContain('3. delete generated TrainingRuntime full-runtime');
    expect(noYes.stderr).toContain('pass --yes');
    expect(await exists('TrainJob', ns, 'full')).toBe(true);
    expect(await exists('PyTorchJob', ns, 'full')).toBe(false);

    const r = await runCli(['rollback', 'full', ...kc(), '--backup-dir', m.backupDir, '--yes', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).jobs).toEqual([expect.objectContaining({ name: 'full', result: 'rolled-back', v1: 'created', trainJobDeleted: true, runtimeDeleted: 'full-runtime' })]);
    const restored = await get('PyTorchJob', ns, 'full');
    // Byte for byte: the restored object, cleaned and rendered, is the backup file.
    expect(renderBackupManifest(cleanManifest(restored))).toBe(fs.readFileSync(m.backupFile, 'utf8'));
    expect(restored.metadata.labels).toEqual(m.v1.metadata.labels);
    expect(restored.metadata.annotations).toEqual(m.v1.metadata.annotations);
    expect(restored.metadata.uid).not.toBe(m.v1.metadata.uid);
    expect(await exists('TrainJob', ns, 'full')).toBe(false);
    expect(await exists('TrainingRuntime', ns, 'full-runtime')).toBe(false);

    // Idempotent: nothing left to do, no --yes needed.
    const again = await runCli(['rollback', 'full', ...kc(), '--backup-dir', m.backupDir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to do');
  });

  it('without --backup-dir: the v1-manifest annotation, or the backup file the backup annotation names', async () => {
    const a = await migrated(ns, 'byannotation', { replace: true });
    const m = await migrated(ns, 'byfile', { replace: true, v1Manifest: false, backupAnnotation: true, backupDir: path.join(tmp, 'byfile') });
    const r = await runCli(['rollback', 'byannotation', 'byfile', ...kc(), '--yes']);
    expect(r.stderr).toContain('from the v1-manifest annotation');
    expect(r.code).toBe(0);
    expect(renderBackupManifest(cleanManifest(await get('PyTorchJob', ns, 'byfile')))).toBe(fs.readFileSync(m.backupFile, 'utf8'));
    expect((await get('PyTorchJob', ns, 'byannotation')).spec).toEqual(a.v1.spec);
  });

  it('after a migration that stopped half way (v1 still there): the PyTorchJob is left alone, the TrainJob goes', async () => {
    const m = await migrated(ns, 'half');
    const r = await runCli(['rollback', 'half', ...kc(), '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('PyTorchJob still exists; left as it is');
    expect(r.stdout).toMatch(/half\s+rolled-back\s+kept\s+half \(deleted\)/);
    expect((await get('PyTorchJob', ns, 'half')).metadata.uid).toBe(m.v1.metadata.uid);
    expect(await exists('TrainJob', ns, 'half')).toBe(false);
  });

  it('a generated runtime another TrainJob still uses is kept, and goes with the last user', async () => {
    await migrated(ns, 'share-a', { runtime: 'shared-rt' });
    const other = await create(aPyTorchJob('share-b', ns), undefined);
    await create(aMigratedTrainJob(other, { generatedRuntime: 'shared-rt' }));
    const r = await runCli(['rollback', 'share-a', ...kc(), '--yes']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`keep TrainingRuntime shared-rt (still used by ${ns}/share-b)`);
    expect(await exists('TrainingRuntime', ns, 'shared-rt')).toBe(true);
    expect((await runCli(['rollback', 'share-b', ...kc(), '--yes'])).code).toBe(0);
    expect(await exists('TrainingRuntime', ns, 'shared-rt')).toBe(false);
  });

  it('after interrupted runs: a rollback killed after recreating v1, one killed before the runtime, a migrate killed after the runtime', async () => {
    // Rollback killed between "create v1" and "delete TrainJob": v1 (same spec) and TrainJob both exist.
    const m = await migrated(ns, 'crash1', { replace: true, runtime: 'crash1-rt' });
    await create(cleanManifest(JSON.parse(JSON.stringify({ ...m.v1, metadata: { ...m.v1.metadata } }))));
    // Rollback killed after deleting the TrainJob: only the generated runtime is left.
    await create(aGeneratedRuntime('crash2-rt', ns, 'crash2'));
    await create(aPyTorchJob('crash2', ns));
    const r = await runCli(['rollback', 'crash1', 'crash2', ...kc(), '--yes', '-o', 'json']);
    expect(r.code).toBe(0);
    const jobs = JSON.parse(r.stdout).jobs;
    expect(jobs).toEqual([
      expect.objectContaining({ name: 'crash1', v1: 'kept', trainJobDeleted: true, runtimeDeleted: 'crash1-rt' }),
      expect.objectContaining({ name: 'crash2', v1: 'kept', trainJobDeleted: false, runtimeDeleted: 'crash2-rt' }),
    ]);
    // Migrate killed after creating the runtime, before the TrainJob: --all sweeps the orphan.
    await create(aGeneratedRuntime('crash3-rt', ns, 'crash3'));
    await create(aPyTorchJob('crash3', ns));
    const all = await runCli(['rollback', '--all', ...kc(), '--yes']);
    expect(all.code).toBe(0);
    expect(all.stderr).toContain('delete generated TrainingRuntime crash3-rt');
    expect(await exists('TrainingRuntime', ns, 'crash3-rt')).toBe(false);
    expect(await exists('PyTorchJob', ns, 'crash3')).toBe(true);
  });

  it('refuses (exit 4, nothing changed) when a job has no backup anywhere, or its backup file was edited', async () => {
    await migrated(ns, 'nobackup', { replace: true, v1Manifest: false });
    const r = await runCli(['rollback', 'nobackup', ...kc(), '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('REFUSED: the PyTorchJob is gone and no backup was found');
    expect(await exists('TrainJob', ns, 'nobackup')).toBe(true);

    const m = await migrated(ns, 'edited', { replace: true, v1Manifest: false, backupDir: path.join(tmp, 'edited') });
    fs.appendFileSync(m.backupFile, '# edited\n');
    const e = await runCli(['rollback', 'edited', ...kc(), '--yes', '--backup-dir', m.backupDir]);
    expect(e.code).toBe(4);
    expect(e.stderr).toContain('was modified: sha256');
    expect(await exists('TrainJob', ns, 'edited')).toBe(true);
  });

  it('selection: -l picks TrainJobs by label; a name that matches nothing exits 1; usage errors exit 2', async () => {
    const ns2 = await testNamespace('rollback-sel');
    await migrated(ns2, 'sel', { replace: true });
    const r = await runCli(['rollback', '-l', 'wave=1', '--kubeconfig', adminKubeconfigPath(), '-n', ns2, '--yes']);
    expect(r.code).toBe(0);
    expect(await exists('PyTorchJob', ns2, 'sel')).toBe(true);
    const missing = await runCli(['rollback', 'ghost', '--kubeconfig', adminKubeconfigPath(), '-n', ns2, '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain(`nothing to roll back for ${ns2}/ghost`);
    expect((await runCli(['rollback', '--kubeconfig', adminKubeconfigPath(), '-n', ns2])).code).toBe(2);
    expect((await runCli(['rollback', 'a', '--all', '--kubeconfig', adminKubeconfigPath(), '-n', ns2])).code).toBe(2);
    expect((await runCli(['rollback', 'a', '-A', '--kubeconfig', adminKubeconfigPath()])).code).toBe(2);
  });

  it('a namespace-scoped user (who may not read webhook configurations) can roll back', async () => {
    const ns3 = await testNamespace('rollback-user');
    await migrated(ns3, 'mine', { replace: true, runtime: 'mine-rt' });
    const client = await adminClient();
    await client.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns3}/roles`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'migrator', namespace: ns3 }, rules: [{ apiGroups: ['kubeflow.org', 'trainer.kubeflow.org'], resources: ['*'], verbs: ['get', 'list', 'create', 'delete'] }] },
    });
    await client.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns3}/rolebindings`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'migrator', namespace: ns3 }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'migrator' }, subjects: [{ kind: 'User', name: 'rollback-user', apiGroup: 'rbac.authorization.k8s.io' }] },
    });
    const r = await runCli(['rollback', 'mine', '--kubeconfig', userKubeconfig('rollback-user'), '-n', ns3, '--yes']);
    expect(r.stderr).toContain('note: cannot list ValidatingWebhookConfigurations (forbidden); relying on the server-side dry-run');
    expect(r.code).toBe(0);
    expect(await exists('PyTorchJob', ns3, 'mine')).toBe(true);
    expect(await exists('TrainJob', ns3, 'mine')).toBe(false);
    expect(await exists('TrainingRuntime', ns3, 'mine-rt')).toBe(false);
  });
});

describe('rollback refuses when the v1 side cannot accept the job (extra planes)', () => {
  const planes: ExtraControlPlane[] = [];
  const clients: KubeClient[] = [];
  afterAll(async () => {
    for (const c of clients) c.close();
    for (const p of planes) await p.stop();
  });

  it('a pytorchjob webhook with failurePolicy Fail and no endpoints: diagnosis naming it, exit 4, TrainJob kept', async () => {
    const plane = await startExtraControlPlane([], { installCrds: true });
    planes.push(plane);
    const c = await KubeClient.fromKubeconfig(plane.adminKubeconfig);
    clients.push(c);
    await migrated('default', 'hooked', { replace: true, backupDir: path.join(tmp, 'hooked') }, c);
    await c.ok('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubeflow' } } });
    await c.ok('POST', '/api/v1/namespaces/kubeflow/services', { body: { apiVersion: 'v1', kind: 'Service', metadata: { name: 'training-operator', namespace: 'kubeflow' }, spec: { ports: [{ port: 443, targetPort: 9443 }], selector: { 'control-plane': 'kubeflow-training-operator' } } } });
    await c.ok('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
      body: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'validator.training-operator.kubeflow.org' },
        webhooks: [{
          name: 'validator.pytorchjob.training-operator.kubeflow.org',
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          timeoutSeconds: 2,
          clientConfig: { service: { name: 'training-operator', namespace: 'kubeflow', path: '/validate-kubeflow-org-v1-pytorchjob' } },
          rules: [{ apiGroups: ['kubeflow.org'], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pytorchjobs'] }],
        }],
      },
    });
    const r = await runCli(['rollback', 'hooked', '--kubeconfig', plane.adminKubeconfig, '-n', 'default', '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the v1 side cannot accept PyTorchJobs, so nothing was changed');
    expect(r.stderr).toContain('ValidatingWebhookConfiguration validator.training-operator.kubeflow.org, webhook validator.pytorchjob.training-operator.kubeflow.org (failurePolicy: Fail) calls service kubeflow/training-operator, which has no ready endpoints');
    expect(r.stderr).toContain('hint: Restore Training Operator v1');
    expect(await exists('TrainJob', 'default', 'hooked', c)).toBe(true);
    expect(await exists('PyTorchJob', 'default', 'hooked', c)).toBe(false);
    // With the webhook configuration gone, the same command succeeds.
    await c.ok('DELETE', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/validator.training-operator.kubeflow.org');
    const ok = await runCli(['rollback', 'hooked', '--kubeconfig', plane.adminKubeconfig, '-n', 'default', '--yes']);
    expect(ok.code).toBe(0);
    expect(await exists('PyTorchJob', 'default', 'hooked', c)).toBe(true);
  });

  it('no PyTorchJob CRD (only Trainer installed): diagnosis, exit 4, TrainJob kept', async () => {
    const plane = await startExtraControlPlane([], { installCrds: false });
    planes.push(plane);
    const c = await KubeClient.fromKubeconfig(plane.adminKubeconfig);
    clients.push(c);
    await installTrainerCrds(c, 'v2.3');
    const v1 = aPyTorchJob('orphan', 'default');
    v1.metadata.uid = '0b7c6e1e-0000-4000-8000-000000000001';
    v1.metadata.resourceVersion = '1';
    await create(aMigratedTrainJob(v1), c);
    const r = await runCli(['rollback', 'orphan', '--kubeconfig', plane.adminKubeconfig, '-n', 'default', '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('the PyTorchJob CRD (pytorchjobs.kubeflow.org) is not installed');
    expect(await exists('TrainJob', 'default', 'orphan', c)).toBe(true);
  });
});
