// Producer detection from what the cluster records on a live job: owners, GitOps/Helm markers, field managers.
import { describe, expect, it } from '@jest/globals';
import { creatingManager, detectProducer, producerRefusal, type ProducerMeta } from '../../../src/live/producer.js';
import { assessCleanup, assessJob, isDeletable, type V1JobFacts } from '../../../src/lifecycle/cleanup-plan.js';
import { planJob, type PlanInput, type PlanOptions } from '../../../src/migration/plan.js';
import { evaluateProducers } from '../../../src/readiness/evaluate.js';
import { InventoryCounter } from '../../../src/readiness/inventory.js';
import { newestTarget } from '../../../src/convert/targets/index.js';

const spec = { 'f:spec': { 'f:pytorchReplicaSpecs': {} } };
const status = { 'f:status': {} };

describe('detectProducer', () => {
  it.each<[string, ProducerMeta, Record<string, unknown> | undefined]>([
    ['nothing recorded', { namespace: 'ns' }, undefined],
    [
      'a Katib Trial that controls the job',
      { namespace: 'ns', ownerReferences: [{ apiVersion: 'kubeflow.org/v1beta1', kind: 'Trial', name: 'exp-abc12', uid: 'u', controller: true }] },
      { kind: 'Trial', name: 'ns/exp-abc12', category: 'owner', recreates: true, evidence: 'ownerReferences: controller Trial.kubeflow.org exp-abc12', action: expect.stringMatching(/Katib.*trialTemplate/) },
    ],
    [
      'an AppWrapper',
      { namespace: 'ns', ownerReferences: [{ apiVersion: 'workload.codeflare.dev/v1beta2', kind: 'AppWrapper', name: 'aw', controller: true }] },
      { kind: 'AppWrapper', category: 'owner', recreates: true, action: expect.stringMatching(/AppWrapper/) },
    ],
    [
      'an Argo Workflow',
      { namespace: 'ns', ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', name: 'wf-1', controller: true }] },
      { kind: 'Workflow', category: 'owner', recreates: true, action: expect.stringMatching(/pipeline step/) },
    ],
    [
      'any other controller',
      { namespace: 'ns', ownerReferences: [{ apiVersion: 'example.com/v1', kind: 'TrainingSchedule', name: 'nightly', controller: true }] },
      { kind: 'TrainingSchedule', name: 'ns/nightly', recreates: true, action: expect.stringMatching(/TrainingSchedule controls the PyTorchJob/) },
    ],
    [
      'a non-controlling owner is not a producer (the field manager is)',
      { namespace: 'ns', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'cm' }], managedFields: [{ manager: 'kubectl-create', operation: 'Update', fieldsV1: spec }] },
      { kind: 'kubectl', category: 'client', recreates: false },
    ],
    [
      'Argo CD annotation tracking',
      { namespace: 'ns', annotations: { 'argocd.argoproj.io/tracking-id': 'ml-jobs:kubeflow.org/PyTorchJob:ns/job' } },
      { kind: 'Argo CD Application', name: 'ml-jobs', category: 'gitops', recreates: true, evidence: 'annotation argocd.argoproj.io/tracking-id', action: expect.stringMatching(/Git source/) },
    ],
    [
      'Argo CD label tracking (instance label written by argocd-controller)',
      { namespace: 'ns', labels: { 'app.kubernetes.io/instance': 'ml-jobs' }, managedFields: [{ manager: 'argocd-controller', operation: 'Apply', fieldsV1: spec }] },
      { kind: 'Argo CD Application', name: 'ml-jobs', recreates: true },
    ],
    [
      'Flux Kustomization',
      { namespace: 'ns', labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } },
      { kind: 'Flux Kustomization', name: 'flux-system/apps', category: 'gitops', recreates: true },
    ],
    [
      'Flux HelmRelease wins over the Helm annotations it also sets',
      { namespace: 'ns', labels: { 'helm.toolkit.fluxcd.io/name': 'trainer', 'helm.toolkit.fluxcd.io/namespace': 'flux-system', 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'ns-trainer' } },
      { kind: 'Flux HelmRelease', name: 'flux-system/trainer', category: 'release', recreates: true },
    ],
    [
      'Helm release annotations',
      { namespace: 'ns', labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'nightly', 'meta.helm.sh/release-namespace': 'ml' } },
      { kind: 'Helm release', name: 'ml/nightly', category: 'release', recreates: true, evidence: 'annotation meta.helm.sh/release-name', action: expect.stringMatching(/helm upgrade/) },
    ],
    [
      'managed-by Helm without annotations',
      { namespace: 'ns', labels: { 'app.kubernetes.io/managed-by': 'Helm', 'app.kubernetes.io/instance': 'rel' } },
      { kind: 'Helm release', name: 'ns/rel', evidence: 'label app.kubernetes.io/managed-by=Helm' },
    ],
    [
      'another managed-by value is a marker that blocks',
      { namespace: 'ns', labels: { 'app.kubernetes.io/managed-by': 'pulumi' } },
      { kind: 'managed-by pulumi', category: 'marker', recreates: true },
    ],
    [
      'the Python SDK (OpenAPI-Generator user agent)',
      { namespace: 'ns', managedFields: [{ manager: 'OpenAPI-Generator', operation: 'Update', time: '2026-01-01T00:00:00Z', fieldsV1: spec }, { manager: 'training-operator', operation: 'Update', subresource: 'status', fieldsV1: status }] },
      { kind: 'Python SDK', name: 'OpenAPI-Generator', category: 'client', recreates: false, evidence: 'managedFields manager OpenAPI-Generator', action: expect.stringMatching(/TrainerClient/) },
    ],
    [
      'an unknown client by its manager name',
      { namespace: 'ns', managedFields: [{ manager: 'job-submitter', operation: 'Update', fieldsV1: spec }] },
      { kind: 'client', name: 'job-submitter', recreates: false },
    ],
  ])('%s', (_name, meta, want) => {
    const p = detectProducer(meta);
    if (want === undefined) expect(p).toBeUndefined();
    else expect(p).toMatchObject(want);
  });

  it('the creating manager is the earliest spec writer, ignoring status and bookkeeping managers', () => {
    expect(
      creatingManager({
        managedFields: [
          { manager: 'kubectl-edit', operation: 'Update', time: '2026-02-01T00:00:00Z', fieldsV1: spec },
          { manager: 'training-operator', operation: 'Update', time: '2025-01-01T00:00:00Z', fieldsV1: spec },
          { manager: 'kubectl-client-side-apply', operation: 'Update', time: '2026-01-01T00:00:00Z', fieldsV1: spec },
          { manager: 'kube-controller-manager', operation: 'Update', subresource: 'status', time: '2020-01-01T00:00:00Z', fieldsV1: status },
          { manager: 'labeler', operation: 'Update', time: '2019-01-01T00:00:00Z', fieldsV1: { 'f:metadata': {} } },
        ],
      }),
    ).toBe('kubectl-client-side-apply');
  });

  it('words the action for the job kind given (kind-agnostic)', () => {
    const p = detectProducer({ namespace: 'ns', ownerReferences: [{ apiVersion: 'kubeflow.org/v1beta1', kind: 'Trial', name: 't', controller: true }] }, 'MPIJob')!;
    expect(p.action).toContain('MPIJob');
    expect(producerRefusal(p, 'MPIJob')).toMatch(/^created by Trial ns\/t \(ownerReferences: .*\), which would re-create .* MPIJob: .* Or pass --force/);
  });
});

