import { createReadStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Readable } from 'node:stream';
import { InputError, UsageError } from '../errors.js';

/** One input to read: a file or standard input. */
export interface InputSource {
  /** The name used in messages and provenance: the path as given, or `<stdin>`. */
  name: string;
  open: () => AsyncIterable<Uint8Array | string>;
}

const MANIFEST_EXT = /\.(ya?ml|json)$/i;

/**
 * Resolves -f/--filename values and positional files as kubectl does: `-` is standard input,
 * a directory contributes its .yaml/.yml/.json files (recursively with -R), in sorted order.
 */
export async function resolveInputs(names: string[], recursive: boolean, cwd: string, stdin: Readable): Promise<InputSource[]> {
  if (names.length === 0) throw new UsageError('no input given', 'Pass files with -f FILE (or -f - for standard input), e.g. kubectl trainjob convert -f job.yaml.');
  const out: InputSource[] = [];
  let stdinUsed = false;
  for (const name of names) {
    if (name === '-') {
      if (stdinUsed) throw new UsageError('standard input (-) can be given only once');
      stdinUsed = true;
      out.push({ name: '<stdin>', open: () => stdin });
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
      const files = await listManifests(full, name, recursive);
      out.push(...files);
    } else {
      out.push(fileSource(name, full));
    }
  }
  return out;
}

function fileSource(name: string, full: string): InputSource {
  return {
    name,
    open: () => {
      const s = createReadStream(full);
      // Surface open errors (EACCES, EISDIR) as InputError naming the file.
      return (async function* () {
        try {
          for await (const chunk of s) yield chunk as Uint8Array;
        } catch (e) {
          throw fileError(name, e);
        }
      })();
    },
  };
}

async function listManifests(dir: string, shown: string, recursive: boolean): Promise<InputSource[]> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (e) {
    throw fileError(shown, e);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const out: InputSource[] = [];
  for (const e of entries) {
    const full = path.join(dir, e.name);
    const name = path.join(shown, e.name);
    if (e.isDirectory()) {
      if (recursive) out.push(...(await listManifests(full, name, true)));
    } else if (MANIFEST_EXT.test(e.name)) {
      out.push(fileSource(name, full));
    }
  }
  return out;
}

function fileError(name: string, e: unknown): InputError {
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return new InputError(`the path "${name}" does not exist`, 'Check the file name, or pass - to read standard input.');
  if (code === 'EACCES' || code === 'EPERM') return new InputError(`cannot read "${name}": permission denied`, 'Check the file permissions.');
  if (code === 'EISDIR') return new InputError(`"${name}" is a directory`, 'Pass -R to read directories recursively.');
  return new InputError(`cannot read "${name}": ${(e as Error)?.message ?? String(e)}`);
}
