#!/usr/bin/env node
// Tells what a built kubectl-trainjob executable is, without running it: its format and
// architecture, whether it carries the Node SEA blob (and the flipped fuse that makes Node load
// it), and for macOS whether its code signature is valid. Used by scripts/build-platforms.mjs
// after each build and by the release tests on the files krew installed.
//
//   node scripts/inspect-executable.mjs [--json] [--expect OS/ARCH] FILE...
//
// Exit 0 when every file is a well-formed kubectl-trainjob executable (of OS/ARCH, with
// --expect), 1 otherwise; one line per file (or a JSON array with --json).
//
// The Mach-O signature check is an independent verifier (nothing shared with the signer): it
// walks LC_CODE_SIGNATURE's SuperBlob and recomputes what the macOS kernel checks when it maps
// the pages of an arm64 executable: every page hash of every CodeDirectory, the special-slot
// hashes of the blobs present (requirements, entitlements), and that the hashed range ends where
// the signature begins. Format references: Apple's xnu osfmk/kern/cs_blobs.h and
// EXTERNAL_HEADERS/mach-o/loader.h; the PE/COFF specification (optional header data directories,
// resource directory).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Postject flips the last character of this string from 0 to 1 when it injects the blob. */
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

const ELF_MACHINES = { 62: 'amd64', 183: 'arm64' };
const MACHO_CPUS = { 0x01000007: 'amd64', 0x0100000c: 'arm64' };
const PE_MACHINES = { 0x8664: 'amd64', 0xaa64: 'arm64' };

const LC_SEGMENT_64 = 0x19;
const LC_CODE_SIGNATURE = 0x1d;
const LC_BUILD_VERSION = 0x32;
const CSMAGIC_EMBEDDED_SIGNATURE = 0xfade0cc0;
const CSMAGIC_CODEDIRECTORY = 0xfade0c02;
const CSSLOT_CODEDIRECTORY = 0;
const CSSLOT_ALTERNATE_CODEDIRECTORIES = 0x1000;
const CSSLOT_SIGNATURESLOT = 0x10000;
const CS_ADHOC = 0x2;
const CS_RUNTIME = 0x10000;
const HASH_TYPES = { 1: ['sha1', 20], 2: ['sha256', 32], 3: ['sha256', 20], 4: ['sha384', 48] };

/**
 * Inspects one executable image.
 * @param {Buffer} buf the whole file
 * @returns {{ format: string, os?: string, arch?: string, sea: boolean, fuse: 'flipped'|'unflipped'|'missing',
 *   problems: string[], details: Record<string, unknown> }}
 */
export function inspectExecutable(buf) {
  const fuseAt = buf.indexOf(SEA_FUSE);
  const fuseState = fuseAt < 0 ? 'missing' : buf[fuseAt + SEA_FUSE.length + 1] === 0x31 ? 'flipped' : 'unflipped';
  const fuse = /** @type {'flipped'|'unflipped'|'missing'} */ (fuseState);
  let r;
  if (buf.readUInt32BE(0) === 0x7f454c46) r = inspectElf(buf);
  else if (buf.readUInt32LE(0) === 0xfeedfacf) r = inspectMachO(buf);
  else if (buf.readUInt16LE(0) === 0x5a4d) r = inspectPe(buf);
  else r = { format: 'unknown', sea: false, problems: ['not an ELF, 64-bit Mach-O or PE file'], details: {} };
  if (fuse !== 'flipped') r.problems.push(`SEA fuse ${fuse}: Node would start as plain node, not as kubectl-trainjob`);
  if (!r.sea) r.problems.push('no NODE_SEA_BLOB found');
  return { ...r, fuse };
}

