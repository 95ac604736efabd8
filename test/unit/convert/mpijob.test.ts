// MPIJob (Training Operator kubeflow.org/v1 and mpi-operator kubeflow.org/v2beta1): the rules one at a time.
// Whole jobs are golden cases (test/golden/cases/*mpi*); the outputs are admitted by the real Trainer webhooks.
import { describe, expect, test } from '@jest/globals';
import { convertDocument, type ConvertOptions } from '../../../src/convert/index.js';
import { getTarget } from '../../../src/convert/targets/index.js';

const opts = (target = 'v2.3', extra: Partial<ConvertOptions> = {}): ConvertOptions => ({
  target: getTarget(target),
  runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime', defaulted: true },
  envShim: true,
  force: false,
  toolVersion: '0.0.0-test',
  ...extra,
});

const mpiJob = (apiVersion: string, spec: Record<string, unknown> = {}, launcher: Record<string, unknown> = {}, worker: Record<string, unknown> = {}) => ({
  apiVersion,
  kind: 'MPIJob',
  metadata: { name: 'hvd', namespace: 'ml' },
  spec: {
    ...spec,
    mpiReplicaSpecs: {
      Launcher: { template: { spec: { containers: [{ name: 'launcher', image: 'mpi:1', command: ['mpirun', 'python', 'train.py'], ...launcher }] } } },
      Worker: { replicas: 2, template: { spec: { containers: [{ name: 'worker', image: 'mpi:1', command: ['/usr/sbin/sshd', '-De'], ...worker }] } } },
    },
  },
});

const one = (raw: unknown, o = opts()) => convertDocument(raw, o).jobs[0]!;
const codes = (r: ReturnType<typeof one>) => r.findings.map((f) => f.code);
const runtimeOf = (r: ReturnType<typeof one>) => r.objects.find((x) => x.kind === 'TrainingRuntime') as any;
const trainJobOf = (r: ReturnType<typeof one>) => r.objects.find((x) => x.kind === 'TrainJob') as any;
const jobNamed = (rt: any, name: string) => rt.spec.template.spec.replicatedJobs.find((j: any) => j.name === name);

