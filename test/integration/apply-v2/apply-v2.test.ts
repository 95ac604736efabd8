// apply-v2 against the real kube-apiserver: create then an idempotent re-run with no write, the generated
// TrainingRuntime first, --dry-run=server/client writing nothing, field-manager conflicts and --force-conflicts,
// and a namespace-scoped user without TrainJob rights.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { connect, Resources, type Cluster } from '../../../src/cluster/index.js';
import { adminKubeconfigPath, applyObjects, canMintUsers, testNamespace, userKubeconfig, type KubeObject } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-apply-'));
const env = (kubeconfig = adminKubeconfigPath()): NodeJS.ProcessEnv => ({ KUBECONFIG: kubeconfig, HOME: home });
let ns: string;
let admin: Cluster;

function pytorchJob(name: string, labels: Record<string, string> = {}, sidecar = false): KubeObject {
  const containers: unknown[] = [{ name: 'pytorch', image: 'pytorch/pytorch:2.5.1', command: ['torchrun', 'train.py'] }];
  // A sidecar cannot be expressed on a TrainJob: the converter generates a TrainingRuntime for it.
  if (sidecar) containers.push({ name: 'logger', image: 'busybox:1.36', command: ['sleep', 'infinity'] });
  const template = { spec: { containers } };
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name, namespace: ns, labels },
    spec: { pytorchReplicaSpecs: { Master: { replicas: 1, template }, Worker: { replicas: 1, template } } },
  };
}

beforeAll(async () => {
  ns = await testNamespace('apply-v2');
  admin = await connect({ kubeconfig: adminKubeconfigPath(), asGroups: [], requestTimeoutMs: 0, namespace: ns }, { HOME: home });
});
afterAll(() => {
  admin.close();
  fs.rmSync(home, { recursive: true, force: true });
});

