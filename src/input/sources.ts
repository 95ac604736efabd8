import { closeSync, createReadStream, fstatSync, openSync, readSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';

/** One input to read: a file, a URL or standard input. */
export interface InputSource {
  /** The name used in messages and provenance: the path or URL as given, or `<stdin>`. */
  name: string;
  open: () => AsyncIterable<Uint8Array | string>;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;
const URL_RE = /^https?:\/\//i;

/**
 * Files up to this size are read with one read call instead of a stream: most manifests are a few
 * kilobytes, and a directory of thousands of them would otherwise pay a stream's set-up per file.
 */
const WHOLE_FILE_BYTES = 4 * 1024 * 1024;

/** How `-f URL` fetches: the global fetch, replaceable in tests. */
export type Fetcher = (url: string, init: { signal: AbortSignal; headers: Record<string, string> }) => Promise<Response>;

/** Options of {@link resolveInputs}. */
export interface ResolveOptions {
  /** Fetches `-f http(s)://...` inputs; default the global fetch. */
  fetch?: Fetcher;
  /** Timeout of one URL fetch in milliseconds (headers and body); default 60 s. */
  urlTimeoutMs?: number;
}

/**
 * Resolves -f/--filename values and positional files as kubectl does: `-` is standard input,
 * `http://` and `https://` are fetched, a directory contributes its .yaml/.yml/.json files
 * (recursively with -R) in sorted order. A file named twice (by any spelling of its path) is read once.
 */
export async function resolveInputs(names: string[], recursive: boolean, cwd: string, stdin: Readable, opts: ResolveOptions = {}): Promise<InputSource[]> {
  if (names.length === 0) throw new UsageError('no input given', 'Pass files with -f FILE (or -f - for standard input), e.g. kubectl trainjob convert -f job.yaml.');
  const out: InputSource[] = [];
  const seen = new Set<string>();
  let stdinUsed = false;
  const add = async (src: InputSource, full: string) => {
    // The same file reached twice (-f a.yaml -f ./a.yaml, or a file and its directory) is read once.
    let key = full;
    try {
      key = await fs.realpath(full);
    } catch {
      /* reported when it is read */
    }
    if (seen.has(key)) return;
    seen.add(key);
    out.push(src);
  };
  for (const name of names) {
    if (name === '-') {
      if (stdinUsed) throw new UsageError('standard input (-) can be given only once');
      stdinUsed = true;
      out.push({ name: '<stdin>', open: () => stdin });
      continue;
    }
    if (URL_RE.test(name)) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push(urlSource(name, opts));
      continue;
    }
    const full = path.resolve(cwd, name);
    let stat;
    try {
      stat = await fs.stat(full);
    } catch (e) {
      throw fileError(name, e);
    }
    if (stat.isDirectory()) {
      for (const f of await listManifests(full, name, recursive)) await add(f.source, f.full);
    } else {
      await add(fileSource(name, full), full);
    }
  }
  return out;
}

function fileSource(name: string, full: string): InputSource {
  return {
    name,
    open: () =>
      (async function* () {
        // Small files (nearly all manifests) in one read; large ones streamed so memory stays flat.
        let fd: number;
        try {
          fd = openSync(full, 'r');
        } catch (e) {
          throw fileError(name, e);
        }
        let whole: Buffer | undefined;
        try {
          const st = fstatSync(fd);
          if (st.isFile() && st.size <= WHOLE_FILE_BYTES) whole = readWhole(fd, st.size);
        } catch (e) {
          closeSync(fd);
          throw fileError(name, e);
        }
        if (whole !== undefined) {
          closeSync(fd);
          if (whole.length) yield whole;
          return;
        }
        try {
          for await (const chunk of createReadStream(full, { fd, highWaterMark: 256 * 1024 })) yield chunk as Uint8Array;
        } catch (e) {
          throw fileError(name, e);
        }
      })(),
  };
}

/** Reads an open file to its end (its size may have changed since fstat). */
function readWhole(fd: number, size: number): Buffer {
  let buf = Buffer.allocUnsafe(Math.max(size, 1024));
  let len = 0;
  for (;;) {
    if (len === buf.length) {
      const bigger = Buffer.allocUnsafe(buf.length * 2);
      buf.copy(bigger, 0, 0, len);
      buf = bigger;
    }
    const n = readSync(fd, buf, len, buf.length - len, null);
    if (n === 0) break;
    len += n;
  }
  return buf.subarray(0, len);
}

function urlSource(url: string, opts: ResolveOptions): InputSource {
  const fetcher: Fetcher = opts.fetch ?? ((u, init) => fetch(u, init));
  const timeoutMs = opts.urlTimeoutMs ?? 60_000;
  return {
    name: url,
    open: () =>
      (async function* () {
        const signal = AbortSignal.timeout(timeoutMs);
        let res: Response;
        try {
          res = await fetcher(url, { signal, headers: { accept: 'application/yaml, application/json;q=0.9, */*;q=0.8' } });
        } catch (e) {
          const cause = (e as { cause?: { code?: string; message?: string } })?.cause;
          const why = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (cause?.code ?? cause?.message ?? (e as Error)?.message ?? String(e));
          throw new InputError(`unable to read URL "${url}": ${why}`, 'Check the URL and the network, or download the file and pass it with -f FILE.');
        }
        // kubectl: `unable to read URL "...", server reported 404 Not Found, status code=404`.
        if (!res.ok) throw new InputError(`unable to read URL "${url}", server reported ${res.status} ${res.statusText}, status code=${res.status}`, 'Check the URL; nothing was converted.');
        if (!res.body) return;
        try {
          for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) yield chunk;
        } catch (e) {
          throw new InputError(`unable to read URL "${url}": ${signal.aborted ? `no complete answer within ${timeoutMs / 1000} s` : ((e as Error)?.message ?? String(e))}`);
        }
      })(),
  };
}

async function listManifests(dir: string, shown: string, recursive: boolean): Promise<{ source: InputSource; full: string }[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw fileError(shown, e);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: { source: InputSource; full: string }[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    const name = path.join(shown, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...(await listManifests(full, name, true)));
    } else if (MANIFEST_EXT.test(e.name)) {
      out.push({ source: fileSource(name, full), full });
    }
  }
  return out;
}

function fileError(name: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new InputError(`the path "${name}" does not exist`, 'Check the file name, or pass - to read standard input.');
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`cannot read "${name}": permission denied`, 'Check the file permissions.');
  if (code === 'EISDIR') return new InputError(`"${name}" is a directory`, 'Pass -R to read directories recursively.');
  if (code === 'ENOTDIR') return new InputError(`the path "${name}" does not exist (a part of it is a file, not a directory)`, 'Check the file name.');
  return new InputError(`cannot read "${name}": ${(e as Error)?.message ?? String(e)}`);
}
