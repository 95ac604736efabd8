// The built executable, run by the real kubectl as a plugin, against the real API server: the spellings a
// kubectl user types (-nNS, -oname, -v 6, a bare --dry-run before a job name) do what kubectl's would, and the
// dry run writes nothing (audit log).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { applyObjects, auditedUserKubeconfig, auditEvents, canMintUsers, persistingWrites, testNamespace, type KubeObject } from '../../controlplane/harness.js';
import { makeSandbox, requireBinary, type Sandbox } from '../../smoke/sandbox.js';

let sb: Sandbox;
let ns: string;
const describeLocal = canMintUsers() ? describe : describe.skip;

beforeAll(async () => {
  if (!canMintUsers()) return;
  requireBinary();
  sb = makeSandbox();
  ns = await testNamespace('flags-bin');
  const template = { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', command: ['torchrun', 'train.py'] }] } };
  const job: KubeObject = { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'bert', namespace: ns }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template } } } };
  await applyObjects(job);
});
afterAll(() => sb?.cleanup());

describeLocal('kubectl trainjob (binary) against the API server', () => {
  it('apply-v2 -nNS --dry-run bert -oname -v 6: a client dry run of bert, its name on stdout, request lines on stderr, no write', () => {
    const user = `flags-bin-${ns}`;
    const r = sb.kubectl(['trainjob', 'apply-v2', `-n${ns}`, '--dry-run', 'bert', '-oname', '-v', '6', '--kubeconfig', auditedUserKubeconfig(user)]);
    expect(r.stdout).toBe('trainjob.trainer.kubeflow.org/bert\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^GET https://127\\.0\\.0\\.1:\\d+/apis/kubeflow\\.org/v1/namespaces/${ns}/pytorchjobs/bert 200 OK in \\d+ milliseconds$`, 'm'));
    expect(r.stderr).toContain('trainjob.trainer.kubeflow.org/bert created (dry run)');
    const events = auditEvents(user);
    expect(events.length).toBeGreaterThan(0);
    expect(persistingWrites(events)).toEqual([]);
  });

  it('backup -v 6 bert backs up bert (6 is the log level) and -o name names it', () => {
    const r = sb.kubectl(['trainjob', 'backup', '-v', '6', 'bert', `--namespace=${ns}`, '-o', 'name', '--backup-dir', `${sb.dir}/backup`, '--kubeconfig', auditedUserKubeconfig(`flags-bin2-${ns}`)]);
    expect(r.stdout).toBe('pytorchjob.kubeflow.org/bert\n');
    expect(r.code).toBe(0);
    expect(r.stderr).not.toContain('pytorchjobs/6');
  });
});