/** ELF: class, machine, and postject's PT_NOTE named NODE_SEA_BLOB. */
function inspectElf(buf) {
  const problems = [];
  if (buf[4] !== 2 || buf[5] !== 1) problems.push('not a 64-bit little-endian ELF');
  const machine = buf.readUInt16LE(18);
  const phoff = Number(buf.readBigUInt64LE(32));
  const phentsize = buf.readUInt16LE(54);
  const phnum = buf.readUInt16LE(56);
  let sea = false;
  let interpreter;
  for (let i = 0; i < phnum; i++) {
    const ph = phoff + i * phentsize;
    const type = buf.readUInt32LE(ph);
    const off = Number(buf.readBigUInt64LE(ph + 8));
    const size = Number(buf.readBigUInt64LE(ph + 32));
    if (type === 3) interpreter = buf.toString('latin1', off, off + size).replace(/\0+$/, '');
    if (type !== 4) continue; // PT_NOTE: walk its notes (namesz, descsz, type, name, desc; 4-byte aligned)
    for (let n = off; n + 12 <= off + size; ) {
      const namesz = buf.readUInt32LE(n);
      const descsz = buf.readUInt32LE(n + 4);
      const name = buf.toString('latin1', n + 12, n + 12 + namesz).replace(/\0+$/, '');
      if (name === 'NODE_SEA_BLOB') sea = true;
      n += 12 + align(namesz, 4) + align(descsz, 4);
    }
  }
  const arch = ELF_MACHINES[machine];
  if (!arch) problems.push(`unexpected ELF machine ${machine}`);
  return { format: 'ELF', os: 'linux', arch, sea, problems, details: { machine, interpreter } };
}

/** Mach-O (thin, 64-bit): CPU, file type, NODE_SEA segment, minimum macOS, code signature. */
function inspectMachO(buf) {
  const problems = [];
  const cputype = buf.readUInt32LE(4);
  const filetype = buf.readUInt32LE(12);
  const ncmds = buf.readUInt32LE(16);
  let sea = false;
  let minos;
  let signature;
  const segments = {};
  for (let i = 0, lc = 32; i < ncmds; i++) {
    const cmd = buf.readUInt32LE(lc);
    const size = buf.readUInt32LE(lc + 4);
    if (cmd === LC_SEGMENT_64) {
      const name = buf.toString('latin1', lc + 8, lc + 24).replace(/\0+$/, '');
      segments[name] = { fileoff: Number(buf.readBigUInt64LE(lc + 40)), filesize: Number(buf.readBigUInt64LE(lc + 48)) };
      if (name === 'NODE_SEA') sea = true;
    } else if (cmd === LC_BUILD_VERSION) {
      const v = buf.readUInt32LE(lc + 12);
      minos = `${v >>> 16}.${(v >> 8) & 0xff}`;
    } else if (cmd === LC_CODE_SIGNATURE) {
      signature = { dataoff: buf.readUInt32LE(lc + 8), datasize: buf.readUInt32LE(lc + 12) };
    }
    lc += size;
  }
  const arch = MACHO_CPUS[cputype];
  if (!arch) problems.push(`unexpected Mach-O CPU type 0x${cputype.toString(16)}`);
  if (filetype !== 2) problems.push(`Mach-O file type ${filetype} is not MH_EXECUTE`);
  const details = { cputype, minos, segments: Object.keys(segments) };
  if (!signature) {
    problems.push('no LC_CODE_SIGNATURE: macOS on Apple silicon refuses to run an unsigned executable');
  } else {
    details.signature = verifyCodeSignature(buf, signature, segments, problems);
  }
  return { format: 'Mach-O', os: 'darwin', arch, sea, problems, details };
}

