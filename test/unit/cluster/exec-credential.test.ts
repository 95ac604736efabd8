import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runExecPlugin } from '../../../src/cluster/exec-credential.js';
import type { ExecPlugin } from '../../../src/cluster/kubeconfig.js';
import { ClusterError } from '../../../src/errors.js';

// Real plugins (shell scripts) run through the real spawn path.
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-exec-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function plugin(name: string, script: string, extra: Partial<ExecPlugin> = {}): ExecPlugin {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return { command: file, args: [], env: [], apiVersion: 'client.authentication.k8s.io/v1', provideClusterInfo: false, userName: 'dev', ...extra };
}
const cred = (status: object, apiVersion = 'client.authentication.k8s.io/v1') => `echo '${JSON.stringify({ apiVersion, kind: 'ExecCredential', status })}'`;

describe('exec credential plugins', () => {
  test('an ExecCredential with a token is accepted, with its expiry; the plugin sees KUBERNETES_EXEC_INFO and its env', async () => {
    const p = plugin('ok', `[ "$MY_ENV" = "x" ] || exit 3\necho "$KUBERNETES_EXEC_INFO" | grep -q '"kind":"ExecCredential"' || exit 4\n${cred({ token: 't0k', expirationTimestamp: '2030-01-01T00:00:00Z' })}`, { env: [{ name: 'MY_ENV', value: 'x' }] });
    await expect(runExecPlugin(p, { PATH: process.env.PATH })).resolves.toEqual({ token: 't0k', expiresAt: Date.parse('2030-01-01T00:00:00Z') });
  });

  test('a client certificate and key are accepted', async () => {
    const p = plugin('cert', cred({ clientCertificateData: 'CERT', clientKeyData: 'KEY' }));
    await expect(runExecPlugin(p, {})).resolves.toEqual({ clientCertificateData: 'CERT', clientKeyData: 'KEY' });
  });

  test.each([
    ['a Secret', `echo '{"apiVersion":"v1","kind":"Secret","data":{}}'`, 'printed a Secret, not an ExecCredential'],
    ['an object without kind', `echo '{"status":{"token":"t"}}'`, 'printed an object without kind, not an ExecCredential'],
    ['a JSON array', `echo '[]'`, 'printed a JSON array, not an ExecCredential'],
    ['plain text', `echo 'here is your token: abc'`, 'did not print an ExecCredential: its output is not JSON'],
    ['another apiVersion', cred({ token: 't' }, 'client.authentication.k8s.io/v1beta1'), 'of apiVersion "client.authentication.k8s.io/v1beta1", but the kubeconfig asks for "client.authentication.k8s.io/v1"'],
    ['no credentials', cred({}), 'without status.token or a client certificate'],
    ['a certificate without key', cred({ clientCertificateData: 'C' }), 'clientCertificateData without clientKeyData'],
    ['a failure', 'echo "login required" >&2; exit 7', 'failed with exit code 7: login required'],
  ])('%s is a ClusterError naming the plugin and the user', async (_what, script, message) => {
    const p = plugin(`bad-${_what.replace(/\W/g, '')}`, script);
    const e = await runExecPlugin(p, {}).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ClusterError);
    expect((e as Error).message).toContain(`exec credential plugin "${p.command}" of user "dev"`);
    expect((e as Error).message).toContain(message);
  });

  test('a missing plugin names its install hint', async () => {
    const e = await runExecPlugin({ command: path.join(dir, 'nope'), args: [], env: [], apiVersion: 'client.authentication.k8s.io/v1', provideClusterInfo: false, userName: 'dev', installHint: 'brew install nope' }, {}).catch((x: unknown) => x);
    expect((e as Error).message).toContain('was not found');
    expect((e as ClusterError).hint).toBe('brew install nope');
  });
});