describe('MPIJob', () => {
  test('the deprecated spec.cleanPodPolicy is read as runPolicy.cleanPodPolicy without touching the input (rollback restores it as written)', () => {
    const raw = mpiJob('kubeflow.org/v1', { cleanPodPolicy: 'Running' });
    const before = JSON.parse(JSON.stringify(raw));
    const r = one(raw);
    expect(codes(r)).toContain('KTJ-MPI-011');
    expect(raw).toEqual(before);
    expect((raw.spec as any).runPolicy).toBeUndefined();
  });

  test('a runtime generated from the stock deepspeed-distributed layout is named mpi-distributed-<hash>; with --runtime, after that runtime', () => {
    const r = one(mpiJob('kubeflow.org/v2beta1'));
    const rt = runtimeOf(r);
    expect(rt.metadata.name).toMatch(/^mpi-distributed-[0-9a-f]{10}$/);
    // What it was derived from is still said, and it is recognised by its label, not its name.
    expect(rt.metadata.annotations['kubectl-trainjob.io/derived-from']).toBe('ClusterTrainingRuntime/deepspeed-distributed');
    expect(rt.metadata.labels['app.kubernetes.io/managed-by']).toBe('kubectl-trainjob');
    expect(trainJobOf(r).spec.runtimeRef).toEqual({ name: rt.metadata.name, kind: 'TrainingRuntime' });
    const named = one(mpiJob('kubeflow.org/v2beta1'), opts('v2.3', { runtime: { name: 'horovod-mpi', kind: 'ClusterTrainingRuntime' } }));
    expect(runtimeOf(named).metadata.name).toMatch(/^horovod-mpi-[0-9a-f]{10}$/);
  });

  test('v2beta1: launcher and worker pods kept apart, the MPI policy from the spec, mpi-operator defaults', () => {
    const r = one(mpiJob('kubeflow.org/v2beta1', { slotsPerWorker: 3, sshAuthMountPath: '/home/mpiuser/.ssh' }));
    expect(r.refused).toBe(false);
    const rt = runtimeOf(r);
    expect(rt.metadata.labels['trainer.kubeflow.org/framework']).toBe('mpi');
    expect(rt.spec.mlPolicy.mpi).toEqual({ numProcPerNode: 3, mpiImplementation: 'OpenMPI', sshAuthMountPath: '/home/mpiuser/.ssh', runLauncherAsNode: false });
    const launcher = jobNamed(rt, 'launcher').template.spec.template.spec;
    const node = jobNamed(rt, 'node').template.spec.template.spec;
    expect(launcher.containers[0]).toMatchObject({ name: 'node', command: ['mpirun', 'python', 'train.py'] });
    expect(node.containers[0]).toMatchObject({ name: 'node', command: ['/usr/sbin/sshd', '-De'] });
    // mpi-operator defaults: Launcher OnFailure, Worker Never (backoffLimit 0 on the workers' Job only).
    expect([launcher.restartPolicy, node.restartPolicy]).toEqual(['OnFailure', 'Never']);
    expect(jobNamed(rt, 'node').template.spec.backoffLimit).toBe(0);
    expect(jobNamed(rt, 'launcher').template.spec.backoffLimit).toBeUndefined();
    expect(trainJobOf(r).spec.trainer).toMatchObject({ numNodes: 2, numProcPerNode: 3, command: ['mpirun', 'python', 'train.py'] });
    expect(codes(r)).not.toContain('KTJ-MPI-002');
  });

  test('reserved OMPI_MCA_* and v1 kubexec variables leave the launcher; the user variables stay; nothing reaches trainer.env', () => {
    const env = [
      { name: 'OMPI_MCA_orte_keep_fqdn_hostnames', value: 'false' },
      { name: 'OMPI_MCA_plm_rsh_agent', value: '/etc/mpi/kubexec.sh' },
      { name: 'NCCL_DEBUG', value: 'INFO' },
    ];
    const r = one(mpiJob('kubeflow.org/v1', {}, { env }));
    const launcherEnv = jobNamed(runtimeOf(r), 'launcher').template.spec.template.spec.containers[0].env.map((e: any) => e.name);
    expect(launcherEnv).toEqual(['NCCL_DEBUG', 'NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES']);
    expect(r.findings.filter((f) => f.code === 'KTJ-MPI-004').map((f) => [f.severity, f.path])).toEqual([
      ['warning', 'spec.mpiReplicaSpecs.Launcher.template.spec.containers[0].env[1]'],
      ['info', 'spec.mpiReplicaSpecs.Launcher.template.spec.containers[0].env[0]'],
    ]);
    expect(trainJobOf(r).spec.trainer.env).toBeUndefined();
    expect(codes(r)).toContain('KTJ-MPI-002');
  });

  test('--no-env-shim sets nothing again', () => {
    const r = one(mpiJob('kubeflow.org/v2beta1'), opts('v2.3', { envShim: false }));
    expect(jobNamed(runtimeOf(r), 'launcher').template.spec.template.spec.containers[0].env).toBeUndefined();
    expect(codes(r)).not.toContain('KTJ-MPI-010');
  });

  test('Intel and MPICH are refused on every target; a job without workers is refused', () => {
    for (const t of ['v2.0', 'v2.1', 'v2.2', 'v2.3']) {
      const r = one(mpiJob('kubeflow.org/v2beta1', { mpiImplementation: 'MPICH' }), opts(t));
      expect([r.refused, codes(r)]).toEqual([true, ['KTJ-MPI-001']]);
    }
    const noWorkers = mpiJob('kubeflow.org/v1') as any;
    delete noWorkers.spec.mpiReplicaSpecs.Worker;
    expect(codes(one(noWorkers))).toEqual(['KTJ-MPI-009']);
  });

  test('mainContainer picks the worker container that becomes node; the other stays a sidecar of the workers only', () => {
    const raw = mpiJob('kubeflow.org/v1', { mainContainer: 'trainer' }) as any;
    raw.spec.mpiReplicaSpecs.Worker.template.spec.containers = [{ name: 'logs', image: 'fluent:1' }, { name: 'trainer', image: 'mpi:1', command: ['sleep', 'inf'] }];
    const rt = runtimeOf(one(raw));
    expect(jobNamed(rt, 'node').template.spec.template.spec.containers.map((c: any) => [c.name, c.image])).toEqual([['node', 'mpi:1'], ['logs', 'fluent:1']]);
    expect(jobNamed(rt, 'launcher').template.spec.template.spec.containers).toHaveLength(1);
    // v1 slept the first container (no command) instead of mainContainer's sidecar running: a warning on containers[0].
    const slept = one(raw).findings.filter((f) => f.code === 'KTJ-MPI-008' && f.severity === 'warning');
    expect(slept.map((f) => [f.path, f.message.includes('"logs"')])).toEqual([['spec.mpiReplicaSpecs.Worker.template.spec.containers[0]', true]]);
    raw.spec.mpiReplicaSpecs.Worker.template.spec.containers[0].command = ['fluent-bit'];
    expect(one(raw).findings.filter((f) => f.code === 'KTJ-MPI-008' && f.severity === 'warning')).toEqual([]);
  });

  test('a GPU launcher (v1) or runLauncherAsWorker (v2beta1) is an MPI node: numNodes + 1', () => {
    const gpu = one(mpiJob('kubeflow.org/v1', {}, { resources: { limits: { 'nvidia.com/gpu': 1 } } }));
    expect(runtimeOf(gpu).spec.mlPolicy.mpi.runLauncherAsNode).toBe(true);
    expect(trainJobOf(gpu).spec.trainer.numNodes).toBe(3);
    const asWorker = one(mpiJob('kubeflow.org/v2beta1', { runLauncherAsWorker: true }));
    expect(trainJobOf(asWorker).spec.trainer.numNodes).toBe(3);
    expect(codes(asWorker)).toContain('KTJ-MPI-005');
  });

  test('launcherCreationPolicy WaitForWorkersReady is a warning before v2.3 only', () => {
    const raw = mpiJob('kubeflow.org/v2beta1', { launcherCreationPolicy: 'WaitForWorkersReady' });
    expect(one(raw, opts('v2.2')).findings.find((f) => f.code === 'KTJ-MPI-006')?.severity).toBe('warning');
    expect(codes(one(raw, opts('v2.3')))).not.toContain('KTJ-MPI-006');
  });
});
