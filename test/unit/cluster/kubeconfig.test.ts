import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveClusterTarget } from '../../../src/cluster/kubeconfig.js';
import { ClusterError } from '../../../src/errors.js';
import type { ClusterOptions } from '../../../src/cluster/config-flags.js';

// Real files in a temp dir: resolution is exercised through the same fs code path the CLI uses.
let dir: string;
const file = (name: string, text: string): string => {
  const p = path.join(dir, name);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};
const opts = (o: Partial<ClusterOptions> = {}): ClusterOptions => ({ asGroups: [], requestTimeoutMs: 0, ...o });

/** A kubeconfig with one cluster/user/context per entry, written as YAML. */
function kubeconfig(c: {
  current?: string;
  clusters?: Array<{ name: string; server?: string; ca?: string }>;
  users?: Array<{ name: string; token?: string; cert?: string; as?: string; asGroups?: string[] }>;
  contexts?: Array<{ name: string; cluster: string; user?: string; namespace?: string }>;
}): string {
  const lines: string[] = ['apiVersion: v1', 'kind: Config'];
  if (c.current !== undefined) lines.push(`current-context: "${c.current}"`);
  lines.push('clusters:');
  for (const x of c.clusters ?? []) {
    lines.push(`- name: ${x.name}`, '  cluster:');
    if (x.server !== undefined) lines.push(`    server: ${x.server}`);
    if (x.ca) lines.push(`    certificate-authority: ${x.ca}`);
  }
  lines.push('users:');
  for (const u of c.users ?? []) {
    lines.push(`- name: ${u.name}`, '  user:');
    if (u.token) lines.push(`    token: ${u.token}`);
    if (u.cert) lines.push(`    client-certificate: ${u.cert}`, `    client-key: ${u.cert}.key`);
    if (u.as) lines.push(`    as: ${u.as}`);
    if (u.asGroups) lines.push(`    as-groups: [${u.asGroups.join(', ')}]`);
  }
  lines.push('contexts:');
  for (const x of c.contexts ?? []) {
    lines.push(`- name: ${x.name}`, '  context:', `    cluster: ${x.cluster}`);
    if (x.user) lines.push(`    user: ${x.user}`);
    if (x.namespace) lines.push(`    namespace: ${x.namespace}`);
  }
  return lines.join('\n') + '\n';
}

