import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import { writeChunk } from '../io.js';

/** Text held in memory before the run's output moves to a temporary file. */
export const SPILL_BYTES = 16 * 1024 * 1024;
/** Size of the batches written to the temporary file and to stdout (few, large writes). */
const BATCH_CHARS = 1024 * 1024;

/**
 * Holds a run's stdout until the run has succeeded, so a run that fails on its third file has not
 * already printed the first two (kubectl-style all-or-nothing for a pipe into `kubectl apply`).
 * Small outputs stay in memory; past {@link SPILL_BYTES} they go to a temporary file, so memory stays
 * flat for any input size. Writes are batched: one write per megabyte, not one per job.
 */
export class RunOutput {
  private pending: string[] = [];
  private pendingChars = 0;
  /** UTF-8 bytes held, counted once the characters pass a third of the spill size. */
  private pendingBytes: number | undefined;
  private total = 0;
  private fd: number | undefined;
  private file: string | undefined;

  constructor(
    private readonly spillBytes = SPILL_BYTES,
    private readonly dir = tmpdir(),
  ) {}

  /** Characters written so far. */
  get size(): number {
    return this.total;
  }

  /** Adds text to the run's output. */
  write(text: string): void {
    this.pending.push(text);
    this.pendingChars += text.length;
    this.total += text.length;
    if (this.fd !== undefined) {
      if (this.pendingChars >= BATCH_CHARS) this.flushToFile();
    } else {
      // The UTF-8 size can pass the limit only once the characters pass a third of it; from then on the
      // bytes are counted per write (joining everything held on every write made large runs quadratic).
      if (this.pendingBytes !== undefined) this.pendingBytes += Buffer.byteLength(text);
      else if (this.pendingChars * 3 > this.spillBytes) this.pendingBytes = Buffer.byteLength(this.pending.join(''));
      if (this.pendingBytes !== undefined && this.pendingBytes > this.spillBytes) this.spill();
    }
  }

  private spill(): void {
    const name = path.join(this.dir, `kubectl-trainjob-${process.pid}-${Math.random().toString(36).slice(2)}.out`);
    this.fd = openSync(name, 'wx+', 0o600);
    this.file = name;
    this.flushToFile();
  }

  private flushToFile(): void {
    if (this.fd === undefined || !this.pending.length) return;
    const buf = Buffer.from(this.pending.join(''));
    this.pending = [];
    this.pendingChars = 0;
    let off = 0;
    while (off < buf.length) off += writeSync(this.fd, buf, off);
  }

  /** Writes everything to `out` (with backpressure), then releases the temporary file. */
  async commit(out: Writable): Promise<void> {
    try {
      if (this.fd === undefined) {
        // In memory: join into ~1 MB batches.
        let batch: string[] = [];
        let n = 0;
        for (const t of this.pending) {
          batch.push(t);
          n += t.length;
          if (n >= BATCH_CHARS) {
            await writeChunk(out, batch.join(''));
            batch = [];
            n = 0;
          }
        }
        if (batch.length) await writeChunk(out, batch.join(''));
        this.pending = [];
        return;
      }
      this.flushToFile();
      const buf = Buffer.allocUnsafe(BATCH_CHARS);
      let pos = 0;
      for (;;) {
        const n = readSync(this.fd, buf, 0, buf.length, pos);
        if (n === 0) break;
        pos += n;
        await writeChunk(out, Buffer.from(buf.subarray(0, n)));
      }
    } finally {
      this.discard();
    }
  }

  /** Drops the output (the run failed): nothing is printed, the temporary file is removed. */
  discard(): void {
    this.pending = [];
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (this.file !== undefined) {
      try {
        unlinkSync(this.file);
      } catch {
        /* already gone */
      }
      this.file = undefined;
    }
  }
}
