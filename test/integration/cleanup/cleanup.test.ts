// `cleanup` against the real apiserver: verdicts and exit codes with and without leftover v1 objects,
// deletion of migrated jobs (only with --yes, only with a backup, never running ones), a TFJob on an
// extra plane, and a namespace-scoped user.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BackupStore } from '../../../src/migration/backup-store.js';
import { adminClient, adminKubeconfigPath, KubeClient, startExtraControlPlane, testNamespace, userKubeconfig, type ExtraControlPlane } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';
import { aMigratedTrainJob, aPyTorchJob, aTrainJobFrom, at, aV1Job, create, eventually, setStatus, v1Conditions } from '../compare/fixtures.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-cleanup-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A finished PyTorchJob, and (unless `migrated: false`) its TrainJob. */
async function job(ns: string, name: string, o: { migrated?: boolean; state?: 'running' | 'succeeded' | 'failed'; v1Manifest?: boolean } = {}, client?: KubeClient): Promise<any> {
  const v1 = await create(aPyTorchJob(name, ns), client);
  const state = o.state ?? 'succeeded';
  const live = await setStatus('PyTorchJob', ns, name, { conditions: v1Conditions(state, at(0), at(5)), startTime: at(0) }, client);
  if (o.migrated !== false) await create(aMigratedTrainJob(v1, { v1Manifest: o.v1Manifest !== false }), client);
  return live;
}

const pytorchJobsIn = async (ns: string, client?: KubeClient): Promise<string[]> =>
  ((await (client ?? (await adminClient())).ok('GET', `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs`)).items as any[]).map((j) => j.metadata.name).sort();

describe('cleanup verdicts on the shared plane (every v1 kind served)', () => {
  it('an empty namespace: v1 can be removed, exit 0', async () => {
    const ns = await testNamespace('cleanup-empty');
    const r = await runCli(['cleanup', '--kubeconfig', adminKubeconfigPath(), '-n', ns]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`v1 jobs: none in namespace "${ns}"`);
    expect(r.stdout).toContain('PyTorchJob 0, MPIJob 0, XGBoostJob 0, JAXJob 0, TFJob 0, PaddleJob 0');
    expect(r.stdout).toContain('kubectl delete crd pytorchjobs.kubeflow.org mpijobs.kubeflow.org xgboostjobs.kubeflow.org jaxjobs.kubeflow.org tfjobs.kubeflow.org paddlejobs.kubeflow.org');
    expect(r.stdout).toContain('Training Operator v1 can be removed (namespace');
  });

  it('migrated, finished, backed up: advisory exit 3; --delete-migrated needs --yes (exit 2, nothing deleted); with --yes deletes and exits 0', async () => {
    const ns = await testNamespace('cleanup-migrated');
    await job(ns, 'a');
    await job(ns, 'b', { state: 'failed' });
    const kc = ['--kubeconfig', adminKubeconfigPath(), '-n', ns];
    const report = await runCli(['cleanup', ...kc, '-o', 'json']);
    expect(report.code).toBe(3);
    const j = JSON.parse(report.stdout);
    expect(j.verdict).toBe('advisory');
    expect(j.jobs.map((x: any) => [x.name, x.verdict, x.migratedTo, x.backup])).toEqual([['a', 'migrated', 'a', 'annotation'], ['b', 'migrated', 'b', 'annotation']]);

    const noYes = await runCli(['cleanup', ...kc, '--delete-migrated']);
    expect(noYes.code).toBe(2);
    expect(noYes.stderr).toContain('Plan: delete 2 migrated v1 job(s)');
    expect(noYes.stderr).toContain('pass --yes');
    expect(await pytorchJobsIn(ns)).toEqual(['a', 'b']);

    const yes = await runCli(['cleanup', ...kc, '--delete-migrated', '--yes']);
    expect(yes.stderr).toContain(`deleted PyTorchJob ${ns}/a`);
    expect(yes.code).toBe(0);
    expect(yes.stdout).toMatch(/a\s+deleted/);
    expect(await pytorchJobsIn(ns)).toEqual([]);
    // Idempotent: a second run has nothing to delete and says v1 can go.
    expect((await runCli(['cleanup', ...kc, '--delete-migrated', '--yes'])).code).toBe(0);
  });

  it('not migrated, running, or without backup: blocking exit 4, and --delete-migrated deletes only the safe ones', async () => {
    const ns = await testNamespace('cleanup-blocked');
    await job(ns, 'safe');
    await job(ns, 'unmigrated', { migrated: false });
    await job(ns, 'running', { state: 'running' });
    const nobackup = await job(ns, 'nobackup', { v1Manifest: false });
    const kc = ['--kubeconfig', adminKubeconfigPath(), '-n', ns];
    const r = await runCli(['cleanup', ...kc]);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/unmigrated\s+succeeded\s+-\s+-\s+not-migrated\s+yes/);
    expect(r.stdout).toMatch(/running\s+running\s+running\s+annotation\s+migrated-running\s+yes/);
    expect(r.stdout).toMatch(/nobackup\s+succeeded\s+nobackup\s+-\s+migrated-no-backup\s+yes/);
    expect(r.stdout).toContain('cannot be removed yet');

    // A backup directory holding nobackup's uid makes it deletable.
    const dir = path.join(tmp, 'backup');
    const store = await BackupStore.open(dir, { toolVersion: 'test', server: 'https://x', context: 'c', now: () => new Date() });
    await store.add(nobackup);
    const d = await runCli(['cleanup', ...kc, '--backup-dir', dir, '--delete-migrated', '--yes', '-o', 'json']);
    expect(d.code).toBe(4);
    const out = JSON.parse(d.stdout);
    expect(out.deletions.map((x: any) => x.name).sort()).toEqual(['nobackup', 'safe']);
    expect(await pytorchJobsIn(ns)).toEqual(['running', 'unmigrated']);
  });

  it('-l selects PyTorchJobs; usage errors exit 2', async () => {
    const ns = await testNamespace('cleanup-sel');
    await job(ns, 'x');
    await job(ns, 'y', { migrated: false });
    await (await adminClient()).ok('PATCH', `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs/x`, { body: { metadata: { labels: { wave: '1' } } }, contentType: 'application/merge-patch+json' });
    expect((await runCli(['cleanup', '--kubeconfig', adminKubeconfigPath(), '-n', ns, '-l', 'wave=1'])).code).toBe(3);
    expect((await runCli(['cleanup', '--kubeconfig', adminKubeconfigPath(), '-n', ns])).code).toBe(4);
    expect((await runCli(['cleanup', '--kubeconfig', adminKubeconfigPath(), '-n', ns, '--yes'])).code).toBe(2);
    expect((await runCli(['cleanup', '--kubeconfig', adminKubeconfigPath(), '-n', ns, '-o', 'yaml'])).code).toBe(2);
  });

  it('a namespace-scoped user gets the verdict for its namespace and can delete migrated jobs', async () => {
    const ns = await testNamespace('cleanup-user');
    await job(ns, 'a');
    const client = await adminClient();
    await client.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'migrator', namespace: ns }, rules: [{ apiGroups: ['kubeflow.org', 'trainer.kubeflow.org'], resources: ['*'], verbs: ['get', 'list', 'delete'] }] },
    });
    await client.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'migrator', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'migrator' }, subjects: [{ kind: 'User', name: 'cleanup-user', apiGroup: 'rbac.authorization.k8s.io' }] },
    });
    const kc = userKubeconfig('cleanup-user');
    expect((await runCli(['cleanup', '--kubeconfig', kc, '-n', ns])).code).toBe(3);
    const r = await runCli(['cleanup', '--kubeconfig', kc, '-n', ns, '--delete-migrated', '--yes']);
    expect(r.stderr).not.toContain('error');
    expect(r.code).toBe(0);
    // -A needs cluster-wide list: a clean 403 with the can-i hint, exit 1.
    const all = await runCli(['cleanup', '--kubeconfig', kc, '-A']);
    expect(all.code).toBe(1);
    expect(all.stderr).toContain('kubectl auth can-i list trainjobs.trainer.kubeflow.org --all-namespaces');
  });
});

