// Jobs that change between the printed plan and the execution. migrate keeps only plan rows and re-reads each
// job before writing, comparing uid + resourceVersion with the plan: a change that keeps the printed decision
// is carried out on the newest version; anything else is skipped with the reason, with nothing written.
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import * as path from 'node:path';
import { ANNOTATIONS } from '../../../src/convert/index.js';
import type { Deps } from '../../../src/io.js';
import { run } from '../../../src/run.js';
import { adminClient, adminKubeconfigPath, testNamespace, withTrainerVersion } from '../../controlplane/harness.js';
import { createJobs, getObject, pjPath, pytorchJob, setState, tempDir, tjPath } from './helpers.js';

/** Runs the CLI on a "terminal": when the plan's question appears, runs `between`, then answers "y". */
async function withPause(args: string[], between: () => Promise<void>): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => {
    chunks.err.push(c);
    if (c.toString().includes('[y/N]')) void between().then(() => stdin.write('y\n'));
  });
  const deps: Deps = { io: { in: stdin, out, err, outIsTTY: false, errIsTTY: false }, env: { HOME: '/nonexistent' }, cwd: process.cwd(), now: () => new Date('2026-11-24T12:00:00Z') };
  const code = await run(['--kubeconfig', adminKubeconfigPath(), ...args], deps);
  return { code, stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') };
}

describe('migrate: a job changed after the plan', () => {
  it('same decision → migrated from the new version; new decision, deleted or re-created → skipped, nothing written', () =>
    withTrainerVersion('v2.3', async () => {
      const ns = await testNamespace('changed');
      const names = ['relabelled', 'started', 'gone', 'recreated', 'plain'];
      await createJobs(names.map((n) => pytorchJob(n, ns)));
      for (const n of ['relabelled', 'gone', 'recreated', 'plain']) await setState(ns, n, 'succeeded');
      await setState(ns, 'started', 'created');
      const client = await adminClient();
      let relabelledRv = '';
      const r = await withPause(['migrate', '-n', ns, '--all', '--strategy', 'replace', '--backup-dir', path.join(tempDir('ktj-changed-'), 'b'), '-o', 'json'], async () => {
        const patched = await client.ok('PATCH', pjPath(ns, 'relabelled'), { body: { metadata: { labels: { team: 'b' } } }, contentType: 'application/merge-patch+json' });
        relabelledRv = patched.metadata.resourceVersion;
        await setState(ns, 'started', 'running');
        await client.ok('DELETE', pjPath(ns, 'gone'));
        await client.ok('DELETE', pjPath(ns, 'recreated'));
        await createJobs([pytorchJob('recreated', ns)]);
      });
      expect(r.stderr).toMatch(/started\s+created\s+create TrainJob, delete v1/);
      expect(r.code).toBe(4);
      const jobs = Object.fromEntries(JSON.parse(r.stdout).jobs.map((j: any) => [j.name, j]));
      expect(jobs.plain).toMatchObject({ status: 'migrated', steps: { pytorchJob: 'deleted' } });
      expect(jobs.relabelled).toMatchObject({ status: 'migrated', steps: { backup: 'written', trainJob: 'created', pytorchJob: 'deleted' } });
      expect((await getObject(tjPath(ns, 'relabelled'))).metadata.annotations[ANNOTATIONS.sourceResourceVersion]).toBe(relabelledRv);
      expect(jobs.started).toMatchObject({ status: 'skipped', writes: 0, reason: expect.stringMatching(/^changed since the plan .*now: skip, running: pass --wait/) });
      expect(jobs.gone).toMatchObject({ status: 'skipped', writes: 0, reason: expect.stringMatching(/deleted after the plan was made; nothing written/) });
      expect(jobs.recreated).toMatchObject({ status: 'skipped', writes: 0, reason: expect.stringMatching(/deleted and re-created .* after the plan was made/) });
      for (const n of ['started', 'gone', 'recreated']) expect(await getObject(tjPath(ns, n))).toBeUndefined();
      expect(await getObject(pjPath(ns, 'started'))).toBeDefined();
      expect(await getObject(pjPath(ns, 'recreated'))).toBeDefined();
    }));
});
