// `kubectl trainjob migrate` against the real kube-apiserver: both strategies end to end, idempotent re-runs,
// conflicts with foreign TrainJobs, --wait, admission rejections mid-batch and a namespace-scoped user.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANNOTATIONS } from '../../../src/convert/index.js';
import { cleanManifest } from '../../../src/live/clean.js';
import { CONVERTIBLE_KINDS } from '../../../src/live/convertible.js';
import { readBackupIndex, sha256 } from '../../../src/migration/backup-store.js';
import { adminClient, applyObjects, installDenyPolicy, testNamespace, userKubeconfig, withTrainerVersion } from '../../controlplane/harness.js';
import { createJobs, getObject, ktj, listObjects, pjPath, pytorchJob, setState, tempDir, tjPath } from './helpers.js';

const dirs: string[] = [];
const backupDir = (): string => {
  const d = tempDir('ktj-mig-');
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});
const json = (stdout: string): any => JSON.parse(stdout);
const byName = (report: any): Record<string, any> => Object.fromEntries(report.jobs.map((j: any) => [j.name, j]));

describe('side-by-side', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await testNamespace('mig-sbs');
    await createJobs([pytorchJob('running', ns), pytorchJob('done', ns), pytorchJob('fresh', ns)]);
    await setState(ns, 'running', 'running');
    await setState(ns, 'done', 'succeeded');
  });

  it('creates suspended TrainJobs with provenance, keeps v1, and a re-run writes nothing', () =>
    withTrainerVersion('v2.3', async () => {
      const dir = backupDir();
      const r = await ktj(['migrate', '-n', ns, '--all', '--backup-dir', dir, '-o', 'json']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/Plan \(strategy side-by-side.*\n.*JOB\s+STATE\s+ACTION/);
      const report = json(r.stdout);
      expect(report.summary).toMatchObject({ jobs: 3, migrated: 3, failed: 0, writes: 3 });
      for (const name of ['running', 'done', 'fresh']) {
        const job = byName(report)[name];
        expect(job).toMatchObject({ status: 'migrated', suspended: true, steps: { backup: 'written', trainJob: 'created', pytorchJob: 'kept' } });
        expect(job.resume).toBe(`kubectl patch trainjob ${name} -n ${ns} --type merge -p '{"spec":{"suspend":false}}'`);
        const tj = await getObject(tjPath(ns, name));
        const pj = await getObject(pjPath(ns, name));
        expect(pj).toBeDefined();
        expect(tj.spec.suspend).toBe(true);
        const a = tj.metadata.annotations;
        expect(a[ANNOTATIONS.sourceUid]).toBe(pj.metadata.uid);
        expect(a[ANNOTATIONS.backup]).toBe(path.join(dir, ns, `${name}.yaml`));
        expect(a[ANNOTATIONS.backupSha256]).toBe(sha256(fs.readFileSync(a[ANNOTATIONS.backup])));
        expect(JSON.parse(a[ANNOTATIONS.v1Manifest])).toEqual(cleanManifest(pj));
        expect(a[ANNOTATIONS.targetVersion]).toBe('v2.3');
      }
      const again = await ktj(['migrate', '-n', ns, '--all', '--backup-dir', dir, '-o', 'json']);
      expect(again.code).toBe(0);
      const rep2 = json(again.stdout);
      expect(rep2.summary).toMatchObject({ skipped: 3, writes: 0 });
      // One list of TrainJobs and one per convertible kind served (the test control plane serves them all).
      expect(rep2.summary.requests.byVerb).toEqual({ get: expect.any(Number), list: 1 + CONVERTIBLE_KINDS.length });
      expect(rep2.jobs.every((j: any) => j.reason === 'already migrated')).toBe(true);
    }));
});

