// readiness over every v1 kind on a private plane: one inventory check per kind (a kind without its CRD is
// skipped, not an error), v1.crd.pytorchjobs when only other kinds are served, and the Kueue v1 integrations
// read from a real kueue-manager-config ConfigMap.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { CheckResult, ReadinessReport } from '../../../src/readiness/types.js';
import { waitForCrd } from '../../controlplane/objects.js';
import { runCli } from '../../verbs/run-cli.js';
import { aV1Job, create, eventually } from '../compare/fixtures.js';
import { namespace, startPlane, type Plane } from './fixture.js';

/** A stand-in for Kueue's LocalQueue CRD: enough for API discovery to say Kueue is installed. */
const LOCALQUEUE_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'localqueues.kueue.x-k8s.io' },
  spec: {
    group: 'kueue.x-k8s.io',
    names: { kind: 'LocalQueue', plural: 'localqueues', singular: 'localqueue', listKind: 'LocalQueueList' },
    scope: 'Namespaced',
    versions: [{ name: 'v1beta1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

const KUEUE_CONFIG = `apiVersion: config.kueue.x-k8s.io/v1beta1
kind: Configuration
health:
  healthProbeBindAddress: :8081
integrations:
  frameworks:
  - "batch/job"
  - "kubeflow.org/mpijob"
  - "kubeflow.org/pytorchjob"
`;

let p: Plane;
beforeAll(async () => {
  p = await startPlane('side-by-side');
  await p.apply([namespace('ml'), namespace('kueue-system')]);
  await create(aV1Job('MPIJob', 'ds-bert', 'ml'), p.client);
  await create(aV1Job('TFJob', 'mnist', 'ml'), p.client);
  await create(aV1Job('TFJob', 'mnist-2', 'ml'), p.client);
  await p.client.ok('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/jaxjobs.kubeflow.org');
  await p.client.ok('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/pytorchjobs.kubeflow.org');
  await p.client.ok('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: LOCALQUEUE_CRD });
  await waitForCrd(p.client, LOCALQUEUE_CRD as never);
  await eventually('jaxjobs and pytorchjobs gone from discovery', 30_000, async () => {
    const names = ((await p.client.ok<any>('GET', '/apis/kubeflow.org/v1')).resources as any[]).map((r) => r.name);
    return !names.includes('jaxjobs') && !names.includes('pytorchjobs');
  });
  await p.client.ok('POST', '/api/v1/namespaces/kueue-system/configmaps', {
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kueue-manager-config', namespace: 'kueue-system' }, data: { 'controller_manager_config.yaml': KUEUE_CONFIG } },
  });
}, 180_000);
afterAll(() => p?.stop());

describe('readiness over every v1 kind', () => {
  it('one inventory check per kind, the Kueue v1 integrations named; a missing CRD is skipped', async () => {
    const r = await runCli(['readiness', '--kubeconfig', p.plane.adminKubeconfig, '-n', 'ml', '-o', 'json'], { env: { HOME: '/nonexistent' } });
    const report = JSON.parse(r.stdout) as ReadinessReport;
    const check = (id: string): CheckResult => report.checks.find((c) => c.id === id)!;
    expect(check('v1.crd.pytorchjobs')).toMatchObject({ status: 'pass', message: 'pytorchjobs.kubeflow.org is not installed; other v1 kinds are: MPIJob, XGBoostJob, TFJob, PaddleJob' });
    expect(check('inventory.pytorchjobs')).toMatchObject({ status: 'skipped', impact: 'none', reason: 'the PyTorchJob CRD (pytorchjobs.kubeflow.org) is not installed' });
    expect(check('inventory.jaxjobs')).toMatchObject({ status: 'skipped', impact: 'none' });
    expect(check('inventory.mpijobs').details).toMatchObject({ kind: 'MPIJob', total: 1, namespaces: { ml: { total: 1, created: 1 } } });
    expect(check('inventory.tfjobs').details).toMatchObject({ kind: 'TFJob', total: 2 });
    expect(check('inventory.tfjobs').message).toMatch(/^2 TFJobs in 1 namespace: 0 running, 0 suspended, 0 finished, 2 created; dry conversion to v2.3: /);
    expect(check('inventory.xgboostjobs')).toMatchObject({ status: 'pass', message: 'no XGBoostJob in scope' });
    expect(check('kueue.v1-integrations')).toMatchObject({
      status: 'warn',
      impact: 'advisory',
      message: 'ConfigMap kueue-system/kueue-manager-config (controller_manager_config.yaml) still enables 2 v1 job integrations: kubeflow.org/pytorchjob, kubeflow.org/mpijob (PyTorchJob, MPIJob); trainer.kubeflow.org/trainjob is not enabled',
    });
    // The migrate permissions are asked for the kinds present (MPIJob, TFJob), not for PyTorchJobs.
    const perms = (check('permissions.migrate').details as any).permissions.map((x: any) => `${x.verb} ${x.resource}`);
    expect(perms).toEqual([
      'list mpijobs.kubeflow.org', 'get mpijobs.kubeflow.org', 'list tfjobs.kubeflow.org', 'get tfjobs.kubeflow.org',
      'create trainjobs.trainer.kubeflow.org', 'patch trainjobs.trainer.kubeflow.org', 'create trainingruntimes.trainer.kubeflow.org',
      'delete mpijobs.kubeflow.org', 'delete tfjobs.kubeflow.org',
    ]);
    expect(check('permissions.migrate').status).toBe('pass');
    // No operator runs on this plane, so other checks block; the exit code follows the verdict as always.
    expect(r.code).toBe(report.summary.verdict === 'blocked' ? 4 : 3);

    const table = await runCli(['readiness', '--kubeconfig', p.plane.adminKubeconfig, '-n', 'ml'], { env: { HOME: '/nonexistent' } });
    expect(table.stdout).toMatch(/^inventory\.mpijobs\s+/m);
    expect(table.stdout).toMatch(/^kueue\.v1-integrations\s+WARN\s+advisory/m);
  });
});
