// TFJob and PaddleJob: no stock Trainer runtime, so a plain TrainingRuntime is generated and the variables v1
// injected (TF_CONFIG, PADDLE_*) are set on the TrainJob. Golden cases (test/golden/cases/*-tf-*, *-paddle-*)
// cover whole jobs; these tests pin the rules one by one.
import { describe, expect, test } from '@jest/globals';
import { convertDocument, type ConvertOptions } from '../../../src/convert/index.js';
import { INDEX_VAR } from '../../../src/convert/kinds/tfjob/index.js';
import { getTarget } from '../../../src/convert/targets/index.js';
import { RuntimeReader } from '../../../src/live/convert-live.js';

const opts = (extra: Partial<ConvertOptions> = {}): ConvertOptions => ({
  target: getTarget('v2.3'),
  runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime', defaulted: true },
  envShim: true,
  force: false,
  toolVersion: '0.0.0-test',
  ...extra,
});
const pod = (container: string, extra: Record<string, unknown> = {}) => ({ template: { spec: { containers: [{ name: container, image: 'img:1', ...extra }] } } });
const tfJob = (specs: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({ apiVersion: 'kubeflow.org/v1', kind: 'TFJob', metadata: { name: 'tf', namespace: 'ns' }, spec: { ...spec, tfReplicaSpecs: specs } });
const paddleJob = (specs: Record<string, unknown>, spec: Record<string, unknown> = {}) => ({ apiVersion: 'kubeflow.org/v1', kind: 'PaddleJob', metadata: { name: 'pd', namespace: 'ns' }, spec: { ...spec, paddleReplicaSpecs: specs } });
const one = (doc: unknown, o = opts()) => convertDocument(doc, o).jobs[0]!;
const trainJob = (r: ReturnType<typeof one>) => r.objects.find((x) => x.kind === 'TrainJob') as any;
const runtime = (r: ReturnType<typeof one>) => r.objects.find((x) => x.kind === 'TrainingRuntime') as any;
const envOf = (r: ReturnType<typeof one>) => Object.fromEntries(((trainJob(r).spec.trainer.env ?? []) as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));
const codes = (r: ReturnType<typeof one>) => r.findings.map((f) => f.code);

/**
 * v1's genTFConfigJSONStr for a Worker pod, written out independently: Go marshals the struct fields in order
 * (cluster, task, environment) and the ClusterSpec map with sorted keys; hosts are the v1 Service names.
 */
function v1TFConfig(roles: Record<string, number>, job: string, ns: string, port: number, index: number, type = 'worker'): string {
  const cluster = Object.fromEntries(
    Object.keys(roles)
      .map((r) => r.toLowerCase())
      .sort()
      .map((r) => [r, Array.from({ length: roles[Object.keys(roles).find((k) => k.toLowerCase() === r)!]! }, (_, i) => `${job}-${r}-${i}.${ns}.svc:${port}`)]),
  );
  return JSON.stringify({ cluster, task: { type, index }, environment: 'cloud' });
}

/** What Kubernetes makes of a TF_CONFIG value in pod `index`, with the v2 host names put back to v1's Services (`node` Job = Workers). */
function asV1(value: string, index: number): string {
  return value.replaceAll(`$(${INDEX_VAR})`, String(index)).replace(/tf-(node|chief|master|ps|evaluator)-0-(\d)\.tf:/g, (_, job, i) => `tf-${job === 'node' ? 'worker' : job}-${i}.ns.svc:`);
}
const roleJob = (r: ReturnType<typeof one>, name: string) => runtime(r).spec.template.spec.replicatedJobs.find((j: any) => j.name === name);
const roleEnv = (r: ReturnType<typeof one>, name: string) => Object.fromEntries((roleJob(r, name).template.spec.template.spec.containers[0].env as any[]).map((e) => [e.name, e.value ?? e.valueFrom]));

describe('TFJob', () => {
  test('Worker-only: TF_CONFIG is v1 byte for byte once the host names are mapped and the index expanded', () => {
    const r = one(tfJob({ Worker: { replicas: 3, ...pod('tensorflow') }, Evaluator: { replicas: 0, ...pod('tensorflow') } }));
    expect(r.refused).toBe(false);
    const env = trainJob(r).spec.trainer.env as any[];
    expect(env.map((e) => e.name)).toEqual([INDEX_VAR, 'TF_CONFIG']);
    expect(env[0].valueFrom).toEqual({ fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } });
    for (const i of [0, 2]) {
      // What Kubernetes makes of the value in pod i, with the v2 host names put back to v1's Services.
      const expanded = env[1].value.replaceAll(`$(${INDEX_VAR})`, String(i)).replace(/tf-node-0-(\d)\.tf:/g, 'tf-worker-$1.ns.svc:');
      expect(expanded).toBe(v1TFConfig({ Worker: 3, Evaluator: 0 }, 'tf', 'ns', 2222, i));
    }
    expect(trainJob(r).spec.trainer.numNodes).toBe(3);
    expect(codes(r)).toEqual(expect.arrayContaining(['KTJ-TF-002', 'KTJ-TF-006', 'KTJ-ROLE-001', 'KTJ-RT-001']));
    // Trainer ships no TensorFlow runtime: a plain one is generated (no framework in mlPolicy, so no injected env).
    expect(runtime(r).spec.mlPolicy).toEqual({ numNodes: 1 });
    expect(trainJob(r).spec.runtimeRef).toEqual({ name: runtime(r).metadata.name, kind: 'TrainingRuntime' });
    expect(runtime(r).metadata.name).toMatch(/^tensorflow-[0-9a-f]{10}$/);
  });

  test('two jobs with the same pod settings share one generated runtime whatever their size and name', () => {
    const a = one(tfJob({ Worker: { replicas: 2, ...pod('tensorflow') } }));
    const b = one({ ...tfJob({ Worker: { replicas: 5, ...pod('tensorflow') } }), metadata: { name: 'other', namespace: 'ns' } });
    expect(runtime(a).metadata.name).toBe(runtime(b).metadata.name);
  });

  test('Chief + Workers (MultiWorkerMirroredStrategy): a chief Job of its own, every TF_CONFIG v1 byte for byte, the Chief ends the job', () => {
    const specs = { Chief: { replicas: 1, ...pod('tensorflow', { env: [{ name: 'A', value: '1' }] }) }, Worker: { replicas: 2, restartPolicy: 'OnFailure', ...pod('tensorflow') } };
    const r = one(tfJob(specs));
    expect(r.refused).toBe(false);
    expect(trainJob(r).spec.trainer.numNodes).toBe(2);
    for (const i of [0, 1]) expect(asV1(envOf(r).TF_CONFIG, i)).toBe(v1TFConfig({ Chief: 1, Worker: 2 }, 'tf', 'ns', 2222, i));
    const chief = roleJob(r, 'chief');
    expect(chief).toMatchObject({ replicas: 1, template: { spec: { parallelism: 1, completions: 1, completionMode: 'Indexed' } } });
    // v1's default restartPolicy of a TFJob replica (Never) is kept on the chief's own pods.
    expect(chief.template.spec.template.spec.restartPolicy).toBe('Never');
    expect(chief.template.spec.template.spec.containers[0]).toMatchObject({ name: 'node', image: 'img:1' });
    expect(Object.keys(roleEnv(r, 'chief'))).toEqual(['A', INDEX_VAR, 'TF_CONFIG']);
    expect(asV1(roleEnv(r, 'chief').TF_CONFIG, 0)).toBe(v1TFConfig({ Chief: 1, Worker: 2 }, 'tf', 'ns', 2222, 0, 'chief'));
    expect(runtime(r).spec.template.spec.successPolicy).toEqual({ operator: 'Any', targetReplicatedJobs: ['chief'] });
    expect(codes(r)).toEqual(expect.arrayContaining(['KTJ-TF-002', 'KTJ-TF-007']));
    expect(codes(r)).not.toContain('KTJ-ROLE-001');
    expect(codes(r)).not.toContain('KTJ-TF-001');
  });

  test('PS + Workers + Evaluator (ParameterServerStrategy): a Job per role, Evaluator in the cluster spec as v1 had it, the Workers end the job', () => {
    const specs = { PS: { replicas: 2, ...pod('tensorflow', { ports: [{ name: 'tfjob-port', containerPort: 3333 }] }) }, Worker: { replicas: 3, ...pod('tensorflow') }, Evaluator: { replicas: 1, ...pod('tensorflow') } };
    const r = one(tfJob(specs), opts({ target: getTarget('v2.1') }));
    expect(r.refused).toBe(false);
    expect(runtime(r).spec.template.spec.replicatedJobs.map((j: any) => [j.name, j.template.spec.parallelism])).toEqual([['node', undefined], ['ps', 2], ['evaluator', 1]]);
    const v1 = (i: number, type: string) =>
      JSON.stringify({
        cluster: {
          evaluator: ['tf-evaluator-0.ns.svc:2222'],
          ps: ['tf-ps-0.ns.svc:3333', 'tf-ps-1.ns.svc:3333'],
          worker: [0, 1, 2].map((w) => `tf-worker-${w}.ns.svc:2222`),
        },
        task: { type, index: i },
        environment: 'cloud',
      });
    expect(asV1(envOf(r).TF_CONFIG, 2)).toBe(v1(2, 'worker'));
    expect(asV1(roleEnv(r, 'ps').TF_CONFIG, 1)).toBe(v1(1, 'ps'));
    expect(asV1(roleEnv(r, 'evaluator').TF_CONFIG, 0)).toBe(v1(0, 'evaluator'));
    expect(runtime(r).spec.template.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['node'] });
    // The Workers still need to all succeed (v1: worker 0 sufficed by default).
    expect(codes(r)).toEqual(expect.arrayContaining(['KTJ-TF-007', 'KTJ-ROLE-001']));
  });

  test('enableDynamicWorker with PS: v1\'s sparse form per role', () => {
    const r = one(tfJob({ PS: { replicas: 1, ...pod('tensorflow') }, Worker: { replicas: 2, ...pod('tensorflow') }, Chief: { replicas: 1, ...pod('tensorflow') } }, { enableDynamicWorker: true }));
    const i = `$(${INDEX_VAR})`;
    expect(envOf(r).TF_CONFIG).toBe(`{"cluster":{"worker":{"${i}":"tf-node-0-${i}.tf:2222"},"ps":["tf-ps-0-0.tf:2222"]},"task":{"type":"worker","index":${i}}}`);
    expect(roleEnv(r, 'ps').TF_CONFIG).toBe(`{"cluster":{"worker":{},"ps":["tf-ps-0-${i}.tf:2222"]},"task":{"type":"ps","index":${i}}}`);
    expect(roleEnv(r, 'chief').TF_CONFIG).toBe(`{"cluster":{"worker":{},"ps":[]},"task":{"type":"chief","index":${i}}}`);
  });

  test('a name too long for the evaluator pods is checked against that Job too, and --force shortens it before TF_CONFIG names the hosts', () => {
    const name = 'a'.repeat(44); // fits node pods (max 48 for < 10 nodes), not evaluator pods (max 43)
    const doc = { ...tfJob({ Worker: { replicas: 2, ...pod('tensorflow') }, Evaluator: { replicas: 1, ...pod('tensorflow') } }), metadata: { name, namespace: 'ns' } };
    expect(one(doc).findings.find((f) => f.code === 'KTJ-NAME-001')?.severity).toBe('error');
    const forced = one(doc, opts({ force: true }));
    const short = trainJob(forced).metadata.name as string;
    expect(short.length).toBe(43);
    expect(envOf(forced).TF_CONFIG).toContain(`${short}-evaluator-0-0.${short}:2222`);
    expect(roleEnv(forced, 'evaluator').TF_CONFIG).not.toContain(name);
  });

  test.each([
    [{ Master: { replicas: 1, ...pod('tensorflow') } }, 'Master 1', 'Master'],
    [{ Chief: { replicas: 1, ...pod('tensorflow') }, PS: { replicas: 1, ...pod('tensorflow') }, Worker: { replicas: 0, ...pod('tensorflow') } }, 'Chief 1 + PS 1 + Worker 0', 'Chief and PS'],
  ])('layout %# without Workers is refused with KTJ-TF-001 naming it, even with --force', (specs, layout, roles) => {
    for (const force of [false, true]) {
      const r = one(tfJob(specs), opts({ force }));
      expect(r.refused).toBe(true);
      expect(r.objects).toEqual([]);
      const f = r.findings.find((x) => x.code === 'KTJ-TF-001')!;
      expect(f.message).toContain(`The layout ${layout} is not converted: it has no Worker pods`);
      expect(f.message).toContain(roles);
    }
  });

  test('one pod: no TF_CONFIG, as v1 (isDistributed); a user TF_CONFIG is then kept', () => {
    const r = one(tfJob({ Worker: pod('tensorflow', { env: [{ name: 'TF_CONFIG', value: '{}' }] }) }));
    expect(envOf(r)).toEqual({ TF_CONFIG: '{}' });
    expect(codes(r)).toContain('KTJ-TF-004');
  });

  test('enableDynamicWorker: the sparse form, "ps": null without a PS spec; KTJ-TF-003', () => {
    const r = one(tfJob({ Worker: { replicas: 2, ...pod('tensorflow') } }, { enableDynamicWorker: true }));
    const i = `$(${INDEX_VAR})`;
    expect(envOf(r).TF_CONFIG).toBe(`{"cluster":{"worker":{"${i}":"tf-node-0-${i}.tf:2222"},"ps":null},"task":{"type":"worker","index":${i}}}`);
    expect(codes(r)).toContain('KTJ-TF-003');
    expect(JSON.parse(trainJob(r).metadata.annotations['kubectl-trainjob.io/v1-settings'])).toEqual({ enableDynamicWorker: true });
  });

  test('successPolicy AllWorkers is what v2 does: no KTJ-ROLE-001', () => {
    const r = one(tfJob({ Worker: { replicas: 2, ...pod('tensorflow') } }, { successPolicy: 'AllWorkers' }));
    expect(codes(r)).not.toContain('KTJ-ROLE-001');
  });

  test('a user JOB_COMPLETION_INDEX is kept, not duplicated, and warned about', () => {
    const r = one(tfJob({ Worker: { replicas: 2, ...pod('tensorflow', { env: [{ name: INDEX_VAR, value: '0' }] }) } }));
    expect((trainJob(r).spec.trainer.env as any[]).filter((e) => e.name === INDEX_VAR)).toHaveLength(1);
    expect(codes(r)).toContain('KTJ-TF-005');
  });

  test('sidecars get no warning: v1 set TF_CONFIG in the tensorflow container only', () => {
    const r = one(tfJob({ Worker: { replicas: 2, template: { spec: { containers: [{ name: 'tensorflow', image: 'img:1' }, { name: 'log', image: 'log:1' }] } } } }));
    expect(codes(r)).not.toContain('KTJ-CTR-004');
    expect(runtime(r).spec.template.spec.replicatedJobs[0].template.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['node', 'log']);
  });

  test('--runtime names the runtime to reference: nothing is generated for a plain Worker job', () => {
    const r = one(tfJob({ Worker: { replicas: 2, ...pod('tensorflow') } }), opts({ runtime: { name: 'my-tf', kind: 'ClusterTrainingRuntime' } }));
    expect(runtime(r)).toBeUndefined();
    expect(trainJob(r).spec.runtimeRef).toEqual({ name: 'my-tf', kind: 'ClusterTrainingRuntime' });
    expect(envOf(r).TF_CONFIG).toContain('tf-node-0-1.tf:2222');
  });

  test('a default runtime content passed by migrate (torch-distributed) is never the base of a TensorFlow runtime', () => {
    const torch = getTarget('v2.3').stockRuntime as any;
    const r = one(tfJob({ Worker: { replicas: 2, ...pod('tensorflow') } }), opts({ baseRuntime: torch }));
    expect(runtime(r).spec.mlPolicy).toEqual({ numNodes: 1 });
  });

  test('generateName only: TF_CONFIG needs the name, refused', () => {
    const r = one({ ...tfJob({ Worker: { replicas: 2, ...pod('tensorflow') } }), metadata: { generateName: 'tf-', namespace: 'ns' } });
    expect(r.refused).toBe(true);
    expect(r.findings.find((f) => f.code === 'KTJ-ENV-008')!.severity).toBe('error');
  });

  test('the input is checked against the TFJob v1 CRD', () => {
    const r = one(tfJob({ Worker: { replicas: 2, ...pod('tensorflow') } }, { successPolicy: 3 }));
    expect(r.findings.some((f) => f.code === 'KTJ-SCHEMA-001' && f.path === 'spec.successPolicy')).toBe(true);
  });
});

