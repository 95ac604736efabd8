// kubectl's connection flags and -v against the real API server: --server/--token/--certificate-authority with no
// kubeconfig at all, client certificate files, --insecure-skip-tls-verify, --tls-server-name, --as/--as-uid
// (seen in the audit log), --field-manager, --disable-compression, -v=6 request lines and -v=8 bodies with every
// credential masked, and exec credential plugins (a real token, and a plugin printing something else).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CertFiles, mintClientCert } from '../../controlplane/certs.js';
import { adminClient, apiserverUrl, applyObjects, auditedUserKubeconfig, auditEvents, canMintUsers, controlPlaneWorkDir, testNamespace, type KubeObject } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-connflags-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
/** No KUBECONFIG and an empty HOME: the flags are the whole connection. */
const bare = { HOME: home, PATH: process.env.PATH ?? '/usr/bin:/bin' };
let ns: string;
let token: string;
let ca: string;
const describeLocal = canMintUsers() ? describe : describe.skip;

function pytorchJob(name: string): KubeObject {
  const template = { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', command: ['torchrun', 'train.py'] }] } };
  return { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: ns }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template } } } };
}

beforeAll(async () => {
  if (!canMintUsers()) return;
  ns = await testNamespace('conn-flags');
  ca = path.join(controlPlaneWorkDir(), 'certs', CertFiles.servingCa);
  // A service account token (the plane signs them) with cluster-admin: what --token users paste from a CI secret.
  const admin = await adminClient();
  const sa = `ci-${randomBytes(3).toString('hex')}`;
  await admin.ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts`, { body: { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: sa } } });
  await admin.ok('POST', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    body: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `${ns}-${sa}` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' }, subjects: [{ kind: 'ServiceAccount', name: sa, namespace: ns }] },
  });
  const tr = await admin.ok('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 3600 } } });
  token = (tr as { status: { token: string } }).status.token;
  await applyObjects([pytorchJob('one'), pytorchJob('two')]);
});

describeLocal('connection flags', () => {
  it('--server, --token and --certificate-authority work without any kubeconfig; -v=8 never prints the token', async () => {
    const r = await runCli(['backup', '-n', ns, 'one', '--server', apiserverUrl(), '--token', token, '--certificate-authority', ca, '--backup-dir', path.join(home, 'b1'), '-o', 'name', '-v=8'], { env: bare });
    expect(r.stdout).toBe('pytorchjob.kubeflow.org/one\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Config loaded from flags');
    expect(r.stderr).toMatch(new RegExp(`GET ${apiserverUrl()}/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs/one 200 OK in \\d+ milliseconds`));
    expect(r.stderr).toContain('Request Header: Authorization: Bearer <masked>');
    expect(r.stderr).toContain('Response Body: {"apiVersion":"kubeflow.org/v1","kind":"PyTorchJob"');
    expect(r.stderr).not.toContain(token);
    expect(r.stderr).not.toContain(token.split('.')[1]!);
  });

  it('-v=6 prints one line per request and no bodies; -v=0 prints neither', async () => {
    const args = ['backup', '-n', ns, 'one', '--server', apiserverUrl(), '--token', token, '--certificate-authority', ca, '--backup-dir', path.join(home, 'b2')];
    const six = await runCli([...args, '-v', '6'], { env: bare });
    expect(six.code).toBe(0);
    expect(six.stderr).toMatch(/^GET https:\/\/127\.0\.0\.1:\d+\/\S+ 200 OK in \d+ milliseconds$/m);
    expect(six.stderr).not.toContain('Response Body');
    expect(six.stderr).not.toContain('Request Header');
    const zero = await runCli(args, { env: bare });
    expect(zero.stderr).not.toContain('milliseconds');
  });

  it('--client-certificate and --client-key files authenticate; a wrong CA fails TLS; --insecure-skip-tls-verify skips it', async () => {
    const cert = mintClientCert(path.join(controlPlaneWorkDir(), 'certs'), 'cert-user', ['system:masters']);
    const crt = path.join(home, 'u.crt');
    const key = path.join(home, 'u.key');
    fs.writeFileSync(crt, cert.certPem);
    fs.writeFileSync(key, cert.keyPem, { mode: 0o600 });
    const base = ['backup', '-n', ns, 'two', '--server', apiserverUrl(), '--client-certificate', crt, '--client-key', key, '--backup-dir', path.join(home, 'b3'), '-o', 'name'];
    const ok = await runCli([...base, '--certificate-authority', ca, '-v=8'], { env: bare });
    expect(ok.stdout).toBe('pytorchjob.kubeflow.org/two\n');
    expect(ok.stderr).not.toContain(cert.keyPem.split('\n')[1]!);
    const wrongCa = await runCli([...base, '--certificate-authority', crt], { env: bare });
    expect(wrongCa.code).toBe(1);
    expect(wrongCa.stderr).toContain('TLS verification of');
    const insecure = await runCli([...base, '--insecure-skip-tls-verify'], { env: bare });
    expect(insecure.code).toBe(0);
  });

  it('--tls-server-name checks the certificate against that name', async () => {
    const base = ['backup', '-n', ns, 'one', '--server', apiserverUrl(), '--token', token, '--certificate-authority', ca, '--backup-dir', path.join(home, 'b4')];
    expect((await runCli([...base, '--tls-server-name', 'localhost'], { env: bare })).code).toBe(0);
    const wrong = await runCli([...base, '--tls-server-name', 'not-the-server.example'], { env: bare });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('TLS verification of');
  });

  it('--as and --as-uid reach the server as impersonation (the audit log records both)', async () => {
    const user = `as-uid-${ns}`;
    const r = await runCli(['backup', '-n', ns, 'one', '--as', 'alice', '--as-uid', '1234-5678', '--backup-dir', path.join(home, 'b5')], { env: { KUBECONFIG: auditedUserKubeconfig(user), HOME: home } });
    expect(r.code).toBe(1); // alice has no rights: forbidden, and the message says so
    expect(r.stderr).toMatch(/forbidden/i);
    const events = auditEvents(user) as Array<{ impersonatedUser?: { username: string; uid?: string } }>;
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]!.impersonatedUser).toMatchObject({ username: 'alice', uid: '1234-5678' });
  });

  it('--field-manager names the manager of apply-v2 writes', async () => {
    const r = await runCli(['apply-v2', '-n', ns, 'two', '--field-manager', 'ci-pipeline', '--server', apiserverUrl(), '--token', token, '--certificate-authority', ca], { env: bare });
    expect(r.stderr).not.toContain('error');
    expect(r.stdout).toBe('trainjob.trainer.kubeflow.org/two created\n');
    const tj = await (await adminClient()).ok('GET', `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainjobs/two`);
    expect((tj as { metadata: { managedFields: Array<{ manager: string }> } }).metadata.managedFields.map((m) => m.manager)).toContain('ci-pipeline');
  });

  it('--disable-compression stops asking for gzip', async () => {
    const base = ['backup', '-n', ns, 'one', '--server', apiserverUrl(), '--token', token, '--certificate-authority', ca, '--backup-dir', path.join(home, 'b6'), '-v=8'];
    expect((await runCli(base, { env: bare })).stderr).toContain('Request Header: Accept-Encoding: gzip');
    const off = await runCli([...base, '--disable-compression'], { env: bare });
    expect(off.code).toBe(0);
    expect(off.stderr).not.toContain('Accept-Encoding');
  });
});

describeLocal('exec credential plugins', () => {
  function execKubeconfig(script: string): string {
    const plugin = path.join(home, `plugin-${randomBytes(3).toString('hex')}.sh`);
    fs.writeFileSync(plugin, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
    const file = path.join(home, `exec-${randomBytes(3).toString('hex')}.kubeconfig`);
    fs.writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'x',
        clusters: [{ name: 'c', cluster: { server: apiserverUrl(), 'certificate-authority': ca } }],
        contexts: [{ name: 'x', context: { cluster: 'c', user: 'e', namespace: ns } }],
        users: [{ name: 'e', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: plugin, env: [{ name: 'PLUGIN_SECRET', value: 'do-not-print-me' }], interactiveMode: 'Never' } } }],
      }),
    );
    return file;
  }

  it('a plugin printing an ExecCredential authenticates; -v=8 prints neither its token nor its env', async () => {
    const kc = execKubeconfig(`printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "${token}"`);
    const r = await runCli(['backup', 'one', '--kubeconfig', kc, '--backup-dir', path.join(home, 'b7'), '-o', 'name', '-v=8'], { env: bare });
    expect(r.stdout).toBe('pytorchjob.kubeflow.org/one\n');
    expect(r.stderr).toContain('exec credential plugin');
    expect(r.stderr).not.toContain(token);
    expect(r.stderr).not.toContain('do-not-print-me');
  });

  it('a plugin printing something other than an ExecCredential is exit 1 naming the plugin, never an internal error', async () => {
    const kc = execKubeconfig(`echo '{"apiVersion":"v1","kind":"Secret","data":{"token":"eA=="}}'`);
    const r = await runCli(['backup', 'one', '--kubeconfig', kc, '--backup-dir', path.join(home, 'b8')], { env: bare });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: exec credential plugin ".*plugin-\w+\.sh" of user "e" printed a Secret, not an ExecCredential/);
    expect(r.stderr).not.toContain('internal error');
  });
});
