import { describe, expect, test } from '@jest/globals';
import { convertPyTorchJob, type ConvertOptions } from '../../../src/convert/index.js';
import { extractJobs } from '../../../src/convert/extract.js';
import { maxTrainJobNameLength } from '../../../src/convert/rules/metadata.js';
import { maxResources, parseQuantity } from '../../../src/convert/rules/roles.js';
import { getTarget } from '../../../src/convert/targets/index.js';
import { aPyTorchJob } from '../../builders.js';

const opts = (target = 'v2.3', extra: Partial<ConvertOptions> = {}): ConvertOptions => ({
  target: getTarget(target),
  runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' },
  envShim: true,
  force: false,
  toolVersion: '0.0.0-test',
  ...extra,
});
const trainJob = (r: ReturnType<typeof convertPyTorchJob>) => r.objects.find((o) => o.kind === 'TrainJob') as any;
const codes = (r: ReturnType<typeof convertPyTorchJob>) => r.findings.map((f) => f.code);

describe('quantities and resources', () => {
  test.each([
    ['500m', 0.5],
    ['2', 2],
    ['1Gi', 1024 ** 3],
    ['1e3', 1000],
    ['4k', 4000],
  ])('parseQuantity(%s) = %d', (q, n) => expect(parseQuantity(q)).toBe(n));

  test('maxResources keeps the larger of each value, requests and limits apart', () => {
    expect(maxResources({ limits: { cpu: '4', memory: '8Gi' } }, { limits: { cpu: '8', memory: '4Gi', 'nvidia.com/gpu': 1 } })).toEqual({
      limits: { cpu: '8', memory: '8Gi', 'nvidia.com/gpu': 1 },
    });
  });
});

describe('names', () => {
  test.each([
    [1, 48],
    [10, 48],
    [11, 47],
    [101, 46],
  ])('with %d nodes JobSet allows TrainJob names up to %d characters', (nodes, max) => expect(maxTrainJobNameLength(nodes)).toBe(max));

  test('a name over the limit refuses the job with KTJ-NAME-001', () => {
    const r = convertPyTorchJob(aPyTorchJob().withName('a'.repeat(49)).build(), opts());
    expect(r.refused).toBe(true);
    expect(codes(r)).toContain('KTJ-NAME-001');
  });

  test('--suffix is part of the checked name and of the compatibility MASTER_ADDR', () => {
    const r = convertPyTorchJob(aPyTorchJob().withCommand('python', 'train.py').build(), opts('v2.3', { suffix: '-v2' }));
    const env = trainJob(r).spec.trainer.env;
    expect(trainJob(r).metadata.name).toBe('train-v2');
    expect(env).toContainEqual({ name: 'MASTER_ADDR', value: 'train-v2-node-0-0.train-v2' });
  });
});

describe('roles', () => {
  test('Master + 3 Workers become numNodes 4', () => {
    expect(trainJob(convertPyTorchJob(aPyTorchJob().withWorkers(3).build(), opts())).spec.trainer.numNodes).toBe(4);
  });
  test('Worker-only keeps the worker count and reports the new rank env', () => {
    const r = convertPyTorchJob(aPyTorchJob().withoutMaster().withWorkers(2).build(), opts());
    expect(trainJob(r).spec.trainer.numNodes).toBe(2);
    expect(codes(r)).toContain('KTJ-ROLE-006');
  });
});

describe('environment contract', () => {
  test('torchrun needs no compatibility env', () => {
    const env = trainJob(convertPyTorchJob(aPyTorchJob().build(), opts())).spec.trainer.env;
    expect(env.map((e: any) => e.name)).toEqual(['PYTHONUNBUFFERED']);
  });
  test('a python entrypoint on several nodes gets RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT', () => {
    const r = convertPyTorchJob(aPyTorchJob().withWorkers(3).withCommand('python', 'train.py').build(), opts());
    const env = trainJob(r).spec.trainer.env;
    expect(env.map((e: any) => e.name).sort()).toEqual(['MASTER_ADDR', 'MASTER_PORT', 'PYTHONUNBUFFERED', 'RANK', 'WORLD_SIZE']);
    expect(env).toContainEqual({ name: 'WORLD_SIZE', value: '4' });
    expect(codes(r)).toContain('KTJ-ENV-001');
  });
  test('--no-env-shim adds nothing and warns instead', () => {
    const r = convertPyTorchJob(aPyTorchJob().withCommand('python', 'train.py').build(), opts('v2.3', { envShim: false }));
    expect(trainJob(r).spec.trainer.env.map((e: any) => e.name)).toEqual(['PYTHONUNBUFFERED']);
    expect(codes(r)).toContain('KTJ-ENV-008');
  });
  test('user-set PET_* variables never reach the output', () => {
    const r = convertPyTorchJob(aPyTorchJob().withEnv([{ name: 'PET_NNODES', value: '2' }, { name: 'FOO', value: 'bar' }]).build(), opts());
    const names = trainJob(r).spec.trainer.env.map((e: any) => e.name);
    expect(names.filter((n: string) => n.startsWith('PET_'))).toEqual([]);
    expect(names).toContain('FOO');
    expect(codes(r)).toContain('KTJ-ENV-004');
  });
  test('$(RANK) in args is reported as E2', () => {
    const r = convertPyTorchJob(aPyTorchJob().withArgs('--node_rank=$(RANK)').build(), opts());
    expect(codes(r)).toContain('KTJ-ENV-002');
  });
});

