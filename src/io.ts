import { Writable, type Readable } from 'node:stream';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

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
  /**
   * Called between documents of long streams: collects garbage when the heap has grown, so memory
   * stays flat however long the stream is (V8 otherwise lets garbage pile up in old space).
   */
  relieveMemory?: () => void;
  /** kubectl's -v level (0 when not given): 4+ debug detail and stack traces, 6+ request lines, 8+ bodies. */
  verbosity?: number;
  /** Debug lines for -v (stderr); undefined at -v=0. The cluster layer takes it as its request log. */
  log?: { verbosity: number; write(line: string): void };
}

/** The debug log of -v=N on the error stream, or undefined at level 0. */
export function debugLog(err: Writable, verbosity: number): Deps['log'] {
  if (!(verbosity > 0)) return undefined;
  return { verbosity, write: (line) => void err.write(`${line}\n`) };
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
    relieveMemory: lazyHeapRelief(),
  };
}

/** Defers enabling the collector hook until a verb first needs it (keeps start-up lean). */
function lazyHeapRelief(): () => void {
  let relief: (() => void) | undefined | null = null;
  return () => {
    if (relief === null) relief = heapRelief();
    relief?.();
  };
}

/** Heap size above which a full collection is forced between documents. */
const HEAP_RELIEF_BYTES = 64 * 1024 * 1024;

function heapRelief(): (() => void) | undefined {
  let gc: (() => void) | undefined;
  try {
    // --expose-gc cannot be passed to the single executable (it would reject the code cache), so the
    // collector is reached through a fresh context after enabling the flag at run time.
    v8.setFlagsFromString('--expose-gc');
    gc = vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
  if (typeof gc !== 'function') return undefined;
  return () => {
    if (process.memoryUsage().heapUsed > HEAP_RELIEF_BYTES) gc();
  };
}

/** Writes a chunk and waits for the stream to drain when its buffer is full (backpressure). */
export function writeChunk(stream: Writable, chunk: string | Uint8Array): Promise<void> | void {
  if (stream.write(chunk)) return;
  return new Promise((resolve) => stream.once('drain', () => resolve()));
}

/** A stream that keeps what is written to it: one cluster's output in a run over several clusters. */
export class CapturedStream extends Writable {
  /** Everything written so far. */
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/** Deps whose stdout and stderr are captured (not terminals), for running a verb once per cluster. */
export function capturedDeps(deps: Deps): { deps: Deps; out: CapturedStream; err: CapturedStream } {
  const out = new CapturedStream();
  const err = new CapturedStream();
  return { deps: { ...deps, io: { in: deps.io.in, out, err, outIsTTY: false, errIsTTY: false } }, out, err };
}