const argo = detectProducer({ namespace: 'ns', annotations: { 'argocd.argoproj.io/tracking-id': 'ml-jobs:kubeflow.org/PyTorchJob:ns/job' } })!;
const sdk = detectProducer({ namespace: 'ns', managedFields: [{ manager: 'OpenAPI-Generator', fieldsV1: spec }] })!;

describe('migrate --strategy replace refuses jobs whose producer re-creates them', () => {
  const input = (over: Partial<PlanInput> = {}): PlanInput => ({ namespace: 'ns', name: 'job', uid: 'u1', state: 'succeeded', trainJobName: 'job', refused: false, findings: [], generatedRuntime: false, ...over });
  const opts = (over: Partial<PlanOptions> = {}): PlanOptions => ({ strategy: 'replace', keepV1: false, suspend: false, force: false, wait: false, ...over });

  it('skips with the producer and the fix named', () => {
    const p = planJob(input({ producer: argo }), opts());
    expect(p).toMatchObject({ action: 'skip', deleteV1: false, createTrainJob: false, producer: { kind: 'Argo CD Application', name: 'ml-jobs', recreates: true } });
    expect(p.reason).toMatch(/created by Argo CD Application ml-jobs .*Git source.*--force.*side by side/);
  });
  it('--force takes responsibility', () => {
    expect(planJob(input({ producer: argo }), opts({ force: true }))).toMatchObject({ action: 'cutover', deleteV1: true });
  });
  it('side by side is unaffected, and carries the producer', () => {
    expect(planJob(input({ producer: argo }), opts({ strategy: 'side-by-side' }))).toMatchObject({ action: 'create', producer: { kind: 'Argo CD Application' } });
  });
  it('a client that does not re-create (the SDK) does not block', () => {
    expect(planJob(input({ producer: sdk }), opts())).toMatchObject({ action: 'cutover', producer: { kind: 'Python SDK', recreates: false } });
  });
  it('an already migrated job keeps its delete refused', () => {
    expect(planJob(input({ producer: argo, existing: { name: 'job', sourceUid: 'u1' } }), opts())).toMatchObject({ action: 'skip', alreadyMigrated: true, deleteV1: false });
  });
});

