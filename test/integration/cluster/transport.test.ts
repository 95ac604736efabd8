// Connection-level behaviour against the real kube-apiserver: unreachable server, wrong CA,
// --request-timeout with retries, and kubeconfig resolution across several files.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { connect, Resources, TransportError, type Cluster, type ConnectOptions } from '../../../src/cluster/index.js';
import type { ClusterOptions } from '../../../src/cluster/config-flags.js';
import { adminKubeconfigPath, apiserverUrl, controlPlaneWorkDir, testNamespace, userKubeconfig } from '../../controlplane/harness.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-home-'));
const opened: Cluster[] = [];
async function clusterWith(env: NodeJS.ProcessEnv, o: Partial<ClusterOptions> = {}, tuning: ConnectOptions = {}): Promise<Cluster> {
  const c = await connect({ asGroups: [], requestTimeoutMs: 0, ...o }, { HOME: home, ...env }, tuning);
  opened.push(c);
  return c;
}
async function thrown(fn: () => Promise<unknown>): Promise<TransportError> {
  try {
    await fn();
  } catch (e) {
    return e as TransportError;
  }
  throw new Error('expected an error');
}

interface KubeconfigDoc {
  clusters: Array<{ name: string; cluster: Record<string, unknown> }>;
  users: Array<{ name: string; user: Record<string, unknown> }>;
  contexts: Array<{ name: string; context: Record<string, unknown> }>;
  'current-context': string;
}
/** The admin kubeconfig, edited by `edit` and written to a new file. */
function adminVariant(name: string, edit: (doc: KubeconfigDoc) => void): string {
  const doc = parse(fs.readFileSync(adminKubeconfigPath(), 'utf8')) as KubeconfigDoc;
  edit(doc);
  const file = path.join(home, name);
  fs.writeFileSync(file, stringify(doc), { mode: 0o600 });
  return file;
}

/** A port that was just free: bind, read it, close. */
async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise<void>((r) => srv.close(() => r()));
  return port;
}

