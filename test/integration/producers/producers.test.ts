// Producers against the real API server: PyTorchJobs owned by a (fake) Katib Trial, marked by Argo CD,
// Flux and Helm, and written by a non-kubectl field manager (the Python SDK's OpenAPI-Generator). readiness
// names them with their action; migrate --strategy replace and cleanup --delete-migrated refuse the ones
// a producer would re-create, naming it and the fix, until --force; side by side is unaffected.
import { afterAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { adminClient, testNamespace } from '../../controlplane/harness.js';
import { ktj, listObjects, pjPath, pytorchJob, setState, tempDir } from '../migrate/helpers.js';
import * as fs from 'node:fs';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Creates a PyTorchJob with a POST under the given field manager (what the client that created it records). */
async function post(job: any, fieldManager: string): Promise<void> {
  const client = await adminClient();
  await client.ok('POST', `${pjPath(job.metadata.namespace)}?fieldManager=${encodeURIComponent(fieldManager)}`, { body: job });
}

const names = async (ns: string) => (await listObjects(pjPath(ns))).map((j: any) => j.metadata.name).sort();

describe('producers of live PyTorchJobs', () => {
  let ns: string;
  const setup = async () => {
    ns = await testNamespace('producers');
    const katib = pytorchJob('katib', ns);
    (katib.metadata as any).ownerReferences = [{ apiVersion: 'kubeflow.org/v1beta1', kind: 'Trial', name: 'exp-x7k2', uid: randomUUID(), controller: true, blockOwnerDeletion: true }];
    await post(katib, 'katib-controller');
    await post(pytorchJob('argo', ns, { annotations: { 'argocd.argoproj.io/tracking-id': `ml-jobs:kubeflow.org/PyTorchJob:${ns}/argo` } }), 'argocd-controller');
    await post(pytorchJob('flux', ns, { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } }), 'kustomize-controller');
    await post(pytorchJob('helm', ns, { labels: { 'app.kubernetes.io/managed-by': 'Helm' }, annotations: { 'meta.helm.sh/release-name': 'nightly', 'meta.helm.sh/release-namespace': ns } }), 'helm');
    await post(pytorchJob('sdk', ns), 'OpenAPI-Generator');
    for (const n of ['katib', 'argo', 'flux', 'helm', 'sdk']) await setState(ns, n, 'succeeded');
  };

  it('readiness: "who creates your PyTorchJobs", with the action each needs', async () => {
    await setup();
    const r = await ktj(['readiness', '-n', ns, '-o', 'json']);
    const report = JSON.parse(r.stdout);
    const check = report.checks.find((c: any) => c.id === 'producers.pytorchjobs');
    expect(check).toMatchObject({ status: 'warn', impact: 'advisory', message: expect.stringMatching(/^4 PyTorchJobs come from producers that would re-create them/) });
    const rows = Object.fromEntries(report.producers.map((p: any) => [p.kind, p]));
    expect(rows['Trial']).toMatchObject({ name: `${ns}/exp-x7k2`, jobs: 1, namespaces: [ns], recreates: true, action: expect.stringMatching(/Katib/) });
    expect(rows['Argo CD Application']).toMatchObject({ name: 'ml-jobs', recreates: true, evidence: 'annotation argocd.argoproj.io/tracking-id' });
    expect(rows['Flux Kustomization']).toMatchObject({ name: 'flux-system/apps', recreates: true });
    expect(rows['Helm release']).toMatchObject({ name: `${ns}/nightly`, recreates: true });
    expect(rows['Python SDK']).toMatchObject({ name: 'OpenAPI-Generator', recreates: false, evidence: 'managedFields manager OpenAPI-Generator', action: expect.stringMatching(/TrainerClient/) });
    const table = await ktj(['readiness', '-n', ns]);
    expect(table.stdout).toContain('Who creates your PyTorchJobs:');
    expect(table.stdout).toMatch(/Python SDK\s+OpenAPI-Generator\s+1\s+/);
  });

  it('side by side migrates every job and reports each producer', async () => {
    const dir = tempDir('ktj-producers-');
    dirs.push(dir);
    const r = await ktj(['migrate', '-n', ns, '--all', '--backup-dir', dir, '-o', 'json']);
    expect(r.code).toBe(0);
    const jobs = Object.fromEntries(JSON.parse(r.stdout).jobs.map((j: any) => [j.name, j]));
    expect(Object.values(jobs).map((j: any) => j.status)).toEqual(['migrated', 'migrated', 'migrated', 'migrated', 'migrated']);
    expect(jobs['katib'].producer).toMatchObject({ kind: 'Trial', recreates: true });
    expect(jobs['sdk'].producer).toMatchObject({ kind: 'Python SDK', recreates: false });
  });

  it('cleanup --delete-migrated deletes only the job no producer re-creates; the rest are named with their fix', async () => {
    const report = await ktj(['cleanup', '-n', ns, '-o', 'json']);
    expect(report.code).toBe(4);
    const verdicts = Object.fromEntries(JSON.parse(report.stdout).jobs.map((j: any) => [j.name, j.verdict]));
    expect(verdicts).toEqual({ argo: 'migrated-has-producer', flux: 'migrated-has-producer', helm: 'migrated-has-producer', katib: 'migrated-has-producer', sdk: 'migrated' });
    const r = await ktj(['cleanup', '-n', ns, '--delete-migrated', '--yes']);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`deleted PyTorchJob ${ns}/sdk`);
    expect(r.stderr).toMatch(new RegExp(`keep (PyTorchJob )?${ns}/argo: migrated to TrainJob argo, but created by Argo CD Application ml-jobs .*--force`));
    expect(r.stdout).toMatch(/helm\s+succeeded\s+helm\s+annotation\s+Helm release/);
    expect(r.stdout).toMatch(/sdk\s+deleted/);
    expect(await names(ns)).toEqual(['argo', 'flux', 'helm', 'katib']);
  });

  it('migrate --strategy replace refuses them per job, naming the producer; --force takes responsibility', async () => {
    const dir = tempDir('ktj-producers-');
    dirs.push(dir);
    const r = await ktj(['migrate', '-n', ns, '--all', '--strategy', 'replace', '--yes', '--backup-dir', dir, '-o', 'json']);
    expect(r.code).toBe(4);
    const jobs = JSON.parse(r.stdout).jobs;
    expect(jobs.map((j: any) => [j.name, j.status])).toEqual([['argo', 'skipped'], ['flux', 'skipped'], ['helm', 'skipped'], ['katib', 'skipped']]);
    expect(jobs.find((j: any) => j.name === 'flux').reason).toMatch(/^created by Flux Kustomization flux-system\/apps \(label kustomize.toolkit.fluxcd.io\/name\).*Git source.*--force/);
    expect(r.stderr).toMatch(/PRODUCER/);
    expect(await names(ns)).toEqual(['argo', 'flux', 'helm', 'katib']);

    const forced = await ktj(['migrate', '-n', ns, 'katib', '--strategy', 'replace', '--force', '--yes', '--backup-dir', dir, '-o', 'json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.stdout).jobs[0]).toMatchObject({ name: 'katib', status: 'migrated', steps: { pytorchJob: 'deleted' }, producer: { kind: 'Trial' } });
    const rest = await ktj(['cleanup', '-n', ns, '--delete-migrated', '--force', '--yes']);
    expect(rest.code).toBe(0);
    expect(await names(ns)).toEqual([]);
  });
});
