/**
 * A fast emitter for plain JSON data, shaped like `kubectl get -o yaml`: block style, 2-space
 * indentation, sequences not indented under their key, keys in insertion order, strings quoted
 * only when they would otherwise read back as something else.
 */

/** Renders a JSON value as one YAML document (without a `---` line), ending in a newline. */
export function toYaml(value: unknown): string {
  if (isCollection(value)) {
    if (isEmpty(value)) return (Array.isArray(value) ? '[]' : '{}') + '\n';
    return Array.isArray(value) ? emitSeq(value, '', 0) : emitMap(value as Record<string, unknown>, '', 0);
  }
  // A top-level block scalar has no parent indentation to hang from; quote instead.
  if (typeof value === 'string' && value.includes('\n')) return doubleQuote(value) + '\n';
  return scalar(value) + '\n';
}

type Json = unknown;

function isCollection(v: Json): v is object {
  return typeof v === 'object' && v !== null;
}

function isEmpty(v: object): boolean {
  if (Array.isArray(v)) return v.length === 0;
  for (const k in v) if ((v as Record<string, unknown>)[k] !== undefined) return false;
  return true;
}

/** Emits a mapping whose keys start at `indent` (a string of spaces, `level` wide); the first key gets no indent (the caller placed it). */
function emitMap(obj: Record<string, unknown>, indent: string, level: number): string {
  let out = '';
  let first = true;
  for (const k in obj) {
    if (!Object.hasOwn(obj, k)) continue;
    const v = obj[k];
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') continue;
    if (!first) out += indent;
    first = false;
    out += key(k) + ':';
    out += value(v, indent, level, true);
  }
  return out;
}

function emitSeq(arr: unknown[], indent: string, level: number): string {
  let out = '';
  for (let i = 0; i < arr.length; i++) {
    let v = arr[i];
    // JSON.stringify turns holes and undefined into null; do the same.
    if (v === undefined || typeof v === 'function' || typeof v === 'symbol') v = null;
    if (i > 0) out += indent;
    out += '-';
    out += value(v, indent, level, false);
  }
  return out;
}

/**
 * The text after `key:` or `-`, through the end of the line(s). `indent`/`level` are those of the
 * collection holding the value; nested collections go two spaces deeper, except that a sequence
 * under a mapping key stays at the key's indentation (kubectl style).
 */
function value(v: unknown, indent: string, level: number, inMap: boolean): string {
  if (isCollection(v)) {
    if (isEmpty(v)) return Array.isArray(v) ? ' []\n' : ' {}\n';
    if (Array.isArray(v)) {
      if (inMap) return '\n' + indent + emitSeq(v, indent, level);
      // A sequence in a sequence starts on the same line: `- - a`.
      const inner = indent + '  ';
      return ' ' + emitSeq(v, inner, level + 2);
    }
    const inner = indent + '  ';
    if (inMap) return '\n' + inner + emitMap(v as Record<string, unknown>, inner, level + 2);
    return ' ' + emitMap(v as Record<string, unknown>, inner, level + 2);
  }
  if (typeof v === 'string' && v.includes('\n')) {
    const block = blockLiteral(v, indent + '  ');
    if (block !== undefined) return ' ' + block;
  }
  return ' ' + scalar(v) + '\n';
}

function scalar(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      if (Number.isFinite(v)) return String(v);
      return Number.isNaN(v) ? '.nan' : v > 0 ? '.inf' : '-.inf';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    default:
      if (v === null || v === undefined) return 'null';
      throw new TypeError(`toYaml: cannot emit a value of type ${typeof v}`);
  }
}

// Strings made only of these characters, not starting with `-`, are plain unless they look like
// another type; this regex is the hot path, so it is deliberately narrow.
const SAFE_PLAIN = /^[A-Za-z_/][A-Za-z0-9_./=@%+-]*$/;
// YAML 1.1 and 1.2 booleans and nulls, in any case: kubectl and Go read YAML 1.1-ish.
const BOOLISH = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;
// Anything starting like a number (ints, floats, hex, octal, 1.1 sexagesimal, dates, .inf/.nan).
const NUMBERISH = /^[-+]?(?:[0-9]|\.[0-9]|\.(?:inf|nan)$)/i;
// Characters that need a double-quoted escape: controls, DEL, C1, line/paragraph separators,
// BOM, non-characters, and lone surrogates.
const NEEDS_ESCAPE = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function str(s: string): string {
  if (SAFE_PLAIN.test(s)) {
    if (BOOLISH.test(s) || s === '=' ) return singleQuote(s);
    return s;
  }
  if (NEEDS_ESCAPE.test(s) || s.includes('\t')) return doubleQuote(s);
  if (needsQuotes(s)) return singleQuote(s);
  return s;
}

