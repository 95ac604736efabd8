// migrate of a TFJob and a PaddleJob against the real API server: Trainer ships no runtime for either, so each
// TrainJob comes with a generated TrainingRuntime (never torch-distributed, which migrate reads by default); a
// replacement migration deletes the v1 jobs after backing them up; rollback recreates them from the backup and
// deletes the TrainJobs and the generated runtimes.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import { testNamespace } from '../../controlplane/harness.js';
import { create, eventually } from '../compare/fixtures.js';
import { getObject, ktj, listObjects, tempDir, tjPath } from './helpers.js';

const rtPath = (ns: string): string => `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainingruntimes`;
/** Lists a namespace's TrainingRuntimes, retrying while the apiserver answers 429 (its CRD storage is (re)initializing). */
const runtimesIn = (ns: string): Promise<any[]> => eventually('TrainingRuntimes to list', 30_000, async () => [await listObjects(rtPath(ns))]).then(([x]) => x!);
const v1Path = (ns: string, plural: string, name: string): string => `/apis/kubeflow.org/v1/namespaces/${ns}/${plural}/${name}`;
const worker = (container: string, replicas: number) => ({ replicas, restartPolicy: 'OnFailure', template: { spec: { containers: [{ name: container, image: 'busybox:1.36', command: ['sh', '-c', 'echo train'] }] } } });

