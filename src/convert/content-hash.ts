// Content addressing for generated objects: a stable hash of a JSON value, so that jobs needing the same
// generated TrainingRuntime get one name and share one object. The converter is pure (no node:crypto), so
// SHA-256 is computed here; a unit test checks it against node:crypto.

/**
 * JSON with object keys sorted recursively: equal content gives equal text whatever the key order. The text is
 * exactly `JSON.stringify` of a copy whose keys were inserted in sorted order (so, as JavaScript orders object
 * keys, integer-like keys first in numeric order). Only objects whose keys are out of order are copied: runtime
 * names and the shared-runtime registry hash this text for every job with a generated runtime.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

/** v with the keys of every object in sorted order; v itself (no copy) where they already are. */
function sortKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const x = sortKeys(v[i]);
      if (x !== v[i] && !out) out = v.slice(0, i);
      if (out) out.push(x);
    }
    return out ?? v;
  }
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj);
  // JSON.stringify lists array-index keys first in numeric order whatever the insertion order; the others in
  // insertion order, which must be sorted.
  let inOrder = true;
  let prev: string | undefined;
  for (const k of keys) {
    if (isIndexKey(k)) continue;
    if (prev !== undefined && prev > k) {
      inOrder = false;
      break;
    }
    prev = k;
  }
  if (!inOrder) {
    const out: Record<string, unknown> = {};
    for (const k of keys.sort()) out[k] = sortKeys(obj[k]);
    return out;
  }
  let out: Record<string, unknown> | undefined;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const x = sortKeys(obj[k]);
    if (x !== obj[k] && !out) {
      out = {};
      for (let j = 0; j < i; j++) out[keys[j]!] = obj[keys[j]!];
    }
    if (out) out[k] = x;
  }
  return out ?? v;
}

/** Whether a key is an array index (`0` .. `4294967294`): JavaScript enumerates those first, in numeric order. */
function isIndexKey(k: string): boolean {
  const c = k.charCodeAt(0);
  if (c < 48 || c > 57) return false;
  return /^(?:0|[1-9][0-9]*)$/.test(k) && Number(k) < 4294967295;
}

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
  0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
  0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
  0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

const UTF8 = new TextEncoder();

/**
 * SHA-256 of a string's UTF-8 bytes, as 64 lower-case hex digits. Written for speed (local variables, bytes read
 * directly, one buffer): generated runtimes are hashed for every job that needs one.
 */
export function sha256Hex(text: string): string {
  // UTF-8 needs at most 3 bytes per UTF-16 code unit; the zeroed tail holds the padding.
  const room = text.length * 3;
  const buf = new Uint8Array(((room + 9 + 63) >> 6) << 6);
  const length = UTF8.encodeInto(text, buf).written;
  const blocks = (length + 9 + 63) >> 6;
  const end = blocks << 6;
  buf[length] = 0x80;
  const bitsHigh = Math.floor(length / 0x20000000);
  const bitsLow = (length << 3) >>> 0;
  buf[end - 8] = bitsHigh >>> 24;
  buf[end - 7] = bitsHigh >>> 16;
  buf[end - 6] = bitsHigh >>> 8;
  buf[end - 5] = bitsHigh;
  buf[end - 4] = bitsLow >>> 24;
  buf[end - 3] = bitsLow >>> 16;
  buf[end - 2] = bitsLow >>> 8;
  buf[end - 1] = bitsLow;
  let h0 = 0x6a09e667 | 0;
  let h1 = 0xbb67ae85 | 0;
  let h2 = 0x3c6ef372 | 0;
  let h3 = 0xa54ff53a | 0;
  let h4 = 0x510e527f | 0;
  let h5 = 0x9b05688c | 0;
  let h6 = 0x1f83d9ab | 0;
  let h7 = 0x5be0cd19 | 0;
  const w = new Int32Array(64);
  for (let off = 0; off < end; off += 64) {
    for (let i = 0, j = off; i < 16; i++, j += 4) w[i] = (buf[j]! << 24) | (buf[j + 1]! << 16) | (buf[j + 2]! << 8) | buf[j + 3]!;
    for (let i = 16; i < 64; i++) {
      const x = w[i - 15]!;
      const y = w[i - 2]!;
      const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
      const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h0;
    let b = h1;
    let c = h2;
    let d = h3;
    let e = h4;
    let f = h5;
    let g = h6;
    let h = h7;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + K[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + S0 + maj) | 0;
    }
    h0 = (h0 + a) | 0;
    h1 = (h1 + b) | 0;
    h2 = (h2 + c) | 0;
    h3 = (h3 + d) | 0;
    h4 = (h4 + e) | 0;
    h5 = (h5 + f) | 0;
    h6 = (h6 + g) | 0;
    h7 = (h7 + h) | 0;
  }
  return hex8(h0) + hex8(h1) + hex8(h2) + hex8(h3) + hex8(h4) + hex8(h5) + hex8(h6) + hex8(h7);
}

function hex8(x: number): string {
  return (x >>> 0).toString(16).padStart(8, '0');
}

/** Hex digits of the content hash in a generated runtime's name (40 bits: collisions need ~10^6 distinct runtimes in one namespace). */
export const CONTENT_HASH_LENGTH = 10;

/** The short content hash of a JSON value: the first CONTENT_HASH_LENGTH hex digits of SHA-256 of its canonical JSON. */
export function contentHash(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, CONTENT_HASH_LENGTH);
}

/**
 * The full SHA-256 (64 hex digits) of what names a generated runtime: its labels, annotations and spec (not its
 * name or namespace). Its first CONTENT_HASH_LENGTH digits are the hash in the name; the shared-runtime registry
 * compares the whole digest to tell two runtimes of one name apart.
 */
export function runtimeContentDigest(runtime: { metadata?: { labels?: unknown; annotations?: unknown }; spec?: unknown }): string {
  return sha256Hex(canonicalJson({ labels: runtime.metadata?.labels, annotations: runtime.metadata?.annotations, spec: runtime.spec }));
}