describe('replace', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await testNamespace('mig-rep');
    await createJobs(['done', 'failed', 'paused', 'pending', 'busy'].map((n) => pytorchJob(n, ns, { suspend: n === 'paused' })));
    await setState(ns, 'done', 'succeeded');
    await setState(ns, 'failed', 'failed');
    await setState(ns, 'paused', 'suspended');
    await setState(ns, 'busy', 'running');
  });

  it('refuses a non-interactive destructive run without --yes before any write (exit 2)', async () => {
    const r = await ktj(['migrate', '-n', ns, '--all', '--strategy', 'replace']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pass --yes/);
    expect(await listObjects(tjPath(ns))).toEqual([]);
  });

  it('--dry-run prints the plan, writes nothing and exits as the real run would (4: the running job is skipped)', async () => {
    const r = await ktj(['migrate', '-n', ns, '--all', '--strategy', 'replace', '--dry-run']);
    expect(r.code).toBe(4);
    expect(r.stderr).toMatch(/busy\s+running\s+skip.*--wait/);
    expect(r.stderr).toMatch(/pending\s+created\s+create TrainJob, delete v1/);
    expect(await listObjects(tjPath(ns))).toEqual([]);
  });

  it('--dry-run of a missing job exits 4 like the real run, naming the job', async () => {
    const dry = await ktj(['migrate', '-n', ns, 'no-such-job', '--dry-run']);
    const real = await ktj(['migrate', '-n', ns, 'no-such-job']);
    expect(real.code).toBe(4);
    expect(dry.code).toBe(4);
    expect(dry.stderr).toContain(`${ns}/no-such-job: pytorchjobs.kubeflow.org "no-such-job" not found in namespace "${ns}"`);
    expect(await listObjects(tjPath(ns))).toEqual([]);
  });

  it('cuts over finished, suspended and not-started jobs, refuses the running one, and re-runs with zero writes', () =>
    withTrainerVersion('v2.3', async () => {
      const dir = backupDir();
      const uids = Object.fromEntries((await listObjects(pjPath(ns))).map((j) => [j.metadata.name, j.metadata.uid]));
      const r = await ktj(['migrate', '-n', ns, '--all', '--strategy', 'replace', '--yes', '--backup-dir', dir, '-o', 'json']);
      expect(r.code).toBe(4); // the running job was skipped for safety
      const rep = byName(json(r.stdout));
      for (const n of ['done', 'failed', 'paused']) expect(rep[n]).toMatchObject({ status: 'migrated', suspended: true, steps: { pytorchJob: 'deleted' } });
      expect(rep.pending).toMatchObject({ status: 'migrated', suspended: false, steps: { pytorchJob: 'deleted' } });
      expect(rep.busy).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/--wait .* --force/) });
      expect(json(r.stdout).summary.writes).toBe(8);
      expect((await listObjects(pjPath(ns))).map((j) => j.metadata.name)).toEqual(['busy']);
      const tjs = await listObjects(tjPath(ns));
      expect(tjs.map((t) => t.metadata.name).sort()).toEqual(['done', 'failed', 'paused', 'pending']);
      for (const t of tjs) expect(t.metadata.annotations[ANNOTATIONS.sourceUid]).toBe(uids[t.metadata.name]);
      expect((await getObject(tjPath(ns, "pending"))).spec.suspend).not.toBe(true);
      const index = (await readBackupIndex(dir))!;
      expect(index.entries.map((e) => e.name).sort()).toEqual(['done', 'failed', 'paused', 'pending']);

      const again = await ktj(['migrate', '-n', ns, '--all', '--strategy', 'replace', '--yes', '--backup-dir', dir, '-o', 'json']);
      const rep2 = json(again.stdout);
      expect(rep2.summary).toMatchObject({ jobs: 1, writes: 0 });
      expect(rep2.summary.requests.byVerb.delete).toBeUndefined();
      expect(rep2.summary.requests.byVerb.create).toBeUndefined();
    }));

  it('--wait cuts over a running job once its status flips to Succeeded', () =>
    withTrainerVersion('v2.3', async () => {
      const flip = new Promise<void>((resolve) => setTimeout(() => void setState(ns, 'busy', 'succeeded').then(resolve), 1500));
      const r = await ktj(['migrate', '-n', ns, 'busy', '--strategy', 'replace', '--wait', '--poll-interval', '200ms', '--timeout', '60s', '--yes', '--backup-dir', backupDir(), '-o', 'json']);
      await flip;
      expect(r.code).toBe(0);
      expect(byName(json(r.stdout)).busy).toMatchObject({ status: 'migrated', state: 'succeeded', suspended: true, steps: { pytorchJob: 'deleted' } });
      expect(await getObject(pjPath(ns, 'busy'))).toBeUndefined();
      expect((await getObject(tjPath(ns, 'busy'))).spec.suspend).toBe(true);
    }));

  it('--wait gives up at --timeout and changes nothing', () =>
    withTrainerVersion('v2.3', async () => {
      await createJobs([pytorchJob('slow', ns)]);
      await setState(ns, 'slow', 'running');
      const r = await ktj(['migrate', '-n', ns, 'slow', '--strategy', 'replace', '--wait', '--poll-interval', '100ms', '--timeout', '1s', '--yes', '--backup-dir', backupDir(), '-o', 'json']);
      expect(r.code).toBe(1);
      expect(byName(json(r.stdout)).slow).toMatchObject({ status: 'failed', reason: expect.stringMatching(/timed out/) });
      expect(await getObject(pjPath(ns, 'slow'))).toBeDefined();
      expect(await getObject(tjPath(ns, 'slow'))).toBeUndefined();
    }));
});

