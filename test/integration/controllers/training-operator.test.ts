// The Training Operator v1.9.2 in the harness serves every v1 kind (for the parity cases of the
// kinds added after PyTorchJob): each kind's CRD installs, its webhook (where v1 has one) is in the
// request path, and its controller creates the pods.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { ControllerCluster, V1_SCHEMES, type V1Scheme } from '../../controlplane/controllers.js';
import { pollUntil } from '../../controlplane/objects.js';

const TIMEOUT = 5 * 60_000;
let cluster: ControllerCluster;
let ns: string;

beforeAll(async () => {
  cluster = await ControllerCluster.start({ trainingOperator: Object.keys(V1_SCHEMES) as V1Scheme[], label: 'v1-kinds' });
  ns = await cluster.namespace('v1-kinds');
}, TIMEOUT);
afterAll(async () => cluster?.stop(), 120_000);

const container = (name: string) => ({ template: { spec: { containers: [{ name, image: 'registry.example/train:1', command: ['python', 'train.py'] }] } } });

// The smallest valid job of each kind, with the container name each v1 webhook/controller expects.
const jobs: [V1Scheme, Record<string, unknown>, number][] = [
  ['pytorchjob', { pytorchReplicaSpecs: { Master: { replicas: 1, ...container('pytorch') }, Worker: { replicas: 2, ...container('pytorch') } } }, 3],
  ['tfjob', { tfReplicaSpecs: { Chief: { replicas: 1, ...container('tensorflow') }, Worker: { replicas: 1, ...container('tensorflow') } } }, 2],
  ['xgboostjob', { xgbReplicaSpecs: { Master: { replicas: 1, ...container('xgboost') }, Worker: { replicas: 1, ...container('xgboost') } } }, 2],
  ['paddlejob', { paddleReplicaSpecs: { Master: { replicas: 1, ...container('paddle') }, Worker: { replicas: 1, ...container('paddle') } } }, 2],
  ['jaxjob', { jaxReplicaSpecs: { Worker: { replicas: 2, ...container('jax') } } }, 2],
  ['mpijob', { mpiReplicaSpecs: { Launcher: { replicas: 1, ...container('mpi') }, Worker: { replicas: 2, ...container('mpi') } } }, 3],
];

it.each(jobs)('%s: created and turned into pods by the real v1 controller', async (scheme, spec, pods) => {
  const client = await cluster.client();
  const { kind, plural } = V1_SCHEMES[scheme];
  const name = `hello-${scheme}`;
  await client.ok('POST', `/apis/kubeflow.org/v1/namespaces/${ns}/${plural}`, { body: { apiVersion: 'kubeflow.org/v1', kind, metadata: { name }, spec } });
  const created = await pollUntil(`${pods} pods of ${kind} ${name}`, 120_000, async () => {
    const list = await client.ok<{ items: { metadata: { name: string } }[] }>('GET', `/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: `training.kubeflow.org/job-name=${name}` } });
    return list.items.length >= pods ? list.items.map((p) => p.metadata.name).sort() : undefined;
  });
  expect(created).toHaveLength(pods);
}, TIMEOUT);

it('the v1 validating webhook is served for real (Master replicas must be 1)', async () => {
  const client = await cluster.client();
  const res = await client.request('POST', `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs`, {
    body: { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'two-masters' }, spec: { pytorchReplicaSpecs: { Master: { replicas: 2, ...container('pytorch') } } } },
  });
  expect(res.status).toBe(403); // webhook denials are Forbidden
  expect(res.body.message).toMatch(/admission webhook "validator\.pytorchjob\.training-operator\.kubeflow\.org" denied the request/);
}, TIMEOUT);