describe('cleanup --delete-migrated', () => {
  const facts = (over: Partial<V1JobFacts> = {}): V1JobFacts => ({ namespace: 'ns', name: 'a', uid: 'u', state: 'succeeded', migratedTo: 'a', backup: 'annotation', ...over });
  it('keeps a migrated job whose producer re-creates it, unless --force', () => {
    const a = assessJob(facts({ producer: argo }));
    expect(a).toMatchObject({ verdict: 'migrated-has-producer', blocking: true, reason: expect.stringMatching(/Argo CD Application ml-jobs/) });
    expect(isDeletable(a)).toBe(false);
    expect(isDeletable(a, true)).toBe(true);
    expect(isDeletable(assessJob(facts({ producer: sdk })))).toBe(true);
    const all = assessCleanup([facts({ producer: argo })], []);
    expect(all.verdict).toBe('blocked');
    expect(all.reasons.join('\n')).toMatch(/1 migrated PyTorchJob\(s\) still created by a producer/);
  });
});

describe('readiness: who creates your PyTorchJobs', () => {
  const job = (name: string, ns: string, metadata: Record<string, unknown>) => ({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: ns, ...metadata }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { containers: [{ name: 'pytorch', image: 'i' }] } } } } } });
  it('groups jobs by producer, re-creating producers first, and warns about them', () => {
    const c = new InventoryCounter(newestTarget(), { kind: 'ClusterTrainingRuntime', name: 'torch-distributed' });
    c.add(job('a', 'n1', { managedFields: [{ manager: 'OpenAPI-Generator', fieldsV1: spec }] }) as never);
    c.add(job('b', 'n1', { managedFields: [{ manager: 'OpenAPI-Generator', fieldsV1: spec }] }) as never);
    c.add(job('c', 'n2', { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }) as never);
    c.add(job('d', 'n3', {}) as never);
    const rows = c.producers();
    expect(rows.map((r) => [r.kind, r.name, r.jobs, r.namespaces])).toEqual([
      ['Flux Kustomization', 'flux-system/apps', 1, ['n2']],
      ['Python SDK', 'OpenAPI-Generator', 2, ['n1']],
      ['none recorded', '-', 1, ['n3']],
    ]);
    const r = evaluateProducers(rows);
    expect(r).toMatchObject({ id: 'producers.pytorchjobs', status: 'warn', impact: 'advisory', message: expect.stringMatching(/^1 PyTorchJob come from producers .*Flux Kustomization flux-system\/apps \(1 job\)/) });
    expect(evaluateProducers(rows.slice(1))).toMatchObject({ status: 'pass' });
    expect(evaluateProducers(undefined, 'the PyTorchJob CRD is not installed')).toMatchObject({ status: 'skipped', impact: 'none' });
  });
});
