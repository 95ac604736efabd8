// The Cluster client against the real kube-apiserver of the test control plane: paging, server-side
// apply, dry-run, preconditions, impersonation and the mapping of real API errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  connect,
  isAlreadyExists,
  isConflict,
  isForbidden,
  isNotFound,
  isResourceTypeMissing,
  KubeApiError,
  mapConcurrent,
  Resources,
  type Cluster,
  type ConnectOptions,
  type KubeObject,
  type ResourceRef,
} from '../../../src/cluster/index.js';
import type { ClusterOptions } from '../../../src/cluster/config-flags.js';
import { adminKubeconfigPath, applyObjects, installDenyPolicy, testNamespace, userKubeconfig } from '../../controlplane/harness.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-home-'));
const opened: Cluster[] = [];
/** connect() with an explicit kubeconfig and a HOME that has no ~/.kube/config. */
async function clusterFor(kubeconfig: string, o: Partial<ClusterOptions> = {}, tuning: ConnectOptions = {}): Promise<Cluster> {
  const c = await connect({ kubeconfig, asGroups: [], requestTimeoutMs: 0, ...o }, { HOME: home }, tuning);
  opened.push(c);
  return c;
}

/** Runs fn and returns what it threw (fails the test if it did not throw). */
async function thrown(fn: () => Promise<unknown>): Promise<KubeApiError> {
  try {
    await fn();
  } catch (e) {
    return e as KubeApiError;
  }
  throw new Error('expected an error');
}

