// The upgrade verdict's decisions from hand-written facts (readiness --upgrade).
import { describe, expect, it } from '@jest/globals';
import { V1_JOB_KINDS } from '../../../src/live/kinds.js';
import { frameworksOfOperatorCr } from '../../../src/readiness/kueue.js';
import { evaluateUpgrade, kueueUpgradeFrameworks, V1_KINDS, type UpgradeFacts } from '../../../src/readiness/upgrade.js';
import { summarize } from '../../../src/readiness/types.js';

const none = (kind: string) => ({ kind, installed: true, total: 0, active: 0, suspended: 0, finished: 0, namespaces: 0 });
const facts = (over: Partial<UpgradeFacts> = {}): UpgradeFacts => ({
  dsc: null,
  jobs: [none('PyTorchJob'), { ...none('TFJob'), installed: false }],
  crds: [{ name: 'pytorchjobs.kubeflow.org', present: true, servedVersions: ['v1'], via: 'crd' }],
  kueue: { installed: false },
  trainerInstalled: true,
  trainerSchema: 'v2.3',
  producers: [],
  ...over,
});
const byId = (f: UpgradeFacts) => Object.fromEntries(evaluateUpgrade(f).map((c) => [c.id, c]));

describe('evaluateUpgrade', () => {
  it('a cluster without v1 work is ready', () => {
    const checks = evaluateUpgrade(facts());
    expect(summarize(checks).verdict).toBe('ready');
  });
  it('reads the DataScienceCluster like the platform lint', () => {
    const dsc = (trainingOperator?: string, trainer?: string, conditions: UpgradeFacts['dsc'] extends infer D ? any[] : never = []) => ({ name: 'default-dsc', apiVersion: 'datasciencecluster.opendatahub.io/v2', ...(trainingOperator ? { trainingOperator } : {}), ...(trainer ? { trainer } : {}), conditions });
    expect(byId(facts({ dsc: dsc('Managed', 'Managed') }))['upgrade.dsc.trainingoperator']).toMatchObject({ status: 'fail', impact: 'blocking' });
    expect(byId(facts({ dsc: dsc('Unmanaged', 'Managed') }))['upgrade.dsc.trainingoperator']).toMatchObject({ status: 'warn' });
    expect(byId(facts({ dsc: dsc(undefined, 'Managed') }))['upgrade.dsc.trainingoperator']).toMatchObject({ status: 'pass', message: expect.stringMatching(/not set \(Removed\)/) });
    expect(byId(facts({ dsc: dsc('Removed', 'Removed') }))['upgrade.dsc.trainer']).toMatchObject({ status: 'warn', impact: 'advisory' });
    expect(byId(facts({ dsc: dsc('Removed', 'Managed', [{ type: 'TrainerReady', status: 'False', reason: 'X' }]) }))['upgrade.dsc.trainer']).toMatchObject({ status: 'warn', message: expect.stringMatching(/TrainerReady=False \(X\)/) });
    expect(byId(facts({ dsc: dsc('Removed', 'Managed', [{ type: 'TrainerReady', status: 'True' }]) }))['upgrade.dsc.trainer']).toMatchObject({ status: 'pass' });
    expect(byId(facts({ dsc: { denied: 'kubectl auth can-i list datascienceclusters' } }))['upgrade.dsc.trainingoperator']).toMatchObject({ status: 'skipped', impact: 'advisory' });
  });
  it('live v1 jobs per kind: active blocks, finished only is advisory', () => {
    const active = byId(facts({ jobs: [{ ...none('PyTorchJob'), total: 3, active: 1, finished: 2, namespaces: 2 }, { ...none('TFJob'), total: 1, finished: 1, namespaces: 1 }] }))['upgrade.v1.jobs'];
    expect(active).toMatchObject({ status: 'fail', message: 'v1 jobs still run or wait to: 3 PyTorchJobs (1 active, 0 suspended, 2 finished; 2 namespaces), 1 TFJob (0 active, 0 suspended, 1 finished; 1 namespace)' });
    expect(byId(facts({ jobs: [{ ...none('MPIJob'), total: 1, suspended: 1, namespaces: 1 }] }))['upgrade.v1.jobs']).toMatchObject({ status: 'warn' });
    expect(byId(facts({ jobs: [{ ...none('PyTorchJob'), denied: 'kubectl auth can-i list pytorchjobs.kubeflow.org -A' }] }))['upgrade.v1.jobs']).toMatchObject({ status: 'skipped', impact: 'advisory' });
  });
  it('Kueue: 0.17+ with Trainer older than v2.2 blocks; v1 integrations still enabled are advisory', () => {
    expect(byId(facts({ trainerSchema: 'v2.1', kueue: { installed: true, version: '0.17.1', deployment: 'kueue-system/kueue-controller-manager', v1Frameworks: [], trainJobFramework: true } }))['upgrade.kueue']).toMatchObject({ status: 'fail', message: expect.stringMatching(/Kueue 0.17.1 needs Trainer v2.2 or newer/) });
    expect(byId(facts({ kueue: { installed: true, version: '0.18.0', deployment: 'kueue-system/kueue-controller-manager', v1Frameworks: ['kubeflow.org/pytorchjob'], trainJobFramework: true } }))['upgrade.kueue']).toMatchObject({ status: 'warn', message: expect.stringMatching(/still enables kubeflow.org\/pytorchjob/) });
    expect(byId(facts({ kueue: { installed: true, version: '0.16.2', deployment: 'kueue-system/kueue-controller-manager', v1Frameworks: [], trainJobFramework: false } }))['upgrade.kueue']).toMatchObject({ status: 'warn', message: expect.stringMatching(/trainjob is not in integrations.frameworks/) });
    expect(byId(facts({ kueue: { installed: true, version: '0.19.0', deployment: 'kueue-system/kueue-controller-manager', v1Frameworks: [], trainJobFramework: true } }))['upgrade.kueue']).toMatchObject({ status: 'pass' });
  });
  it('producers that re-create v1 jobs block', () => {
    const row = { kind: 'Flux Kustomization', name: 'flux-system/apps', category: 'gitops' as const, recreates: true, evidence: 'label', action: 'x', jobs: 2, active: 0, namespaces: ['a'] };
    expect(byId(facts({ producers: [row] }))['upgrade.producers']).toMatchObject({ status: 'fail', message: expect.stringMatching(/2 v1 jobs come from producers .*Flux Kustomization flux-system\/apps \(2 jobs\)/) });
    expect(byId(facts({ producers: [{ ...row, recreates: false, kind: 'kubectl', name: 'kubectl-create' }] }))['upgrade.producers']).toMatchObject({ status: 'pass' });
  });
});

