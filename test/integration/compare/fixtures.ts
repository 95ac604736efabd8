// Builders for the lifecycle tests (compare, cleanup, rollback, runbooks): PyTorchJobs, "migrated"
// TrainJobs with provenance annotations, pods with the labels each controller would set, and status
// written through the status subresource (no controllers run on the test control plane).
import type { KubeClient } from '../../controlplane/harness.js';
import { adminClient } from '../../controlplane/harness.js';

/** A PyTorchJob manifest: Master 1 + `workers` Workers, container pytorch with resources. */
export function aPyTorchJob(name: string, namespace: string, opts: { workers?: number; cpu?: string; memory?: string; labels?: Record<string, string> } = {}): any {
  const template = (cpu: string, memory: string) => ({
    spec: {
      containers: [{ name: 'pytorch', image: 'docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727', command: ['python3', '/opt/mnist/src/mnist.py', '--epochs=1'], resources: { requests: { cpu, memory }, limits: { cpu, memory } } }],
    },
  });
  const cpu = opts.cpu ?? '2';
  const memory = opts.memory ?? '4Gi';
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name, namespace, labels: { team: 'nlp', ...(opts.labels ?? {}) }, annotations: { 'example.com/owner': 'alice' } },
    spec: {
      runPolicy: { cleanPodPolicy: 'None' },
      pytorchReplicaSpecs: {
        Master: { replicas: 1, restartPolicy: 'OnFailure', template: template(cpu, memory) },
        Worker: { replicas: opts.workers ?? 2, restartPolicy: 'OnFailure', template: template(cpu, memory) },
      },
    },
  };
}

/** A TrainJob as migrate would leave it: same name (or `trainJobName`), provenance annotations, optional v1-manifest copy. */
export function aMigratedTrainJob(v1: any, opts: { trainJobName?: string; v1Manifest?: boolean; generatedRuntime?: string; backup?: string; resourceVersion?: string } = {}): any {
  const m = v1.metadata;
  const nodes = (v1.spec.pytorchReplicaSpecs.Master?.replicas ?? 0) + (v1.spec.pytorchReplicaSpecs.Worker?.replicas ?? 0);
  const res = v1.spec.pytorchReplicaSpecs.Master.template.spec.containers[0].resources;
  const clean = JSON.parse(JSON.stringify(v1));
  for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']) delete clean.metadata[k];
  delete clean.status;
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: {
      name: opts.trainJobName ?? m.name,
      namespace: m.namespace,
      labels: m.labels ?? {},
      annotations: {
        'kubectl-trainjob.io/source-kind': 'PyTorchJob',
        'kubectl-trainjob.io/source-namespace': m.namespace,
        'kubectl-trainjob.io/source-name': m.name,
        ...(m.uid ? { 'kubectl-trainjob.io/source-uid': m.uid } : {}),
        ...(opts.resourceVersion ?? m.resourceVersion ? { 'kubectl-trainjob.io/source-resource-version': opts.resourceVersion ?? m.resourceVersion } : {}),
        ...(opts.v1Manifest !== false ? { 'kubectl-trainjob.io/v1-manifest': JSON.stringify(clean) } : {}),
        ...(opts.generatedRuntime ? { 'kubectl-trainjob.io/generated-runtime': opts.generatedRuntime } : {}),
        ...(opts.backup ? { 'kubectl-trainjob.io/backup': opts.backup } : {}),
      },
    },
    spec: {
      runtimeRef: opts.generatedRuntime ? { apiGroup: 'trainer.kubeflow.org', kind: 'TrainingRuntime', name: opts.generatedRuntime } : { apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' },
      trainer: { image: 'docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727', command: ['python3', '/opt/mnist/src/mnist.py', '--epochs=1'], numNodes: nodes, resourcesPerNode: res },
    },
  };
}

/** A generated TrainingRuntime (labels as the converter sets them) for `trainJobName`. */
export function aGeneratedRuntime(name: string, namespace: string, trainJobName: string): any {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainingRuntime',
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'kubectl-trainjob', 'kubectl-trainjob.io/generated-for': trainJobName } },
    spec: {
      mlPolicy: { numNodes: 1, torch: { numProcPerNode: 'auto' } },
      template: { spec: { replicatedJobs: [{ name: 'node', template: { metadata: { labels: { 'trainer.kubeflow.org/trainjob-ancestor-step': 'trainer' } }, spec: { template: { spec: { containers: [{ name: 'node', image: 'pytorch/pytorch:2.7.1-cuda12.8-cudnn9-runtime' }] } } } } }] } },
    },
  };
}

const plural: Record<string, string> = {
  PyTorchJob: 'kubeflow.org/v1/namespaces/NS/pytorchjobs',
  MPIJob: 'kubeflow.org/v1/namespaces/NS/mpijobs',
  XGBoostJob: 'kubeflow.org/v1/namespaces/NS/xgboostjobs',
  JAXJob: 'kubeflow.org/v1/namespaces/NS/jaxjobs',
  TFJob: 'kubeflow.org/v1/namespaces/NS/tfjobs',
  PaddleJob: 'kubeflow.org/v1/namespaces/NS/paddlejobs',
  TrainJob: 'trainer.kubeflow.org/v1alpha1/namespaces/NS/trainjobs',
  TrainingRuntime: 'trainer.kubeflow.org/v1alpha1/namespaces/NS/trainingruntimes',
};