describe('conflicts and admission', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await testNamespace('mig-conf');
  });

  it('never adopts a foreign TrainJob of the same name; --suffix migrates next to it', () =>
    withTrainerVersion('v2.3', async () => {
      await createJobs([pytorchJob('taken', ns)]);
      await setState(ns, 'taken', 'succeeded');
      await applyObjects({ apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'taken', namespace: ns }, spec: { runtimeRef: { name: 'torch-distributed' }, suspend: true } });
      const r = await ktj(['migrate', '-n', ns, 'taken', '--strategy', 'replace', '--yes', '--backup-dir', backupDir(), '-o', 'json']);
      expect(r.code).toBe(4);
      expect(byName(json(r.stdout)).taken).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/conflict: TrainJob taken already exists/) });
      expect(await getObject(pjPath(ns, 'taken'))).toBeDefined();
      const s = await ktj(['migrate', '-n', ns, 'taken', '--suffix=-v2', '--backup-dir', backupDir(), '-o', 'json']);
      expect(s.code).toBe(0);
      expect((await getObject(tjPath(ns, 'taken-v2'))).metadata.annotations[ANNOTATIONS.sourceName]).toBe('taken');
    }));

  it('a ValidatingAdmissionPolicy rejecting some TrainJobs mid-batch: those fail with the policy message, keep their v1; the rest migrate', () =>
    withTrainerVersion('v2.3', async () => {
      const names = Array.from({ length: 12 }, (_, i) => (i % 4 === 1 ? `reject-${i}` : `ok-${i}`));
      await createJobs(names.map((n) => pytorchJob(n, ns, { labels: { batch: 'vap' } })));
      for (const n of names) await setState(ns, n, 'succeeded');
      const policy = `${ns}-no-reject`;
      const removePolicy = await installDenyPolicy({
        name: policy,
        namespace: ns,
        apiGroup: 'trainer.kubeflow.org',
        resource: 'trainjobs',
        operations: ['CREATE'],
        expression: "!object.metadata.name.startsWith('reject-')",
        message: 'TrainJobs named reject-* are not allowed here',
      });
      const client = await adminClient();
      try {
        // The policy reaches the admission chain through an informer: wait until a dry-run is denied.
        for (let i = 0; i < 100; i++) {
          const res = await client.request('POST', `${tjPath(ns)}?dryRun=All`, { body: { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'reject-probe' }, spec: { runtimeRef: { name: 'torch-distributed' } } } });
          if (res.status === 422 || res.status === 403) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        const r = await ktj(['migrate', '-n', ns, '-l', 'batch=vap', '--strategy', 'replace', '--yes', '--backup-dir', backupDir(), '-o', 'json']);
        expect(r.code).toBe(1);
        const rep = byName(json(r.stdout));
        for (const n of names) {
          if (n.startsWith('reject-')) {
            expect(rep[n]).toMatchObject({ status: 'failed', reason: expect.stringMatching(/ValidatingAdmissionPolicy .*denied request: TrainJobs named reject-\* are not allowed here/) });
            expect(await getObject(pjPath(ns, n))).toBeDefined();
            expect(await getObject(tjPath(ns, n))).toBeUndefined();
          } else {
            expect(rep[n]).toMatchObject({ status: 'migrated', steps: { pytorchJob: 'deleted' } });
          }
        }
        const table = await ktj(['migrate', '-n', ns, '-l', 'batch=vap', '--strategy', 'replace', '--yes', '--backup-dir', backupDir()]);
        expect(table.stdout).toMatch(/reject-1\s+failed\s+reject-1\s+cannot create trainjobs.trainer.kubeflow.org "reject-1"/);
      } finally {
        await removePolicy();
      }
    }));
});

