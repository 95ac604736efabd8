// Pure readiness decisions from hand-written facts, the verdict/exit mapping, and the renderers.
import { describe, expect, it } from '@jest/globals';
import { getTarget } from '../../../src/convert/targets/index.js';
import { evaluateBindings, evaluateCrd, evaluateDeployment, evaluateInventory, evaluateKueue, evaluatePermissions, evaluateRuntimes, evaluateRuntimeUsage, evaluateWebhooks, webhookProblem } from '../../../src/readiness/evaluate.js';
import type { WebhookFact } from '../../../src/readiness/facts.js';
import { INVENTORY_PAGE_SIZE, InventoryCounter, inventoryPageSize } from '../../../src/readiness/inventory.js';
import { evaluateKueueIntegrations, frameworksOf, frameworksOfOperatorCr } from '../../../src/readiness/kueue.js';
import { MIGRATION_PERMISSIONS, migrationPermissions } from '../../../src/readiness/collect.js';
import { renderReadiness } from '../../../src/readiness/render.js';
import { CHECK_IDS, notPermitted, pass, sortChecks, summarize, warn, fail, type ReadinessReport } from '../../../src/readiness/types.js';

const hook = (o: Partial<WebhookFact> = {}): WebhookFact => ({
  owner: 'v2',
  configKind: 'ValidatingWebhookConfiguration',
  config: 'validator.trainer.kubeflow.org',
  webhook: 'validator.trainjob.trainer.kubeflow.org',
  failurePolicy: 'Fail',
  caBundleSet: true,
  service: { namespace: 'kubeflow-system', name: 'kubeflow-trainer-controller-manager' },
  serviceExists: true,
  readyEndpoints: 1,
  ...o,
});

describe('summarize (verdict → exit code 0/3/4)', () => {
  it.each([
    { name: 'all pass is ready', checks: [pass('v2.crd.trainjobs', 'ok')], verdict: 'ready' },
    { name: 'a warning is advisory', checks: [pass('v2.crd.trainjobs', 'ok'), warn('kueue.queues', 'x', 'y')], verdict: 'advisory' },
    { name: 'a not-permitted skip is advisory', checks: [notPermitted('webhooks.v2.service', 'kubectl auth can-i list x')], verdict: 'advisory' },
    { name: 'a failure blocks', checks: [warn('kueue.queues', 'x', 'y'), fail('v2.crd.trainjobs', 'x', 'y')], verdict: 'blocked' },
  ])('$name', ({ checks, verdict }) => {
    expect(summarize(checks).verdict).toBe(verdict);
  });

  it('sorts results in catalog order', () => {
    const sorted = sortChecks([pass('inventory.pytorchjobs', ''), pass('cluster.apiserver.reachable', '')]);
    expect(sorted.map((c) => c.id)).toEqual(['cluster.apiserver.reachable', 'inventory.pytorchjobs']);
    expect(new Set(CHECK_IDS).size).toBe(CHECK_IDS.length);
  });
});

describe('webhooks', () => {
  it('passes a served webhook with a CA bundle', () => {
    expect(evaluateWebhooks('webhooks.v2.service', 'v2', [hook()], true)).toMatchObject({ status: 'pass' });
  });
  it('a missing Service in a missing namespace behind failurePolicy Fail is blocking', () => {
    const r = evaluateWebhooks('webhooks.v2.service', 'v2', [hook({ service: { namespace: 'system', name: 'kubeflow-trainer-controller-manager' }, serviceExists: false, namespaceExists: false })], true);
    expect(r).toMatchObject({ status: 'fail', impact: 'blocking' });
    expect(r.message).toMatch(/namespace "system" does not exist/);
  });
  it('no endpoints behind failurePolicy Ignore is advisory', () => {
    expect(evaluateWebhooks('webhooks.v2.service', 'v2', [hook({ failurePolicy: 'Ignore', readyEndpoints: 0 })], true)).toMatchObject({ status: 'warn', impact: 'advisory' });
  });
  it('an empty caBundle is a problem, a url webhook needs none', () => {
    expect(webhookProblem(hook({ caBundleSet: false }))).toBe('clientConfig.caBundle is empty');
    expect(webhookProblem(hook({ caBundleSet: false, url: 'https://x', service: undefined }))).toBeUndefined();
  });
  it('denied lists become "not permitted to check"', () => {
    expect(evaluateWebhooks('webhooks.v1.service', 'v1', { denied: 'kubectl auth can-i list validatingwebhookconfigurations.admissionregistration.k8s.io' }, true)).toMatchObject({
      status: 'skipped',
      impact: 'advisory',
      reason: 'not permitted to check (kubectl auth can-i list validatingwebhookconfigurations.admissionregistration.k8s.io)',
    });
  });
});