/** Whether a string free of special characters must still be quoted to read back as the same string. */
function needsQuotes(s: string): boolean {
  if (s === '' || BOOLISH.test(s) || NUMBERISH.test(s) || s === '=' || s === '<<') return true;
  const c = s.charCodeAt(0);
  const last = s.charCodeAt(s.length - 1);
  if (c === 32 || last === 32) return true;
  // Indicators may not start a plain scalar; `-` may when followed by a non-space, except `---`.
  if ('?:,[]{}#&*!|>\'"%@`'.includes(s[0] as string)) return true;
  if (c === 45 && (s.length === 1 || s.charCodeAt(1) === 32 || s.startsWith('---'))) return true;
  if (s.startsWith('...')) return true;
  if (s.includes(': ') || s.includes(' #') || last === 58 /* : */) return true;
  return false;
}

function singleQuote(s: string): string {
  return "'" + s.replace(/'/g, "''") + "'";
}

const ESCAPE_NAMES: Record<number, string> = {
  0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\e', 34: '\\"', 92: '\\\\',
  0x85: '\\N', 0xa0: '\\_', 0x2028: '\\L', 0x2029: '\\P',
};

/** Double-quoted with YAML escapes; printable Unicode is kept as is. */
export function doubleQuote(s: string): string {
  let out = '"';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    let esc: string | undefined;
    if (c < 0x20 || c === 34 || c === 92 || (c >= 0x7f && c <= 0xa0) || c === 0x2028 || c === 0x2029 || c === 0xfeff || c === 0xfffe || c === 0xffff) {
      esc = ESCAPE_NAMES[c] ?? (c < 0x100 ? '\\x' + hex(c, 2) : '\\u' + hex(c, 4));
    } else if (c >= 0xd800 && c <= 0xdfff) {
      const d = s.charCodeAt(i + 1);
      if (c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
      esc = '\\u' + hex(c, 4); // lone surrogate: only an escape can carry it
    }
    if (esc !== undefined) {
      out += s.slice(run, i) + esc;
      run = i + 1;
    }
  }
  return out + s.slice(run) + '"';
}

function hex(c: number, width: number): string {
  return c.toString(16).toUpperCase().padStart(width, '0');
}

/**
 * A literal block scalar (`|`, `|-`, `|+`) for a multi-line string, or undefined when one could not
 * carry the string exactly (escapes needed, trailing spaces, whitespace-only first line).
 * `indent` is the content indentation, two spaces deeper than the holding collection.
 */
function blockLiteral(s: string, indent: string): string | undefined {
  if (NEEDS_ESCAPE.test(s.replace(/\n/g, ''))) return undefined;
  let trailing = 0;
  while (trailing < s.length && s.charCodeAt(s.length - 1 - trailing) === 10) trailing++;
  const body = s.slice(0, s.length - trailing);
  const lines = body.split('\n');
  const firstLine = lines[0] as string;
  if (firstLine.trim() === '') return undefined;
  for (const l of lines) {
    const e = l.charCodeAt(l.length - 1);
    if (e === 32 || e === 9) return undefined;
  }
  // Leading whitespace on the first line would be taken as indentation: say the width explicitly.
  const first = firstLine.charCodeAt(0);
  let header = first === 32 || first === 9 ? '|2' : '|';
  header += trailing === 0 ? '-' : trailing === 1 ? '' : '+';
  let out = header + '\n';
  for (const l of lines) out += l === '' ? '\n' : indent + l + '\n';
  for (let i = 1; i < trailing; i++) out += '\n';
  return out;
}

function key(k: string): string {
  const s = str(k);
  if (s.length > 1000) throw new RangeError(`toYaml: mapping key of ${k.length} characters is longer than YAML allows for an implicit key`);
  return s;
}