let a: string;
let b: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-kubeconfig-'));
  a = file(
    'a/config',
    kubeconfig({
      current: 'ctx-a',
      clusters: [{ name: 'shared', server: 'https://a.example:6443', ca: 'certs/ca.crt' }],
      users: [{ name: 'alice', token: 'token-a', cert: 'certs/alice.crt' }],
      contexts: [
        { name: 'ctx-a', cluster: 'shared', user: 'alice', namespace: 'team-a' },
        { name: 'dup', cluster: 'shared', user: 'alice', namespace: 'from-a' },
      ],
    }),
  );
  b = file(
    'b/config',
    kubeconfig({
      current: 'ctx-b',
      clusters: [
        { name: 'shared', server: 'https://b.example:6443' },
        { name: 'only-b', server: 'https://only-b.example/' },
      ],
      users: [
        { name: 'alice', token: 'token-b' },
        { name: 'bob', token: 'token-bob', as: 'carol', asGroups: ['g1', 'g2'] },
      ],
      contexts: [
        { name: 'ctx-b', cluster: 'only-b', user: 'bob' },
        { name: 'dup', cluster: 'only-b', user: 'bob', namespace: 'from-b' },
      ],
    }),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('resolveClusterTarget: which files', () => {
  it('uses --kubeconfig and ignores KUBECONFIG', () => {
    const t = resolveClusterTarget(opts({ kubeconfig: b }), { KUBECONFIG: a, HOME: dir });
    expect(t.contextName).toBe('ctx-b');
    expect(t.files).toEqual([b]);
  });

  it('merges KUBECONFIG files: first current-context, first cluster/user/context of a name wins', () => {
    const t = resolveClusterTarget(opts({ context: 'dup' }), { KUBECONFIG: `${a}${path.delimiter}${b}` });
    expect(t.files).toEqual([a, b]);
    expect(t.namespace).toBe('from-a');
    expect(t.server).toBe('https://a.example:6443');
    expect(resolveClusterTarget(opts(), { KUBECONFIG: `${b}${path.delimiter}${a}` }).contextName).toBe('ctx-b');
    expect(resolveClusterTarget(opts(), { KUBECONFIG: `${a}${path.delimiter}${b}` }).contextName).toBe('ctx-a');
  });

  it('takes the first NON-EMPTY current-context', () => {
    const empty = file('empty-current', kubeconfig({ current: '', clusters: [{ name: 'x', server: 'https://x' }] }));
    const t = resolveClusterTarget(opts(), { KUBECONFIG: [empty, b].join(path.delimiter) });
    expect(t.contextName).toBe('ctx-b');
  });

  it('skips missing KUBECONFIG entries', () => {
    const t = resolveClusterTarget(opts(), { KUBECONFIG: [path.join(dir, 'nope'), '', b].join(path.delimiter) });
    expect(t.files).toEqual([b]);
    expect(t.contextName).toBe('ctx-b');
  });

  it('falls back to $HOME/.kube/config', () => {
    const home = path.join(dir, 'home');
    file('home/.kube/config', kubeconfig({ current: 'h', clusters: [{ name: 'c', server: 'https://home' }], users: [{ name: 'u' }], contexts: [{ name: 'h', cluster: 'c', user: 'u' }] }));
    const t = resolveClusterTarget(opts(), { HOME: home, KUBECONFIG: '' });
    expect(t.server).toBe('https://home');
    expect(t.files).toEqual([path.join(home, '.kube', 'config')]);
  });

  it('resolves relative certificate paths against the file that defined them', () => {
    const t = resolveClusterTarget(opts(), { KUBECONFIG: [a, b].join(path.delimiter) });
    expect(t.kubeConfig.getCurrentCluster()?.caFile).toBe(path.join(dir, 'a', 'certs', 'ca.crt'));
    expect(t.kubeConfig.getCurrentUser()?.certFile).toBe(path.join(dir, 'a', 'certs', 'alice.crt'));
    expect(t.kubeConfig.getCurrentUser()?.keyFile).toBe(path.join(dir, 'a', 'certs', 'alice.crt.key'));
  });
});

describe('resolveClusterTarget: context, cluster, user, namespace', () => {
  const env = (): NodeJS.ProcessEnv => ({ KUBECONFIG: [a, b].join(path.delimiter) });

  it('--context selects another context', () => {
    const t = resolveClusterTarget(opts({ context: 'ctx-b' }), env());
    expect([t.contextName, t.clusterName, t.userName, t.server]).toEqual(['ctx-b', 'only-b', 'bob', 'https://only-b.example']);
  });

  it('--cluster and --user override the context', () => {
    const t = resolveClusterTarget(opts({ cluster: 'only-b', user: 'bob' }), env());
    expect([t.contextName, t.clusterName, t.userName, t.namespace]).toEqual(['ctx-a', 'only-b', 'bob', 'team-a']);
    expect(t.kubeConfig.getCurrentUser()?.token).toBe('token-bob');
  });

  it('namespace: -n, else the context namespace, else default', () => {
    expect(resolveClusterTarget(opts({ namespace: 'flag-ns' }), env())).toMatchObject({ namespace: 'flag-ns', namespaceFromFlag: true });
    expect(resolveClusterTarget(opts(), env())).toMatchObject({ namespace: 'team-a', namespaceFromFlag: false });
    expect(resolveClusterTarget(opts({ context: 'ctx-b' }), env())).toMatchObject({ namespace: 'default', namespaceFromFlag: false });
  });

  it('impersonation: kubeconfig as/as-groups, overridden by --as/--as-group', () => {
    expect(resolveClusterTarget(opts({ context: 'ctx-b' }), env()).impersonate).toEqual({ user: 'carol', groups: ['g1', 'g2'] });
    expect(resolveClusterTarget(opts({ context: 'ctx-b', as: 'dave', asGroups: ['x'] }), env()).impersonate).toEqual({ user: 'dave', groups: ['x'] });
    expect(resolveClusterTarget(opts(), env()).impersonate).toBeUndefined();
  });

  it('passes --request-timeout through', () => {
    expect(resolveClusterTarget(opts({ requestTimeoutMs: 1500 }), env()).requestTimeoutMs).toBe(1500);
  });
});

describe('resolveClusterTarget: errors with hints', () => {
  const expectError = (fn: () => unknown, message: RegExp, hint: RegExp): void => {
    let err: unknown;
    try {
      fn();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ClusterError);
    expect((err as ClusterError).message).toMatch(message);
    expect((err as ClusterError).hint).toMatch(hint);
  };

  it('no kubeconfig anywhere', () => {
    expectError(() => resolveClusterTarget(opts(), { HOME: path.join(dir, 'no-home') }), /no kubeconfig found/, /set KUBECONFIG or pass --kubeconfig/i);
    expectError(() => resolveClusterTarget(opts(), { KUBECONFIG: path.join(dir, 'missing1') }), /no kubeconfig found: none of the files in KUBECONFIG exist/, /--kubeconfig/);
  });

  it('--kubeconfig pointing at a missing file', () => {
    expectError(() => resolveClusterTarget(opts({ kubeconfig: path.join(dir, 'missing') }), {}), /does not exist/, /--kubeconfig/);
  });

  it('unknown --context lists the available contexts', () => {
    expectError(() => resolveClusterTarget(opts({ context: 'x' }), { KUBECONFIG: a }), /context "x" does not exist/, /available contexts: ctx-a, dup/);
  });

  it('empty current-context', () => {
    const f = file('no-current', kubeconfig({ clusters: [{ name: 'c', server: 'https://c' }], contexts: [{ name: 'only', cluster: 'c' }] }));
    expectError(() => resolveClusterTarget(opts(), { KUBECONFIG: f }), /current-context is not set/, /--context.*available contexts: only/);
  });

  it('unknown --cluster or --user', () => {
    expectError(() => resolveClusterTarget(opts({ cluster: 'nope' }), { KUBECONFIG: a }), /cluster "nope" does not exist/, /shared/);
    expectError(() => resolveClusterTarget(opts({ user: 'nope' }), { KUBECONFIG: a }), /user "nope" does not exist/, /alice/);
  });

  it('cluster without a server', () => {
    const f = file('no-server', kubeconfig({ current: 'c', clusters: [{ name: 'c' }], contexts: [{ name: 'c', cluster: 'c' }] }));
    expectError(() => resolveClusterTarget(opts(), { KUBECONFIG: f }), /cluster "c" has no server URL/, /set-cluster c --server/);
  });

  it('invalid YAML names the file', () => {
    const f = file('broken', 'clusters: [\n');
    expectError(() => resolveClusterTarget(opts(), { KUBECONFIG: f }), new RegExp(`invalid kubeconfig ${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), /regenerate/);
  });
});

describe('resolveClusterTarget: injected file reader', () => {
  it('reads through the reader (no real files)', () => {
    const files: Record<string, string> = {
      '/virtual/config': kubeconfig({ current: 'v', clusters: [{ name: 'c', server: 'http://127.0.0.1:8080' }], contexts: [{ name: 'v', cluster: 'c' }] }),
    };
    const t = resolveClusterTarget(opts(), { KUBECONFIG: '/virtual/config' }, { readFile: (f) => files[f] });
    expect(t.server).toBe('http://127.0.0.1:8080');
    expect(t.userName).toBe(''); // a context without a user means anonymous requests
    expect(t.kubeConfig.getCurrentCluster()?.skipTLSVerify).toBe(true); // http:// needs this for client-node
  });
});

describe('kubectl connection flag overrides', () => {
  const base = () =>
    file(
      'override/config',
      kubeconfig({ current: 'dev', clusters: [{ name: 'c', server: 'https://kc.example:6443', ca: 'ca.crt' }], users: [{ name: 'u', token: 'from-file' }], contexts: [{ name: 'dev', cluster: 'c', user: 'u', namespace: 'team' }] }),
    );

  it('--server replaces the cluster URL (a bare HOST:PORT gets https://)', () => {
    const t = resolveClusterTarget(opts({ kubeconfig: base(), server: 'api.example:443' }), {});
    expect(t.server).toBe('https://api.example:443');
    expect(t.contextName).toBe('dev');
  });

  it('--server works without any kubeconfig, like kubectl', () => {
    const t = resolveClusterTarget(opts({ server: 'https://10.0.0.1:6443', token: 'abc' }), { HOME: path.join(dir, 'no-home') });
    expect(t.server).toBe('https://10.0.0.1:6443');
    expect(t.files).toEqual([]);
    expect(t.namespace).toBe('default');
    expect(t.kubeConfig.getCurrentUser()?.token).toBe('abc');
  });

  it('--token replaces the user credentials; --client-certificate/--client-key the certificate files', () => {
    const t = resolveClusterTarget(opts({ kubeconfig: base(), token: 'from-flag', clientCertificate: 'c.crt', clientKey: 'c.key' }), {});
    const u = t.kubeConfig.getCurrentUser()!;
    expect(u.token).toBe('from-flag');
    expect(u.certFile).toBe(path.resolve('c.crt'));
    expect(u.keyFile).toBe(path.resolve('c.key'));
  });

  it('--certificate-authority replaces the CA; --insecure-skip-tls-verify drops it; --tls-server-name is kept', () => {
    const ca = resolveClusterTarget(opts({ kubeconfig: base(), certificateAuthority: 'other-ca.crt', tlsServerName: 'kubernetes' }), {}).kubeConfig.getCurrentCluster()!;
    expect(ca.caFile).toBe(path.resolve('other-ca.crt'));
    expect(ca.tlsServerName).toBe('kubernetes');
    const insecure = resolveClusterTarget(opts({ kubeconfig: base(), insecureSkipTLSVerify: true }), {}).kubeConfig.getCurrentCluster()!;
    expect(insecure.skipTLSVerify).toBe(true);
    expect(insecure.caFile).toBeUndefined();
  });

  it('--as-uid, --disable-compression and --field-manager reach the target', () => {
    const t = resolveClusterTarget(opts({ kubeconfig: base(), as: 'alice', asUid: '42', disableCompression: true, fieldManager: 'ci' }), {});
    expect(t.impersonate).toEqual({ user: 'alice', groups: [], uid: '42' });
    expect(t.disableCompression).toBe(true);
    expect(t.fieldManager).toBe('ci');
  });

  it('a --kubeconfig directory is a ClusterError naming it', () => {
    const d = path.join(dir, 'a-directory');
    fs.mkdirSync(d, { recursive: true });
    expect(() => resolveClusterTarget(opts({ kubeconfig: d }), {})).toThrow(`kubeconfig ${d} (from --kubeconfig) is a directory, not a file`);
  });

  it('an exec user is run by the cluster layer (client-node gets the user without exec)', () => {
    const k = file(
      'exec/config',
      'apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters: [{name: c, cluster: {server: "https://h:1"}}]\ncontexts: [{name: x, context: {cluster: c, user: e}}]\nusers:\n- name: e\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: ./plugin.sh, args: [a], env: [{name: K, value: V}]}\n',
    );
    const t = resolveClusterTarget(opts({ kubeconfig: k }), {});
    expect(t.exec).toMatchObject({ command: path.join(path.dirname(k), 'plugin.sh'), args: ['a'], env: [{ name: 'K', value: 'V' }], userName: 'e' });
    expect(t.kubeConfig.getCurrentUser()?.exec).toBeUndefined();
  });
});
