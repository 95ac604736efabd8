// `compare` against the real apiserver: finished, running and failed pairs, with status and pods
// written directly (no controllers run), text and JSON reports, exit codes, a namespace-scoped user.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { adminClient, adminKubeconfigPath, testNamespace, userKubeconfig } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';
import { aMigratedTrainJob, aPod, aPyTorchJob, at, create, setStatus, v1Conditions } from './fixtures.js';

let ns: string;
const admin = () => ['--kubeconfig', adminKubeconfigPath(), '-n', ns];

/** A v1 job and its TrainJob; statuses and pods written by the caller. */
async function pair(name: string, opts: { workers?: number; trainJobName?: string; v2Cpu?: string } = {}): Promise<{ v1: any; tj: any }> {
  const v1 = await create(aPyTorchJob(name, ns, { workers: opts.workers ?? 1 }));
  const manifest = aMigratedTrainJob(v1, opts.trainJobName ? { trainJobName: opts.trainJobName } : {});
  if (opts.v2Cpu) manifest.spec.trainer.resourcesPerNode = { requests: { cpu: opts.v2Cpu, memory: '4Gi' }, limits: { cpu: opts.v2Cpu, memory: '4Gi' } };
  const tj = await create(manifest);
  return { v1, tj };
}

beforeAll(async () => {
  ns = await testNamespace('compare');
  // finished: both succeeded, same shape; v1 restarted once
  await pair('done', { workers: 1 });
  await setStatus('PyTorchJob', ns, 'done', { conditions: v1Conditions('succeeded', at(0), at(30)), startTime: at(1), completionTime: at(30) });
  await setStatus('TrainJob', ns, 'done', { conditions: [{ type: 'Complete', status: 'True', reason: 'AllJobsCompleted', message: 'jobset completed', lastTransitionTime: at(125) }] });
  for (const [i, role] of [[0, 'master'], [0, 'worker']] as const) {
    await aPod(ns, `done-${role}-${i}`, { 'training.kubeflow.org/job-name': 'done', 'training.kubeflow.org/replica-type': role, 'training.kubeflow.org/replica-index': String(i) }, 'pytorch', { phase: 'Succeeded', restarts: role === 'worker' ? 1 : 0, startedAt: at(1) });
  }
  for (const i of [0, 1]) {
    await aPod(ns, `done-node-0-${i}-x`, { 'jobset.sigs.k8s.io/jobset-name': 'done', 'batch.kubernetes.io/job-completion-index': String(i) }, 'node', { phase: 'Succeeded', startedAt: at(100) });
  }
  // running: both running; v2 under another name
  await pair('live', { workers: 2, trainJobName: 'live-v2' });
  await setStatus('PyTorchJob', ns, 'live', { conditions: v1Conditions('running', at(0)), startTime: at(0) });
  await setStatus('TrainJob', ns, 'live-v2', { jobsStatus: [{ name: 'node', active: 3, ready: 3, succeeded: 0, failed: 0, suspended: 0 }] });
  for (const i of [0, 1, 2]) {
    await aPod(ns, `live-v1-${i}`, { 'training.kubeflow.org/job-name': 'live', 'training.kubeflow.org/replica-type': i === 0 ? 'master' : 'worker' }, 'pytorch', { phase: 'Running', ready: true, startedAt: at(0) });
    await aPod(ns, `live-v2-${i}`, { 'jobset.sigs.k8s.io/jobset-name': 'live-v2', 'batch.kubernetes.io/job-completion-index': String(i) }, 'node', { phase: i === 2 ? 'Pending' : 'Running', ready: i !== 2, startedAt: i === 2 ? undefined : at(60) });
  }
  // failed: v1 succeeded, v2 failed with more CPU per node -> two differences
  await pair('bad', { workers: 1, v2Cpu: '3' });
  await setStatus('PyTorchJob', ns, 'bad', { conditions: v1Conditions('succeeded', at(0), at(10)), startTime: at(0), completionTime: at(10) });
  await setStatus('TrainJob', ns, 'bad', { conditions: [{ type: 'Failed', status: 'True', reason: 'FailedJobs', message: 'jobset failed', lastTransitionTime: at(70) }] });
  await aPod(ns, 'bad-node-0', { 'jobset.sigs.k8s.io/jobset-name': 'bad', 'batch.kubernetes.io/job-completion-index': '0' }, 'node', { phase: 'Failed', restarts: 6, startedAt: at(60) });
});