/** The replica specs field, roles and container name of each v1 kind (Training Operator v1.9.2 CRDs). */
const V1_SHAPES: Record<string, { field: string; roles: string[]; container: string }> = {
  PyTorchJob: { field: 'pytorchReplicaSpecs', roles: ['Master', 'Worker'], container: 'pytorch' },
  MPIJob: { field: 'mpiReplicaSpecs', roles: ['Launcher', 'Worker'], container: 'mpi' },
  XGBoostJob: { field: 'xgbReplicaSpecs', roles: ['Master', 'Worker'], container: 'xgboost' },
  JAXJob: { field: 'jaxReplicaSpecs', roles: ['Worker'], container: 'jax' },
  // Worker-only TFJob and PaddleJob layouts (the multi-role TF and Paddle layouts are covered by test/integration/controllers/role-layouts.test.ts).
  TFJob: { field: 'tfReplicaSpecs', roles: ['Worker'], container: 'tensorflow' },
  PaddleJob: { field: 'paddleReplicaSpecs', roles: ['Worker'], container: 'paddle' },
};

/** The v1 kinds, PyTorchJob first. */
export const V1_KINDS = Object.keys(V1_SHAPES);

/** A small job of any v1 kind that its v1.9.2 CRD admits: one replica per role, one container. */
export function aV1Job(kind: string, name: string, namespace: string): any {
  const shape = V1_SHAPES[kind]!;
  const specs: Record<string, unknown> = {};
  for (const role of shape.roles) specs[role] = { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [{ name: shape.container, image: 'busybox:1.36', command: ['sh', '-c', 'echo train'] }] } } };
  return {
    apiVersion: 'kubeflow.org/v1',
    kind,
    metadata: { name, namespace, labels: { team: 'nlp' } },
    spec: { runPolicy: { cleanPodPolicy: 'None' }, [shape.field]: specs, ...(kind === 'MPIJob' ? { slotsPerWorker: 1 } : {}) },
  };
}

/** A TrainJob carrying the provenance of a migrated job of any kind (source-kind, uid, v1-manifest). */
export function aTrainJobFrom(v1: any, opts: { trainJobName?: string; v1Manifest?: boolean } = {}): any {
  const m = v1.metadata;
  const clean = JSON.parse(JSON.stringify(v1));
  for (const k of ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields']) delete clean.metadata[k];
  delete clean.status;
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: {
      name: opts.trainJobName ?? m.name,
      namespace: m.namespace,
      annotations: {
        'kubectl-trainjob.io/source-kind': v1.kind,
        'kubectl-trainjob.io/source-api-version': v1.apiVersion,
        'kubectl-trainjob.io/source-namespace': m.namespace,
        'kubectl-trainjob.io/source-name': m.name,
        'kubectl-trainjob.io/source-uid': m.uid,
        'kubectl-trainjob.io/source-resource-version': m.resourceVersion,
        ...(opts.v1Manifest !== false ? { 'kubectl-trainjob.io/v1-manifest': JSON.stringify(clean) } : {}),
      },
    },
    spec: { runtimeRef: { apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime', name: 'torch-distributed' }, suspend: true },
  };
}

/** The collection path of a namespaced kind used in these tests. */
export function collection(kind: string, ns: string): string {
  if (kind === 'Pod') return `/api/v1/namespaces/${ns}/pods`;
  return `/apis/${plural[kind]!.replace('NS', ns)}`;
}

/** Creates an object as admin (POST) and returns what the server stored. */
export async function create(obj: any, client?: KubeClient): Promise<any> {
  const c = client ?? (await adminClient());
  return c.ok('POST', collection(obj.kind, obj.metadata.namespace), { body: obj });
}

/** Merge-patches the status subresource (what a controller would write). */
export async function setStatus(kind: string, ns: string, name: string, status: unknown, client?: KubeClient): Promise<any> {
  const c = client ?? (await adminClient());
  return c.ok('PATCH', `${collection(kind, ns)}/${name}/status`, { body: { status }, contentType: 'application/merge-patch+json' });
}

/** A time `minutes` after 2026-11-24T10:00:00Z (status times in tests are fixed). */
export function at(minutes: number): string {
  return new Date(Date.parse('2026-11-24T10:00:00Z') + minutes * 60_000).toISOString().replace('.000Z', 'Z');
}

/** Creates a pod with `labels`, then writes its status: phase, Ready, restarts, start time. */
export async function aPod(ns: string, name: string, labels: Record<string, string>, container: string, s: { phase: string; ready?: boolean; restarts?: number; startedAt?: string }, client?: KubeClient): Promise<void> {
  await create({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, labels }, spec: { containers: [{ name: container, image: 'busybox' }] } }, client);
  await setStatus('Pod', ns, name, {
    phase: s.phase,
    ...(s.startedAt ? { startTime: s.startedAt } : {}),
    conditions: [{ type: 'Ready', status: s.ready ? 'True' : 'False' }],
    containerStatuses: [{ name: container, image: 'busybox', imageID: '', ready: Boolean(s.ready), restartCount: s.restarts ?? 0, started: s.phase === 'Running', state: {} }],
  }, client);
}

/** The condition list of a finished or running PyTorchJob. */
export function v1Conditions(state: 'running' | 'succeeded' | 'failed', at1: string, at2?: string): any[] {
  const created = { type: 'Created', status: 'True', reason: 'PyTorchJobCreated', lastTransitionTime: at1 };
  if (state === 'running') return [created, { type: 'Running', status: 'True', reason: 'PyTorchJobRunning', lastTransitionTime: at1 }];
  const type = state === 'succeeded' ? 'Succeeded' : 'Failed';
  return [created, { type: 'Running', status: 'False', reason: 'PyTorchJobRunning', lastTransitionTime: at2 }, { type, status: 'True', reason: `PyTorchJob${type}`, lastTransitionTime: at2 }];
}

/** Polls until `fn` resolves truthy (or throws after `ms`). */
export async function eventually<T>(what: string, ms: number, fn: () => Promise<T | undefined | false>): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      if (Date.now() > end) throw e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
