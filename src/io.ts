import type { Readable, Writable } from 'node:stream';

/** The three standard streams a verb may use, plus whether each output is a terminal. */
export interface IOStreams {
  in: Readable;
  out: Writable;
  err: Writable;
  outIsTTY: boolean;
  errIsTTY: boolean;
}

/** Everything a verb needs from the outside world, passed in so tests can substitute it. */
export interface Deps {
  io: IOStreams;
  /** Environment variables (KUBECONFIG, KUBECTL_EXTERNAL_DIFF, ...). */
  env: NodeJS.ProcessEnv;
  /** Working directory used to resolve relative paths. */
  cwd: string;
  /** The clock; only verbs call it, never the conversion core. */
  now: () => Date;
}

/** Builds Deps from the real process. */
export function processDeps(): Deps {
  return {
    io: {
      in: process.stdin,
      out: process.stdout,
      err: process.stderr,
      outIsTTY: Boolean(process.stdout.isTTY),
      errIsTTY: Boolean(process.stderr.isTTY),
    },
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

/** Writes a chunk and waits for the stream to drain when its buffer is full (backpressure). */
export function writeChunk(stream: Writable, chunk: string): Promise<void> | void {
  if (stream.write(chunk)) return;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}
