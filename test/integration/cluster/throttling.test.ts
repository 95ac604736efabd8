// Client-side rate limiting and server throttling (429 + Retry-After) against real kube-apiservers.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, mapConcurrent, Resources, type Cluster, type ConnectOptions } from '../../../src/cluster/index.js';
import { adminKubeconfigPath, startExtraControlPlane, type ExtraControlPlane } from '../../controlplane/harness.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-home-'));
const opened: Cluster[] = [];
async function clusterFor(kubeconfig: string, tuning: ConnectOptions = {}): Promise<Cluster> {
  const c = await connect({ kubeconfig, asGroups: [], requestTimeoutMs: 0 }, { HOME: home }, tuning);
  opened.push(c);
  return c;
}

afterAll(() => {
  for (const c of opened) c.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('client-side QPS limiter', () => {
  it('paces requests after the burst: 25 GETs at qps 20 / burst 5 take at least 1 s', async () => {
    const c = await clusterFor(adminKubeconfigPath(), { qps: 20, burst: 5 });
    const started = performance.now();
    await mapConcurrent(Array.from({ length: 25 }, (_, i) => i), 8, () => c.serverVersion());
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(c.stats()).toMatchObject({ total: 25, byVerb: { get: 25 } });
    // The limiter waited: how long depends on how slow the server answered (a busy machine needs less pacing).
    expect(c.stats().throttledMs).toBeGreaterThan(0);
  });
});

describe('server throttling', () => {
  let plane: ExtraControlPlane;
  beforeAll(async () => {
    // Without priority-and-fairness, one in-flight read is allowed; the rest get 429 with Retry-After: 1.
    plane = await startExtraControlPlane(['--enable-priority-and-fairness=false', '--max-requests-inflight=1', '--max-mutating-requests-inflight=1']);
  }, 120_000);
  afterAll(async () => {
    await plane?.stop();
  });

  it('429s are retried (honouring Retry-After) until every request succeeds', async () => {
    // The admin (system:masters) is exempt from the in-flight limit: it seeds data and RBAC for a normal user.
    const admin = await clusterFor(plane.adminKubeconfig, { qps: 0 });
    await mapConcurrent(Array.from({ length: 400 }, (_, i) => i), 4, (i) =>
      admin.create(Resources.configmaps, { metadata: { name: `cm-${i}` }, data: { pad: 'x'.repeat(512) } }, { namespace: 'default' }),
    );
    await admin.create({ group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterroles', kind: 'ClusterRole', namespaced: false }, {
      metadata: { name: 'list-configmaps' },
      rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
    });
    await admin.create(Resources.clusterrolebindings, {
      metadata: { name: 'busy-user-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'list-configmaps' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'busy-user' }],
    });
    // More retries than the default: 16 clients share one in-flight slot, so each may be turned away several times.
    const c = await clusterFor(plane.userKubeconfig('busy-user'), { qps: 0, backoff: { baseMs: 500, maxMs: 10_000, retries: 8 } });
    // The RBAC authorizer sees new bindings through an informer: wait until the user may list.
    for (let i = 0; i < 50 && !(await c.selfSubjectAccessReview({ verb: 'list', group: '', resource: 'configmaps', namespace: 'default' })).allowed; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    // Slow-ish full lists (400 objects each), all at once, so they overlap on the server.
    let lists: number[] = [];
    for (let i = 0; i < 50 && c.stats().retries === 0; i++) {
      lists = (await mapConcurrent(Array.from({ length: 16 }, (_, j) => j), 16, () => c.listAll(Resources.configmaps, { namespace: 'default', limit: 0 }))).map((l) => l.length);
    }
    expect(lists.every((n) => n === 400)).toBe(true);
    const s = c.stats();
    expect(s.retries).toBeGreaterThan(0);
  }, 60_000);
});