describe('processes per node per target', () => {
  test.each([
    ['v2.0', '4', 4],
    ['v2.1', 'cpu', 'cpu'],
    ['v2.2', '4', 4],
    ['v2.3', 'cpu', undefined],
  ])('%s: nprocPerNode %s → numProcPerNode %s', (target, input, expected) => {
    const tj = trainJob(convertPyTorchJob(aPyTorchJob().withNproc(input).build(), opts(target)));
    expect(tj.spec.trainer.numProcPerNode).toBe(expected);
  });
});

describe('placement per target', () => {
  test('affinity is a patch on v2.3, an override on v2.1 and needs a generated runtime on v2.0', () => {
    const job = () => aPyTorchJob().withPodField('affinity', { nodeAffinity: {} }).withPodField('nodeSelector', { a: 'b' }).build();
    const v23 = convertPyTorchJob(job(), opts('v2.3'));
    expect(v23.objects.map((o) => o.kind)).toEqual(['TrainJob']);
    expect((v23.objects[0] as any).spec.runtimePatches[0].manager).toBe('kubectl-trainjob.io/migration');
    const v21 = convertPyTorchJob(job(), opts('v2.1'));
    expect((v21.objects[0] as any).spec.podTemplateOverrides[0].spec.affinity).toEqual({ nodeAffinity: {} });
    const v20 = convertPyTorchJob(job(), opts('v2.0'));
    expect(v20.objects.map((o) => o.kind)).toEqual(['TrainingRuntime', 'TrainJob']);
  });
  test('activeDeadlineSeconds maps on v2.2+ and goes onto the child Job before', () => {
    const job = () => aPyTorchJob().withRunPolicy({ activeDeadlineSeconds: 3600 }).build();
    expect(trainJob(convertPyTorchJob(job(), opts('v2.2'))).spec.activeDeadlineSeconds).toBe(3600);
    const v21 = convertPyTorchJob(job(), opts('v2.1'));
    expect((v21.objects[0] as any).spec.template.spec.replicatedJobs[0].template.spec.activeDeadlineSeconds).toBe(3600);
  });
  test('a sidecar always needs a generated runtime named after the TrainJob', () => {
    const job = aPyTorchJob().build() as any;
    job.spec.pytorchReplicaSpecs.Master.template.spec.containers.push({ name: 'proxy', image: 'envoy' });
    job.spec.pytorchReplicaSpecs.Worker.template.spec.containers.push({ name: 'proxy', image: 'envoy' });
    const r = convertPyTorchJob(job, opts());
    const name = r.objects[0]!.metadata.name!;
    expect(name).toMatch(/^torch-distributed-[0-9a-f]{10}$/);
    expect(trainJob(r).spec.runtimeRef).toEqual({ name, kind: 'TrainingRuntime' });
    // Another job with the same pod settings but its own name, image and command gets the same runtime.
    const other = JSON.parse(JSON.stringify(job));
    other.metadata.name = 'other';
    for (const role of ['Master', 'Worker']) {
      const c = other.spec.pytorchReplicaSpecs[role]?.template.spec.containers[0];
      if (c) c.image = 'elsewhere/image:9';
    }
    expect(convertPyTorchJob(other, opts()).objects[0]!.metadata.name).toBe(name);
  });
});

describe('run policy', () => {
  test('elastic jobs are refused, and forced to a fixed size', () => {
    const job = () => aPyTorchJob().withElastic({ minReplicas: 1, maxReplicas: 4 }).build();
    expect(convertPyTorchJob(job(), opts()).refused).toBe(true);
    const forced = convertPyTorchJob(job(), opts('v2.3', { force: true }));
    expect(forced.refused).toBe(false);
    expect(JSON.parse(trainJob(forced).metadata.annotations['kubectl-trainjob.io/v1-settings']).elasticPolicy).toEqual({ minReplicas: 1, maxReplicas: 4 });
  });
  test('settings with no v2 home are kept for rollback', () => {
    const r = convertPyTorchJob(aPyTorchJob().withRunPolicy({ cleanPodPolicy: 'All', ttlSecondsAfterFinished: 60 }).build(), opts());
    expect(JSON.parse(trainJob(r).metadata.annotations['kubectl-trainjob.io/v1-settings'])).toEqual({ runPolicy: { cleanPodPolicy: 'All', ttlSecondsAfterFinished: 60 } });
  });
  test('suspend maps', () => {
    expect(trainJob(convertPyTorchJob(aPyTorchJob().withRunPolicy({ suspend: true }).build(), opts())).spec.suspend).toBe(true);
  });
});

describe('extraction', () => {
  test('List items are found with their paths', () => {
    const list = { apiVersion: 'v1', kind: 'List', items: [aPyTorchJob().build(), { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' } }] };
    const x = extractJobs(list);
    expect(x.jobs.map((j) => j.path)).toEqual(['items[0]']);
    expect(x.findings.map((f) => [f.code, f.path])).toEqual([['KTJ-IN-002', 'items[1]']]);
  });
  test('an empty document is nothing, a scalar is an error', () => {
    expect(extractJobs(null)).toEqual({ jobs: [], findings: [] });
    expect(extractJobs('hello').findings[0]!.code).toBe('KTJ-IN-001');
  });
});