describe('upgrade reads the shared lists', () => {
  it('the v1 kinds and CRDs it scans are V1_JOB_KINDS (src/live/kinds.ts), at Training Operator\'s v1', () => {
    expect(V1_KINDS.map((k) => [k.ref.kind, k.ref.version, k.crd])).toEqual(V1_JOB_KINDS.map((k) => [k.kind, 'v1', `${k.plural}.kubeflow.org`]));
  });
  it('Kueue frameworks come from the shared Configuration reader: v1 frameworks in Kueue order, trainjob, defaults', () => {
    expect(kueueUpgradeFrameworks({ source: 'x', frameworks: ['batch/job', 'kubeflow.org/tfjob', 'kubeflow.org/pytorchjob', 'trainer.kubeflow.org/trainjob'] })).toEqual({ v1Frameworks: ['kubeflow.org/pytorchjob', 'kubeflow.org/tfjob'], trainJobFramework: true });
    // The OpenShift Kueue CR spells frameworks as kinds; frameworksOfOperatorCr maps them first.
    expect(kueueUpgradeFrameworks({ source: 'x', frameworks: frameworksOfOperatorCr({ spec: { config: { integrations: { frameworks: ['MPIJob', 'TrainJob'] } } } } as any)! })).toEqual({ v1Frameworks: ['kubeflow.org/mpijob'], trainJobFramework: true });
    // No frameworks listed: Kueue's defaults, which name neither (the version check covers Kueue < 0.19).
    expect(kueueUpgradeFrameworks({ source: 'x' })).toEqual({ v1Frameworks: [], trainJobFramework: false });
  });
});
