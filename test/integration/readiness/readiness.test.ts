// `kubectl trainjob readiness` against real kube-apiservers: private planes shaped like a v1-only
// cluster and a side-by-side (v1 + Trainer v2.3 + JobSet) cluster, then broken in the ways Red Hat's
// migration tests hit (webhook in the wrong namespace, ClusterRoleBinding subject in the wrong
// namespace), a missing runtime, a namespace-scoped user, an unreachable server and kubeconfig switches.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import type { CheckResult, ReadinessReport } from '../../../src/readiness/types.js';
import { pollUntil } from '../../controlplane/objects.js';
import { runCli, type CliRun } from '../../verbs/run-cli.js';
import { installOperators, markAvailable, namespace, pytorchJobs, startPlane, type Plane } from './fixture.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-readiness-'));
const env = { HOME: home };

async function readiness(args: string[]): Promise<CliRun & { report?: ReadinessReport }> {
  const r = await runCli(['readiness', ...args, '-o', 'json'], { env });
  let report: ReadinessReport | undefined;
  try {
    report = JSON.parse(r.stdout) as ReadinessReport;
  } catch {
    /* not a report: the assertions on code/stderr say why */
  }
  return { ...r, ...(report ? { report } : {}) };
}

const check = (r: { report?: ReadinessReport }, id: string): CheckResult => {
  const c = r.report?.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${JSON.stringify(r.report?.checks.map((x) => x.id))}`);
  return c;
};
const statuses = (r: { report?: ReadinessReport }) => Object.fromEntries((r.report?.checks ?? []).map((c) => [c.id, c.status]));

afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('v1-only cluster (Trainer v2 missing)', () => {
  let p: Plane;
  beforeAll(async () => {
    p = await startPlane('v1-only');
    await p.apply([namespace('team-a'), ...pytorchJobs('team-a', 'job', 3)]);
    await installOperators(p, { v2: false });
  });
  afterAll(() => p?.stop());

  it('passes every v1 check, fails the v2 CRDs, and exits 4 (blocked)', async () => {
    const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-A']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(4);
    expect(statuses(r)).toMatchObject({
      'cluster.apiserver.reachable': 'pass',
      'v1.crd.pytorchjobs': 'pass',
      'v1.operator.deployment': 'pass',
      'webhooks.v1.service': 'pass',
      'rbac.v1.serviceaccounts': 'pass',
      'v2.crd.trainjobs': 'fail',
      'v2.crd.trainingruntimes': 'fail',
      'v2.crd.clustertrainingruntimes': 'fail',
      'v2.crd.jobsets': 'fail',
      'v2.schema.version': 'skipped',
      'v2.operator.deployment': 'skipped',
      'runtimes.available': 'skipped',
      'inventory.pytorchjobs': 'pass',
    });
    expect(check(r, 'v1.crd.pytorchjobs').message).toMatch(/serving v1/);
    expect(check(r, 'v1.operator.deployment').details).toMatchObject({ namespace: 'kubeflow', name: 'training-operator', available: true });
    expect(check(r, 'v2.crd.trainjobs')).toMatchObject({ impact: 'blocking', remediation: expect.stringMatching(/Install Trainer v2/) });
    // Dependency skips carry no impact: the failing CRD check already says it.
    expect(check(r, 'v2.operator.deployment').impact).toBe('none');
    expect(check(r, 'inventory.pytorchjobs').details).toMatchObject({ total: 3, states: { created: 3 } });
    expect(r.report?.summary.verdict).toBe('blocked');
  });

  it('an unavailable v1 operator is advisory, reported with the condition message', async () => {
    await markAvailable(p.client, 'kubeflow', 'training-operator', false);
    try {
      const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-n', 'team-a']);
      expect(check(r, 'v1.operator.deployment')).toMatchObject({ status: 'warn', impact: 'advisory', message: expect.stringMatching(/not Available: Available=False/) });
    } finally {
      await markAvailable(p.client, 'kubeflow', 'training-operator', true);
    }
  });
});

describe('side-by-side cluster (v1 + Trainer v2.3 + JobSet)', () => {
  let p: Plane;
  beforeAll(async () => {
    p = await startPlane('side-by-side');
    // Jobs first: once the v1 webhook (failurePolicy Fail) exists, nothing can serve it in this plane.
    await p.apply([namespace('team-a'), namespace('team-q'), ...pytorchJobs('team-a', 'job', 4), ...pytorchJobs('team-q', 'queued', 2, { 'kueue.x-k8s.io/queue-name': 'lq-a' })]);
    await installOperators(p, { v2: true });
  }, 120_000);
  afterAll(() => p?.stop());

  it('is ready in a namespace without queue labels: exit 0, every check passes', async () => {
    const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-n', 'team-a']);
    expect(r.stderr).toBe('');
    const notPassing = r.report?.checks.filter((c) => c.status !== 'pass').map((c) => `${c.id}: ${c.message}`);
    expect(notPassing).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.report).toMatchObject({
      apiVersion: 'kubectl-trainjob.io/v1alpha1',
      kind: 'ReadinessReport',
      scope: { allNamespaces: false, namespace: 'team-a' },
      target: 'v2.3',
      cluster: { kubernetesVersion: 'v1.36.3', trainerSchema: 'v2.3', user: 'admin' },
      summary: { verdict: 'ready', fail: 0, warn: 0 },
    });
    expect(check(r, 'v2.operator.deployment').details).toMatchObject({ namespace: 'kubeflow-system', name: 'kubeflow-trainer-controller-manager', foundBy: 'webhook validator.trainer.kubeflow.org' });
    expect(check(r, 'v2.jobset.deployment').details).toMatchObject({ namespace: 'kubeflow-system', name: 'jobset-controller-manager' });
    expect(check(r, 'runtimes.available').message).toMatch(/torch-distributed \(torch\)/);
    expect(check(r, 'runtimes.per-job').details).toMatchObject({ runtimes: [{ kind: 'ClusterTrainingRuntime', name: 'torch-distributed', jobs: 4, exists: true }] });
    expect(check(r, 'runtimes.per-job').message).toMatch(/^4 jobs map to existing runtimes \(ClusterTrainingRuntime torch-distributed: 4 jobs\)/);
  });

  it('-A: jobs with a Kueue queue label but no Kueue are advisory (exit 3); the table is the default output', async () => {
    const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-A']);
    expect(r.code).toBe(3);
    expect(check(r, 'kueue.queues')).toMatchObject({ status: 'warn', impact: 'advisory', message: expect.stringMatching(/2 jobs use Kueue queues team-q\/lq-a, but Kueue .* is not installed/) });
    expect(check(r, 'inventory.pytorchjobs').details).toMatchObject({ total: 6, namespaces: { 'team-a': { total: 4 }, 'team-q': { total: 2 } } });
    expect(check(r, 'permissions.migrate')).toMatchObject({ status: 'pass' });

    const table = await runCli(['readiness', '--kubeconfig', p.plane.adminKubeconfig, '-A'], { env });
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(/^CHECK\s+STATUS\s+IMPACT\s+MESSAGE/m);
    expect(table.stdout).toMatch(/^kueue\.queues\s+WARN\s+advisory/m);
    expect(table.stdout).toMatch(/ADVISORY: nothing blocks/);
    const yaml = await runCli(['readiness', '--kubeconfig', p.plane.adminKubeconfig, '-A', '-o', 'yaml'], { env });
    expect((parse(yaml.stdout) as ReadinessReport).summary).toEqual(r.report?.summary);
  });

  it('a webhook pointing at the wrong namespace ("system", the kustomize placeholder) is blocking', async () => {
    const path = '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/validator.trainer.kubeflow.org';
    const patch = (ns: string) => p.client.ok('PATCH', path, { contentType: 'application/json-patch+json', body: [0, 1, 2].map((i) => ({ op: 'replace', path: `/webhooks/${i}/clientConfig/service/namespace`, value: ns })) });
    await patch('system');
    try {
      const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-n', 'team-a']);
      expect(r.code).toBe(4);
      expect(check(r, 'webhooks.v2.service')).toMatchObject({
        status: 'fail',
        impact: 'blocking',
        message: expect.stringMatching(/failurePolicy Fail cannot be served: .*Service system\/kubeflow-trainer-controller-manager does not exist: namespace "system" does not exist/),
        remediation: expect.stringMatching(/kustomize placeholder/),
      });
      // The controller is still found, by its known name, after the webhook's namespace led nowhere.
      expect(check(r, 'v2.operator.deployment')).toMatchObject({ status: 'pass' });
    } finally {
      await patch('kubeflow-system');
    }
  });

  it('a webhook Service without ready endpoints is blocking', async () => {
    await p.client.ok('DELETE', '/apis/discovery.k8s.io/v1/namespaces/kubeflow-system/endpointslices/jobset-webhook-service-test');
    try {
      const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-n', 'team-a']);
      expect(r.code).toBe(4);
      expect(check(r, 'webhooks.jobset.service')).toMatchObject({ status: 'fail', message: expect.stringMatching(/kubeflow-system\/jobset-webhook-service has no ready endpoints/) });
    } finally {
      const { readySlice } = await import('./fixture.js');
      await p.apply([readySlice('kubeflow-system', 'jobset-webhook-service')]);
    }
  });

  it('a ClusterRoleBinding naming a ServiceAccount in the wrong namespace is blocking', async () => {
    const crb = '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/kubeflow-trainer-controller-manager';
    const patch = (ns: string) => p.client.ok('PATCH', crb, { contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/subjects/0/namespace', value: ns }] });
    await patch('kubeflow');
    try {
      const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-n', 'team-a']);
      expect(r.code).toBe(4);
      expect(check(r, 'rbac.v2.serviceaccounts')).toMatchObject({
        status: 'fail',
        message: expect.stringMatching(/names ServiceAccount kubeflow\/kubeflow-trainer-controller-manager, which does not exist/),
      });
      expect(check(r, 'rbac.v2.serviceaccounts').message).toMatch(/runs as ServiceAccount kubeflow-system\/kubeflow-trainer-controller-manager, which no ClusterRoleBinding/);
      expect(check(r, 'rbac.v1.serviceaccounts').status).toBe('pass');
    } finally {
      await patch('kubeflow-system');
    }
  });

  it('a runtime that does not exist fails runtimes.per-job (--runtime like convert)', async () => {
    const r = await readiness(['--kubeconfig', p.plane.adminKubeconfig, '-n', 'team-a', '--runtime', 'torch-cuda-251']);
    expect(r.code).toBe(4);
    expect(check(r, 'runtimes.per-job')).toMatchObject({ status: 'fail', message: expect.stringMatching(/4 jobs would reference a runtime that does not exist: ClusterTrainingRuntime torch-cuda-251/) });
    expect(check(r, 'runtimes.available').status).toBe('pass');
  });

  it('a namespace-scoped user gets every check it may run and "not permitted to check" for the rest', async () => {
    await p.apply([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'migrator', namespace: 'team-a' },
        rules: [
          { apiGroups: ['kubeflow.org'], resources: ['pytorchjobs'], verbs: ['get', 'list'] },
          { apiGroups: ['trainer.kubeflow.org'], resources: ['trainjobs'], verbs: ['get', 'list', 'create', 'patch'] },
        ],
      },
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'migrator', namespace: 'team-a' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'migrator' }, subjects: [{ kind: 'User', name: 'nina', apiGroup: 'rbac.authorization.k8s.io' }] },
    ] as never);
    const kubeconfig = p.plane.userKubeconfig('nina');
    // RBAC reaches the authorizer through informers: wait until the binding is effective.
    await pollUntil('nina may list pytorchjobs', 10_000, async () => {
      const r = await p.client.ok('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: 'nina', resourceAttributes: { verb: 'list', group: 'kubeflow.org', resource: 'pytorchjobs', namespace: 'team-a' } } } });
      return (r as { status?: { allowed?: boolean } }).status?.allowed ? true : undefined;
    });
    const r = await readiness(['--kubeconfig', kubeconfig, '-n', 'team-a']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    for (const c of r.report!.checks) {
      if (c.status === 'skipped') expect(c.reason).toMatch(/^not permitted to check \(kubectl auth can-i [a-z]+ [a-z.]+/);
      else expect(['pass', 'warn']).toContain(c.status);
    }
    // Reachable through the CRD-free paths: discovery for CRDs, OpenAPI for the schema, the namespace's jobs.
    expect(statuses(r)).toMatchObject({
      'v1.crd.pytorchjobs': 'pass',
      'v2.crd.trainjobs': 'pass',
      'v2.schema.version': 'pass',
      'inventory.pytorchjobs': 'pass',
      'webhooks.v2.service': 'skipped',
      'rbac.v2.serviceaccounts': 'skipped',
      'v2.operator.deployment': 'skipped',
      'runtimes.available': 'skipped',
      'permissions.migrate': 'warn',
    });
    expect(check(r, 'webhooks.v2.service').reason).toBe('not permitted to check (kubectl auth can-i list validatingwebhookconfigurations.admissionregistration.k8s.io)');
    expect(check(r, 'permissions.migrate').message).toMatch(/you may not create trainingruntimes.trainer.kubeflow.org in team-a; delete pytorchjobs.kubeflow.org in team-a/);
    expect(check(r, 'v2.crd.trainjobs').message).toMatch(/API discovery/);
    expect(r.report?.cluster.user).toBe('nina');
  });

  it('kubeconfig resolution: --context picks the plane out of several files; --as impersonates', async () => {
    const admin = parse(fs.readFileSync(p.plane.adminKubeconfig, 'utf8')) as { clusters: Array<{ name: string; cluster: Record<string, unknown> }>; users: Array<{ name: string; user: Record<string, unknown> }>; contexts: unknown[] };
    const good = path.join(home, 'good.kubeconfig');
    const bad = path.join(home, 'bad.kubeconfig');
    fs.writeFileSync(good, stringify({ apiVersion: 'v1', kind: 'Config', clusters: [{ name: 'real', cluster: admin.clusters[0]!.cluster }], users: [{ name: 'root', user: admin.users[0]!.user }], contexts: [{ name: 'real', context: { cluster: 'real', user: 'root', namespace: 'team-a' } }] }));
    fs.writeFileSync(bad, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'gone', clusters: [{ name: 'gone', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: { token: 'x' } }], contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }] }));
    const KUBECONFIG = `${bad}:${good}`;
    const viaDefault = await runCli(['readiness'], { env: { ...env, KUBECONFIG } });
    expect(viaDefault.code).toBe(1);
    const viaContext = await runCli(['readiness', '--context', 'real', '-o', 'json'], { env: { ...env, KUBECONFIG } });
    expect(viaContext.code).toBe(0);
    expect(JSON.parse(viaContext.stdout)).toMatchObject({ scope: { namespace: 'team-a' }, cluster: { context: 'real', user: 'admin' } });

    const as = await runCli(['readiness', '--context', 'real', '--as', 'walter', '--as-group', 'team-a-viewers', '-o', 'json'], { env: { ...env, KUBECONFIG } });
    const report = JSON.parse(as.stdout) as ReadinessReport;
    expect(report.cluster.user).toBe('walter');
    expect(report.checks.find((c) => c.id === 'inventory.pytorchjobs')).toMatchObject({ status: 'skipped', reason: 'not permitted to check (kubectl auth can-i list pytorchjobs.kubeflow.org -n team-a)' });
    expect(report.checks.find((c) => c.id === 'permissions.migrate')).toMatchObject({ status: 'fail' });
    expect(as.code).toBe(4);
  });
});

describe('errors that prevent running', () => {
  it('an unreachable server is exit 1 with the transport error on stderr', async () => {
    const file = path.join(home, 'unreachable.kubeconfig');
    fs.writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'Config', 'current-context': 'c', clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } }], users: [{ name: 'u', user: { token: 'x' } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }] }));
    const r = await runCli(['readiness', '--kubeconfig', file], { env });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/error: is the cluster reachable\? server https:\/\/127\.0\.0\.1:1/);
  });

  it('no kubeconfig at all is exit 1', async () => {
    const r = await runCli(['readiness'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no kubeconfig found/);
  });

  it('a bad -o is a usage error (exit 2)', async () => {
    const r = await runCli(['readiness', '-o', 'wide'], { env });
    expect(r.code).toBe(2);
  });
});
