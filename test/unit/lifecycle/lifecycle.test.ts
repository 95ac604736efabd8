// Pure lifecycle logic: cleanup verdicts and exit codes, rollback plans, webhook judgement, comparisons.
import { describe, expect, it } from '@jest/globals';
import { assessCleanup, assessJob, type V1JobFacts } from '../../../src/lifecycle/cleanup-plan.js';
import { compareSides, countPods, describeV1, describeV2, formatDuration, parseQuantity } from '../../../src/lifecycle/compare.js';
import { canonicalJson } from '../../../src/convert/content-hash.js';
import { readProvenance } from '../../../src/lifecycle/provenance.js';
import { describePlan, isNoop, planRollback, restorableManifest } from '../../../src/lifecycle/rollback-plan.js';
import { judgeWebhook, matchesV1JobCreate, v1RefOf } from '../../../src/lifecycle/v1-acceptance.js';

const job = (o: Partial<V1JobFacts>): V1JobFacts => ({ namespace: 'ns', name: 'j', uid: 'u', state: 'succeeded', ...o });

describe('cleanup verdicts', () => {
  it.each([
    { name: 'not migrated, finished: blocking', facts: job({}), verdict: 'not-migrated', blocking: true },
    { name: 'not migrated, running: blocking', facts: job({ state: 'running' }), verdict: 'not-migrated', blocking: true },
    { name: 'migrated but still created (pods may run): blocking', facts: job({ state: 'created', migratedTo: 'j', backup: 'annotation' }), verdict: 'migrated-running', blocking: true },
    { name: 'migrated without backup: blocking', facts: job({ migratedTo: 'j' }), verdict: 'migrated-no-backup', blocking: true },
    { name: 'migrated, failed, backed up: deletable', facts: job({ state: 'failed', migratedTo: 'j', backup: 'backup-dir' }), verdict: 'migrated', blocking: false },
    { name: 'migrated, suspended, backed up: deletable', facts: job({ state: 'suspended', migratedTo: 'j', backup: 'annotation' }), verdict: 'migrated', blocking: false },
  ])('$name', ({ facts, verdict, blocking }) => {
    expect(assessJob(facts)).toMatchObject({ verdict, blocking });
  });

  it('exit codes: 0 nothing left, 3 only migrated jobs, 4 anything blocking, of any kind', () => {
    const none = { kind: 'TFJob', served: false, crd: 'tfjobs.kubeflow.org' };
    expect(assessCleanup([], [none])).toMatchObject({ verdict: 'removable', exitCode: 0, crds: [] });
    expect(assessCleanup([job({ migratedTo: 'j', backup: 'annotation' })], [none])).toMatchObject({ verdict: 'advisory', exitCode: 3 });
    expect(assessCleanup([job({})], [none])).toMatchObject({ verdict: 'blocked', exitCode: 4 });
    const tf = assessCleanup([job({ kind: 'TFJob', name: 'tf' })], [{ kind: 'TFJob', served: true, version: 'v1', crd: 'tfjobs.kubeflow.org', jobs: 1 }]);
    expect(tf).toMatchObject({ verdict: 'blocked', exitCode: 4 });
    expect(tf.reasons).toEqual(['1 TFJob(s) not migrated']);
  });

  it('reasons per kind; a migrated MPIJob counts like a migrated PyTorchJob; CRDs of every served kind, mpi-operator named', () => {
    const kinds = [
      { kind: 'PyTorchJob', served: true, version: 'v1', crd: 'pytorchjobs.kubeflow.org', jobs: 2 },
      { kind: 'MPIJob', served: true, version: 'v2beta1', crd: 'mpijobs.kubeflow.org', jobs: 1 },
      { kind: 'XGBoostJob', served: false, crd: 'xgboostjobs.kubeflow.org' },
    ];
    const a = assessCleanup([job({ name: 'p', state: 'running' }), job({ name: 'q', migratedTo: 'q' }), job({ kind: 'MPIJob', name: 'm', migratedTo: 'm-v2', backup: 'backup-dir' })], kinds);
    expect(a.reasons).toEqual(['1 PyTorchJob(s) not migrated', '1 migrated PyTorchJob(s) without a backup']);
    expect(a.jobs.map((j) => `${j.kind ?? 'PyTorchJob'}/${j.name}:${j.verdict}`)).toEqual(['MPIJob/m:migrated', 'PyTorchJob/p:not-migrated', 'PyTorchJob/q:migrated-no-backup']);
    expect(a.crds).toEqual([
      { name: 'pytorchjobs.kubeflow.org', version: 'v1', owner: 'training-operator' },
      { name: 'mpijobs.kubeflow.org', version: 'v2beta1', owner: 'mpi-operator' },
    ]);
    const only = assessCleanup([job({ kind: 'MPIJob', name: 'm', migratedTo: 'm', backup: 'annotation' })], kinds);
    expect(only).toMatchObject({ verdict: 'advisory', reasons: ['1 migrated v1 job(s) remain; delete them with --delete-migrated --yes'] });
  });

  it('a kind that could not be listed is never "removable"', () => {
    const a = assessCleanup([], [{ kind: 'JAXJob', served: true, version: 'v1', crd: 'jaxjobs.kubeflow.org', unknown: 'forbidden' }]);
    expect(a).toMatchObject({ verdict: 'blocked', reasons: ['JAXJobs could not be checked (forbidden)'] });
  });
});

