// Dry runs write nothing, proved by the API server's own audit log: each command runs as a user whose every
// request the test control plane records (auditedUserKubeconfig), and the test reads that user's events back.
// A request "persists" unless it is a read, a SelfSubject*Review, or a server-side dry run (dryRun=All).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adminClient, applyObjects, auditedUserKubeconfig, auditEvents, canMintUsers, persistingWrites, testNamespace, type KubeObject } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';
import { aMigratedTrainJob, aPyTorchJob, at, create, setStatus, v1Conditions } from '../compare/fixtures.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-dryrun-'));
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));
let ns: string;
let n = 0;

/** Runs the CLI as a fresh audited user and returns the run plus that user's audit events. */
async function audited(args: string[]) {
  const user = `dry-run-${ns}-${++n}`;
  const kubeconfig = auditedUserKubeconfig(user);
  const r = await runCli(args, { env: { KUBECONFIG: kubeconfig, HOME: home } });
  const events = auditEvents(user);
  return { ...r, events, writes: persistingWrites(events) };
}

const exists = async (p: string): Promise<boolean> => (await (await adminClient()).request('GET', p)).status === 200;
const tj = (name: string) => `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainjobs/${name}`;
const pj = (name: string) => `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs/${name}`;

function pytorchJob(name: string): KubeObject {
  const template = { spec: { containers: [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', command: ['torchrun', 'train.py'] }] } };
  return { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: ns }, spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template }, Worker: { replicas: 1, template } } } };
}

/** A finished PyTorchJob and the TrainJob migrated from it (with the v1 manifest as its backup). */
async function migrated(name: string): Promise<void> {
  const v1 = await create(aPyTorchJob(name, ns));
  await setStatus('PyTorchJob', ns, name, { conditions: v1Conditions('succeeded', at(0), at(5)), startTime: at(0) });
  await create(aMigratedTrainJob(v1, { v1Manifest: true }));
}

const describeLocal = canMintUsers() ? describe : describe.skip;

beforeAll(async () => {
  if (canMintUsers()) ns = await testNamespace('dry-run');
});

describeLocal('dry runs write nothing (audit log of the API server)', () => {
  it('apply-v2 with a bare --dry-run before a job name is a client dry run: reads only, no TrainJob', async () => {
    await applyObjects(pytorchJob('bare'));
    const r = await audited(['apply-v2', '-n', ns, '--dry-run', 'bare']);
    expect(r.stderr).toContain('(dry run: client)');
    expect(r.stdout).toBe('trainjob.trainer.kubeflow.org/bare created (dry run)\n');
    expect(r.code).toBe(0);
    expect(r.events.length).toBeGreaterThan(0); // it did talk to the server, as that user
    expect(r.writes).toEqual([]);
    expect(r.events.filter((e) => e.verb !== 'get' && e.verb !== 'list')).toEqual([]);
    expect(await exists(tj('bare'))).toBe(false);
  });

  it('apply-v2 --dry-run=server sends its applies with dryRun=All only', async () => {
    const r = await audited(['apply-v2', '-n', ns, 'bare', '--dry-run=server', '-o', 'name']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('trainjob.trainer.kubeflow.org/bare\n');
    expect(r.events.some((e) => e.verb === 'patch' && e.requestURI.includes('dryRun=All'))).toBe(true);
    expect(r.writes).toEqual([]);
    expect(await exists(tj('bare'))).toBe(false);
  });

  it('apply-v2 -n OTHER -f a manifest naming another namespace is refused like kubectl apply, with no write', async () => {
    const file = path.join(home, 'other-ns.yaml');
    fs.writeFileSync(file, JSON.stringify(pytorchJob('mismatch')));
    const r = await audited(['apply-v2', '-n', 'default', '-f', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`error: the namespace from the provided object "${ns}" does not match the namespace "default". You must pass '--namespace=${ns}' to perform this operation`);
    expect(r.writes).toEqual([]);
    expect(await exists(tj('mismatch'))).toBe(false);
  });

  it('migrate --dry-run plans without a write', async () => {
    await applyObjects(pytorchJob('plan'));
    const r = await audited(['migrate', '-n', ns, 'plan', '--dry-run', '-o', 'name']);
    expect(r.stderr).toContain('Dry run: nothing was written.');
    expect(r.stdout).toBe('trainjob.trainer.kubeflow.org/plan\n');
    expect(r.code).toBe(0);
    expect(r.writes).toEqual([]);
    expect(await exists(tj('plan'))).toBe(false);
  });

  it('rollback --dry-run prints the plan after the v1 acceptance check and changes nothing', async () => {
    await migrated('back');
    await (await adminClient()).ok('DELETE', pj('back'));
    const r = await audited(['rollback', '-n', ns, 'back', '--dry-run', '-o', 'json']);
    expect(r.stderr).toContain('Dry run: 1 job(s) would be rolled back; nothing was changed.');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ dryRun: 'client', jobs: [{ name: 'back', result: 'would-roll-back', v1: 'would-recreate', trainJobDeleted: true }] });
    expect(r.writes).toEqual([]);
    expect(await exists(tj('back'))).toBe(true);
    expect(await exists(pj('back'))).toBe(false);
  });

  it('cleanup --delete-migrated --dry-run names what it would delete, exits with the verdict it would leave, deletes nothing', async () => {
    const cleanNs = ns;
    await migrated('gone');
    const r = await audited(['cleanup', '-n', cleanNs, '--delete-migrated', '--dry-run', '-o', 'name']);
    expect(r.stderr).toContain('Dry run: 1 v1 job(s) would be deleted; nothing was deleted.');
    expect(r.stdout).toBe('pytorchjob.kubeflow.org/gone\n');
    expect(r.writes).toEqual([]);
    expect(await exists(pj('gone'))).toBe(true);
    // The real run deletes it (after which nothing but the other fixtures of this namespace remain).
    const real = await audited(['cleanup', '-n', cleanNs, '--delete-migrated', '--yes', '-o', 'name']);
    expect(real.stdout).toBe('pytorchjob.kubeflow.org/gone\n');
    expect(real.code).toBe(r.code);
    expect(real.writes.map((e) => [e.verb, e.objectRef?.name])).toEqual([['delete', 'gone']]);
  });
});
