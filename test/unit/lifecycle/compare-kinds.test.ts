// compare for every v1 kind, pure: each kind converted by the real converter (Trainer v2.3) compares equal to
// its v1 job (nodes, images, resources, env; the env contract reported, not flagged), and a changed TrainJob
// (image, env, node count) is reported as a difference.
import { describe, expect, test } from '@jest/globals';
import { convertDocument, type ConvertOptions } from '../../../src/convert/index.js';
import { getTarget } from '../../../src/convert/targets/index.js';
import { compareSides, describeV1, describeV2, type Comparison } from '../../../src/lifecycle/compare.js';
import { v1Rank0LogsCommand, compareKind, v1Shape } from '../../../src/lifecycle/compare-kinds.js';

const target = getTarget('v2.3');
const opts: ConvertOptions = { target, runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime', defaulted: true }, envShim: true, force: false, toolVersion: '0.0.0-test' };
const now = new Date('2026-01-01T01:00:00Z');
const resources = { requests: { cpu: '2', memory: '4Gi' }, limits: { cpu: '2', memory: '4Gi' } };
const userEnv = [{ name: 'EPOCHS', value: '3' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }];

const container = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: 'ghcr.io/acme/train:1.0', command: ['python', 'train.py'], env: userEnv, resources, ...extra });
const replica = (name: string, replicas: number, extra: Record<string, unknown> = {}) => ({ replicas, restartPolicy: 'OnFailure', template: { spec: { containers: [container(name, extra)] } } });

/** A small convertible job of each kind: the layouts the converter moves. */
const JOBS: Record<string, any> = {
  PyTorchJob: { spec: { pytorchReplicaSpecs: { Master: replica('pytorch', 1), Worker: replica('pytorch', 2) } } },
  XGBoostJob: { spec: { xgbReplicaSpecs: { Master: replica('xgboost', 1), Worker: replica('xgboost', 2) } } },
  JAXJob: { spec: { jaxReplicaSpecs: { Worker: replica('jax', 2) } } },
  TFJob: { spec: { tfReplicaSpecs: { Worker: replica('tensorflow', 3) } } },
  PaddleJob: { spec: { paddleReplicaSpecs: { Worker: replica('paddle', 1) } } },
  MPIJob: {
    apiVersion: 'kubeflow.org/v2beta1',
    spec: {
      slotsPerWorker: 2,
      mpiReplicaSpecs: {
        Launcher: { replicas: 1, template: { spec: { containers: [container('launcher', { image: 'ghcr.io/acme/mpi-launcher:1.0', command: ['mpirun', 'python', 'train.py'], resources: undefined })] } } },
        Worker: { replicas: 3, template: { spec: { containers: [container('worker', { command: ['/usr/sbin/sshd', '-De'] })] } } },
      },
    },
  },
};

function v1Job(kind: string): any {
  const j = JSON.parse(JSON.stringify(JOBS[kind]));
  return { apiVersion: 'kubeflow.org/v1', kind, metadata: { name: 'job', namespace: 'ns' }, ...j };
}

/** Converts the job and describes both sides as compare does (the runtime: the generated one, else the stock one). */
function converted(v1: any, edit: (tj: any, rt: any) => void = () => undefined): Comparison {
  const r = convertDocument(v1, opts).jobs[0]!;
  expect(r.refused).toBe(false);
  const tj = JSON.parse(JSON.stringify(r.objects.find((o) => o.kind === 'TrainJob')));
  const generated = r.objects.find((o) => o.kind === 'TrainingRuntime');
  const stock = tj.spec.runtimeRef.name === 'torch-distributed' ? target.stockRuntime : target.stockRuntimes[tj.spec.runtimeRef.name];
  const rt = JSON.parse(JSON.stringify(generated ?? stock));
  edit(tj, rt);
  return compareSides(describeV1(v1, [], now), describeV2(tj, [], now, rt, v1.kind), v1.kind);
}

