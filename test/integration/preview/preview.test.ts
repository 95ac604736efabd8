// preview against the real kube-apiserver: files and live jobs, diff exit codes (kubectl diff conventions),
// KUBECTL_EXTERNAL_DIFF, server dry-run rejections by a ValidatingAdmissionPolicy, target detection.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adminClient, adminKubeconfigPath, applyObjects, installDenyPolicy, testNamespace, withTrainerVersion, type KubeObject } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-preview-'));
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ KUBECONFIG: adminKubeconfigPath(), HOME: home, PATH: process.env.PATH, ...extra });
let ns: string;

/** A minimal clean PyTorchJob (Master + 2 Workers, torchrun). */
export function pytorchJob(name: string, namespace: string, labels: Record<string, string> = {}, image = 'pytorch/pytorch:2.5.1'): KubeObject {
  const template = { spec: { containers: [{ name: 'pytorch', image, command: ['torchrun', 'train.py'] }] } };
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name, namespace, labels },
    spec: { pytorchReplicaSpecs: { Master: { replicas: 1, restartPolicy: 'OnFailure', template }, Worker: { replicas: 2, restartPolicy: 'OnFailure', template } } },
  };
}

function writeJob(file: string, job: KubeObject): string {
  const p = path.join(home, file);
  fs.writeFileSync(p, JSON.stringify(job));
  return p;
}