let ns: string;
beforeAll(async () => {
  ns = await testNamespace('cluster-transport');
});
afterAll(() => {
  for (const c of opened) c.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('transport failures', () => {
  it('unreachable server: connection refused, no retries', async () => {
    const port = await closedPort();
    const file = adminVariant('closed-port', (d) => {
      d.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`;
    });
    const c = await clusterWith({}, { kubeconfig: file });
    const err = await thrown(() => c.listAll(Resources.pytorchjobs, { allNamespaces: true }));
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).toBe(`is the cluster reachable? server https://127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`);
    expect(c.stats()).toMatchObject({ total: 1, retries: 0 });
  });

  it('wrong certificate-authority-data: TLS verification failure', async () => {
    // The client-cert CA of the same plane: a valid CA, just not the one that signed the serving cert.
    const wrongCa = fs.readFileSync(path.join(controlPlaneWorkDir(), 'certs', 'client-cert-auth-ca.crt'));
    const file = adminVariant('wrong-ca', (d) => {
      d.clusters[0]!.cluster['certificate-authority-data'] = wrongCa.toString('base64');
    });
    const c = await clusterWith({}, { kubeconfig: file });
    const err = await thrown(() => c.serverVersion());
    expect(err).toBeInstanceOf(TransportError);
    expect(err.message).toMatch(new RegExp(`^TLS verification of ${apiserverUrl()} failed: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)`));
    expect(err.hint).toMatch(/certificate-authority/);
  });

  it('--request-timeout aborts each request; idempotent ones are retried with backoff', async () => {
    // 1 ms is shorter than a TLS handshake, so every attempt against the real server times out.
    const c = await clusterWith({}, { kubeconfig: adminKubeconfigPath(), requestTimeoutMs: 1 }, { backoff: { baseMs: 10, maxMs: 50, retries: 3 } });
    const err = await thrown(() => c.get(Resources.configmaps, 'x', ns));
    expect(err).toBeInstanceOf(TransportError);
    expect(err.code).toBe('ETIMEDOUT_REQUEST');
    expect(err.message).toMatch(/^request to https:\/\/127\.0\.0\.1:\d+ timed out after 1ms while trying to get configmaps "x"/);
    expect(c.stats()).toMatchObject({ total: 4, retries: 3 });
  });

  it('a server that accepts but never answers: the timeout fires, a create is not retried', async () => {
    const sockets: net.Socket[] = [];
    const blackHole = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', () => r()));
    const port = (blackHole.address() as net.AddressInfo).port;
    try {
      const file = adminVariant('black-hole', (d) => {
        d.clusters[0]!.cluster.server = `https://127.0.0.1:${port}`;
      });
      const c = await clusterWith({}, { kubeconfig: file, requestTimeoutMs: 300 });
      const started = Date.now();
      const err = await thrown(() => c.create(Resources.configmaps, { metadata: { name: 'x' } }, { namespace: ns }));
      expect(err.code).toBe('ETIMEDOUT_REQUEST');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(c.stats()).toMatchObject({ total: 1, retries: 0 });
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => blackHole.close(() => r()));
    }
  });
});

describe('kubeconfig resolution against the real server', () => {
  let adminFile: string;
  let daveFile: string;
  beforeAll(() => {
    // Two files, both defining a cluster named "envtest"; the second adds a context for a second user.
    adminFile = adminVariant('merge-admin', (d) => {
      d.contexts[0]!.name = 'ctx-admin';
      d.contexts[0]!.context.namespace = ns;
      d['current-context'] = 'ctx-admin';
    });
    daveFile = userKubeconfig('dave', ['team-d'], { contextName: 'ctx-dave', userName: 'dave', file: path.join(home, 'dave.kubeconfig') });
  });

  it('KUBECONFIG with several files: the first current-context wins; --context switches users', async () => {
    const missing = path.join(home, 'does-not-exist');
    const env = { KUBECONFIG: [missing, adminFile, daveFile].join(path.delimiter) };
    const first = await clusterWith(env);
    expect(first.target).toMatchObject({ contextName: 'ctx-admin', namespace: ns, files: [adminFile, daveFile] });
    expect((await first.selfSubjectReview()).username).toBe('admin');

    const dave = await clusterWith(env, { context: 'ctx-dave' });
    expect(dave.target).toMatchObject({ contextName: 'ctx-dave', userName: 'dave', namespace: 'default' });
    const who = await dave.selfSubjectReview();
    expect(who).toMatchObject({ username: 'dave' });
    expect(who.groups).toContain('team-d');

    // --user switches credentials while keeping the admin context's cluster and namespace.
    const asDave = await clusterWith(env, { user: 'dave' });
    expect(asDave.target).toMatchObject({ contextName: 'ctx-admin', namespace: ns });
    expect((await asDave.selfSubjectReview()).username).toBe('dave');
  });

  it('--kubeconfig wins over KUBECONFIG', async () => {
    const c = await clusterWith({ KUBECONFIG: adminFile }, { kubeconfig: daveFile });
    expect((await c.selfSubjectReview()).username).toBe('dave');
  });

  it('$HOME/.kube/config is used when nothing else is set', async () => {
    const h = fs.mkdtempSync(path.join(home, 'h-'));
    fs.mkdirSync(path.join(h, '.kube'));
    fs.copyFileSync(daveFile, path.join(h, '.kube', 'config'));
    const c = await clusterWith({ HOME: h });
    expect((await c.selfSubjectReview()).username).toBe('dave');
  });

  it('relative certificate paths are resolved against the kubeconfig file', async () => {
    const dir = fs.mkdtempSync(path.join(home, 'rel-'));
    fs.mkdirSync(path.join(dir, 'pki'));
    const doc = parse(fs.readFileSync(daveFile, 'utf8')) as KubeconfigDoc;
    const u = doc.users[0]!.user;
    const cl = doc.clusters[0]!.cluster;
    fs.writeFileSync(path.join(dir, 'pki', 'ca.crt'), Buffer.from(String(cl['certificate-authority-data']), 'base64'));
    fs.writeFileSync(path.join(dir, 'pki', 'dave.crt'), Buffer.from(String(u['client-certificate-data']), 'base64'));
    fs.writeFileSync(path.join(dir, 'pki', 'dave.key'), Buffer.from(String(u['client-key-data']), 'base64'));
    doc.clusters[0]!.cluster = { server: cl.server, 'certificate-authority': 'pki/ca.crt' };
    doc.users[0]!.user = { 'client-certificate': 'pki/dave.crt', 'client-key': './pki/dave.key' };
    fs.writeFileSync(path.join(dir, 'config'), stringify(doc));
    // The working directory is not the kubeconfig's directory, so only per-file resolution can find the files.
    const c = await clusterWith({ KUBECONFIG: path.join(dir, 'config') });
    expect((await c.selfSubjectReview()).username).toBe('dave');
  });
});