describe('compare: every kind converted by the converter compares equal to its v1 job', () => {
  test.each([
    ['PyTorchJob', 3, ['MASTER_ADDR', 'MASTER_PORT', 'PYTHONUNBUFFERED', 'RANK', 'WORLD_SIZE']],
    ['XGBoostJob', 3, ['MASTER_ADDR', 'MASTER_PORT', 'PYTHONUNBUFFERED', 'RANK', 'WORKER_ADDRS', 'WORKER_PORT', 'WORLD_SIZE']],
    ['JAXJob', 2, ['COORDINATOR_ADDRESS', 'COORDINATOR_PORT', 'NUM_PROCESSES', 'PROCESS_ID', 'PYTHONUNBUFFERED']],
    ['TFJob', 3, ['TF_CONFIG']],
    ['PaddleJob', 1, ['PADDLE_JOB_ID', 'PADDLE_MASTER', 'PADDLE_NNODES', 'POD_IP_DUMMY', 'PYTHONUNBUFFERED']],
    ['MPIJob', 3, []],
  ])('%s: %d node(s), same image, resources and env; the contract variables set again are listed', (kind, nodes, carried) => {
    const c = converted(v1Job(kind));
    expect(c.differences).toEqual([]);
    expect(c.v1).toMatchObject({ kind, nodes, image: 'ghcr.io/acme/train:1.0', resourcesPerNode: resources });
    expect(c.v2).toMatchObject({ kind: 'TrainJob', nodes, image: 'ghcr.io/acme/train:1.0' });
    expect(c.v1.env).toMatchObject({ EPOCHS: '3', POD: 'valueFrom {"fieldRef":{"fieldPath":"metadata.name"}}' });
    expect(c.envContract.v1Injected.length).toBeGreaterThan(0);
    expect(c.envContract.carried).toEqual(expect.arrayContaining(carried));
  });

  test('each kind names its own env contract: what v1 injected and what Trainer injects instead', () => {
    expect(converted(v1Job('XGBoostJob')).envContract.v2Injected).toEqual(['DMLC_TRACKER_URI', 'DMLC_TRACKER_PORT', 'DMLC_TASK_ID', 'DMLC_NUM_WORKER']);
    expect(converted(v1Job('JAXJob')).envContract).toMatchObject({ v1Injected: expect.arrayContaining(['COORDINATOR_ADDRESS', 'PROCESS_ID']), v2Injected: ['JAX_NUM_PROCESSES', 'JAX_PROCESS_ID', 'JAX_COORDINATOR_ADDRESS'] });
    expect(converted(v1Job('TFJob')).envContract.v2Injected).toEqual([]);
    expect(converted(v1Job('MPIJob')).envContract.v2Injected).toContain('OMPI_MCA_orte_default_hostfile');
  });

  test('MPIJob: nodes are the workers, the launcher image is compared on its own, slots are procs per node', () => {
    const c = converted(v1Job('MPIJob'));
    expect(c.v1).toMatchObject({ apiVersion: 'kubeflow.org/v2beta1', nodes: 3, procsPerNode: 2, launcherImage: 'ghcr.io/acme/mpi-launcher:1.0' });
    expect(c.v2).toMatchObject({ nodes: 3, procsPerNode: 2, launcherImage: 'ghcr.io/acme/mpi-launcher:1.0' });
    expect(c.v2.logs).toContain('jobset.sigs.k8s.io/replicatedjob-name=launcher -c node');
    expect(c.v1.logs).toBe('kubectl logs -n ns -l training.kubeflow.org/job-name=job,training.kubeflow.org/job-role=launcher -c launcher');
    const asWorker = v1Job('MPIJob');
    asWorker.spec.runLauncherAsWorker = true;
    expect(v1Shape(asWorker, compareKind('MPIJob')).nodes).toBe(4);
    const changed = converted(v1Job('MPIJob'), (tj) => (tj.spec.trainer.image = 'ghcr.io/acme/mpi-launcher:2.0'));
    expect(changed.differences).toEqual(['launcher image: v1 ghcr.io/acme/mpi-launcher:1.0, v2 ghcr.io/acme/mpi-launcher:2.0']);
  });
});