beforeAll(async () => {
  ns = await testNamespace('preview');
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('preview', () => {
  it('previews a file: objects on stdout, dry-run verdict on stderr, exit 1 because the TrainJob would be created', async () => {
    const file = writeJob('a.json', pytorchJob('file-job', ns));
    const r = await runCli(['preview', '-f', file], { env: env() });
    expect(r.stderr).toMatch(/Detected Trainer schema v2\.3/);
    expect(r.stderr).toContain('trainjob.trainer.kubeflow.org/file-job created (server dry run)');
    expect(r.stdout).toMatch(/kind: TrainJob/);
    expect(r.code).toBe(1);
    // Nothing was written.
    const client = await adminClient();
    const res = await client.request('GET', `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainjobs/file-job`);
    expect(res.status).toBe(404);
  });

  it('previews live jobs by name, by -l and in -A; exit 0 when the live TrainJob matches, 1 when it differs', async () => {
    await applyObjects([pytorchJob('live-a', ns, { team: 'nlp' }), pytorchJob('live-b', ns, { team: 'cv' })]);
    const byName = await runCli(['preview', '-n', ns, 'live-a', '-o', 'diff'], { env: env() });
    expect(byName.code).toBe(1);
    expect(byName.stdout).toContain(`diff -u -N LIVE/trainer.kubeflow.org.v1alpha1.TrainJob.${ns}.live-a MERGED/trainer.kubeflow.org.v1alpha1.TrainJob.${ns}.live-a`);
    expect(byName.stdout).toMatch(/^\+kind: TrainJob$/m);

    const bySelector = await runCli(['preview', '-n', ns, '-l', 'team=cv', '-o', 'yaml'], { env: env() });
    expect(bySelector.stdout).toContain('name: live-b');
    expect(bySelector.stdout).not.toContain('name: live-a');

    const all = await runCli(['preview', '-A', '-l', 'team in (nlp,cv)', '-o', 'json'], { env: env() });
    expect(all.stdout).toContain('"name": "live-a"');
    expect(all.stdout).toContain('"name": "live-b"');

    // Create the TrainJob, then preview again: no differences.
    const applied = await runCli(['apply-v2', '-n', ns, 'live-a'], { env: env() });
    expect(applied.stderr).not.toMatch(/^error/m);
    const same = await runCli(['preview', '-n', ns, 'live-a'], { env: env() });
    expect(same.stderr).toContain('trainjob.trainer.kubeflow.org/live-a unchanged (server dry run)');
    expect(same.code).toBe(0);

    // Relabel the PyTorchJob: the TrainJob's labels would change; the diff shows just that.
    await applyObjects(pytorchJob('live-a', ns, { team: 'nlp', tier: 'gold' }));
    const changed = await runCli(['preview', '-n', ns, 'live-a'], { env: env() });
    expect(changed.stderr).toContain('trainjob.trainer.kubeflow.org/live-a configured (server dry run)');
    expect(changed.code).toBe(1);
    expect(changed.stdout).toMatch(/^\+\s+tier: gold$/m);
    // Server fields are not part of the diff.
    expect(changed.stdout).not.toMatch(/^[-+].*(resourceVersion|managedFields|uid:|creationTimestamp)/m);

    // A new image would change spec.trainer, which the TrainJob CRD declares immutable: the dry run says so, exit 2.
    await applyObjects(pytorchJob('live-a', ns, { team: 'nlp', tier: 'gold' }, 'pytorch/pytorch:2.6.0'));
    const immutable = await runCli(['preview', '-n', ns, 'live-a'], { env: env() });
    expect(immutable.code).toBe(2);
    expect(immutable.stderr).toMatch(/error: trainjobs.trainer.kubeflow.org "live-a" in namespace ".*" is invalid: .*immutable/i);
    // Seven CLI runs against the shared API server: on a loaded 2-core machine this took 280 s, so the
    // budget is the suite's generous one for a multi-step scenario, not the 120 s default.
  }, 600_000);

  it('exit >1 on errors: a missing job, a missing runtime', async () => {
    const missing = await runCli(['preview', '-n', ns, 'no-such-job'], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`pytorchjobs.kubeflow.org "no-such-job" not found in namespace "${ns}"`);

    const file = writeJob('rt.json', pytorchJob('rt-job', ns));
    const noRuntime = await runCli(['preview', '-f', file, '--runtime', 'no-such-runtime'], { env: env() });
    expect(noRuntime.code).toBe(2);
    expect(noRuntime.stderr).toContain('ClusterTrainingRuntime no-such-runtime not found: kubectl get clustertrainingruntimes');
  });

  it('runs KUBECTL_EXTERNAL_DIFF on two directories and returns its status', async () => {
    const log = path.join(home, 'diff-args.txt');
    const script = path.join(home, 'mydiff.sh');
    fs.writeFileSync(script, `#!/bin/sh\necho "$@" > ${log}\nls "$2" >> ${log}\necho external-diff-ran\nexit 1\n`, { mode: 0o755 });
    const file = writeJob('ext.json', pytorchJob('ext-job', ns));
    const r = await runCli(['preview', '-f', file, '-o', 'diff'], { env: env({ KUBECTL_EXTERNAL_DIFF: `${script} --flag-x bad;flag` }) });
    expect(r.stdout).toContain('external-diff-ran');
    expect(r.code).toBe(1);
    const [args, listing] = fs.readFileSync(log, 'utf8').split('\n');
    const parts = args!.split(' ');
    expect(path.basename(parts[0]!)).toMatch(/^LIVE-/);
    expect(path.basename(parts[1]!)).toMatch(/^MERGED-/);
    // kubectl passes only [a-zA-Z0-9-=] flags, after the two directories.
    expect(parts.slice(2)).toEqual(['--flag-x']);
    expect(listing).toBe(`trainer.kubeflow.org.v1alpha1.TrainJob.${ns}.ext-job`);
    // The directories are removed afterwards.
    expect(fs.existsSync(parts[0]!)).toBe(false);
  });

  it('reports a server dry-run rejection by a ValidatingAdmissionPolicy per object, exit 2', async () => {
    const policy = `${ns}-deny-label`;
    const removePolicy = await installDenyPolicy({
      name: policy,
      namespace: ns,
      apiGroup: 'trainer.kubeflow.org',
      resource: 'trainjobs',
      operations: ['CREATE', 'UPDATE'],
      expression: "!has(object.metadata.labels) || !('blocked' in object.metadata.labels)",
      message: 'TrainJobs labelled blocked are not allowed',
    });
    try {
      const file = writeJob('blocked.json', pytorchJob('blocked-job', ns, { blocked: 'yes' }));
      let r = await runCli(['preview', '-f', file], { env: env() });
      // Policies load asynchronously: retry until the denial shows.
      for (let i = 0; i < 50 && !r.stderr.includes('denied'); i++) {
        await new Promise((res) => setTimeout(res, 200));
        r = await runCli(['preview', '-f', file], { env: env() });
      }
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error: cannot patch trainjobs.trainer.kubeflow.org "blocked-job" in namespace ".*": .*ValidatingAdmissionPolicy '.*' with binding '.*' denied request: TrainJobs labelled blocked are not allowed/);
      expect(r.stderr).toMatch(/1 failed/);
    } finally {
      await removePolicy();
    }
  });

  it('detects the target from the cluster: v2.3, and v2.1 under withTrainerVersion; --target-version overrides', async () => {
    const file = writeJob('t.json', pytorchJob('target-job', ns));
    await withTrainerVersion('v2.1', async () => {
      const r = await runCli(['preview', '-f', file, '-o', 'yaml'], { env: env() });
      expect(r.stderr).toMatch(/Detected Trainer schema v2\.1/);
      expect(r.stdout).toContain('kubectl-trainjob.io/target-version: v2.1');
      expect(r.code).toBe(1);
    });
    const v23 = await runCli(['preview', '-f', file, '-o', 'yaml'], { env: env() });
    expect(v23.stdout).toContain('kubectl-trainjob.io/target-version: v2.3');
    const pinned = await runCli(['preview', '-f', file, '-o', 'yaml', '--target-version', 'v2.2'], { env: env() });
    expect(pinned.stderr).not.toMatch(/Detected/);
    expect(pinned.stdout).toContain('kubectl-trainjob.io/target-version: v2.2');
  });
});