describe('deployments and RBAC', () => {
  const found = { namespace: 'kubeflow-system', name: 'kubeflow-trainer-controller-manager', available: true, serviceAccount: 'kubeflow-trainer-controller-manager', via: 'known name' };
  it('an unavailable v2 controller blocks, an unavailable v1 operator is advisory', () => {
    expect(evaluateDeployment('v2.operator.deployment', 'v2', { found: { ...found, available: false }, searched: [], denied: [] }).impact).toBe('blocking');
    expect(evaluateDeployment('v1.operator.deployment', 'v1', { found: { ...found, available: false }, searched: [], denied: [] }).impact).toBe('advisory');
  });
  it('a search that was denied everywhere is not permitted', () => {
    expect(evaluateDeployment('v2.operator.deployment', 'v2', { searched: ['a/b'], denied: ['kubectl auth can-i get deployments.apps/b -n a'] }).status).toBe('skipped');
  });
  it('a binding subject in the wrong namespace fails and names the Deployment ServiceAccount', () => {
    const r = evaluateBindings('rbac.v2.serviceaccounts', 'v2', [{ binding: 'kubeflow-trainer-controller-manager', roleRef: 'kubeflow-trainer-controller-manager', subjects: [{ name: 'kubeflow-trainer-controller-manager', namespace: 'system', exists: false }] }], { found, searched: [], denied: [] }, true);
    expect(r.status).toBe('fail');
    expect(r.message).toMatch(/system\/kubeflow-trainer-controller-manager, which does not exist/);
    expect(r.remediation).toMatch(/"value":"kubeflow-system"/);
  });
});

describe('CRDs, runtimes, permissions, Kueue', () => {
  it('CRD absence follows the given policy; the legacy CRD warns when present', () => {
    expect(evaluateCrd('v2.crd.trainjobs', { name: 'trainjobs.trainer.kubeflow.org', present: false, servedVersions: [], via: 'crd' }, 'fail', 'install').impact).toBe('blocking');
    expect(evaluateCrd('v2.crd.legacy-trainjobs', { name: 'trainjobs.kubeflow.org', present: true, servedVersions: ['v2alpha1'], via: 'crd' }, 'pass', 'delete').status).toBe('warn');
  });
  it('needs a torch or training-hub runtime', () => {
    expect(evaluateRuntimes([{ name: 'jax-distributed', framework: 'jax' }], true).status).toBe('fail');
    expect(evaluateRuntimes([{ name: 'training-hub', framework: 'training-hub' }], true).status).toBe('pass');
  });
  it('a missing runtime fails with the affected job count', () => {
    const r = evaluateRuntimeUsage([{ kind: 'ClusterTrainingRuntime', name: 'torch-cuda-251', jobs: 7, generated: 2, exists: false }], undefined, 0);
    expect(r).toMatchObject({ status: 'fail', message: expect.stringMatching(/^7 jobs would reference a runtime that does not exist/) });
  });
  it('required permissions block, optional ones warn', () => {
    const base = { group: 'trainer.kubeflow.org', checked: 2 };
    expect(evaluatePermissions([{ ...base, verb: 'create', resource: 'trainjobs', required: true, deniedIn: ['ns-b'] }]).status).toBe('fail');
    expect(evaluatePermissions([{ ...base, verb: 'create', resource: 'trainingruntimes', required: false, deniedIn: ['ns-b'] }]).status).toBe('warn');
  });
  it('Kueue: missing LocalQueue and old Trainer are advisory', () => {
    const r = evaluateKueue({ queues: { 'a/q': 3 }, installed: true, localQueues: { 'a/q': false }, trainerSchema: 'v2.1' });
    expect(r).toMatchObject({ status: 'warn', impact: 'advisory' });
    expect(r.message).toMatch(/LocalQueue a\/q does not exist; Trainer schema v2.1: Kueue 0.17\+ requires Trainer v2.2/);
  });
});