describe('apply-v2', () => {
  it('creates the TrainJob, then a re-run reports unchanged and writes nothing', async () => {
    await applyObjects(pytorchJob('idem', { team: 'nlp' }));
    const first = await runCli(['apply-v2', '-n', ns, 'idem'], { env: env() });
    expect(first.stdout).toBe('trainjob.trainer.kubeflow.org/idem created\n');
    expect(first.code).toBe(0);
    const created = await admin.get(Resources.trainjobs, 'idem', ns);
    expect((created.metadata?.managedFields as unknown[] | undefined)?.[0]).toMatchObject({ manager: 'kubectl-trainjob', operation: 'Apply' });

    const again = await runCli(['apply-v2', '-n', ns, 'idem', '-o', 'json'], { env: env() });
    expect(again.code).toBe(0);
    const report = JSON.parse(again.stdout);
    expect(report.items[0]).toMatchObject({ status: 'applied', objects: [{ kind: 'TrainJob', name: 'idem', action: 'unchanged', wrote: false }] });
    expect(report.summary.writes).toBe(0);
    // One get of the job, one get of the TrainJob, one dry-run apply; no real write (the resourceVersion did not move).
    const after = await admin.get(Resources.trainjobs, 'idem', ns);
    expect(after.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    expect(again.stderr).toContain('trainjob.trainer.kubeflow.org/idem unchanged');
  });

  it('creates the generated TrainingRuntime first, then the TrainJob that references it; jobs needing the same runtime share it', async () => {
    const file = path.join(home, 'sidecar.json');
    fs.writeFileSync(file, JSON.stringify(pytorchJob('sidecar', {}, true)));
    const r = await runCli(['apply-v2', '-f', file], { env: env() });
    const rtName = /trainingruntime\.trainer\.kubeflow\.org\/(torch-distributed-[0-9a-f]{10}) created/.exec(r.stdout)?.[1];
    expect(r.stdout).toBe(`trainingruntime.trainer.kubeflow.org/${rtName} created\ntrainjob.trainer.kubeflow.org/sidecar created\n`);
    const rt = await admin.get(Resources.trainingruntimes, rtName!, ns);
    const tj = await admin.get(Resources.trainjobs, 'sidecar', ns);
    expect((tj.spec as { runtimeRef: unknown }).runtimeRef).toMatchObject({ name: rtName, kind: 'TrainingRuntime' });
    expect(Date.parse(rt.metadata!.creationTimestamp!)).toBeLessThanOrEqual(Date.parse(tj.metadata!.creationTimestamp!));
    expect(Number(rt.metadata!.resourceVersion)).toBeLessThan(Number(tj.metadata!.resourceVersion));
    const again = await runCli(['apply-v2', '-f', file], { env: env() });
    expect(again.stdout).toBe(`trainingruntime.trainer.kubeflow.org/${rtName} unchanged\ntrainjob.trainer.kubeflow.org/sidecar unchanged\n`);

    // Three more jobs with the same sidecar in one run: the runtime is written by nobody (it exists), each
    // TrainJob references it, and the run writes only the three TrainJobs.
    const many = path.join(home, 'many.yaml');
    fs.writeFileSync(many, ['s1', 's2', 's3'].map((n) => JSON.stringify(pytorchJob(n, {}, true))).join('\n---\n'));
    const shared = await runCli(['apply-v2', '-f', many, '-o', 'json'], { env: env() });
    expect(shared.code).toBe(3); // applied, with the sidecar warning (KTJ-CTR-004)
    const report = JSON.parse(shared.stdout);
    expect(report.summary.writes).toBe(3);
    for (const item of report.items) expect(item.objects[0]).toMatchObject({ kind: 'TrainingRuntime', name: rtName, action: 'unchanged', wrote: false });
    for (const n of ['s1', 's2', 's3']) expect(((await admin.get(Resources.trainjobs, n, ns)).spec as { runtimeRef: unknown }).runtimeRef).toMatchObject({ name: rtName });
    expect((await admin.get(Resources.trainingruntimes, rtName!, ns)).metadata?.resourceVersion).toBe(rt.metadata?.resourceVersion);
  });

  it('a runtime shared by jobs of one run that does not exist yet is created once', async () => {
    const other = await testNamespace('apply-v2-shared');
    const file = path.join(home, 'fresh.yaml');
    fs.writeFileSync(file, ['f1', 'f2', 'f3'].map((n) => JSON.stringify({ ...pytorchJob(n, {}, true), metadata: { name: n, namespace: other } })).join('\n---\n'));
    const r = await runCli(['apply-v2', '-f', file, '-o', 'json'], { env: env() });
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    const runtimeActions = report.items.map((i: { objects: Array<{ action: string }> }) => i.objects[0]!.action);
    expect(runtimeActions.filter((a: string) => a === 'created')).toHaveLength(1);
    expect(report.summary.writes).toBe(4);
  });

  it('--dry-run=server and --dry-run=client write nothing', async () => {
    await applyObjects(pytorchJob('dry'));
    const server = await runCli(['apply-v2', '-n', ns, 'dry', '--dry-run=server'], { env: env() });
    expect(server.stdout).toBe('trainjob.trainer.kubeflow.org/dry created (server dry run)\n');
    const client = await runCli(['apply-v2', '-n', ns, 'dry', '--dry-run=client'], { env: env() });
    expect(client.stdout).toBe('trainjob.trainer.kubeflow.org/dry created (dry run)\n');
    expect(await admin.tryGet(Resources.trainjobs, 'dry', ns)).toBeUndefined();
    const bad = await runCli(['apply-v2', '-n', ns, 'dry', '--dry-run=maybe'], { env: env() });
    expect(bad.code).toBe(2);
  });

  it('stops on a field owned by another manager; --force-conflicts takes it over', async () => {
    await applyObjects(pytorchJob('contested', { team: 'nlp' }));
    expect((await runCli(['apply-v2', '-n', ns, 'contested'], { env: env() })).code).toBe(0);
    // Another manager takes the label over with a different value.
    await admin.apply(Resources.trainjobs, { metadata: { name: 'contested', namespace: ns, labels: { team: 'vision' } } }, { fieldManager: 'someone-else', force: true });
    // Our PyTorchJob changes, so our TrainJob must change too, and the contested label is ours again in our apply.
    await applyObjects(pytorchJob('contested', { team: 'nlp', tier: 'gold' }));
    const blocked = await runCli(['apply-v2', '-n', ns, 'contested'], { env: env() });
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(/error: cannot patch trainjobs.trainer.kubeflow.org "contested" .*: fields are owned by another manager .*labels.*team/);
    expect(blocked.stderr).toContain('hint: Re-run with --force-conflicts');
    const forced = await runCli(['apply-v2', '-n', ns, 'contested', '--force-conflicts'], { env: env() });
    expect(forced.stdout).toBe('trainjob.trainer.kubeflow.org/contested configured\n');
    const tj = await admin.get(Resources.trainjobs, 'contested', ns);
    expect(tj.metadata?.labels).toMatchObject({ team: 'nlp', tier: 'gold' });
  });

  it('refuses jobs with error findings (exit 4) unless --force', async () => {
    const job = pytorchJob('elastic');
    (job.spec as Record<string, unknown>).elasticPolicy = { minReplicas: 1, maxReplicas: 4, rdzvBackend: 'c10d' };
    const file = path.join(home, 'elastic.json');
    fs.writeFileSync(file, JSON.stringify(job));
    const r = await runCli(['apply-v2', '-f', file], { env: env() });
    expect(r.code).toBe(4);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('refused');
    expect(await admin.tryGet(Resources.trainjobs, 'elastic', ns)).toBeUndefined();
    // --force applies it; the error findings still count as warnings of the run (exit 3).
    const forced = await runCli(['apply-v2', '-f', file, '--force'], { env: env() });
    expect(forced.stdout).toBe('trainjob.trainer.kubeflow.org/elastic created\n');
    expect(forced.code).toBe(3);
  });

  (canMintUsers() ? it : it.skip)('a namespace-scoped user without TrainJob write rights gets Forbidden with the can-i hint, exit 1', async () => {
    const user = `${ns}-alice`;
    await applyObjects([
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'pytorchjob-reader', namespace: ns },
        rules: [
          { apiGroups: ['kubeflow.org'], resources: ['pytorchjobs'], verbs: ['get', 'list'] },
          { apiGroups: ['trainer.kubeflow.org'], resources: ['trainjobs', 'trainingruntimes'], verbs: ['get', 'list'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'alice-reads', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pytorchjob-reader' },
        subjects: [{ kind: 'User', name: user, apiGroup: 'rbac.authorization.k8s.io' }],
      },
    ]);
    await applyObjects(pytorchJob('denied'));
    const kubeconfig = userKubeconfig(user, [], { namespace: ns });
    const r = await runCli(['apply-v2', 'denied'], { env: env(kubeconfig) });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/error: forbidden: cannot patch trainjobs.trainer.kubeflow.org "denied" in namespace ".*"/);
    expect(r.stderr).toContain(`hint: Ask a cluster admin for RBAC permission; check it with: kubectl auth can-i patch trainjobs.trainer.kubeflow.org/denied -n ${ns}`);
    expect(r.stdout).toBe('');
    expect(await admin.tryGet(Resources.trainjobs, 'denied', ns)).toBeUndefined();
  });
});
