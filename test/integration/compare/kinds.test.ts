// compare for every v1 kind against the real apiserver: XGBoostJob, MPIJob, JAXJob and a PyTorchJob migrated
// by the real `migrate` (converter and admission), then compared by TYPE/NAME, by a bare name of any kind, with
// --kind, and all at once with --all (table and JSON); statuses, pods and an edited TrainJob make differences.
import { beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import { adminClient, adminKubeconfigPath, testNamespace } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';
import { ktj, tempDir } from '../migrate/helpers.js';
import { aPod, aV1Job, at, collection, create, setStatus } from './fixtures.js';

let ns: string;
const admin = () => ['--kubeconfig', adminKubeconfigPath(), '-n', ns];
const KINDS = [['PyTorchJob', 'pytorchjob'], ['MPIJob', 'mpijob'], ['XGBoostJob', 'xgboostjob'], ['JAXJob', 'jaxjob']] as const;

beforeAll(async () => {
  ns = await testNamespace('compare-kinds');
  for (const [kind, singular] of KINDS) await create(aV1Job(kind, `c-${singular}`, ns));
  const dir = tempDir('ktj-compare-kinds-');
  const m = await ktj(['migrate', '-n', ns, ...KINDS.map(([, s]) => `${s}/c-${s}`), '--backup-dir', dir, '--yes', '-o', 'json']);
  fs.rmSync(dir, { recursive: true, force: true });
  expect(m.stderr).not.toMatch(/error/i);
  expect(JSON.parse(m.stdout).jobs.map((j: any) => j.status)).toEqual(KINDS.map(() => 'migrated'));
  // The XGBoostJob finished; its TrainJob failed, its node pod restarted.
  await setStatus('XGBoostJob', ns, 'c-xgboostjob', { conditions: [{ type: 'Succeeded', status: 'True', reason: 'XGBoostJobSucceeded', lastTransitionTime: at(30) }], startTime: at(0), completionTime: at(30) });
  await setStatus('TrainJob', ns, 'c-xgboostjob', { conditions: [{ type: 'Failed', status: 'True', reason: 'FailedJobs', message: 'jobset failed', lastTransitionTime: at(70) }] });
  await aPod(ns, 'c-xgboostjob-master-0', { 'training.kubeflow.org/job-name': 'c-xgboostjob', 'training.kubeflow.org/replica-type': 'master' }, 'xgboost', { phase: 'Succeeded', startedAt: at(0) });
  await aPod(ns, 'c-xgboostjob-node-0-0-x', { 'jobset.sigs.k8s.io/jobset-name': 'c-xgboostjob', 'batch.kubernetes.io/job-completion-index': '0' }, 'node', { phase: 'Failed', restarts: 2, startedAt: at(60) });
}, 120_000);

describe('compare every kind', () => {
  it('mpijob/NAME: the MPIJob and its TrainJob; nodes are the workers, launcher image, env contract, rank-0 logs of the launcher; exit 0', async () => {
    const r = await runCli(['compare', 'mpijob/c-mpijob', ...admin(), '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout);
    expect(c.v1).toMatchObject({ kind: 'MPIJob', name: 'c-mpijob', exists: true, nodes: 1, procsPerNode: 1, image: 'busybox:1.36', launcherImage: 'busybox:1.36', podSelector: 'training.kubeflow.org/job-name=c-mpijob' });
    expect(c.v2).toMatchObject({ kind: 'TrainJob', name: 'c-mpijob', nodes: 1, launcherImage: 'busybox:1.36' });
    expect(c.envContract.v2Injected).toContain('OMPI_MCA_orte_default_hostfile');
    expect(c.v1.logs).toBe(`kubectl logs -n ${ns} -l training.kubeflow.org/job-name=c-mpijob,training.kubeflow.org/replica-type=launcher -c mpi`);
    expect(c.v2.logs).toContain('jobset.sigs.k8s.io/replicatedjob-name=launcher');
    expect(c.differences).toEqual([]);
  });

  it('a bare name finds the TrainJob of any kind (a JAXJob); the text report has images, env and the contract', async () => {
    const r = await runCli(['compare', 'c-jaxjob', ...admin()]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`V1 (JAXJob ${ns}/c-jaxjob)`);
    expect(r.stdout).toMatch(/^image\s+busybox:1\.36\s+busybox:1\.36$/m);
    expect(r.stdout).toMatch(/^env contract\s+COORDINATOR_ADDRESS, COORDINATOR_PORT, NUM_PROCESSES, PROCESS_ID, PYTHONUNBUFFERED\s+JAX_NUM_PROCESSES, JAX_PROCESS_ID, JAX_COORDINATOR_ADDRESS; set again: /m);
    expect(r.stdout).toContain('Differences: none');
    expect(r.stdout).toContain(`v1: kubectl logs -n ${ns} -l training.kubeflow.org/job-name=c-jaxjob,training.kubeflow.org/replica-type=worker,training.kubeflow.org/replica-index=0 -c jax`);
  });

  it('xgboostjob/NAME: outcome differs (v1 succeeded, v2 failed): exit 3; --kind with a bare name reads that kind', async () => {
    const r = await runCli(['compare', 'xgboostjob/c-xgboostjob', ...admin(), '-o', 'json']);
    expect(r.code).toBe(3);
    const c = JSON.parse(r.stdout);
    expect(c.v1).toMatchObject({ kind: 'XGBoostJob', state: 'succeeded', nodes: 2, durationSeconds: 1800 });
    expect(c.v2).toMatchObject({ state: 'failed', nodes: 2, pods: { failed: 1, restarts: 2 } });
    expect(c.envContract.v2Injected).toEqual(['DMLC_TRACKER_URI', 'DMLC_TRACKER_PORT', 'DMLC_TASK_ID', 'DMLC_NUM_WORKER']);
    expect(c.differences).toEqual(['outcome: v1 succeeded, v2 failed']);
    const k = await runCli(['compare', 'c-xgboostjob', '--kind', 'xgboostjob', ...admin(), '-o', 'json']);
    expect(k.code).toBe(3);
    expect(JSON.parse(k.stdout).v1.kind).toBe('XGBoostJob');
  });

  it('--all across kinds: one line per pair, the differing ones listed; JSON with every pair and a summary; --kind narrows', async () => {
    const t = await runCli(['compare', '--all', ...admin()]);
    expect(t.code).toBe(3);
    expect(t.stdout).toMatch(/^NAMESPACE\s+JOB\s+TRAINJOB\s+STATE \(V1\/V2\)\s+NODES\s+DURATION\s+DIFFERENCES$/m);
    for (const [, s] of KINDS) expect(t.stdout).toMatch(new RegExp(`^${ns}\\s+${s === 'pytorchjob' ? '' : `${s}/`}c-${s}\\s+c-${s}\\s`, 'm'));
    expect(t.stdout).toContain(`  ${ns}/xgboostjob/c-xgboostjob:\n    - outcome: v1 succeeded, v2 failed`);
    expect(t.stdout).toContain('4 compared, 1 with differences.');
    const j = await runCli(['compare', '--all', ...admin(), '-o', 'json']);
    const list = JSON.parse(j.stdout);
    expect(list.comparisons.map((c: any) => c.v1.kind).sort()).toEqual(KINDS.map(([k]) => k).sort());
    expect(list.summary).toEqual({ compared: 4, withDifferences: 1, errors: 0 });
    const mpi = await runCli(['compare', '--all', '--kind', 'mpijob,jaxjob', ...admin(), '-o', 'json']);
    expect(mpi.code).toBe(0);
    expect(JSON.parse(mpi.stdout).comparisons.map((c: any) => c.v1.kind)).toEqual(['JAXJob', 'MPIJob']);
  });

  it('a TrainJob with another image and an extra env variable (--trainjob) shows them as differences; a deleted v1 job is described from its copy', async () => {
    const client = await adminClient();
    // spec.trainer is immutable: a second TrainJob, a copy of the migrated one with another image and env.
    const tj = await client.ok('GET', `${collection('TrainJob', ns)}/c-pytorchjob`);
    const edited = { apiVersion: tj.apiVersion, kind: tj.kind, metadata: { name: 'c-pytorchjob-edited', namespace: ns, annotations: tj.metadata.annotations }, spec: { ...tj.spec, trainer: { ...tj.spec.trainer, image: 'busybox:1.37', env: [...(tj.spec.trainer.env ?? []), { name: 'EXTRA', value: 'x' }] } } };
    await create(edited);
    const r = await runCli(['compare', 'c-pytorchjob', '--trainjob', 'c-pytorchjob-edited', ...admin(), '-o', 'json']);
    expect(r.code).toBe(3);
    expect(JSON.parse(r.stdout).differences).toEqual(['image: v1 busybox:1.36, v2 busybox:1.37', 'env EXTRA: v1 not set, v2 "x"']);
    await client.ok('DELETE', `${collection('TrainJob', ns)}/c-pytorchjob-edited`);
    await client.ok('DELETE', `${collection('JAXJob', ns)}/c-jaxjob`);
    const gone = await runCli(['compare', 'jaxjob/c-jaxjob', ...admin(), '-o', 'json']);
    expect(gone.code).toBe(0);
    expect(JSON.parse(gone.stdout).v1).toMatchObject({ kind: 'JAXJob', exists: false, state: 'deleted', nodes: 1 });
  });

  it('usage and not-found: names with --all, --trainjob with --all, a TYPE/NAME --kind excludes (2); an unknown TYPE/NAME (1)', async () => {
    expect((await runCli(['compare', 'c-mpijob', '--all', ...admin()])).code).toBe(2);
    expect((await runCli(['compare', '--all', '--trainjob', 'x', ...admin()])).code).toBe(2);
    expect((await runCli(['compare', 'mpijob/c-mpijob', '--kind', 'tfjob', ...admin()])).code).toBe(2);
    const r = await runCli(['compare', 'tfjob/nope', ...admin()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`no TFJob "nope" and no TrainJob migrated from it in namespace "${ns}"`);
  });
});