describe('compare', () => {
  it('a finished pair: times, duration, nodes, pods, restarts, the exact logs commands; exit 0', async () => {
    const r = await runCli(['compare', 'done', ...admin()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^state\s+succeeded\s+complete$/m);
    expect(r.stdout).toMatch(/^started\s+2026-11-24T10:01:00Z\s+2026-11-24T11:40:00Z$/m);
    expect(r.stdout).toMatch(/^completed\s+2026-11-24T10:30:00Z\s+2026-11-24T12:05:00Z$/m);
    expect(r.stdout).toMatch(/^duration\s+29m\s+25m$/m);
    expect(r.stdout).toMatch(/^nodes\s+2\s+2$/m);
    expect(r.stdout).toMatch(/^restarts\s+1\s+0$/m);
    expect(r.stdout).toContain('Differences: none');
    expect(r.stdout).toContain(`v1: kubectl logs -n ${ns} -l training.kubeflow.org/job-name=done,training.kubeflow.org/replica-type=master -c pytorch`);
    expect(r.stdout).toContain(`v2: kubectl logs -n ${ns} -l jobset.sigs.k8s.io/jobset-name=done,batch.kubernetes.io/job-completion-index=0 -c node`);
  });

  it('a running pair found through provenance under another name; duration runs to the injected clock; -o json', async () => {
    const r = await runCli(['compare', 'live', ...admin(), '-o', 'json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.v1).toMatchObject({ kind: 'PyTorchJob', name: 'live', state: 'running', finished: false, nodes: 3, podSelector: 'training.kubeflow.org/job-name=live' });
    expect(c.v2).toMatchObject({ kind: 'TrainJob', name: 'live-v2', state: 'running', nodes: 3, started: at(60), podSelector: 'jobset.sigs.k8s.io/jobset-name=live-v2' });
    // runCli's clock is 2026-11-24T12:00:00Z
    expect(c.v1.durationSeconds).toBe(2 * 3600);
    expect(c.v2.durationSeconds).toBe(3600);
    expect(c.v1.pods).toEqual({ total: 3, ready: 3, running: 3, pending: 0, succeeded: 0, failed: 0, restarts: 0 });
    expect(c.v2.pods).toEqual({ total: 3, ready: 2, running: 2, pending: 1, succeeded: 0, failed: 0, restarts: 0 });
    expect(c.differences).toEqual([]);
  });

  it('a failed pair with other resources: differences listed, exit 3', async () => {
    const r = await runCli(['compare', 'bad', ...admin(), '-o', 'json']);
    expect(r.code).toBe(3);
    const c = JSON.parse(r.stdout);
    expect(c.v2).toMatchObject({ state: 'failed', outcome: 'failed', completed: at(70) });
    expect(c.v2.pods).toMatchObject({ failed: 1, restarts: 6 });
    expect(c.differences).toEqual([expect.stringContaining('outcome: v1 succeeded, v2 failed'), expect.stringContaining('resources per node')]);
  });

  it('two explicit names with --trainjob; 2000m and 2 CPUs are the same quantity', async () => {
    const done = await (await adminClient()).ok('GET', `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs/done`);
    const milli = aMigratedTrainJob(done, { trainJobName: 'milli' });
    milli.spec.trainer.resourcesPerNode = { requests: { cpu: '2000m', memory: '4096Mi' }, limits: { cpu: '2000m', memory: '4Gi' } };
    await create(milli);
    const r = await runCli(['compare', 'done', '--trainjob', 'milli', ...admin(), '-o', 'json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.v2.name).toBe('milli');
    expect(c.differences.some((d: string) => d.startsWith('resources'))).toBe(false);
  });

  it('the v1 job deleted after a replacement migration: described from the TrainJob\'s v1-manifest copy', async () => {
    const { v1 } = await pair('gone', { workers: 3 });
    await (await adminClient()).ok('DELETE', `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs/gone`);
    const r = await runCli(['compare', 'gone', ...admin(), '-o', 'json']);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.v1).toMatchObject({ exists: false, state: 'deleted', nodes: 4 });
    expect(v1.metadata.name).toBe('gone');
  });

  it('not found: exit 1 with a hint; no name: usage error exit 2', async () => {
    const r = await runCli(['compare', 'nope', ...admin()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no PyTorchJob "nope" and no TrainJob migrated from it');
    expect((await runCli(['compare', ...admin()])).code).toBe(2);
  });

  it('works for a user who may only read in the namespace (no runtime access needed)', async () => {
    const client = await adminClient();
    await client.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'reader', namespace: ns }, rules: [{ apiGroups: ['kubeflow.org', 'trainer.kubeflow.org', ''], resources: ['pytorchjobs', 'trainjobs', 'pods'], verbs: ['get', 'list'] }] },
    });
    await client.ok('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'reader', namespace: ns }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' }, subjects: [{ kind: 'User', name: 'compare-reader', apiGroup: 'rbac.authorization.k8s.io' }] },
    });
    const kc = userKubeconfig('compare-reader');
    const r = await runCli(['compare', 'done', '--kubeconfig', kc, '-n', ns, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).v2.state).toBe('complete');
  });
});
