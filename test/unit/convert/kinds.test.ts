// The v1 kinds other than PyTorchJob: registration, extraction, the per-kind env contract and the
// version gate. Golden cases (test/golden/cases/example-kubeflow-{jax,xgboost,lightgbm}-*) cover whole jobs.
import { describe, expect, test } from '@jest/globals';
import { convertDocument, describeSourceKinds, SOURCE_KINDS, type ConvertOptions } from '../../../src/convert/index.js';
import { extractJobs } from '../../../src/convert/extract.js';
import { getTarget } from '../../../src/convert/targets/index.js';

const opts = (target = 'v2.3', extra: Partial<ConvertOptions> = {}): ConvertOptions => ({
  target: getTarget(target),
  runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime', defaulted: true },
  envShim: true,
  force: false,
  toolVersion: '0.0.0-test',
  ...extra,
});

const pod = (container: string, extra: Record<string, unknown> = {}) => ({ template: { spec: { containers: [{ name: container, image: 'img:1', ...extra }] } } });
const jaxJob = (workers = 2, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'kubeflow.org/v1',
  kind: 'JAXJob',
  metadata: { name: 'jx', namespace: 'ns' },
  spec: { jaxReplicaSpecs: { Worker: { replicas: workers, ...pod('jax', extra) } } },
});
const xgbJob = (workers = 2, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'kubeflow.org/v1',
  kind: 'XGBoostJob',
  metadata: { name: 'xg', namespace: 'ns' },
  spec: { xgbReplicaSpecs: { Master: { replicas: 1, restartPolicy: 'OnFailure', ...pod('xgboost', extra) }, Worker: { replicas: workers, restartPolicy: 'OnFailure', ...pod('xgboost', extra) } } },
});
const one = (doc: unknown, o = opts()) => convertDocument(doc, o).jobs[0]!;
const trainJob = (r: ReturnType<typeof one>) => r.objects.find((x) => x.kind === 'TrainJob') as any;
const env = (r: ReturnType<typeof one>) => Object.fromEntries((trainJob(r).spec.trainer.env as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));
const codes = (r: ReturnType<typeof one>) => r.findings.map((f) => f.code);

describe('registry and extraction', () => {
  test('hints name every apiVersion read: mpi-operator\'s MPIJob kubeflow.org/v2beta1 next to kubeflow.org/v1', () => {
    expect(describeSourceKinds()).toBe('PyTorchJob, MPIJob, XGBoostJob, JAXJob, TFJob, PaddleJob (apiVersion kubeflow.org/v1; MPIJob also kubeflow.org/v2beta1)');
    const old = extractJobs({ apiVersion: 'kubeflow.org/v1alpha2', kind: 'MPIJob', metadata: { name: 'hvd' }, spec: {} });
    expect(old.findings.map((f) => [f.code, f.hint])).toEqual([['KTJ-IN-005', 'Upgrade the manifest to kubeflow.org/v1 or kubeflow.org/v2beta1 first.']]);
  });

  test('every registered kind has a folder, a plural resource, a stock runtime and its own CRD schema', () => {
    expect(SOURCE_KINDS.map((k) => [k.kind, k.resource, k.defaultRuntime])).toEqual([
      ['PyTorchJob', 'pytorchjobs', 'torch-distributed'],
      ['MPIJob', 'mpijobs', 'deepspeed-distributed'],
      ['XGBoostJob', 'xgboostjobs', 'xgboost-distributed'],
      ['JAXJob', 'jaxjobs', 'jax-distributed'],
      ['TFJob', 'tfjobs', undefined],
      ['PaddleJob', 'paddlejobs', undefined],
    ]);
    for (const k of SOURCE_KINDS) expect(k.inputSchema('kubeflow.org/v1')).toHaveProperty('properties.spec');
    // MPIJob is read at mpi-operator's v2beta1 too, against that CRD (sshAuthMountPath exists only there).
    expect(SOURCE_KINDS.find((k) => k.kind === 'MPIJob')!.inputSchema('kubeflow.org/v2beta1')).toHaveProperty('properties.spec.properties.sshAuthMountPath');
  });

  test('Lists and AppWrappers yield jobs of every registered kind; unregistered v1 kinds are still reported', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [jaxJob(), xgbJob(), { apiVersion: 'kubeflow.org/v1', kind: 'MXJob', metadata: { name: 't' } }] };
    const x = extractJobs(list);
    expect(x.jobs.map((j) => j.kind.kind)).toEqual(['JAXJob', 'XGBoostJob']);
    expect(x.findings.map((f) => f.code)).toEqual(['KTJ-IN-003']);
    const aw = { apiVersion: 'workload.codeflare.dev/v1beta2', kind: 'AppWrapper', metadata: { name: 'aw', namespace: 'team' }, spec: { components: [{ template: { ...jaxJob(), metadata: { name: 'jx' } } }] } };
    const y = extractJobs(aw);
    expect(y.jobs.map((j) => [j.kind.kind, (j.raw.metadata as any).namespace])).toEqual([['JAXJob', 'team']]);
    expect(y.findings[0]!.message).toMatch(/^JAXJob jx is taken out of AppWrapper/);
  });

  test('an unknown field is checked against the kind own CRD, and named with the kind', () => {
    const r = one({ ...jaxJob(), spec: { ...jaxJob().spec, nprocPerNode: 2 } });
    const f = r.findings.find((x) => x.code === 'KTJ-SCHEMA-002')!;
    expect(f.message).toBe('spec.nprocPerNode is not a JAXJob v1 field; the v1 API server drops it, so it is not converted.');
  });
});

