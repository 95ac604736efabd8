// mpi-operator v0.8.0 in the harness (MPIJob kubeflow.org/v2beta1): its CRD installs in a cluster of
// its own (it shares the name mpijobs.kubeflow.org with the Training Operator's MPIJob v1), it takes
// its leader Lease, and for the upstream pi example it creates what the pod-parity comparison of
// v2beta1 MPIJobs needs: the worker pods, the launcher Job (whose pod kube-controller-manager makes),
// the hostfile ConfigMap and the SSH Secret.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ControllerCluster } from '../../controlplane/controllers.js';
import { parseYamlObjects, pollUntil } from '../../controlplane/objects.js';

const TIMEOUT = 5 * 60_000;
let cluster: ControllerCluster;
let ns: string;

beforeAll(async () => {
  cluster = await ControllerCluster.start({ mpiOperator: true, kubeControllerManager: true, label: 'mpi-operator' });
  ns = await cluster.namespace('mpi-v2beta1');
}, TIMEOUT);
afterAll(async () => cluster?.stop(), 120_000);

it('refuses to start next to the Training Operator\'s MPIJob v1 (one CRD name, two versions)', async () => {
  await expect(ControllerCluster.start({ mpiOperator: true, trainingOperator: ['mpijob'] })).rejects.toThrow(/both need the CRD mpijobs\.kubeflow\.org/);
});

it('turns the upstream pi MPIJob (v2beta1) into worker pods, a launcher Job and pod, a hostfile and an SSH key', async () => {
  const client = await cluster.client();
  const [job] = parseYamlObjects(readFileSync(path.join(process.cwd(), 'upstream/examples/mpijobs/mpi-operator-v0.8.0-pi-pi.yaml'), 'utf8'));
  await client.ok('POST', `/apis/kubeflow.org/v2beta1/namespaces/${ns}/mpijobs`, { body: { ...job, metadata: { name: 'pi', namespace: ns } } });
  const pods = await pollUntil('3 pods of MPIJob pi (2 workers, 1 launcher)', 120_000, async () => {
    const list = await client.ok<{ items: { metadata: { name: string; labels?: Record<string, string> } }[] }>('GET', `/api/v1/namespaces/${ns}/pods`, {
      query: { labelSelector: 'training.kubeflow.org/job-name=pi' },
    });
    return list.items.length >= 3 ? list.items : undefined;
  });
  const roles = pods.map((p) => `${p.metadata.labels?.['training.kubeflow.org/job-role']}-${p.metadata.labels?.['training.kubeflow.org/replica-index'] ?? ''}`).sort();
  expect(roles).toEqual(['launcher-', 'worker-0', 'worker-1']);
  const launcherJob = await client.ok<{ spec: { template: { spec: { containers: { name: string }[] } } } }>('GET', `/apis/batch/v1/namespaces/${ns}/jobs/pi-launcher`);
  expect(launcherJob.spec.template.spec.containers.map((c) => c.name)).toEqual(['mpi-launcher']);
  const hostfile = await client.ok<{ data: Record<string, string> }>('GET', `/api/v1/namespaces/${ns}/configmaps/pi-config`);
  expect(hostfile.data.hostfile).toBe(`pi-worker-0.pi.${ns}.svc slots=1\npi-worker-1.pi.${ns}.svc slots=1\n`);
  const ssh = await client.ok<{ type: string }>('GET', `/api/v1/namespaces/${ns}/secrets/pi-ssh`);
  expect(ssh.type).toBe('kubernetes.io/ssh-auth');
}, TIMEOUT);
