// kubectl's spellings and flags through the built executable, run by the real kubectl as a plugin (see sandbox.ts):
// -oyaml/-nteam-a, last value wins, -v N never a job name, the connection flags in --help, a --kubeconfig
// directory, and an exec credential plugin printing something other than an ExecCredential.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { makeSandbox, requireBinary, type Sandbox } from './sandbox.js';

let sb: Sandbox;
let job: string;
beforeAll(() => {
  requireBinary();
  sb = makeSandbox();
  job = path.join(sb.dir, 'job.yaml');
  writeFileSync(job, 'apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata: {name: bert}\nspec:\n  pytorchReplicaSpecs:\n    Master:\n      replicas: 1\n      template: {spec: {containers: [{name: pytorch, image: img}]}}\n');
});
afterAll(() => sb?.cleanup());

/** A server nothing listens on: the request line is logged before the connection fails. */
const DEAD = 'http://127.0.0.1:9';

describe('kubectl spellings through kubectl', () => {
  test('-ojson and -nteam-a (no space) work', () => {
    const r = sb.kubectl(['trainjob', 'convert', '-f', job, '-ojson', '-nteam-a', '--report', 'none']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).metadata).toMatchObject({ name: 'bert', namespace: 'team-a' });
  });

  test('-oyaml, --namespace=x and -n a -n b (the last wins)', () => {
    const r = sb.kubectl(['trainjob', 'convert', '-f', job, '-oyaml', '--namespace=x', '-n', 'a', '-n', 'b', '--report', 'none']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('namespace: b\n');
  });

  test('backup -v 6 is verbosity 6, not a job called "6": it lists, logging the request line', () => {
    const r = sb.kubectl(['trainjob', 'backup', '-v', '6', '--server', DEAD, '-n', 'team']);
    expect(r.code).toBe(1);
    // A list of every v1 kind starts with the discovery of the kinds the server serves.
    expect(r.stderr).toMatch(new RegExp(`^GET ${DEAD}/apis/kubeflow.org/v1 \\(failed: ECONNREFUSED\\) in \\d+ milliseconds$`, 'm'));
    expect(r.stderr).not.toContain('pytorchjobs/6');
  });

  test('-v without a number is a usage error (exit 2)', () => {
    const r = sb.kubectl(['trainjob', 'backup', '-v']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: flag needs an argument: 'v' in -v");
  });

  test('--help lists kubectl\'s connection flags and -v', () => {
    const r = sb.kubectl(['trainjob', '--help']);
    for (const flag of ['--server', '--token', '--certificate-authority', '--client-certificate', '--client-key', '--insecure-skip-tls-verify', '--tls-server-name', '--as-uid', '--disable-compression', '-v']) {
      expect(r.stdout).toContain(flag);
    }
  });

  test('--field-manager is offered by the verbs that write', () => {
    for (const verb of ['apply-v2', 'migrate', 'rollback']) expect(sb.kubectl(['trainjob', verb, '--help']).stdout).toContain('--field-manager');
    expect(sb.kubectl(['trainjob', 'backup', '--field-manager', 'x']).code).toBe(2);
  });

  test('--kubeconfig pointing at a directory: exit 1 naming the path', () => {
    const r = sb.kubectl(['trainjob', 'backup', '--kubeconfig', sb.dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: kubeconfig ${sb.dir} (from --kubeconfig) is a directory, not a file`);
    expect(r.stderr).not.toContain('internal error');
  });

  test('an exec credential plugin that prints a Secret is exit 1 naming it', () => {
    const plugin = path.join(sb.dir, 'cred.sh');
    writeFileSync(plugin, '#!/bin/sh\necho \'{"apiVersion":"v1","kind":"Secret"}\'\n', { mode: 0o755 });
    const kc = path.join(sb.dir, 'exec.kubeconfig');
    writeFileSync(
      kc,
      `apiVersion: v1\nkind: Config\ncurrent-context: x\nclusters: [{name: c, cluster: {server: "${DEAD}"}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\nusers: [{name: u, user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: "${plugin}"}}}]\n`,
    );
    const r = sb.kubectl(['trainjob', 'backup', '--kubeconfig', kc]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: exec credential plugin "${plugin}" of user "u" printed a Secret, not an ExecCredential`);
  });

  test('a bare --dry-run does not swallow the next word (migrate bert --dry-run and --dry-run bert agree)', () => {
    const a = sb.kubectl(['trainjob', 'migrate', '--dry-run', 'bert', '--server', DEAD, '-n', 'team']);
    const b = sb.kubectl(['trainjob', 'migrate', 'bert', '--dry-run', '--server', DEAD, '-n', 'team']);
    expect(a.code).toBe(1);
    expect(a.stderr).toContain('is the cluster reachable?');
    expect(a.stderr).not.toContain('invalid --dry-run');
    expect(b.code).toBe(a.code);
  });
});