describe('compare: differences per kind', () => {
  test('XGBoostJob: another image, a lost and a changed env variable, one node fewer', () => {
    const c = converted(v1Job('XGBoostJob'), (tj) => {
      tj.spec.trainer.image = 'ghcr.io/acme/train:2.0';
      tj.spec.trainer.numNodes = 2;
      tj.spec.trainer.env = tj.spec.trainer.env.filter((e: any) => e.name !== 'POD').map((e: any) => (e.name === 'EPOCHS' ? { name: 'EPOCHS', value: '5' } : e));
      tj.spec.trainer.env.push({ name: 'EXTRA', value: 'x' });
    });
    expect(c.differences).toEqual([
      'nodes: v1 3, v2 2',
      'image: v1 ghcr.io/acme/train:1.0, v2 ghcr.io/acme/train:2.0',
      'env EPOCHS: v1 "3", v2 "5"',
      'env EXTRA: v1 not set, v2 "x"',
      'env POD: v1 "valueFrom {\\"fieldRef\\":{\\"fieldPath\\":\\"metadata.name\\"}}", v2 not set',
    ]);
  });

  test('JAXJob: a v1-injected variable the user also set, and the contract variables, are never differences', () => {
    const v1 = v1Job('JAXJob');
    v1.spec.jaxReplicaSpecs.Worker.template.spec.containers[0].env = [...userEnv, { name: 'NUM_PROCESSES', value: '99' }];
    const c = converted(v1, (tj) => (tj.spec.trainer.env = [...(tj.spec.trainer.env ?? []).filter((e: any) => e.name !== 'COORDINATOR_PORT'), { name: 'JAX_PROCESS_ID', value: '0' }]));
    expect(c.differences).toEqual([]);
    expect(c.v1.env).not.toHaveProperty('NUM_PROCESSES');
  });

  test('TFJob and PaddleJob: the resources of the runtime node container stand in when the TrainJob sets none', () => {
    const c = converted(v1Job('TFJob'), (tj, rt) => {
      delete tj.spec.trainer.resourcesPerNode;
      rt.spec.template.spec.replicatedJobs[0].template.spec.template.spec.containers[0].resources = { requests: { cpu: '2000m', memory: '4096Mi' }, limits: { cpu: '2', memory: '4Gi' } };
    });
    expect(c.differences).toEqual([]);
    const p = converted(v1Job('PaddleJob'), (tj) => (tj.spec.trainer.resourcesPerNode = { requests: { cpu: '8' } }));
    expect(p.differences).toEqual([expect.stringMatching(/^resources per node: /)]);
  });

  test('rank-0 logs per kind: the v1 role and container that hold rank 0', () => {
    const logs = (kind: string) => v1Rank0LogsCommand('ns', 'job', v1Job(kind), compareKind(kind));
    expect(logs('PyTorchJob')).toBe('kubectl logs -n ns -l training.kubeflow.org/job-name=job,training.kubeflow.org/replica-type=master -c pytorch');
    expect(logs('XGBoostJob')).toBe('kubectl logs -n ns -l training.kubeflow.org/job-name=job,training.kubeflow.org/replica-type=master -c xgboost');
    expect(logs('JAXJob')).toBe('kubectl logs -n ns -l training.kubeflow.org/job-name=job,training.kubeflow.org/replica-type=worker,training.kubeflow.org/replica-index=0 -c jax');
    expect(logs('TFJob')).toBe('kubectl logs -n ns -l training.kubeflow.org/job-name=job,training.kubeflow.org/replica-type=worker,training.kubeflow.org/replica-index=0 -c tensorflow');
    const v1mpi = { ...v1Job('MPIJob'), apiVersion: 'kubeflow.org/v1' };
    expect(v1Rank0LogsCommand('ns', 'job', v1mpi, compareKind('MPIJob'))).toBe('kubectl logs -n ns -l training.kubeflow.org/job-name=job,training.kubeflow.org/replica-type=launcher -c launcher');
  });
});
