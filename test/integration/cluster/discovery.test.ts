// Trainer schema discovery against the real kube-apiserver with the upstream CRDs installed by the harness.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, discoverTrainer, Resources, type Cluster } from '../../../src/cluster/index.js';
import { adminKubeconfigPath, applyObjects, userKubeconfig, withTrainerVersion } from '../../controlplane/harness.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-home-'));
const opened: Cluster[] = [];
async function clusterFor(kubeconfig: string): Promise<Cluster> {
  const c = await connect({ kubeconfig, asGroups: [], requestTimeoutMs: 0 }, { HOME: home });
  opened.push(c);
  return c;
}

let admin: Cluster;
beforeAll(async () => {
  admin = await clusterFor(adminKubeconfigPath());
  // Trainer v2.2+ publishes its version in this ConfigMap; the harness installs only CRDs, so put it where Trainer would.
  await applyObjects([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubeflow-system' } },
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeflow-trainer-public', namespace: 'kubeflow-system' }, data: { kubeflow_trainer_version: 'v2.3.0' } },
  ]);
});
afterAll(() => {
  for (const c of opened) c.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('discoverTrainer', () => {
  it('reports v2.3 for the default install, from the schema, with the ConfigMap as information', async () => {
    const d = await withTrainerVersion('v2.3', () => discoverTrainer(admin));
    expect(d.schema).toBe('v2.3');
    expect(d.reportedVersion).toBe('v2.3.0');
    expect(d.reportedNamespace).toBe('kubeflow-system');
    expect(d.evidence).toEqual(
      expect.arrayContaining([
        'TrainJob schema has spec.runtimePatches and spec.activeDeadlineSeconds (v2.2+)',
        'TrainingRuntime schema has spec.mlPolicy.torch.envInjection (v2.3+)',
      ]),
    );
    expect(d.legacyTrainJobs).toBeUndefined();
  });

  it('reports v2.1 after installing Trainer v2.1 CRDs, even though the (stale) ConfigMap says v2.3.0', async () => {
    const d = await withTrainerVersion('v2.1', () => discoverTrainer(admin));
    expect(d.schema).toBe('v2.1');
    expect(d.evidence).toContain('TrainJob schema has spec.podTemplateOverrides (v2.1)');
    expect(d.reportedVersion).toBe('v2.3.0');
  });

  it('a user who may not read CRDs gets the same answer from the OpenAPI v3 document', async () => {
    const user = await clusterFor(userKubeconfig('erin-no-rights'));
    expect(await user.selfSubjectAccessReview({ verb: 'get', group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' })).toMatchObject({ allowed: false });
    const d = await withTrainerVersion('v2.3', () => discoverTrainer(user));
    expect(d.schema).toBe('v2.3');
    expect(d.evidence[0]).toMatch(/not allowed to read CRD trainjobs.trainer.kubeflow.org; using the server's OpenAPI v3 document/);
    // The ConfigMap is not readable for this user (no RBAC for it here), so there is no reported version.
    expect(d.reportedVersion).toBeUndefined();
  });

  it('reports the reported version from the namespace the Trainer webhook points at', async () => {
    // The webhook config is only read, never called here: it matches no resources.
    const ns = 'ktj-trainer-elsewhere';
    await applyObjects([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } },
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubeflow-trainer-public', namespace: ns }, data: { kubeflow_trainer_version: 'v2.3.0-elsewhere' } },
    ]);
    const existing = await admin.tryGet(Resources.validatingwebhookconfigurations, 'validator.trainer.kubeflow.org');
    if (existing) throw new Error('validator.trainer.kubeflow.org already exists; this test would overwrite it');
    await admin.create(Resources.validatingwebhookconfigurations, {
      metadata: { name: 'validator.trainer.kubeflow.org' },
      webhooks: [
        {
          name: 'validator.trainjob.trainer.kubeflow.org',
          clientConfig: { service: { name: 'kubeflow-trainer-controller-manager', namespace: ns, path: '/validate' } },
          rules: [{ apiGroups: ['nothing.example.com'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['nothing'] }],
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
        },
      ],
    });
    try {
      const d = await discoverTrainer(admin);
      expect(d).toMatchObject({ reportedVersion: 'v2.3.0-elsewhere', reportedNamespace: ns });
    } finally {
      await admin.delete(Resources.validatingwebhookconfigurations, 'validator.trainer.kubeflow.org');
    }
  });
});
