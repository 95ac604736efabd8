import { PassThrough, Readable } from 'node:stream';
import type { Deps } from '../../src/io.js';
import { run } from '../../src/run.js';

/** What one in-process CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `kubectl trainjob ARGS` in-process with captured streams (the same code path as the binary). */
export async function runCli(args: string[], opts: { cwd?: string; stdin?: string | Buffer; env?: NodeJS.ProcessEnv } = {}): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on('data', (c: Buffer) => chunks.out.push(c));
  err.on('data', (c: Buffer) => chunks.err.push(c));
  const deps: Deps = {
    io: { in: Readable.from(opts.stdin !== undefined ? [opts.stdin] : []), out, err, outIsTTY: false, errIsTTY: false },
    env: opts.env ?? { HOME: '/nonexistent' },
    cwd: opts.cwd ?? process.cwd(),
    now: () => new Date('2026-11-24T12:00:00Z'),
  };
  const code = await run(args, deps);
  return { code, stdout: Buffer.concat(chunks.out).toString('utf8'), stderr: Buffer.concat(chunks.err).toString('utf8') };
}