describe('cleanup over every kubeflow.org/v1 kind (extra plane)', () => {
  let plane: ExtraControlPlane;
  let client: KubeClient;
  beforeAll(async () => {
    plane = await startExtraControlPlane([], { installCrds: true });
    client = await KubeClient.fromKubeconfig(plane.adminKubeconfig);
  });
  afterAll(async () => {
    client?.close();
    await plane?.stop();
  });

  it('migrated jobs of any kind are deleted; a TFJob not migrated blocks (exit 4); once gone: removable, naming the CRDs; a missing CRD is no error', async () => {
    await job('default', 'p', {}, client);
    const mpi = await create(aV1Job('MPIJob', 'ds-bert', 'default'), client);
    await setStatus('MPIJob', 'default', 'ds-bert', { conditions: v1Conditions('succeeded', at(0), at(5)) }, client);
    await create(aTrainJobFrom(mpi), client);
    await create(aV1Job('TFJob', 'legacy-tf', 'default'), client);
    const kc = ['--kubeconfig', plane.adminKubeconfig, '-A'];
    const r = await runCli(['cleanup', ...kc, '--delete-migrated', '--yes']);
    expect(r.stderr).toContain('deleted MPIJob default/ds-bert');
    expect(r.stderr).toContain('deleted PyTorchJob default/p');
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/tfjob\/legacy-tf\s+created\s+-\s+-\s+not-migrated\s+yes/);
    expect(r.stdout).toContain('1 TFJob(s) not migrated');
    expect(r.stdout).toContain('cannot be removed yet');
    expect(await pytorchJobsIn('default', client)).toEqual([]);
    expect((await client.request('GET', '/apis/kubeflow.org/v1/namespaces/default/mpijobs/ds-bert')).status).toBe(404);

    await client.ok('DELETE', '/apis/kubeflow.org/v1/namespaces/default/tfjobs/legacy-tf');
    await client.ok('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/paddlejobs.kubeflow.org');
    await eventually('paddlejobs gone from discovery', 30_000, async () => !((await client.ok<any>('GET', '/apis/kubeflow.org/v1')).resources as any[]).some((x) => x.name === 'paddlejobs'));
    const after = await runCli(['cleanup', ...kc]);
    expect(after.code).toBe(0);
    expect(after.stdout).toContain('PaddleJob (not installed)');
    expect(after.stdout).toContain('Training Operator v1 can be removed (all namespaces; exit 0)');
    expect(after.stdout).toContain('kubectl delete crd pytorchjobs.kubeflow.org mpijobs.kubeflow.org xgboostjobs.kubeflow.org jaxjobs.kubeflow.org tfjobs.kubeflow.org\n');
    const json = JSON.parse((await runCli(['cleanup', ...kc, '-o', 'json'])).stdout);
    expect(json.verdict).toBe('removable');
    expect(json.crds.map((c: any) => c.name)).not.toContain('paddlejobs.kubeflow.org');
    expect(json.kinds.find((k: any) => k.kind === 'PaddleJob')).toMatchObject({ served: false });
  });
});