const backup = (name = 'j') => ({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: 'other', uid: 'old', resourceVersion: '5', labels: { a: 'b' } }, spec: { x: 1 }, status: { s: 1 } });
const tj = { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'j', namespace: 'ns', uid: 'tj-uid' } };

describe('rollback plans', () => {
  it('v1 gone: recreate from the backup (cleaned, namespace pinned), then delete the TrainJob, then the unused generated runtime', () => {
    const plan = planRollback({ namespace: 'ns', name: 'j', trainJob: tj, backup: { manifest: backup(), source: 'backup-dir', file: '/b/ns/j.yaml' }, runtime: { name: 'rt', exists: true, generated: true, otherUsers: [] } });
    expect(plan.steps.map((s) => s.action)).toEqual(['recreate-v1', 'delete-trainjob', 'delete-runtime']);
    const first = plan.steps[0] as { manifest: any };
    expect(first.manifest).toEqual({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'j', namespace: 'ns', labels: { a: 'b' } }, spec: { x: 1 } });
    expect(describePlan(plan)).toEqual(['ns/j (TrainJob j):', '  1. create PyTorchJob j from backup /b/ns/j.yaml', '  2. delete TrainJob j (uid tj-uid)', '  3. delete generated TrainingRuntime rt']);
  });

  it('v1 still there: keep it; a runtime used elsewhere or written by a user is kept', () => {
    const live = { ...backup(), metadata: { name: 'j', uid: 'new' } };
    const plan = planRollback({ namespace: 'ns', name: 'j', trainJob: tj, liveV1: live, provenance: { sourceKind: 'PyTorchJob', namespace: 'ns', trainJobName: 'j', sourceName: 'j', sourceNamespace: 'ns', sourceUid: 'old' }, runtime: { name: 'rt', exists: true, generated: true, otherUsers: ['ns/k'] } });
    expect(plan.steps).toEqual([
      { action: 'keep-v1', reason: 'PyTorchJob exists (uid new, recreated since the migration from old); left as it is' },
      { action: 'delete-trainjob', name: 'j', uid: 'tj-uid' },
      { action: 'keep-runtime', name: 'rt', reason: 'still used by ns/k' },
    ]);
    expect(planRollback({ namespace: 'ns', name: 'j', liveV1: live, runtime: { name: 'rt', exists: true, generated: false, otherUsers: [] } }).steps[1]).toMatchObject({ action: 'keep-runtime', reason: 'not generated by kubectl-trainjob' });
  });

  it('already rolled back is a no-op; no backup, an unreadable one or the wrong object is a problem', () => {
    expect(isNoop(planRollback({ namespace: 'ns', name: 'j', liveV1: backup() }))).toBe(true);
    expect(planRollback({ namespace: 'ns', name: 'j', trainJob: tj }).problem).toContain('no backup was found');
    expect(planRollback({ namespace: 'ns', name: 'j', trainJob: tj, backupError: 'sha256 mismatch' }).problem).toBe('cannot read the backup: sha256 mismatch');
    expect(planRollback({ namespace: 'ns', name: 'j', trainJob: tj, backup: { manifest: backup('other'), source: 'annotation' } }).problem).toContain('not PyTorchJob "j"');
  });

  it('any kind: the plan recreates the kind of the provenance and refuses a backup of another kind', () => {
    const xgb = { ...backup(), kind: 'XGBoostJob' };
    const plan = planRollback({ kind: 'XGBoostJob', namespace: 'ns', name: 'j', trainJob: tj, backup: { manifest: xgb, source: 'annotation' } });
    expect(plan.kind).toBe('XGBoostJob');
    expect(describePlan(plan)).toEqual(['XGBoostJob ns/j (TrainJob j):', '  1. create XGBoostJob j from the v1-manifest annotation', '  2. delete TrainJob j (uid tj-uid)']);
    expect(planRollback({ kind: 'JAXJob', namespace: 'ns', name: 'j', trainJob: tj, backup: { manifest: xgb, source: 'annotation' } }).problem).toBe('the backup holds XGBoostJob "j", not JAXJob "j"');
    expect(planRollback({ kind: 'JAXJob', namespace: 'ns', name: 'j', trainJob: tj }).problem).toMatch(/^the JAXJob is gone and no backup was found/);
    expect(planRollback({ kind: 'JAXJob', namespace: 'ns', name: 'j', liveV1: xgb, trainJob: tj }).steps[0]).toEqual({ action: 'keep-v1', reason: 'JAXJob still exists; left as it is' });
    expect(planRollback({ kind: 'FooJob', namespace: 'ns', name: 'j', trainJob: tj, problem: 'unknown kind', backup: { manifest: xgb, source: 'annotation' } }).problem).toBe('unknown kind');
  });

  it('restorableManifest keeps ownerReferences and finalizers as backed up', () => {
    const b = { ...backup(), metadata: { ...backup().metadata, ownerReferences: [{ uid: 'o' }], finalizers: ['f'] } };
    expect(restorableManifest(b, 'ns').metadata).toMatchObject({ ownerReferences: [{ uid: 'o' }], finalizers: ['f'], namespace: 'ns' });
  });
});

