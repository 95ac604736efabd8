// Rollback after a REAL migrate that was killed mid-way: the CLI (bundled from the sources) SIGKILLs
// itself after the n-th completed step (KTJ_FAULT_AFTER, see src/verbs/migrate.ts); then
// `rollback --all` must leave exactly the original PyTorchJobs (the deleted one recreated byte for byte
// from the backup), no TrainJob and no generated runtime; a second rollback changes nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { cleanManifest } from '../../../src/live/clean.js';
import { readBackupIndex, renderBackupManifest } from '../../../src/migration/backup-store.js';
import { adminKubeconfigPath, testNamespace, withTrainerVersion } from '../../controlplane/harness.js';
import { REPO_ROOT } from '../../controlplane/paths.js';
import { runCli } from '../../verbs/run-cli.js';
import { bundleCli, createJobs, listObjects, pjPath, pytorchJob, setState, tjPath } from '../migrate/helpers.js';

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-rollback-crash-'));
const bundle = path.join(work, 'cli.cjs');

beforeAll(async () => {
  await bundleCli(bundle);
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const NAMES = ['j0', 'j1', 'j2'];
const runtimesPath = (ns: string) => `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainingruntimes`;

describe.each([
  { fault: 'runtime:1', what: 'after the generated runtime, before its TrainJob' },
  { fault: 'trainjob:1', what: 'after the first TrainJob, before its PyTorchJob was deleted' },
  { fault: 'delete:1', what: 'after the first PyTorchJob was deleted' },
  { fault: 'delete:2', what: 'after two PyTorchJobs were deleted' },
])('migrate --strategy replace killed $what ($fault)', ({ fault }) => {
  it('rollback --all restores exactly the original jobs and removes every TrainJob and generated runtime', () =>
    withTrainerVersion('v2.3', async () => {
      const ns = await testNamespace('rollback-crash');
      // j0 has a sidecar, which needs a generated TrainingRuntime, so the runtime step runs too.
      const j0 = pytorchJob('j0', ns) as any;
      for (const role of ['Master', 'Worker']) j0.spec.pytorchReplicaSpecs[role].template.spec.containers.push({ name: 'log-shipper', image: 'busybox:1.36', command: ['sleep', 'infinity'] });
      await createJobs([j0, pytorchJob('j1', ns), pytorchJob('j2', ns)]);
      for (const n of NAMES) await setState(ns, n, 'succeeded');
      const before = Object.fromEntries((await listObjects(pjPath(ns))).map((j) => [j.metadata.name, j]));
      const dir = path.join(work, `${ns}-backup`);

      const killed = spawnSync(process.execPath, [bundle, 'migrate', '--kubeconfig', adminKubeconfigPath(), '-n', ns, '--all', '--strategy', 'replace', '--yes', '--backup-dir', dir, '--concurrency', '1'], {
        env: { HOME: work, PATH: process.env.PATH, KTJ_FAULT_AFTER: fault },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(killed.signal).toBe('SIGKILL');

      const r = await runCli(['rollback', '--all', '--kubeconfig', adminKubeconfigPath(), '-n', ns, '--backup-dir', dir, '--yes', '-o', 'json']);
      expect({ code: r.code, stderr: r.code ? r.stderr : '' }).toEqual({ code: 0, stderr: '' });

      expect(await listObjects(tjPath(ns))).toEqual([]);
      expect((await listObjects(runtimesPath(ns))).filter((o) => o.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kubectl-trainjob')).toEqual([]);
      const after = await listObjects(pjPath(ns));
      expect(after.map((j) => j.metadata.name).sort()).toEqual(NAMES);
      // delete:n means n PyTorchJobs were gone when rollback started: exactly those are recreated.
      const recreated = after.filter((j) => j.metadata.uid !== before[j.metadata.name].metadata.uid);
      expect(recreated.length).toBe(fault.startsWith('delete:') ? Number(fault.slice('delete:'.length)) : 0);
      const index = (await readBackupIndex(dir))!;
      for (const job of after) {
        const name = job.metadata.name as string;
        if (job.metadata.uid === before[name].metadata.uid) continue; // never deleted: left as it was
        // Recreated: the same bytes as its backup file.
        const entry = index.entries.find((e) => e.uid === before[name].metadata.uid)!;
        expect(renderBackupManifest(cleanManifest(job))).toBe(fs.readFileSync(path.join(dir, entry.file), 'utf8'));
        expect(job.spec).toEqual(before[name].spec);
      }

      const again = await runCli(['rollback', '--all', '--kubeconfig', adminKubeconfigPath(), '-n', ns]);
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('Nothing to do');
    }));
});