describe('migrate and roll back a TFJob and a PaddleJob', () => {
  it('replace: TrainJobs on generated runtimes with TF_CONFIG, v1 jobs backed up and deleted; rollback restores them', async () => {
    const ns = await testNamespace('mig-tfpd');
    const dir = tempDir('ktj-mig-tfpd-');
    try {
      await create({ apiVersion: 'kubeflow.org/v1', kind: 'TFJob', metadata: { name: 'tf', namespace: ns }, spec: { tfReplicaSpecs: { Worker: worker('tensorflow', 2) } } });
      await create({ apiVersion: 'kubeflow.org/v1', kind: 'PaddleJob', metadata: { name: 'pd', namespace: ns }, spec: { paddleReplicaSpecs: { Worker: worker('paddle', 1) } } });
      const r = await ktj(['migrate', '-n', ns, 'tfjob/tf', 'paddlejob/pd', '--strategy', 'replace', '--yes', '--backup-dir', dir, '-o', 'json']);
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      const report = JSON.parse(r.stdout);
      expect(report.jobs.map((j: any) => [j.kind, j.name, j.status])).toEqual([['TFJob', 'tf', 'migrated'], ['PaddleJob', 'pd', 'migrated']]);
      expect(report.jobs.map((j: any) => j.steps.backup)).toEqual(['written', 'written']);
      const tjs = (await listObjects(tjPath(ns))) as any[];
      const tf = tjs.find((t) => t.metadata.name === 'tf')!;
      const env = Object.fromEntries((tf.spec.trainer.env as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));
      expect(env.TF_CONFIG).toBe('{"cluster":{"worker":["tf-node-0-0.tf:2222","tf-node-0-1.tf:2222"]},"task":{"type":"worker","index":$(JOB_COMPLETION_INDEX)},"environment":"cloud"}');
      const runtimes = (await runtimesIn(ns)).map((o) => o.metadata.name).sort();
      expect(runtimes).toEqual(tjs.map((t) => t.spec.runtimeRef.name).sort());
      expect(runtimes.map((n) => n.replace(/-[0-9a-f]{10}$/, ''))).toEqual(['paddle', 'tensorflow']);
      expect(await getObject(v1Path(ns, 'tfjobs', 'tf'))).toBeUndefined();
      expect(await getObject(v1Path(ns, 'paddlejobs', 'pd'))).toBeUndefined();


      // rollback recreates both from the backup and removes the TrainJobs and the runtimes nobody uses any more.
      const back = await ktj(['rollback', '-n', ns, 'tfjob/tf', 'paddlejob/pd', '--yes', '--backup-dir', dir]);
      expect({ code: back.code, stderr: back.code === 0 ? '' : back.stderr }).toEqual({ code: 0, stderr: '' });
      expect((await getObject(v1Path(ns, 'tfjobs', 'tf'))).spec.tfReplicaSpecs.Worker.replicas).toBe(2);
      expect((await getObject(v1Path(ns, 'paddlejobs', 'pd'))).spec.paddleReplicaSpecs.Worker.replicas).toBe(1);
      expect(await listObjects(tjPath(ns))).toEqual([]);
      expect(await runtimesIn(ns)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a TFJob with Chief, PS and Evaluator pods and a 3-Worker PaddleJob: runtimes with a replicated Job per role; rollback restores both and removes them', async () => {
    const ns = await testNamespace('mig-tfroles');
    const dir = tempDir('ktj-mig-tfroles-');
    try {
      const specs = { Chief: worker('tensorflow', 1), PS: worker('tensorflow', 2), Worker: worker('tensorflow', 2), Evaluator: worker('tensorflow', 1) };
      await create({ apiVersion: 'kubeflow.org/v1', kind: 'TFJob', metadata: { name: 'tfr', namespace: ns }, spec: { tfReplicaSpecs: specs } });
      await create({ apiVersion: 'kubeflow.org/v1', kind: 'PaddleJob', metadata: { name: 'pdr', namespace: ns }, spec: { paddleReplicaSpecs: { Worker: worker('paddle', 3) } } });
      const r = await ktj(['migrate', '-n', ns, 'tfjob/tfr', 'paddlejob/pdr', '--strategy', 'replace', '--yes', '--backup-dir', dir, '-o', 'json']);
      expect({ code: r.code, stderr: r.code === 0 ? '' : r.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(r.stdout).jobs.map((j: any) => [j.kind, j.name, j.status])).toEqual([['TFJob', 'tfr', 'migrated'], ['PaddleJob', 'pdr', 'migrated']]);
      const tjs = (await listObjects(tjPath(ns))) as any[];
      const tj = tjs.find((t) => t.metadata.name === 'tfr')!;
      expect(tj.spec.trainer.numNodes).toBe(2);
      // The PaddleJob's worker 0 runs in the runtime's worker0 Job; the other 2 workers are the nodes.
      const pd = tjs.find((t) => t.metadata.name === 'pdr')!;
      expect(pd.spec.trainer.numNodes).toBe(2);
      const pdRuntime = (await runtimesIn(ns)).find((o) => o.metadata.name === pd.spec.runtimeRef.name)!;
      expect(pdRuntime.spec.template.spec.replicatedJobs.map((j: any) => j.name)).toEqual(['node', 'worker0']);
      const rt = (await runtimesIn(ns)).find((o) => o.metadata.name === tj.spec.runtimeRef.name)!;
      expect(rt.metadata.name).toBe(tj.spec.runtimeRef.name);
      expect(rt.spec.template.spec.replicatedJobs.map((j: any) => [j.name, j.template.spec.parallelism])).toEqual([['node', undefined], ['chief', 1], ['ps', 2], ['evaluator', 1]]);
      expect(rt.spec.template.spec.successPolicy).toEqual({ operator: 'Any', targetReplicatedJobs: ['chief'] });
      const ps = rt.spec.template.spec.replicatedJobs[2].template.spec.template.spec.containers[0].env.find((e: any) => e.name === 'TF_CONFIG').value;
      expect(ps).toContain('"ps":["tfr-ps-0-0.tfr:2222","tfr-ps-0-1.tfr:2222"]');
      expect(ps).toContain('"task":{"type":"ps","index":$(JOB_COMPLETION_INDEX)}');
      expect(await getObject(v1Path(ns, 'tfjobs', 'tfr'))).toBeUndefined();

      const back = await ktj(['rollback', '-n', ns, 'tfjob/tfr', 'paddlejob/pdr', '--yes', '--backup-dir', dir]);
      expect({ code: back.code, stderr: back.code === 0 ? '' : back.stderr }).toEqual({ code: 0, stderr: '' });
      expect(Object.keys((await getObject(v1Path(ns, 'tfjobs', 'tfr'))).spec.tfReplicaSpecs).sort()).toEqual(['Chief', 'Evaluator', 'PS', 'Worker']);
      expect((await getObject(v1Path(ns, 'paddlejobs', 'pdr'))).spec.paddleReplicaSpecs.Worker.replicas).toBe(3);
      expect(await listObjects(tjPath(ns))).toEqual([]);
      expect(await runtimesIn(ns)).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