describe('provenance', () => {
  it('reads the annotations and the v1-manifest copy; reports a broken copy', () => {
    const p = readProvenance({ metadata: { name: 't', namespace: 'ns', annotations: { 'kubectl-trainjob.io/source-uid': 'u', 'kubectl-trainjob.io/source-name': 'j', 'kubectl-trainjob.io/v1-manifest': JSON.stringify(backup()) } } });
    expect(p).toMatchObject({ sourceUid: 'u', sourceName: 'j', sourceNamespace: 'ns', trainJobName: 't' });
    expect(p?.v1Manifest?.kind).toBe('PyTorchJob');
    expect(readProvenance({ metadata: { annotations: { 'kubectl-trainjob.io/source-uid': 'u', 'kubectl-trainjob.io/v1-manifest': '{' } } })?.v1ManifestError).toContain('not valid JSON');
    expect(readProvenance({ metadata: { name: 'plain' } })).toBeUndefined();
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe('v1 webhooks', () => {
  const hook = { name: 'w', rules: [{ apiGroups: ['kubeflow.org'], apiVersions: ['v1'], resources: ['pytorchjobs'], operations: ['CREATE', 'UPDATE'] }], clientConfig: { service: { namespace: 'kubeflow', name: 'to' } } };
  it('matches rules for pytorchjob creates (wildcards too) and nothing else', () => {
    expect(matchesV1JobCreate(hook)).toBe(true);
    expect(matchesV1JobCreate({ rules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] }] })).toBe(true);
    expect(matchesV1JobCreate({ rules: [{ apiGroups: ['kubeflow.org'], apiVersions: ['v1'], resources: ['tfjobs'], operations: ['CREATE'] }] })).toBe(false);
    expect(matchesV1JobCreate({ rules: [{ apiGroups: ['kubeflow.org'], apiVersions: ['v1'], resources: ['pytorchjobs'], operations: ['UPDATE'] }] })).toBe(false);
  });
  it('matches per kind and version: the v1 operator\'s webhook rules name each plural', () => {
    const multi = { rules: [{ apiGroups: ['kubeflow.org'], apiVersions: ['v1'], resources: ['xgboostjobs', 'jaxjobs'], operations: ['CREATE'] }] };
    expect(matchesV1JobCreate(multi, 'xgboostjobs')).toBe(true);
    expect(matchesV1JobCreate(multi, 'jaxjobs')).toBe(true);
    expect(matchesV1JobCreate(multi, 'pytorchjobs')).toBe(false);
    expect(matchesV1JobCreate({ rules: [{ apiGroups: ['kubeflow.org'], apiVersions: ['v1'], resources: ['mpijobs'], operations: ['CREATE'] }] }, 'mpijobs', 'v2beta1')).toBe(false);
    const m = { configuration: 'c', configurationKind: 'ValidatingWebhookConfiguration' as const, webhook: hook };
    expect(judgeWebhook(m, { serviceExists: false }, ['XGBoostJob', 'JAXJob'])).toContain('every XGBoostJob and JAXJob create will be rejected');
  });
  it('v1RefOf: a backup is created at the kind and version it was read at; anything else has no place', () => {
    expect(v1RefOf({ apiVersion: 'kubeflow.org/v1', kind: 'XGBoostJob' })).toMatchObject({ group: 'kubeflow.org', version: 'v1', plural: 'xgboostjobs', kind: 'XGBoostJob' });
    expect(v1RefOf({ apiVersion: 'kubeflow.org/v2beta1', kind: 'MPIJob' })).toMatchObject({ version: 'v2beta1', plural: 'mpijobs' });
    expect(v1RefOf({ apiVersion: 'kubeflow.org/v2beta1', kind: 'JAXJob' })).toBeUndefined();
    expect(v1RefOf({ apiVersion: 'batch/v1', kind: 'Job' })).toBeUndefined();
  });
  it('a dead backend blocks only with failurePolicy Fail (the default)', () => {
    const m = { configuration: 'c', configurationKind: 'ValidatingWebhookConfiguration' as const, webhook: hook };
    expect(judgeWebhook(m, { serviceExists: false })).toContain('service kubeflow/to, which does not exist');
    expect(judgeWebhook(m, { serviceExists: true, readyEndpoints: 0 })).toContain('no ready endpoints');
    expect(judgeWebhook(m, { serviceExists: true, readyEndpoints: 1 })).toBeUndefined();
    expect(judgeWebhook({ ...m, webhook: { ...hook, failurePolicy: 'Ignore' } }, { serviceExists: false })).toBeUndefined();
  });
});

describe('compare', () => {
  const pod = (phase: string, ready: boolean, restarts: number, startTime?: string) => ({ metadata: {}, status: { phase, startTime, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }], containerStatuses: [{ restartCount: restarts }] } });
  it('counts pods and restarts', () => {
    expect(countPods([pod('Running', true, 2), pod('Pending', false, 0), pod('Failed', false, 1)] as any)).toEqual({ total: 3, ready: 1, running: 1, pending: 1, succeeded: 0, failed: 1, restarts: 3 });
  });
  it('quantities and durations', () => {
    expect(parseQuantity('2')).toBe(parseQuantity('2000m'));
    expect(parseQuantity('4Gi')).toBe(parseQuantity('4096Mi'));
    expect(parseQuantity('x')).toBeNaN();
    expect([formatDuration(59), formatDuration(61), formatDuration(3600), formatDuration(90061), formatDuration(undefined)]).toEqual(['59s', '1m1s', '1h', '1d1h', '-']);
  });
  it('durations of running jobs use the injected clock; differences in outcome and nodes are listed', () => {
    const now = new Date('2026-01-01T01:00:00Z');
    const v1 = describeV1({ metadata: { name: 'j', namespace: 'ns' }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1 }, Worker: { replicas: 3 } } }, status: { startTime: '2026-01-01T00:00:00Z', conditions: [{ type: 'Succeeded', status: 'True', lastTransitionTime: '2026-01-01T00:30:00Z' }] } } as any, [], now);
    expect(v1).toMatchObject({ state: 'succeeded', outcome: 'succeeded', nodes: 4, durationSeconds: 1800, completed: '2026-01-01T00:30:00Z' });
    const v2 = describeV2({ metadata: { name: 'j', namespace: 'ns' }, spec: { trainer: { numNodes: 2 } }, status: { conditions: [{ type: 'Failed', status: 'True', lastTransitionTime: '2026-01-01T00:50:00Z' }] } } as any, [pod('Failed', false, 0, '2026-01-01T00:20:00Z')] as any, now);
    expect(v2).toMatchObject({ state: 'failed', outcome: 'failed', durationSeconds: 1800 });
    const running = describeV2({ metadata: { name: 'r', namespace: 'ns' }, status: { jobsStatus: [{ name: 'node', active: 1 }] } } as any, [pod('Running', true, 0, '2026-01-01T00:45:00Z')] as any, now);
    expect(running).toMatchObject({ state: 'running', durationSeconds: 900 });
    expect(compareSides(v1, v2).differences).toEqual(['outcome: v1 succeeded, v2 failed', 'nodes: v1 4, v2 2']);
  });
});
