// rollback on a terminal: without --yes it asks, and only "y"/"yes" goes ahead ("n" changes nothing).
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { Deps } from '../../../src/io.js';
import { run } from '../../../src/run.js';
import { adminClient, adminKubeconfigPath, testNamespace } from '../../controlplane/harness.js';
import { aMigratedTrainJob, aPyTorchJob, collection, create } from '../compare/fixtures.js';

/** Runs the CLI with a stdin that claims to be a terminal and types `answer`. */
async function onTerminal(args: string[], answer: string): Promise<{ code: number; stderr: string }> {
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  const err = new PassThrough();
  const chunks: Buffer[] = [];
  err.on('data', (c: Buffer) => {
    chunks.push(c);
    // Answer once the question is on the screen, as a person would.
    if (c.toString().includes('[y/N]')) stdin.write(`${answer}\n`);
  });
  const deps: Deps = { io: { in: stdin, out: new PassThrough().resume(), err, outIsTTY: true, errIsTTY: true }, env: { HOME: '/nonexistent' }, cwd: process.cwd(), now: () => new Date('2026-11-24T12:00:00Z') };
  const code = await run(args, deps);
  return { code, stderr: Buffer.concat(chunks).toString('utf8') };
}

describe('rollback on a terminal', () => {
  it('asks; "n" aborts with nothing changed (exit 1), "y" rolls back (exit 0)', async () => {
    const ns = await testNamespace('rollback-tty');
    const v1 = await create(aPyTorchJob('tty', ns));
    await create(aMigratedTrainJob(v1));
    await (await adminClient()).ok('DELETE', `${collection('PyTorchJob', ns)}/tty`);
    const args = ['rollback', 'tty', '--kubeconfig', adminKubeconfigPath(), '-n', ns];

    const no = await onTerminal(args, 'n');
    expect(no.stderr).toContain('Roll back 1 job(s)? [y/N]');
    expect(no.stderr).toContain('Aborted; nothing was changed.');
    expect(no.code).toBe(1);
    expect((await (await adminClient()).request('GET', `${collection('TrainJob', ns)}/tty`)).status).toBe(200);

    const yes = await onTerminal(args, 'y');
    expect(yes.code).toBe(0);
    expect((await (await adminClient()).request('GET', `${collection('PyTorchJob', ns)}/tty`)).status).toBe(200);
    expect((await (await adminClient()).request('GET', `${collection('TrainJob', ns)}/tty`)).status).toBe(404);
  });
});
