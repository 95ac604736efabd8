// Crash safety: the real CLI (bundled from the sources) is SIGKILLed by itself after the n-th completed step
// (KTJ_FAULT_AFTER=<step>:<n>), then migrate runs again. Nothing may be lost or duplicated, the backup must
// be intact, and a third run must write nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ANNOTATIONS } from '../../../src/convert/index.js';
import { readBackupIndex, sha256 } from '../../../src/migration/backup-store.js';
import { adminKubeconfigPath, testNamespace, withTrainerVersion } from '../../controlplane/harness.js';
import { bundleCli, createJobs, getObject, ktj, listObjects, pjPath, pytorchJob, setState, tempDir, tjPath } from './helpers.js';

let work: string;
let bundle: string;

beforeAll(async () => {
  work = tempDir('ktj-crash-');
  bundle = path.join(work, 'cli.cjs');
  await bundleCli(bundle);
}, 60_000);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** A job whose sidecar needs a generated TrainingRuntime, so the runtime step runs too. */
function withSidecar(name: string, ns: string) {
  const job = pytorchJob(name, ns) as any;
  for (const role of ['Master', 'Worker']) job.spec.pytorchReplicaSpecs[role].template.spec.containers.push({ name: 'log-shipper', image: 'busybox:1.36', command: ['sleep', 'infinity'] });
  return job;
}

const NAMES = ['j0', 'j1', 'j2', 'j3', 'j4'];

async function setup(): Promise<{ ns: string; uids: Record<string, string> }> {
  const ns = await testNamespace('crash');
  await createJobs([withSidecar('j0', ns), ...NAMES.slice(1).map((n) => pytorchJob(n, ns))]);
  for (const n of NAMES) await setState(ns, n, 'succeeded');
  const uids = Object.fromEntries((await listObjects(pjPath(ns))).map((j) => [j.metadata.name, j.metadata.uid]));
  return { ns, uids };
}

describe.each([
  { strategy: 'replace', fault: 'backup:1' },
  { strategy: 'replace', fault: 'runtime:1' },
  { strategy: 'replace', fault: 'trainjob:1' },
  { strategy: 'replace', fault: 'trainjob:3' },
  { strategy: 'replace', fault: 'delete:1' },
  { strategy: 'replace', fault: 'delete:4' },
  { strategy: 'side-by-side', fault: 'trainjob:2' },
])('killed after $fault ($strategy)', ({ strategy, fault }) => {
  it('a re-run completes: no job lost, none duplicated, backup intact, third run writes nothing', () =>
    withTrainerVersion('v2.3', async () => {
      const { ns, uids } = await setup();
      const dir = path.join(work, `${ns}-backup`);
      const args = ['migrate', '-n', ns, '--all', '--strategy', strategy, '--yes', '--backup-dir', dir, '--concurrency', '1'];
      const killed = spawnSync(process.execPath, [bundle, '--kubeconfig', adminKubeconfigPath(), ...args], { env: { HOME: work, PATH: process.env.PATH, KTJ_FAULT_AFTER: fault }, encoding: 'utf8', timeout: 60_000 });
      expect({ signal: killed.signal, stderr: killed.signal ? '' : killed.stderr }).toEqual({ signal: 'SIGKILL', stderr: '' });

      const rerun = await ktj([...args, '-o', 'json']);
      expect({ code: rerun.code, stderr: rerun.code ? rerun.stderr : '' }).toEqual({ code: 0, stderr: '' });
      const report = JSON.parse(rerun.stdout);
      expect(report.summary.failed).toBe(0);

      const tjs = await listObjects(tjPath(ns));
      expect(tjs.map((t) => t.metadata.name).sort()).toEqual(NAMES);
      for (const t of tjs) {
        const a = t.metadata.annotations;
        expect(a[ANNOTATIONS.sourceUid]).toBe(uids[t.metadata.name]);
        expect(t.spec.suspend).toBe(true);
        expect(sha256(fs.readFileSync(a[ANNOTATIONS.backup]))).toBe(a[ANNOTATIONS.backupSha256]);
      }
      expect(await getObject(`/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainingruntimes/${tjs.find((t) => t.metadata.name === 'j0').metadata.annotations[ANNOTATIONS.runtime]}`)).toBeDefined();
      const left = (await listObjects(pjPath(ns))).map((j) => j.metadata.name).sort();
      expect(left).toEqual(strategy === 'replace' ? [] : NAMES);

      const index = (await readBackupIndex(dir))!;
      expect(new Set(index.entries.map((e) => e.uid))).toEqual(new Set(Object.values(uids)));
      for (const e of index.entries) expect(sha256(fs.readFileSync(path.join(dir, e.file)))).toBe(e.sha256);
      expect(fs.readdirSync(path.join(dir, ns)).filter((f) => !f.endsWith('.yaml') || f.startsWith('.'))).toEqual([]);

      const third = await ktj([...args, '-o', 'json']);
      expect(third.code).toBe(0);
      expect(JSON.parse(third.stdout).summary.writes).toBe(0);
    }));
});