describe('PaddleJob', () => {
  test('one Worker: the PADDLE_* variables v1 gave worker 0, in v1 order, user values replaced', () => {
    const r = one(paddleJob({ Worker: { replicas: 1, ...pod('paddle', { env: [{ name: 'A', value: '1' }, { name: 'PADDLE_MASTER', value: 'x:1' }], ports: [{ name: 'master', containerPort: 37777 }] }) } }));
    expect(r.refused).toBe(false);
    expect((trainJob(r).spec.trainer.env as any[]).map((e) => e.name)).toEqual(['A', 'PYTHONUNBUFFERED', 'PADDLE_JOB_ID', 'PADDLE_NNODES', 'POD_IP_DUMMY', 'PADDLE_MASTER']);
    expect(envOf(r)).toMatchObject({ PADDLE_JOB_ID: 'pd', PADDLE_NNODES: '1', POD_IP_DUMMY: { fieldRef: { fieldPath: 'status.podIP' } }, PADDLE_MASTER: '$(POD_IP_DUMMY):37777' });
    expect(codes(r)).toEqual(expect.arrayContaining(['KTJ-ENV-013', 'KTJ-PADDLE-003']));
    expect(runtime(r).metadata.name).toMatch(/^paddle-[0-9a-f]{10}$/);
  });

  const pdJob = (r: ReturnType<typeof one>, name: string) => runtime(r).spec.template.spec.replicatedJobs.find((j: any) => j.name === name);
  const pdEnv = (r: ReturnType<typeof one>, name: string) => pdJob(r, name).template.spec.template.spec.containers[0].env as any[];

  test('several Workers (collective): worker 0 runs in its own Job with v1\'s worker-0 variables, the others point at its host', () => {
    const r = one(paddleJob({ Worker: { replicas: 3, ...pod('paddle', { env: [{ name: 'A', value: '1' }] }) } }));
    expect(r.refused).toBe(false);
    expect(trainJob(r).spec.trainer.numNodes).toBe(2);
    expect(trainJob(r).spec.trainer.env).toEqual([
      { name: 'A', value: '1' },
      { name: 'PYTHONUNBUFFERED', value: '1' },
      { name: 'PADDLE_JOB_ID', value: 'pd' },
      { name: 'PADDLE_NNODES', value: '3' },
      { name: 'PADDLE_MASTER', value: 'pd-worker0-0-0.pd:36543' },
    ]);
    expect(pdJob(r, 'worker0')).toMatchObject({ replicas: 1, template: { spec: { parallelism: 1, completions: 1, completionMode: 'Indexed' } } });
    // Exactly what v1's setPodEnv appended for rank 0, after the user's env.
    expect(pdEnv(r, 'worker0')).toEqual([
      { name: 'A', value: '1' },
      { name: 'PYTHONUNBUFFERED', value: '1' },
      { name: 'PADDLE_JOB_ID', value: 'pd' },
      { name: 'PADDLE_NNODES', value: '3' },
      { name: 'POD_IP_DUMMY', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
      { name: 'PADDLE_MASTER', value: '$(POD_IP_DUMMY):36543' },
    ]);
    expect(runtime(r).spec.template.spec.successPolicy).toBeUndefined();
    expect(r.findings.find((f) => f.code === 'KTJ-PADDLE-002')).toMatchObject({ severity: 'info' });
    // The worker-0 template is the Workers' template: its findings are not reported twice.
    expect(r.findings.filter((f) => f.code === 'KTJ-CTR-001')).toHaveLength(1);
  });

  test('Master 1 + Workers (parameter-server mode): the Master in its own Job as the server, the Workers trainers, the Master ends the job', () => {
    const r = one(paddleJob({ Master: { replicas: 1, ...pod('paddle', { ports: [{ name: 'master', containerPort: 37777 }] }) }, Worker: { replicas: 2, ...pod('paddle', { env: [{ name: 'PADDLE_TRAINER_NUM', value: '2' }] }) } }));
    expect(r.refused).toBe(false);
    expect(trainJob(r).spec.trainer.numNodes).toBe(2);
    expect(envOf(r)).toEqual({ PYTHONUNBUFFERED: '1', PADDLE_JOB_ID: 'pd', PADDLE_NNODES: '3', PADDLE_MASTER: 'pd-master-0-0.pd:37777', PADDLE_TRAINER_NUM: '1' });
    expect(pdEnv(r, 'master').map((e) => [e.name, e.value ?? e.valueFrom])).toEqual([
      ['PYTHONUNBUFFERED', '1'],
      ['PADDLE_JOB_ID', 'pd'],
      ['PADDLE_NNODES', '3'],
      ['POD_IP_DUMMY', { fieldRef: { fieldPath: 'status.podIP' } }],
      ['PADDLE_MASTER', '$(POD_IP_DUMMY):37777'],
      ['PADDLE_SERVER_NUM', '1'],
    ]);
    expect(runtime(r).spec.template.spec.successPolicy).toEqual({ operator: 'All', targetReplicatedJobs: ['master'] });
    expect(codes(r)).toEqual(expect.arrayContaining(['KTJ-PADDLE-005', 'KTJ-ENV-013']));
    expect(codes(r)).not.toContain('KTJ-ENV-007');
  });

  test.each([
    [0, 1, 'a pod it never created'],
    [2, 2, 'exactly one Master'],
    [1, 0, 'no Worker'],
  ])('Master %i + Worker %i is refused with KTJ-PADDLE-001 naming why', (masters, workers, why) => {
    const r = one(paddleJob({ Master: { replicas: masters, ...pod('paddle') }, Worker: { replicas: workers, ...pod('paddle') } }), opts({ force: true }));
    expect(r.refused).toBe(true);
    const f = r.findings.find((x) => x.code === 'KTJ-PADDLE-001')!;
    expect(f.message).toContain(`The layout Master ${masters} + Worker ${workers} (parameter-server mode) is not converted`);
    expect(f.message).toContain(why);
  });

  test('elasticPolicy is an error (no elastic training in v2); --force runs the fixed size and keeps it for rollback', () => {
    const doc = paddleJob({ Worker: { replicas: 1, ...pod('paddle') } }, { elasticPolicy: { minReplicas: 1, maxReplicas: 3 } });
    expect(one(doc).refused).toBe(true);
    const forced = one(doc, opts({ force: true }));
    expect(forced.refused).toBe(false);
    expect(JSON.parse(trainJob(forced).metadata.annotations['kubectl-trainjob.io/v1-settings']).elasticPolicy).toEqual({ minReplicas: 1, maxReplicas: 3 });
  });

  test('sidecars are warned about: v1 set PADDLE_* in every container', () => {
    const r = one(paddleJob({ Worker: { replicas: 1, template: { spec: { containers: [{ name: 'paddle', image: 'img:1' }, { name: 'log', image: 'log:1' }] } } } }));
    expect(codes(r)).toContain('KTJ-CTR-004');
  });
});

describe('preview reads no runtime for kinds without a stock one', () => {
  test('RuntimeReader.choiceFor: undefined for TFJob and PaddleJob without --runtime, the named runtime with it', () => {
    const defaulted = new RuntimeReader(undefined as never, { name: 'torch-distributed', kind: 'ClusterTrainingRuntime', defaulted: true }, () => undefined);
    expect(defaulted.choiceFor('TFJob')).toBeUndefined();
    expect(defaulted.choiceFor('PaddleJob')).toBeUndefined();
    expect(defaulted.choiceFor('JAXJob')).toEqual({ name: 'jax-distributed', kind: 'ClusterTrainingRuntime' });
    const named = new RuntimeReader(undefined as never, { name: 'my-tf', kind: 'TrainingRuntime' }, () => undefined);
    expect(named.choiceFor('TFJob')).toEqual({ name: 'my-tf', kind: 'TrainingRuntime' });
  });
});