/** Recomputes the hashes of the embedded signature; appends what does not match to problems. */
function verifyCodeSignature(buf, { dataoff, datasize }, segments, problems) {
  const linkedit = segments.__LINKEDIT;
  if (!linkedit || dataoff < linkedit.fileoff || dataoff + datasize > linkedit.fileoff + linkedit.filesize) {
    problems.push('the code signature is not inside __LINKEDIT');
  }
  if (dataoff + datasize > buf.length) {
    problems.push('the code signature runs past the end of the file');
    return {};
  }
  const sb = buf.subarray(dataoff, dataoff + datasize);
  if (sb.readUInt32BE(0) !== CSMAGIC_EMBEDDED_SIGNATURE) {
    problems.push('LC_CODE_SIGNATURE does not point at an embedded-signature SuperBlob');
    return {};
  }
  const blobs = new Map();
  for (let i = 0, n = sb.readUInt32BE(8); i < n; i++) {
    const type = sb.readUInt32BE(12 + i * 8);
    const off = sb.readUInt32BE(16 + i * 8);
    blobs.set(type, sb.subarray(off, off + sb.readUInt32BE(off + 4)));
  }
  const directories = [...blobs].filter(([t]) => t === CSSLOT_CODEDIRECTORY || (t >= CSSLOT_ALTERNATE_CODEDIRECTORIES && t < CSSLOT_ALTERNATE_CODEDIRECTORIES + 5));
  if (directories.length === 0) problems.push('the signature has no CodeDirectory');
  const result = { directories: [], cms: blobs.has(CSSLOT_SIGNATURESLOT) ? blobs.get(CSSLOT_SIGNATURESLOT).length : 0 };
  for (const [, cd] of directories) {
    if (cd.readUInt32BE(0) !== CSMAGIC_CODEDIRECTORY) {
      problems.push('a CodeDirectory slot holds something else');
      continue;
    }
    const version = cd.readUInt32BE(8);
    const flags = cd.readUInt32BE(12);
    const hashOffset = cd.readUInt32BE(16);
    const identOffset = cd.readUInt32BE(20);
    const nSpecial = cd.readUInt32BE(24);
    const nCode = cd.readUInt32BE(28);
    const codeLimit = cd.readUInt32BE(32);
    const hashSize = cd[36];
    const [algorithm, digestBytes] = HASH_TYPES[cd[37]] ?? [];
    const pageSize = cd[39] ? 2 ** cd[39] : 0;
    const identifier = cd.toString('latin1', identOffset, cd.indexOf(0, identOffset));
    if (!algorithm || digestBytes !== hashSize) {
      problems.push(`CodeDirectory hash type ${cd[37]} with ${hashSize}-byte hashes is not understood`);
      continue;
    }
    const hash = (data) => createHash(algorithm).update(data).digest().subarray(0, hashSize);
    if (codeLimit !== dataoff) problems.push(`the CodeDirectory hashes ${codeLimit} bytes, but the signature starts at ${dataoff}`);
    const expectedSlots = pageSize ? Math.ceil(codeLimit / pageSize) : 1;
    if (nCode !== expectedSlots) problems.push(`the CodeDirectory has ${nCode} page hashes for ${expectedSlots} pages`);
    let badPages = 0;
    for (let i = 0; i < nCode; i++) {
      const start = pageSize ? i * pageSize : 0;
      const end = pageSize ? Math.min(start + pageSize, codeLimit) : codeLimit;
      const want = cd.subarray(hashOffset + i * hashSize, hashOffset + (i + 1) * hashSize);
      if (!hash(buf.subarray(start, end)).equals(want)) badPages++;
    }
    if (badPages) problems.push(`${badPages} of ${nCode} page hashes do not match the file (modified after signing)`);
    for (let slot = 1; slot <= nSpecial; slot++) {
      const want = cd.subarray(hashOffset - slot * hashSize, hashOffset - (slot - 1) * hashSize);
      const blob = blobs.get(slot); // special slot N hashes the SuperBlob entry of type N
      const ok = blob ? hash(blob).equals(want) : want.every((b) => b === 0);
      if (!ok) problems.push(`special slot ${slot} hash does not match ${blob ? 'its blob' : 'the absent blob (should be zeros)'}`);
    }
    result.directories.push({
      version: `0x${version.toString(16)}`,
      identifier,
      adhoc: (flags & CS_ADHOC) !== 0,
      hardenedRuntime: (flags & CS_RUNTIME) !== 0,
      hash: algorithm,
      pages: nCode,
      pageSize,
      cdhash: createHash(algorithm).update(cd).digest('hex').slice(0, 40),
    });
  }
  return result;
}

