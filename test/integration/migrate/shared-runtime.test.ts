// Generated runtimes shared by content against the real kube-apiserver: migrate two jobs that need the same
// generated TrainingRuntime (one object, created once), roll them back one by one (the runtime stays while a
// TrainJob uses it and goes with the last), and `rollback --all` sweeps a shared runtime nothing uses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import { ANNOTATIONS } from '../../../src/convert/index.js';
import { applyObjects, testNamespace, withTrainerVersion, type KubeObject } from '../../controlplane/harness.js';
import { createJobs, getObject, ktj, listObjects, pjPath, pytorchJob, setState, tempDir, tjPath } from './helpers.js';

const dir = tempDir('ktj-shared-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const rtPath = (ns: string, name?: string): string => `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainingruntimes${name ? `/${name}` : ''}`;

/** A job whose container pulls Always on a tagged image: a TrainJob cannot say so, a generated runtime does. */
function pullAlways(name: string, ns: string, image: string): KubeObject {
  const job = pytorchJob(name, ns, { image }) as any;
  for (const role of ['Master', 'Worker']) job.spec.pytorchReplicaSpecs[role].template.spec.containers[0].imagePullPolicy = 'Always';
  return job;
}

describe('a generated runtime shared by two migrated jobs', () => {
  let ns: string;
  beforeAll(async () => {
    ns = await testNamespace('mig-shared');
    // Different images and names, the same pod settings: one runtime.
    await createJobs([pullAlways('alpha', ns, 'quay.io/acme/train:1.0'), pullAlways('beta', ns, 'quay.io/acme/train:2.0')]);
    await setState(ns, 'alpha', 'succeeded');
    await setState(ns, 'beta', 'succeeded');
  });

  it('migrate creates one runtime both TrainJobs use; rollback keeps it until the last user is gone', () =>
    withTrainerVersion('v2.3', async () => {
      const r = await ktj(['migrate', '-n', ns, '--all', '--strategy', 'replace', '--yes', '--backup-dir', dir, '-o', 'json']);
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout);
      expect(report.summary).toMatchObject({ migrated: 2, failed: 0 });
      const steps = report.jobs.map((j: any) => j.steps.runtime).sort();
      expect(steps).toEqual(['created', 'unchanged']);
      const runtimes = await listObjects(rtPath(ns));
      expect(runtimes).toHaveLength(1);
      const rtName = runtimes[0].metadata.name as string;
      expect(rtName).toMatch(/^torch-distributed-[0-9a-f]{10}$/);
      for (const name of ['alpha', 'beta']) {
        const tj = await getObject(tjPath(ns, name));
        expect(tj.spec.runtimeRef).toMatchObject({ name: rtName, kind: 'TrainingRuntime' });
        expect(tj.metadata.annotations[ANNOTATIONS.runtime]).toBe(rtName);
        expect(await getObject(pjPath(ns, name))).toBeUndefined();
      }

      const first = await ktj(['rollback', '-n', ns, 'alpha', '--yes', '--backup-dir', dir]);
      expect(first.code).toBe(0);
      expect(first.stderr).toContain(`keep TrainingRuntime ${rtName} (still used by ${ns}/beta)`);
      expect(await getObject(rtPath(ns, rtName))).toBeDefined();
      expect(await getObject(pjPath(ns, 'alpha'))).toBeDefined();
      expect(await getObject(tjPath(ns, 'alpha'))).toBeUndefined();

      const last = await ktj(['rollback', '-n', ns, 'beta', '--yes', '--backup-dir', dir, '-o', 'json']);
      expect(last.code).toBe(0);
      expect(JSON.parse(last.stdout).jobs).toEqual([expect.objectContaining({ name: 'beta', result: 'rolled-back', runtimeDeleted: rtName })]);
      expect(await getObject(rtPath(ns, rtName))).toBeUndefined();
      expect(await getObject(pjPath(ns, 'beta'))).toBeDefined();
    }));

  it('migrated again and rolled back together, the runtime goes once both TrainJobs are gone', () =>
    withTrainerVersion('v2.3', async () => {
      await setState(ns, 'alpha', 'succeeded');
      await setState(ns, 'beta', 'succeeded');
      const r = await ktj(['migrate', '-n', ns, '--all', '--strategy', 'replace', '--yes', '--backup-dir', dir]);
      expect(r.code).toBe(0);
      const [rt] = await listObjects(rtPath(ns));
      const both = await ktj(['rollback', '-n', ns, '--all', '--yes', '--backup-dir', dir, '-o', 'json']);
      expect(both.code).toBe(0);
      const jobs = JSON.parse(both.stdout).jobs;
      expect(jobs.filter((j: any) => j.runtimeDeleted === rt.metadata.name)).toHaveLength(1);
      expect(await listObjects(rtPath(ns))).toEqual([]);
      expect(await listObjects(tjPath(ns))).toEqual([]);
    }));

  it('rollback --all deletes a generated runtime no TrainJob references, and never one a TrainJob uses', () =>
    withTrainerVersion('v2.3', async () => {
      const base = { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainingRuntime' };
      const spec = { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: { containers: [{ name: 'node', image: 'busybox' }] } } } } }] } } };
      const labels = { 'app.kubernetes.io/managed-by': 'kubectl-trainjob' };
      await applyObjects({ ...base, metadata: { name: 'torch-distributed-0123456789', namespace: ns, labels }, spec } as KubeObject);
      await applyObjects({ ...base, metadata: { name: 'torch-distributed-9876543210', namespace: ns, labels }, spec } as KubeObject);
      await applyObjects({
        apiVersion: 'trainer.kubeflow.org/v1alpha1',
        kind: 'TrainJob',
        metadata: { name: 'user-job', namespace: ns },
        spec: { runtimeRef: { name: 'torch-distributed-9876543210', kind: 'TrainingRuntime' }, suspend: true },
      } as KubeObject);
      const r = await ktj(['rollback', '-n', ns, '--all', '--yes']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain(`${ns}/torch-distributed-0123456789 (generated TrainingRuntime no TrainJob uses)`);
      expect(await getObject(rtPath(ns, 'torch-distributed-0123456789'))).toBeUndefined();
      expect(await getObject(rtPath(ns, 'torch-distributed-9876543210'))).toBeDefined();
    }));
});