test('a null required field is dropped like the API server does, then reported missing (a second schema pass)', () => {
  const r = one(jaxJob(2, { env: [{ name: null, value: 'x' }] }));
  expect(r.refused).toBe(true);
  expect(r.findings.filter((f) => f.code.startsWith('KTJ-SCHEMA')).map((f) => [f.code, f.path])).toEqual([
    ['KTJ-SCHEMA-002', 'spec.jaxReplicaSpecs.Worker.template.spec.containers[0].env[0].name'],
    ['KTJ-SCHEMA-001', 'spec.jaxReplicaSpecs.Worker.template.spec.containers[0].env[0].name'],
  ]);
});

describe('JAXJob', () => {
  test('Workers become nodes on jax-distributed; the v1 coordinator variables are rebuilt', () => {
    const r = one(jaxJob(3));
    expect(r.refused).toBe(false);
    expect(trainJob(r).spec.runtimeRef).toEqual({ name: 'jax-distributed', kind: 'ClusterTrainingRuntime' });
    expect(trainJob(r).spec.trainer.numNodes).toBe(3);
    expect(env(r)).toEqual({
      COORDINATOR_ADDRESS: 'jx-node-0-0.jx',
      COORDINATOR_PORT: '29500',
      NUM_PROCESSES: '3',
      PROCESS_ID: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
      PYTHONUNBUFFERED: '1',
    });
    expect(trainJob(r).metadata.annotations['kubectl-trainjob.io/source-kind']).toBe('JAXJob');
  });

  test('the unwritten v1 default restartPolicy Never becomes OnFailure with a finding, not a generated runtime', () => {
    const r = one(jaxJob(2));
    expect(codes(r)).toContain('KTJ-POD-011');
    expect(r.objects.map((o) => o.kind)).toEqual(['TrainJob']);
  });

  test('--no-env-shim adds nothing and says what v1 injected; user JAX_* values are removed', () => {
    const r = one(jaxJob(2, { env: [{ name: 'JAX_PROCESS_ID', value: '0' }, { name: 'KEEP', value: 'x' }] }), opts('v2.3', { envShim: false }));
    expect(env(r)).toEqual({ KEEP: 'x', PYTHONUNBUFFERED: '1' });
    expect(codes(r)).toEqual(expect.arrayContaining(['KTJ-ENV-008', 'KTJ-ENV-013']));
  });

  test.each(['v2.0', 'v2.1'])('on %s it is refused, even with --force, naming Trainer v2.2', (t) => {
    const r = one(jaxJob(), opts(t, { force: true }));
    expect(r.refused).toBe(true);
    expect(r.objects).toEqual([]);
    expect(r.findings.find((f) => f.code === 'KTJ-KIND-001')!.message).toMatch(/needs Trainer v2\.2 or later/);
  });

  test('an explicit --runtime is referenced; a defaulted one means the kind stock runtime', () => {
    const r = one(jaxJob(), opts('v2.3', { runtime: { name: 'my-jax', kind: 'TrainingRuntime' } }));
    expect(trainJob(r).spec.runtimeRef).toEqual({ name: 'my-jax', kind: 'TrainingRuntime' });
  });

  test('a Worker of 0 replicas and a non-Worker role are refused as the v1 webhook would', () => {
    expect(one(jaxJob(0)).refused).toBe(true);
    const bad = jaxJob();
    (bad.spec.jaxReplicaSpecs as any).Master = (bad.spec.jaxReplicaSpecs as any).Worker;
    expect(codes(one(bad))).toContain('KTJ-V1-001');
  });
});

describe('XGBoostJob', () => {
  test('Master is node 0 and Workers nodes 1..n; MASTER_*, RANK and WORKER_ADDRS point at JobSet pod names', () => {
    const r = one(xgbJob(2));
    expect(trainJob(r).spec.runtimeRef.name).toBe('xgboost-distributed');
    expect(trainJob(r).spec.trainer.numNodes).toBe(3);
    expect(env(r)).toMatchObject({ MASTER_ADDR: 'xg-node-0-0.xg', MASTER_PORT: '9999', WORLD_SIZE: '3', WORKER_PORT: '9999', WORKER_ADDRS: 'xg-node-0-1.xg,xg-node-0-2.xg' });
    expect(codes(r)).toContain('KTJ-ROLE-001');
  });

  test('a Master alone has no WORKER_* variables, as in v1', () => {
    const r = one(xgbJob(0));
    expect(trainJob(r).spec.trainer.numNodes).toBe(1);
    expect(Object.keys(env(r))).toEqual(['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'PYTHONUNBUFFERED']);
  });

  test('reserved DMLC_* values are removed; several GPUs per node change the worker count (warning)', () => {
    const r = one(xgbJob(1, { env: [{ name: 'DMLC_NUM_WORKER', value: '9' }], resources: { limits: { 'nvidia.com/gpu': 4 } } }));
    expect(env(r)).not.toHaveProperty('DMLC_NUM_WORKER');
    expect(r.findings.find((f) => f.code === 'KTJ-ENV-013')!.message).toMatch(/webhook rejects/);
    expect(r.findings.find((f) => f.code === 'KTJ-XGB-001')!.message).toMatch(/DMLC_NUM_WORKER 8/);
  });

  test('a missing Master is what the v1 webhook rejects', () => {
    const job = xgbJob();
    delete (job.spec.xgbReplicaSpecs as any).Master;
    const r = one(job);
    expect(r.refused).toBe(true);
    expect(r.findings.find((f) => f.code === 'KTJ-V1-001')!.message).toBe('An XGBoostJob needs a Master replica spec (v1 webhook).');
  });
});