describe('InventoryCounter', () => {
  const job = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name, namespace: 'ns' },
    spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template: { spec: { containers: [{ name: 'pytorch', image: 'img', command: ['torchrun', 'train.py'] }] } } } } },
    ...extra,
  });
  it('counts states, conversion outcomes and queue labels without keeping jobs', () => {
    const c = new InventoryCounter(getTarget('v2.3'), { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' });
    c.add(job('a', { status: { conditions: [{ type: 'Running', status: 'True' }] } }));
    c.add(job('b', { status: { conditions: [{ type: 'Succeeded', status: 'True' }] } }));
    c.add({ ...job('q'), metadata: { name: 'q', namespace: 'ns', labels: { 'kueue.x-k8s.io/queue-name': 'lq' } } });
    c.add({ apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'broken', namespace: 'ns' }, spec: { pytorchReplicaSpecs: { Master: { replicas: 'x' } } } });
    expect(c.fact.total).toBe(4);
    expect(c.fact.states).toMatchObject({ running: 1, finished: 1 });
    expect(c.fact.conversion.refused).toBe(1);
    expect(c.fact.refusedSample[0]).toMatchObject({ name: 'broken' });
    expect(c.queues).toEqual({ 'ns/lq': 1 });
    expect(c.runtimeUsage()).toEqual([expect.objectContaining({ kind: 'ClusterTrainingRuntime', name: 'torch-distributed', jobs: 3 })]);
    expect(evaluateInventory(c.fact).status).toBe('warn');
  });
  it('one counter per kind shares the runtime and queue tally; a kind the converter does not read is refused as unsupported', () => {
    const pt = new InventoryCounter(getTarget('v2.3'), { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' });
    const other = new InventoryCounter(getTarget('v2.3'), { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' }, pt);
    pt.add(job('a'));
    other.add({ apiVersion: 'kubeflow.org/v1', kind: 'NotAKind', metadata: { name: 'x', namespace: 'ns', labels: { 'kueue.x-k8s.io/queue-name': 'lq' } }, spec: {} });
    expect(other.fact).toMatchObject({ total: 1, conversion: { refused: 1 } });
    expect(other.fact.refusedSample[0]).toMatchObject({ code: 'unsupported-kind', message: 'kubectl-trainjob does not convert NotAKinds' });
    expect(pt.queues).toEqual({ 'ns/lq': 1 });
    expect(pt.fact.total).toBe(1);
    const r = evaluateInventory(other.fact, undefined, 'MPIJob', 'inventory.mpijobs');
    expect(r).toMatchObject({ id: 'inventory.mpijobs', status: 'warn' });
    expect(r.message).toMatch(/^1 MPIJob in 1 namespace: /);
    expect(r.remediation).toMatch(/kubectl get mpijob -n NS NAME -o yaml/);
    expect(evaluateInventory(undefined, 'the TFJob CRD (tfjobs.kubeflow.org) is not installed', 'TFJob', 'inventory.tfjobs')).toMatchObject({ status: 'skipped', impact: 'none' });
  });
  it('lists in pages of at most INVENTORY_PAGE_SIZE jobs; a smaller --chunk-size wins, 0 (no paging) does not', () => {
    expect(INVENTORY_PAGE_SIZE).toBe(100);
    expect(inventoryPageSize(500)).toBe(100);
    expect(inventoryPageSize(50)).toBe(50);
    expect(inventoryPageSize(0)).toBe(100);
  });
});

describe('rendering', () => {
  const checks = sortChecks([pass('cluster.apiserver.reachable', 'https://x answers'), fail('v2.crd.trainjobs', 'trainjobs.trainer.kubeflow.org is not installed', 'Install Trainer v2.')]);
  const report: ReadinessReport = { apiVersion: 'kubectl-trainjob.io/v1alpha1', kind: 'ReadinessReport', cluster: { server: 'https://x', context: 'c' }, scope: { allNamespaces: true }, target: 'v2.3', summary: summarize(checks), checks };
  it('table: one row per check, remediation under the message, verdict line', () => {
    const t = renderReadiness(report, 'table', 120);
    expect(t).toMatch(/^CHECK\s+STATUS\s+IMPACT\s+MESSAGE$/m);
    expect(t).toMatch(/^v2\.crd\.trainjobs\s+FAIL\s+blocking\s+trainjobs/m);
    expect(t).toMatch(/fix: Install Trainer v2\./);
    expect(t).toMatch(/BLOCKED: fix the failing checks/);
  });
  it('json is the report object', () => {
    expect(JSON.parse(renderReadiness(report, 'json'))).toEqual(report);
  });
});

describe('Kueue v1 integrations', () => {
  const cfg = (frameworks?: string[]) => `apiVersion: config.kueue.x-k8s.io/v1beta1\nkind: Configuration\nmanageJobsWithoutQueueName: false\n${frameworks ? `integrations:\n  frameworks:\n${frameworks.map((f) => `  - "${f}"`).join('\n')}\n` : ''}`;
  it('reads integrations.frameworks from the manager Configuration; other text is not a Configuration', () => {
    expect(frameworksOf(cfg(['batch/job', 'kubeflow.org/mpijob']))).toEqual({ frameworks: ['batch/job', 'kubeflow.org/mpijob'] });
    expect(frameworksOf(cfg())).toEqual({});
    expect(frameworksOf('a: [')).toBeUndefined();
    expect(frameworksOf('just: text')).toBeUndefined();
  });
  it('maps the OpenShift Kueue CR names to framework names', () => {
    expect(frameworksOfOperatorCr({ spec: { config: { integrations: { frameworks: ['BatchJob', 'PyTorchJob', 'MPIJob', 'TrainJob'] } } } } as never)).toEqual(['BatchJob', 'kubeflow.org/pytorchjob', 'kubeflow.org/mpijob', 'trainer.kubeflow.org/trainjob']);
  });
  it('enabled v1 integrations are advisory, naming each and what to do; none passes; not installed passes', () => {
    const on = evaluateKueueIntegrations({ source: 'ConfigMap kueue-system/kueue-manager-config (controller_manager_config.yaml)', ...frameworksOf(cfg(['batch/job', 'kubeflow.org/tfjob', 'kubeflow.org/pytorchjob'])) }, true);
    expect(on).toMatchObject({ id: 'kueue.v1-integrations', status: 'warn', impact: 'advisory' });
    expect(on.message).toBe('ConfigMap kueue-system/kueue-manager-config (controller_manager_config.yaml) still enables 2 v1 job integrations: kubeflow.org/pytorchjob, kubeflow.org/tfjob (PyTorchJob, TFJob); trainer.kubeflow.org/trainjob is not enabled');
    expect(on.remediation).toMatch(/0.19 .* 0.20: migrate the queued v1 jobs, then remove .* and add trainer.kubeflow.org\/trainjob/);
    expect(evaluateKueueIntegrations({ source: 's', frameworks: ['trainer.kubeflow.org/trainjob'] }, true)).toMatchObject({ status: 'pass', message: 'no kubeflow.org v1 job integration is enabled in s; trainer.kubeflow.org/trainjob is enabled' });
    expect(evaluateKueueIntegrations({ source: 's' }, true)).toMatchObject({ status: 'warn', message: expect.stringMatching(/sets no integrations.frameworks/) });
    expect(evaluateKueueIntegrations(undefined, false)).toMatchObject({ status: 'pass' });
    expect(evaluateKueueIntegrations(undefined, true)).toMatchObject({ status: 'warn', message: expect.stringMatching(/Configuration was not found/) });
    expect(evaluateKueueIntegrations({ denied: 'kubectl auth can-i get configmaps/kueue-manager-config -n kueue-system' }, true)).toMatchObject({ status: 'skipped', impact: 'advisory' });
  });
});

describe('migrate permissions per kind', () => {
  it('list/get (blocking) and delete (advisory) of each kind present, the TrainJob writes once', () => {
    const perms = migrationPermissions([{ plural: 'mpijobs' }, { plural: 'xgboostjobs' }]);
    expect(perms.map((p) => `${p.verb} ${p.resource}${p.required ? '' : ' (advisory)'}`)).toEqual([
      'list mpijobs', 'get mpijobs', 'list xgboostjobs', 'get xgboostjobs', 'create trainjobs', 'patch trainjobs',
      'create trainingruntimes (advisory)', 'delete mpijobs (advisory)', 'delete xgboostjobs (advisory)',
    ]);
    // With no job of another kind in scope, PyTorchJobs' six, as before.
    expect(MIGRATION_PERMISSIONS.map((p) => `${p.verb} ${p.resource}`)).toEqual(['list pytorchjobs', 'get pytorchjobs', 'create trainjobs', 'patch trainjobs', 'create trainingruntimes', 'delete pytorchjobs']);
    const denied = evaluatePermissions(perms.map((p) => ({ ...p, deniedIn: p.resource === 'xgboostjobs' && p.verb === 'list' ? ['ml'] : [], checked: 1 })));
    expect(denied).toMatchObject({ status: 'fail', message: 'you may not list xgboostjobs.kubeflow.org in ml' });
  });
});