/** PE32+: machine, subsystem, RCDATA resource NODE_SEA_BLOB, and no Authenticode certificate left. */
function inspectPe(buf) {
  const problems = [];
  const pe = buf.readUInt32LE(0x3c);
  if (buf.readUInt32BE(pe) !== 0x50450000) return { format: 'unknown', sea: false, problems: ['MZ header without a PE signature'], details: {} };
  const machine = buf.readUInt16LE(pe + 4);
  const nsections = buf.readUInt16LE(pe + 6);
  const optSize = buf.readUInt16LE(pe + 20);
  const opt = pe + 24;
  if (buf.readUInt16LE(opt) !== 0x20b) problems.push('not PE32+ (64-bit)');
  const subsystem = buf.readUInt16LE(opt + 68);
  const dirs = opt + 112; // PE32+ data directories
  const dir = (i) => ({ rva: buf.readUInt32LE(dirs + i * 8), size: buf.readUInt32LE(dirs + i * 8 + 4) });
  const sections = [];
  for (let i = 0, s = opt + optSize; i < nsections; i++, s += 40) {
    sections.push({ va: buf.readUInt32LE(s + 12), vsize: buf.readUInt32LE(s + 8), raw: buf.readUInt32LE(s + 20) });
  }
  const fileOffset = (rva) => {
    const s = sections.find((x) => rva >= x.va && rva < x.va + x.vsize);
    return s ? rva - s.va + s.raw : -1;
  };
  // Resource directory: type -> name -> language. Look for type RT_RCDATA (10) named NODE_SEA_BLOB.
  let sea = false;
  const rsrc = fileOffset(dir(2).rva);
  if (rsrc >= 0) {
    const entries = (at) => {
      const named = buf.readUInt16LE(at + 12);
      const ids = buf.readUInt16LE(at + 14);
      return Array.from({ length: named + ids }, (_, i) => ({ name: buf.readUInt32LE(at + 16 + i * 8), target: buf.readUInt32LE(at + 20 + i * 8) }));
    };
    const rcdata = entries(rsrc).find((e) => e.name === 10 && e.target & 0x80000000);
    if (rcdata) {
      for (const e of entries(rsrc + (rcdata.target & 0x7fffffff))) {
        if (!(e.name & 0x80000000)) continue;
        const at = rsrc + (e.name & 0x7fffffff);
        if (buf.toString('utf16le', at + 2, at + 2 + buf.readUInt16LE(at) * 2) === 'NODE_SEA_BLOB') sea = true;
      }
    }
  }
  const certificates = dir(4).size;
  if (certificates) problems.push(`an Authenticode certificate table (${certificates} bytes) is left: it no longer matches the modified file`);
  const arch = PE_MACHINES[machine];
  if (!arch) problems.push(`unexpected PE machine 0x${machine.toString(16)}`);
  if (subsystem !== 3) problems.push(`PE subsystem ${subsystem} is not the console subsystem (3)`);
  return { format: 'PE32+', os: 'windows', arch, sea, problems, details: { machine: `0x${machine.toString(16)}`, subsystem, certificates } };
}

function align(n, a) {
  return Math.ceil(n / a) * a;
}

function main(argv) {
  const json = argv.includes('--json');
  const at = argv.indexOf('--expect');
  const expect = at >= 0 ? argv[at + 1] : undefined;
  const files = argv.filter((a, i) => a !== '--json' && a !== '--expect' && (at < 0 || i !== at + 1));
  if (files.length === 0) {
    process.stderr.write('usage: inspect-executable.mjs [--json] [--expect OS/ARCH] FILE...\n');
    return 2;
  }
  const reports = files.map((file) => {
    let r;
    try {
      r = inspectExecutable(readFileSync(file));
    } catch (e) {
      r = { format: 'unreadable', sea: false, fuse: 'missing', problems: [e.message], details: {} };
    }
    if (expect && `${r.os}/${r.arch}` !== expect) r.problems.unshift(`is ${r.os ?? '?'}/${r.arch ?? '?'}, expected ${expect}`);
    return { file, ...r, ok: r.problems.length === 0 };
  });
  if (json) process.stdout.write(`${JSON.stringify(reports, null, 2)}\n`);
  else {
    for (const r of reports) {
      const sig = r.details.signature?.directories?.map((d) => `${d.adhoc ? 'ad-hoc' : 'signed'} ${d.hash} ${d.pages} pages, identifier ${d.identifier}`).join('; ');
      const extra = [r.details.minos && `macOS >= ${r.details.minos}`, sig && `signature ok (${sig})`].filter(Boolean).join(', ');
      const line = `${r.file}: ${r.format} ${r.os ?? '?'}/${r.arch ?? '?'}, SEA ${r.sea ? 'embedded' : 'missing'}, fuse ${r.fuse}${extra ? `, ${extra}` : ''}`;
      process.stdout.write(r.ok ? `${line}: ok\n` : `${line}\n${r.problems.map((p) => `  problem: ${p}\n`).join('')}`);
    }
  }
  return reports.every((r) => r.ok) ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main(process.argv.slice(2));
