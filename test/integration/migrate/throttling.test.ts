// migrate against a second apiserver with tight in-flight limits: 429s are retried by the cluster layer and
// every job still migrates exactly once. Priority-and-fairness is off: with it, the server queues instead of answering 429.
import { afterAll, beforeAll, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import { KubeClient, startExtraControlPlane, type ExtraControlPlane } from '../../controlplane/harness.js';
import { ktj, pytorchJob, tempDir } from './helpers.js';

let plane: ExtraControlPlane;
let client: KubeClient;
let userConfig: string;
const dir = tempDir('ktj-throttle-');
const N = 60;

beforeAll(async () => {
  plane = await startExtraControlPlane(['--enable-priority-and-fairness=false', '--max-requests-inflight=1', '--max-mutating-requests-inflight=1'], { installCrds: true });
  client = await KubeClient.fromKubeconfig(plane.adminKubeconfig);
  // system:masters is exempt from the in-flight limits, so the migration runs as an ordinary cluster-admin user.
  userConfig = plane.userKubeconfig('migrator');
  await client.ok('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'migrator' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'User', name: 'migrator' }] },
  });
  await client.ok('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'busy' } } });
  for (let i = 0; i < N; i++) {
    const name = `job-${String(i).padStart(3, '0')}`;
    for (let attempt = 0; ; attempt++) {
      const res = await client.request('POST', '/apis/kubeflow.org/v1/namespaces/busy/pytorchjobs', { body: pytorchJob(name, 'busy') });
      if (res.status < 300) break;
      if (res.status !== 429 || attempt > 50) throw new Error(`create ${name}: ${res.status}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}, 120_000);
afterAll(async () => {
  client?.close();
  await plane?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

it('migrates every job once under 429 throttling (32 in flight against 1 mutating slot)', async () => {
  const args = ['migrate', '-n', 'busy', '--all', '--strategy', 'replace', '--force', '--yes', '--backup-dir', dir, '--concurrency', '32', '--qps', '1000', '--burst', '1000', '-o', 'json'];
  await new Promise((r) => setTimeout(r, 1000)); // RBAC reaches the authorizer through an informer
  const r = await ktj(args, { kubeconfig: userConfig });
  expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });
  const report = JSON.parse(r.stdout);
  expect(report.summary).toMatchObject({ jobs: N, migrated: N, failed: 0, writes: 2 * N });
  // The retries show the server pushed back, and the retried writes still did not duplicate anything.
  expect(report.summary.requests.retries).toBeGreaterThan(0);
  process.stderr.write(`throttled run: ${JSON.stringify(report.summary.requests)}\n`);
  const tjs = (await client.ok('GET', '/apis/trainer.kubeflow.org/v1alpha1/namespaces/busy/trainjobs')).items;
  expect(tjs).toHaveLength(N);
  expect((await client.ok('GET', '/apis/kubeflow.org/v1/namespaces/busy/pytorchjobs')).items).toHaveLength(0);
}, 120_000);
