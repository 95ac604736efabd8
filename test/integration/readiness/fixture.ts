// Builds private control planes that look like installed clusters for the readiness tests: the
// upstream rendered operator objects, Deployment status written through the status subresource (no
// controller runs), EndpointSlices by hand, and webhook CA bundles. Private planes keep cluster-scoped
// objects (CRDs, webhook configurations with failurePolicy Fail) away from concurrent test files.
import * as path from 'node:path';
import { startExtraControlPlane, type ExtraControlPlane, KubeClient, type KubeObject } from '../../controlplane/harness.js';
import { createOrReplace, readYamlObjects, serverSideApply, waitForCrd } from '../../controlplane/objects.js';
import { REPO_ROOT } from '../../controlplane/paths.js';

const UPSTREAM = path.join(REPO_ROOT, 'upstream');
/** The rendered upstream objects (no CRDs) of Training Operator v1.9.2 standalone. */
export const V1_OPERATOR = path.join(UPSTREAM, 'training-operator-v1.9.2/rendered/overlays-standalone.noncrd.yaml');
/** The rendered objects of Trainer v2.3.0 (manager overlay, without JobSet). */
export const V2_OPERATOR = path.join(UPSTREAM, 'trainer-v2.3.0/rendered/overlays-manager.noncrd-nojobset.yaml');
/** The rendered objects of JobSet v0.12.0 as Trainer installs it into kubeflow-system. */
export const JOBSET = path.join(UPSTREAM, 'trainer-v2.3.0/jobset-v0.12.0/rendered/config-default-in-kubeflow-system.noncrd.yaml');
const PYTORCH_CRD = path.join(UPSTREAM, 'training-operator-v1.9.2/crds/kubeflow.org_pytorchjobs.yaml');
/** A valid simple PyTorchJob (Master + Worker) from the upstream examples. */
export const SIMPLE_JOB = path.join(UPSTREAM, 'examples/pytorchjobs/kubeflow-trainer-v1.9.2-simple.yaml');

/** A private plane plus an admin client for it. */
export interface Plane {
  plane: ExtraControlPlane;
  client: KubeClient;
  apply(objs: KubeObject[]): Promise<void>;
  stop(): Promise<void>;
}

/** Starts a private plane with either only the PyTorchJob CRD (v1-only) or every CRD and the torch-distributed runtime (side-by-side). */
export async function startPlane(kind: 'v1-only' | 'side-by-side'): Promise<Plane> {
  const plane = await startExtraControlPlane([], { installCrds: kind === 'side-by-side' });
  const client = await KubeClient.fromKubeconfig(plane.adminKubeconfig);
  if (kind === 'v1-only') {
    for (const crd of readYamlObjects(PYTORCH_CRD)) {
      await createOrReplace(client, crd);
      await waitForCrd(client, crd);
    }
  }
  return {
    plane,
    client,
    apply: async (objs) => {
      for (const o of objs) await serverSideApply(client, o);
    },
    stop: async () => {
      client.close();
      await plane.stop();
    },
  };
}

/** Rendered objects with a CA bundle on every webhook (the operators inject it at run time). */
export function operatorObjects(file: string): KubeObject[] {
  const objs = readYamlObjects(file);
  for (const o of objs) {
    if (o.kind === 'ValidatingWebhookConfiguration' || o.kind === 'MutatingWebhookConfiguration') {
      for (const w of (o as { webhooks?: Array<{ clientConfig: { caBundle?: string } }> }).webhooks ?? []) w.clientConfig.caBundle = Buffer.from('test-ca').toString('base64');
    }
  }
  return objs;
}

/** Writes an Available status on a Deployment through the status subresource, as the deployment controller would. */
export async function markAvailable(client: KubeClient, namespace: string, name: string, available = true): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  await client.ok('PATCH', `/apis/apps/v1/namespaces/${namespace}/deployments/${name}/status`, {
    contentType: 'application/merge-patch+json',
    body: {
      status: {
        replicas: 1,
        readyReplicas: available ? 1 : 0,
        availableReplicas: available ? 1 : 0,
        conditions: [
          { type: 'Available', status: available ? 'True' : 'False', reason: available ? 'MinimumReplicasAvailable' : 'MinimumReplicasUnavailable', message: available ? 'Deployment has minimum availability.' : 'Deployment does not have minimum availability.', lastTransitionTime: now, lastUpdateTime: now },
        ],
      },
    },
  });
}

/** An EndpointSlice with one ready address behind a Service (what the endpoint-slice controller would write). */
export function readySlice(namespace: string, service: string, ready = true): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-test`, namespace, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.7'], conditions: { ready } }],
    ports: [{ name: 'webhook-server', port: 9443, protocol: 'TCP' }],
  } as KubeObject;
}

/** PyTorchJobs named `<prefix>-<i>` in a namespace, from the simple upstream example; `labels` go on each. */
export function pytorchJobs(namespace: string, prefix: string, count: number, labels: Record<string, string> = {}): KubeObject[] {
  const base = readYamlObjects(SIMPLE_JOB)[0]!;
  return Array.from({ length: count }, (_, i) => ({ ...base, metadata: { name: `${prefix}-${i}`, namespace, labels } }) as KubeObject);
}

/** A Namespace object. */
export function namespace(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name } } as KubeObject;
}

/** Installs the v1 operator (and with `v2`, Trainer and JobSet) as a healthy install: Available Deployments and ready endpoints. */
export async function installOperators(p: Plane, opts: { v2: boolean }): Promise<void> {
  await p.apply(operatorObjects(V1_OPERATOR));
  await markAvailable(p.client, 'kubeflow', 'training-operator');
  await p.apply([readySlice('kubeflow', 'training-operator')]);
  if (!opts.v2) return;
  await p.apply(operatorObjects(V2_OPERATOR));
  await p.apply(operatorObjects(JOBSET));
  await markAvailable(p.client, 'kubeflow-system', 'kubeflow-trainer-controller-manager');
  await markAvailable(p.client, 'kubeflow-system', 'jobset-controller-manager');
  await p.apply([readySlice('kubeflow-system', 'kubeflow-trainer-controller-manager'), readySlice('kubeflow-system', 'jobset-webhook-service')]);
}