describe('a namespace-scoped user', () => {
  let allowed: string;
  let readOnly: string;
  let kubeconfig: string;
  beforeAll(async () => {
    allowed = await testNamespace('mig-user-a');
    readOnly = await testNamespace('mig-user-b');
    const user = `${allowed}-user`;
    kubeconfig = userKubeconfig(user);
    const role = (ns: string, rules: object[]) => [
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'migrator', namespace: ns }, rules },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'migrator', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'migrator' }, subjects: [{ kind: 'User', name: user }] },
    ];
    await applyObjects([
      ...role(allowed, [
        { apiGroups: ['kubeflow.org'], resources: ['pytorchjobs'], verbs: ['get', 'list', 'delete'] },
        { apiGroups: ['trainer.kubeflow.org'], resources: ['trainjobs', 'trainingruntimes'], verbs: ['get', 'list', 'create', 'patch'] },
      ]),
      ...role(readOnly, [
        { apiGroups: ['kubeflow.org'], resources: ['pytorchjobs'], verbs: ['get', 'list'] },
        { apiGroups: ['trainer.kubeflow.org'], resources: ['trainjobs'], verbs: ['get', 'list'] },
      ]),
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: `${allowed}-runtimes` }, rules: [{ apiGroups: ['trainer.kubeflow.org'], resources: ['clustertrainingruntimes'], verbs: ['get', 'list'] }] },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${allowed}-runtimes` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: `${allowed}-runtimes` }, subjects: [{ kind: 'User', name: user }] },
    ]);
    for (const ns of [allowed, readOnly]) {
      await createJobs([pytorchJob('j1', ns), pytorchJob('j2', ns)]);
      for (const n of ['j1', 'j2']) await setState(ns, n, 'succeeded');
    }
    // RBAC reaches the authorizer through informers.
    const client = await adminClient();
    for (let i = 0; i < 50; i++) {
      const res = await client.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user, resourceAttributes: { verb: 'get', group: 'trainer.kubeflow.org', resource: 'clustertrainingruntimes' } } } });
      if (res.body?.status?.allowed) break;
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  afterAll(async () => {
    const client = await adminClient();
    await client.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${allowed}-runtimes`);
    await client.request('DELETE', `/apis/rbac.authorization.k8s.io/v1/clusterroles/${allowed}-runtimes`);
  });

  it('is stopped cleanly where it may not write, and migrates where it may', () =>
    withTrainerVersion('v2.3', async () => {
      const cluster = await ktj(['migrate', '-A', '--all', '--strategy', 'replace', '--yes', '--backup-dir', backupDir()], { kubeconfig });
      expect(cluster.code).toBe(1);
      expect(cluster.stderr).toMatch(/forbidden: cannot list pytorchjobs.kubeflow.org in all namespaces/);

      // --all lists every convertible kind: a user who may list only PyTorchJobs is stopped naming the kind
      // it may not list, and narrows the run with --kind.
      const every = await ktj(['migrate', '-n', readOnly, '--all', '--strategy', 'replace', '--yes', '--backup-dir', backupDir()], { kubeconfig });
      expect(every.code).toBe(1);
      expect(every.stderr).toMatch(/forbidden: cannot list [a-z]+jobs.kubeflow.org in namespace/);
      expect(every.stderr).toMatch(/kubectl auth can-i list [a-z]+jobs.kubeflow.org -n /);

      const b = await ktj(['migrate', '-n', readOnly, '--all', '--kind', 'pytorchjob', '--strategy', 'replace', '--yes', '--backup-dir', backupDir(), '-o', 'json'], { kubeconfig });
      expect(b.code).toBe(4);
      for (const j of json(b.stdout).jobs) expect(j).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/forbidden: you may not create trainjobs.trainer.kubeflow.org, delete pytorchjobs.kubeflow.org in namespace/), writes: 0 });
      expect(await listObjects(tjPath(readOnly))).toEqual([]);
      expect(await listObjects(pjPath(readOnly))).toHaveLength(2);

      const a = await ktj(['migrate', '-n', allowed, '--all', '--kind', 'pytorchjob', '--strategy', 'replace', '--yes', '--backup-dir', backupDir(), '-o', 'json'], { kubeconfig });
      expect(a.code).toBe(0);
      expect(json(a.stdout).summary).toMatchObject({ migrated: 2 });
      expect(await listObjects(pjPath(allowed))).toEqual([]);
    }));
});