let ns: string;
let admin: Cluster;
beforeAll(async () => {
  ns = await testNamespace('cluster-client');
  admin = await clusterFor(adminKubeconfigPath(), { namespace: ns });
});
afterAll(() => {
  for (const c of opened) c.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('list pagination', () => {
  const COUNT = 1200;
  beforeAll(async () => {
    // Creation goes through the same client (create + bounded concurrency), with a high limit to keep the test fast.
    const writer = await clusterFor(adminKubeconfigPath(), { namespace: ns }, { qps: 500, burst: 500 });
    const names = Array.from({ length: COUNT }, (_, i) => `cm-${String(i).padStart(4, '0')}`);
    await mapConcurrent(names, 16, (name) =>
      writer.create(Resources.configmaps, { metadata: { name, labels: { page: 'test', parity: String(Number(name.slice(3)) % 2) } }, data: { k: name } }),
    );
    expect(writer.stats().byVerb.create).toBe(COUNT);
  });

  it('lists 1200 objects in 3 pages of 500 with 3 requests', async () => {
    const c = await clusterFor(adminKubeconfigPath(), { namespace: ns });
    const sizes: number[] = [];
    for await (const page of c.list(Resources.configmaps, { labelSelector: 'page=test' })) sizes.push(page.items.length);
    expect(sizes).toEqual([500, 500, 200]);
    expect(c.stats()).toMatchObject({ total: 3, byVerb: { list: 3 }, retries: 0 });
  });

  it('honours a smaller page size and fills in apiVersion/kind', async () => {
    const c = await clusterFor(adminKubeconfigPath(), { namespace: ns }, { pageSize: 100 });
    let pages = 0;
    const items: KubeObject[] = [];
    for await (const page of c.list(Resources.configmaps, { labelSelector: 'page=test' })) {
      pages++;
      items.push(...page.items);
      if (pages < 12) expect(page.continue).toBeDefined();
    }
    expect(pages).toBe(12);
    expect(c.stats().byVerb.list).toBe(12);
    expect(new Set(items.map((i) => i.metadata?.name)).size).toBe(COUNT);
    expect(items[0]).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
  });

  it('passes label and field selectors, and -A lists across namespaces', async () => {
    const even = await admin.listAll(Resources.configmaps, { labelSelector: 'page=test,parity=0' });
    expect(even).toHaveLength(COUNT / 2);
    const one = await admin.listAll(Resources.configmaps, { fieldSelector: 'metadata.name=cm-0007' });
    expect(one.map((o) => o.metadata?.name)).toEqual(['cm-0007']);
    const all = await admin.listAll(Resources.configmaps, { allNamespaces: true, labelSelector: 'page=test' });
    expect(all.filter((o) => o.metadata?.namespace === ns)).toHaveLength(COUNT);
  });

  it('limit 0 asks for everything in one response', async () => {
    const c = await clusterFor(adminKubeconfigPath(), { namespace: ns });
    const pages: number[] = [];
    for await (const page of c.list(Resources.configmaps, { labelSelector: 'page=test', limit: 0 })) pages.push(page.items.length);
    expect(pages).toEqual([COUNT]);
  });
});

describe('writes', () => {
  const cm = (name: string, data: Record<string, string>): KubeObject => ({ metadata: { name }, data });

  it('server-side apply: dry-run stores nothing, apply stores with field manager kubectl-trainjob', async () => {
    const dry = await admin.apply(Resources.configmaps, cm('ssa', { a: '1' }), { dryRun: true });
    expect(dry.data).toEqual({ a: '1' });
    expect(await admin.tryGet(Resources.configmaps, 'ssa')).toBeUndefined();

    const stored = await admin.apply(Resources.configmaps, cm('ssa', { a: '1' }));
    expect(stored.metadata?.managedFields).toEqual(expect.arrayContaining([expect.objectContaining({ manager: 'kubectl-trainjob', operation: 'Apply' })]));
    const again = await admin.apply(Resources.configmaps, cm('ssa', { a: '2' }));
    expect(again.data).toEqual({ a: '2' });
  });

  it('apply conflicts with another manager unless forced', async () => {
    await applyObjects({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned', namespace: ns }, data: { x: 'harness' } });
    const err = await thrown(() => admin.apply(Resources.configmaps, cm('owned', { x: 'mine' })));
    expect(isConflict(err)).toBe(true);
    expect(err.message).toMatch(/fields are owned by another manager.*\.data\.x/);
    expect(err.hint).toMatch(/--force-conflicts/);
    const forced = await admin.apply(Resources.configmaps, cm('owned', { x: 'mine' }), { force: true });
    expect(forced.data).toEqual({ x: 'mine' });
  });

  it('fields the schema does not declare are errors, not silently dropped (apply and create)', async () => {
    const job = { metadata: { name: 'strict' }, spec: { runtimeRef: { name: 'torch-distributed' }, bogusField: 1 } };
    const c = await clusterFor(adminKubeconfigPath(), { namespace: ns });
    // Server-side apply answers 500 "failed to create typed patch object" for an undeclared field; it must not be retried.
    const applied = await thrown(() => c.apply(Resources.trainjobs, job, { dryRun: true }));
    expect(applied.message).toMatch(/^cannot patch trainjobs.trainer.kubeflow.org "strict" in namespace ".*": the schema of the installed CRD does not declare \.spec\.bogusField/);
    expect(applied.hint).toMatch(/Trainer version/);
    expect(c.stats()).toMatchObject({ total: 1, retries: 0 });
    // create with fieldValidation=Strict answers 400 with the field path.
    const created = await thrown(() => c.create(Resources.trainjobs, job, { dryRun: true }));
    expect(created.statusCode).toBe(400);
    expect(created.message).toMatch(/unknown field "spec.bogusField"/);
  });

  it('create: AlreadyExists, and 422 Invalid lists the field causes', async () => {
    await admin.create(Resources.configmaps, cm('created', {}));
    const dup = await thrown(() => admin.create(Resources.configmaps, cm('created', {})));
    expect(isAlreadyExists(dup)).toBe(true);
    expect(dup.message).toBe(`cannot create configmaps "created" in namespace "${ns}": it already exists`);

    const bad = await thrown(() => admin.create(Resources.configmaps, cm('Not_Valid', {})));
    expect(bad.statusCode).toBe(422);
    expect(bad.reason).toBe('Invalid');
    expect(bad.causes.map((c) => c.field)).toContain('metadata.name');
    expect(bad.message).toMatch(/is invalid[\s\S]*\n {2}- metadata.name: /);
  });

  it('create --dry-run stores nothing', async () => {
    await admin.create(Resources.configmaps, cm('dry-created', {}), { dryRun: true });
    expect(await admin.tryGet(Resources.configmaps, 'dry-created')).toBeUndefined();
  });

  it('delete honours uid and resourceVersion preconditions', async () => {
    const obj = await admin.create(Resources.configmaps, cm('victim', { v: '1' }));
    const wrongUid = await thrown(() => admin.delete(Resources.configmaps, 'victim', undefined, { uid: '00000000-0000-0000-0000-000000000000' }));
    expect(isConflict(wrongUid)).toBe(true);
    expect(wrongUid.message).toMatch(/the UID in the precondition \(0{8}-.*\) does not match/);
    const staleRv = await thrown(() => admin.delete(Resources.configmaps, 'victim', undefined, { resourceVersion: '1' }));
    expect(isConflict(staleRv)).toBe(true);

    await admin.delete(Resources.configmaps, 'victim', undefined, { uid: obj.metadata?.uid, resourceVersion: obj.metadata?.resourceVersion });
    const gone = await thrown(() => admin.get(Resources.configmaps, 'victim'));
    expect(isNotFound(gone)).toBe(true);
    expect(gone.message).toBe(`configmaps "victim" in namespace "${ns}" not found`);
  });

  it('a missing namespace is reported as such', async () => {
    const err = await thrown(() => admin.create(Resources.configmaps, cm('x', {}), { namespace: `${ns}-missing` }));
    expect(err.statusCode).toBe(404);
    expect(err.message).toMatch(new RegExp(`namespace "${ns}-missing" not found`));
  });
});

describe('resource types that are not served', () => {
  it('an unknown group is a missing resource type, not a missing object', async () => {
    const widgets: ResourceRef = { group: 'widgets.example.com', version: 'v1', plural: 'widgets', kind: 'Widget', namespaced: true };
    const err = await thrown(() => admin.listAll(widgets));
    expect(isResourceTypeMissing(err)).toBe(true);
    expect(isNotFound(err)).toBe(false);
    expect(err.message).toBe('the server doesn\'t have a resource type "widgets.widgets.example.com"');
    const get = await thrown(() => admin.get(widgets, 'w'));
    expect(isResourceTypeMissing(get)).toBe(true);
  });

  // The test control plane serves every v1 kind's CRD, so MXJob (removed in Training Operator v1.7) is the
  // kubeflow.org kind that is missing.
  const mxjobs: ResourceRef = { group: 'kubeflow.org', version: 'v1', plural: 'mxjobs', kind: 'MXJob', namespaced: true };

  it('a missing CRD in a served group (mxjobs next to pytorchjobs) names the CRD to install', async () => {
    const err = await thrown(() => admin.get(mxjobs, 'x'));
    expect(isResourceTypeMissing(err)).toBe(true);
    expect(err.message).toBe('the server doesn\'t have a resource type "mxjobs.kubeflow.org"');
    expect(err.hint).toMatch(/Is the CRD for mxjobs.kubeflow.org \(kubeflow.org\/v1\) installed\?/);
  });

  it('discoverResource and getCRD', async () => {
    expect(await admin.discoverResource('trainer.kubeflow.org', 'v1alpha1', 'trainjobs')).toMatchObject({ kind: 'TrainJob', namespaced: true });
    expect(await admin.discoverResource('kubeflow.org', 'v1', 'mxjobs')).toBeUndefined();
    expect(await admin.discoverResource('kubeflow.org', 'v1', 'tfjobs')).toMatchObject({ kind: 'TFJob' });
    expect(await admin.discoverResource('widgets.example.com', 'v1', 'widgets')).toBeUndefined();
    expect(await admin.discoverResource('', 'v1', 'configmaps')).toMatchObject({ kind: 'ConfigMap' });
    expect((await admin.getCRD('pytorchjobs.kubeflow.org'))?.metadata?.name).toBe('pytorchjobs.kubeflow.org');
    expect(await admin.getCRD('mxjobs.kubeflow.org')).toBeUndefined();
  });

  it('serverVersion', async () => {
    expect((await admin.serverVersion()).gitVersion).toMatch(/^v1\.\d+\.\d+/);
  });
});

describe('identity and authorization', () => {
  it('impersonates a user with two groups (repeated Impersonate-Group headers)', async () => {
    const c = await clusterFor(adminKubeconfigPath(), { as: 'alice', asGroups: ['team-a', 'team-b'] });
    const who = await c.selfSubjectReview();
    expect(who.username).toBe('alice');
    expect(who.groups).toEqual(expect.arrayContaining(['team-a', 'team-b', 'system:authenticated']));
    // Without impersonation the admin is who the certificate says.
    expect((await admin.selfSubjectReview()).username).toBe('admin');
  });

  it('403 names the verb, resource and namespace, with the can-i line', async () => {
    const bob = await clusterFor(userKubeconfig('bob-no-rights'), { namespace: ns });
    const err = await thrown(() => bob.listAll(Resources.trainjobs));
    expect(isForbidden(err)).toBe(true);
    expect(err.message).toMatch(new RegExp(`^forbidden: cannot list trainjobs.trainer.kubeflow.org in namespace "${ns}": `));
    expect(err.hint).toContain(`kubectl auth can-i list trainjobs.trainer.kubeflow.org -n ${ns}`);

    const create = await thrown(() => bob.create(Resources.trainjobs, { metadata: { name: 'x' }, spec: {} }));
    expect(create.hint).toContain(`kubectl auth can-i create trainjobs.trainer.kubeflow.org -n ${ns}`);
    const get = await thrown(() => bob.get(Resources.configmaps, 'cm-0001'));
    expect(get.hint).toContain(`kubectl auth can-i get configmaps/cm-0001 -n ${ns}`);
  });

  it('SelfSubjectAccessReview reflects RBAC for the impersonated or real user', async () => {
    const carol = await clusterFor(userKubeconfig('carol-view'), { namespace: ns });
    const q = { verb: 'list', group: '', resource: 'configmaps', namespace: ns };
    expect(await carol.selfSubjectAccessReview(q)).toMatchObject({ allowed: false });
    // An explicit Role: the aggregated ClusterRole "view" stays empty without kube-controller-manager.
    await applyObjects([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'read-configmaps', namespace: ns },
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'carol-view', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-configmaps' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'carol-view' }],
      },
    ]);
    // The RBAC authorizer reads bindings from an informer cache: give it a moment to see the new one.
    let allowed = false;
    for (let i = 0; i < 50 && !allowed; i++) {
      allowed = (await carol.selfSubjectAccessReview(q)).allowed;
      if (!allowed) await new Promise((r) => setTimeout(r, 100));
    }
    expect(allowed).toBe(true);
    expect(await carol.selfSubjectAccessReview({ ...q, verb: 'delete' })).toMatchObject({ allowed: false });
    expect((await carol.listAll(Resources.configmaps, { labelSelector: 'page=test', limit: 0 })).length).toBeGreaterThan(0);
  });

  it('401 for credentials the server does not accept', async () => {
    const kc = fs.readFileSync(adminKubeconfigPath(), 'utf8');
    const file = path.join(home, 'bad-token.kubeconfig');
    // Replace the client certificate with a bearer token nobody issued.
    const doc = (await import('yaml')).parse(kc) as { users: Array<{ user: Record<string, unknown> }> };
    doc.users[0]!.user = { token: 'not-a-real-token' };
    fs.writeFileSync(file, (await import('yaml')).stringify(doc));
    const c = await clusterFor(file, { namespace: ns });
    const err = await thrown(() => c.get(Resources.configmaps, 'cm-0001'));
    expect(err.statusCode).toBe(401);
    expect(err.message).toMatch(/credentials rejected by https:\/\/127\.0\.0\.1:\d+ \(401 Unauthorized\) while trying to get configmaps "cm-0001"/);
    expect(err.hint).toMatch(/refresh your kubeconfig/);
  });
});

describe('admission', () => {
  it('a ValidatingAdmissionPolicy denial carries the policy message', async () => {
    const policy = `${ns}-deny-forbidden-key`;
    const removePolicy = await installDenyPolicy({
      name: policy,
      namespace: ns,
      apiGroup: '',
      resource: 'configmaps',
      operations: ['CREATE', 'UPDATE'],
      expression: "!has(object.data) || !('forbidden' in object.data)",
      message: 'data.forbidden is not allowed here',
    });
    try {
      // Policies are loaded asynchronously by the apiserver: poll until the denial shows up.
      let err: KubeApiError | undefined;
      for (let i = 0; i < 100 && !err; i++) {
        try {
          await admin.apply(Resources.configmaps, { metadata: { name: 'vap' }, data: { forbidden: 'x' } }, { dryRun: true });
          await new Promise((r) => setTimeout(r, 100));
        } catch (e) {
          err = e as KubeApiError;
        }
      }
      expect(err).toBeInstanceOf(KubeApiError);
      expect(err!.message).toMatch(/^cannot patch configmaps "vap" in namespace ".*": .*ValidatingAdmissionPolicy '.*' with binding '.*' denied request: data.forbidden is not allowed here/);
      expect(err!.hint).toMatch(/ValidatingAdmissionPolicy rejected the object/);
    } finally {
      await removePolicy();
    }
  });

  it('a webhook that cannot be called is reported as unavailable, not retried', async () => {
    const name = `${ns}.unreachable.example.com`;
    await admin.create(Resources.validatingwebhookconfigurations, {
      metadata: { name },
      webhooks: [
        {
          name,
          // Nothing listens on port 1: the call fails with connection refused.
          clientConfig: { url: 'https://127.0.0.1:1/validate', caBundle: '' },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['configmaps'] }],
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } },
          failurePolicy: 'Fail',
          sideEffects: 'None',
          admissionReviewVersions: ['v1'],
          timeoutSeconds: 2,
        },
      ],
    });
    try {
      const c = await clusterFor(adminKubeconfigPath(), { namespace: ns });
      let err: KubeApiError | undefined;
      for (let i = 0; i < 100 && !err; i++) {
        try {
          await c.apply(Resources.configmaps, { metadata: { name: 'hooked' }, data: {} }, { dryRun: true });
          await new Promise((r) => setTimeout(r, 100));
        } catch (e) {
          err = e as KubeApiError;
        }
      }
      expect(err).toBeInstanceOf(KubeApiError);
      expect(err!.message).toMatch(new RegExp(`the admission webhook ${name.replace(/\./g, '\\.')} is unavailable`));
      expect(err!.hint).toMatch(/readiness/);
      expect(c.stats().retries).toBe(0);
    } finally {
      await admin.delete(Resources.validatingwebhookconfigurations, name);
    }
  });
});
