import { isMap, isScalar, isSeq, parseDocument as yamlParseDocument, YAMLError } from 'yaml';
import { YamlSyntaxError } from './errors.js';

/** Where a document came from, so errors can name the file and absolute line. */
export interface ParseOptions {
  /** File name (or `<stdin>`) for error messages. */
  source?: string;
  /** 1-based index of the document in its stream. */
  document?: number;
  /** 1-based line of the document's first line in the file; default 1. */
  startLine?: number;
}

/** The parsed document: plain JSON-like data (null for an empty document). */
export interface ParsedDocument {
  /** The document's value as `yaml`'s `toJS()` would give it. */
  value: unknown;
  /** Whether the fast path handled it (false: the `yaml` package did); for benchmarks and tests. */
  fast: boolean;
  /** Plain scalars that YAML 1.1 (kubectl) reads differently from YAML 1.2, as read here: the 1.1 way. */
  yaml11: Yaml11Note[];
}

/** A plain scalar whose YAML 1.1 reading (kubectl's, so the API server's) differs from YAML 1.2's. */
export interface Yaml11Note {
  /** The scalar as written: `012`, `no`, `0b101`, `1_000`. */
  raw: string;
  /** What kubectl reads (and what this parser returns): 10, false, 5, 1000. */
  value: unknown;
  /** What a YAML 1.2 reader makes of it: the number 12, the string "no". */
  yaml12: unknown;
  /** Field path in the document (`spec.replicas`; `(document)` at the top). */
  path: string;
  /** 1-based line of the scalar within the parsed text. */
  line: number;
}

/**
 * Alias expansions allowed per document: real manifests use a handful, while a "billion laughs"
 * bomb needs thousands, so a small cap makes the attack fail fast.
 */
export const MAX_ALIAS_COUNT = 100;

/**
 * Deepest nesting of collections accepted in one document. Real manifests nest about 20 levels; a
 * document nested thousands of levels deep would otherwise overflow the parser's stack.
 */
export const MAX_NESTING_DEPTH = 256;

/**
 * Parses one YAML document to plain data the way kubectl reads it: YAML syntax from the `yaml`
 * package (unique keys, merge keys), plain scalars resolved as kubectl's YAML library (go-yaml v2,
 * YAML 1.1) resolves them, so `012` is 10, `no` is false and `1_000` is 1000 (see
 * {@link resolvePlain11}); every scalar read differently from YAML 1.2 is listed in `yaml11`.
 * Common Kubernetes-style YAML goes through a fast line-based parser; anything it does not fully
 * understand goes to the `yaml` package, with the same result.
 * Throws {@link YamlSyntaxError} with the absolute line and column on any error.
 */
export function parseDocument(text: string, opts: ParseOptions = {}): ParsedDocument {
  const notes: Yaml11Note[] = [];
  const fast = fastParse(text, notes);
  if (fast !== BAIL) return { value: fast, fast: true, yaml11: notes };
  notes.length = 0;
  return { value: slowParse(text, opts, notes), fast: false, yaml11: notes };
}

/** Parses with the fallback only (the `yaml` package plus YAML 1.1 scalars), for tests that compare the two paths. */
export function parseSlowOnly(text: string, opts: ParseOptions = {}): ParsedDocument {
  const notes: Yaml11Note[] = [];
  return { value: slowParse(text, opts, notes), fast: false, yaml11: notes };
}

/** Parses with the fast path only; returns `undefined` where the fallback would be needed (for tests and benchmarks). */
export function parseFastOnly(text: string): { value: unknown } | undefined {
  const v = fastParse(text, []);
  return v === BAIL ? undefined : { value: v };
}

// ---------------------------------------------------------------------------------------------
// Fallback: the `yaml` package, with its errors turned into located YamlSyntaxErrors.

function slowParse(text: string, opts: ParseOptions, notes: Yaml11Note[]): unknown {
  const file = opts.source ?? '<input>';
  const document = opts.document ?? 1;
  const lineBase = (opts.startLine ?? 1) - 1;
  const deep = tooDeepLine(text, MAX_NESTING_DEPTH);
  if (deep !== undefined) {
    throw new YamlSyntaxError(`collections nested more than ${MAX_NESTING_DEPTH} levels deep; not a Kubernetes manifest`, { file, document, line: lineBase + deep, column: 1 });
  }
  const doc = yamlParseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: true, version: '1.2', schema: 'core' });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? { line: 1, col: 1 };
    let reason = firstLine(err.message);
    if (err.code === 'DUPLICATE_KEY') {
      const key = keyAt(text, err.pos[0]);
      reason = `duplicate key ${JSON.stringify(key)} at line ${pos.line + lineBase} col ${pos.col}`;
    }
    throw new YamlSyntaxError(reason, { file, document, line: pos.line + lineBase, column: pos.col });
  }
  const bad = reresolve11(doc.contents, '', text, notes);
  if (bad) {
    const at = lineCol(text, bad.offset);
    throw new YamlSyntaxError(`${bad.raw} is ${bad.raw.toLowerCase().includes('nan') ? 'not a number' : 'an infinite number'} for kubectl, which cannot send it as JSON; quote it if a string is meant`, { file, document, line: at.line + lineBase, column: at.column });
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // toJS only throws for alias trouble (bombs, unresolved aliases); the doc start is the best location we have.
    const reason = e instanceof Error ? e.message : String(e);
    const extra = e instanceof YAMLError ? '' : /alias/i.test(reason) ? ` (more than ${MAX_ALIAS_COUNT} alias expansions; is this a "billion laughs" document?)` : '';
    throw new YamlSyntaxError(firstLine(reason) + extra, { file, document, line: lineBase + 1, column: 1 });
  }
}

/** 1-based line and column of an offset. */
function lineCol(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, column: offset - start + 1 };
}

/**
 * Re-resolves the plain scalars of a `yaml` document tree (composed with the 1.2 core schema) the
 * YAML 1.1 way, in place, recording each difference. Returns the first scalar kubectl cannot read
 * (.inf, .nan), if any.
 */
function reresolve11(node: unknown, path: string, text: string, notes: Yaml11Note[]): { raw: string; offset: number } | undefined {
  if (isScalar(node)) {
    if (node.type !== 'PLAIN' || node.tag || typeof node.source !== 'string') return undefined;
    const raw = node.source;
    // The merge key `<<` is syntax in both versions (go-yaml v2 merges too).
    if (raw === '<<') return undefined;
    const v11 = resolvePlain11(raw);
    if (typeof v11 === 'number' && !Number.isFinite(v11)) return { raw, offset: node.range?.[0] ?? 0 };
    if (!sameValue(v11, node.value)) notes.push({ raw, value: v11, yaml12: node.value, path: path || '(document)', line: lineCol(text, node.range?.[0] ?? 0).line });
    // (-0 becomes 0 as in Go, without a note: JSON has no -0.)
    if (!Object.is(v11, node.value)) node.value = v11;
    return undefined;
  }
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? pair.key.value : pair.key;
      const bad = reresolve11(pair.key, path, text, notes) ?? reresolve11(pair.value, path ? `${path}.${String(key)}` : String(key), text, notes);
      if (bad) return bad;
    }
    return undefined;
  }
  if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const bad = reresolve11(node.items[i], `${path}[${i}]`, text, notes);
      if (bad) return bad;
    }
  }
  return undefined;
}

function sameValue(a: unknown, b: unknown): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b));
}

function firstLine(message: string): string {
  // prettyErrors appends a source excerpt and a caret line; the location is in our own prefix.
  const cut = message.indexOf(' at line ');
  const head = cut === -1 ? message : message.slice(0, cut);
  const nl = head.indexOf('\n');
  return nl === -1 ? head : head.slice(0, nl);
}

/** The key text at `pos`, for a readable duplicate-key message. */
function keyAt(text: string, pos: number): string {
  const rest = text.slice(pos, pos + 200);
  const m = /^("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^:\n]*?)\s*:(?:\s|$)/.exec(rest);
  const raw = m?.[1] ?? rest.split('\n')[0] ?? '';
  if (raw.startsWith('"')) {
    try { return JSON.parse(raw) as string; } catch { return raw; }
  }
  if (raw.startsWith("'")) return raw.slice(1, -1).replace(/''/g, "'");
  return raw.trim();
}

// ---------------------------------------------------------------------------------------------
// Fast path. It never reports errors: on anything unusual it returns BAIL and the fallback decides,
// which keeps it small and keeps every message coming from one place.

const BAIL: unique symbol = Symbol('bail');
type Bail = typeof BAIL;

class BailError extends Error {}
const bailError = new BailError('bail');

// Characters the fast path refuses outright: tabs and CR (indentation and folding subtleties),
// control characters, and line/paragraph separators and BOMs that YAML treats specially.
const UNSUPPORTED_CHARS = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]/;

const SP = 32;
const HASH = 35;
const COLON = 58;
const DASH = 45;

function fastParse(text: string, notes: Yaml11Note[]): unknown | Bail {
  if (UNSUPPORTED_CHARS.test(text)) return BAIL;
  const parser = new FastParser(text, notes);
  fastNotes = parser;
  try {
    return parser.document();
  } catch (e) {
    if (e === bailError) return BAIL;
    throw e;
  } finally {
    fastNotes = undefined;
  }
}

/** The parser running now, for the scalar resolver of flow collections (plain functions) to report notes to. */
let fastNotes: FastParser | undefined;

/**
 * Resolves a plain scalar of the fast path the YAML 1.1 way, noting where YAML 1.2 would differ.
 * Values JSON cannot carry (.inf, .nan) go to the fallback, which reports them.
 */
function resolveFast(raw: string): unknown {
  const v = resolvePlain11(raw);
  if (v === raw) return v;
  if (typeof v === 'number' && !Number.isFinite(v)) bail();
  const v12 = resolvePlain(raw);
  if (v !== v12 && !(typeof v12 === 'number' && Number.isNaN(v12))) fastNotes?.note(raw, v);
  return v;
}

function bail(): never {
  throw bailError;
}

class FastParser {
  /** Collections open around the current node; past MAX_NESTING_DEPTH the fallback reports it. */
  private depth = 0;
  /** Keys and indexes from the root to the node being parsed (for notes). */
  private readonly path: (string | number)[] = [];
  /** Line being parsed (0-based), for notes. */
  private current = 0;
  private readonly lines: string[];
  /** Indentation of each line, or -1 for blank and comment-only lines. */
  private readonly indents: Int32Array;

  constructor(
    text: string,
    private readonly notes: Yaml11Note[],
  ) {
    const lines = text.split('\n');
    this.lines = lines;
    const indents = new Int32Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as string;
      let j = 0;
      while (l.charCodeAt(j) === SP) j++;
      indents[i] = j === l.length || l.charCodeAt(j) === HASH ? -1 : j;
    }
    this.indents = indents;
  }

  private line(i: number): string {
    return this.lines[i] as string;
  }

  /** Records a scalar read differently by YAML 1.1 and 1.2. */
  note(raw: string, value: unknown): void {
    let path = '';
    for (const p of this.path) path = typeof p === 'number' ? `${path}[${p}]` : path ? `${path}.${p}` : p;
    this.notes.push({ raw, value, yaml12: resolvePlain(raw), path: path || '(document)', line: this.current + 1 });
  }

  private indent(i: number): number {
    return this.indents[i] as number;
  }

  /** Index of the first content line at or after `i` (lines.length at the end). */
  private nextContent(i: number): number {
    const n = this.lines.length;
    while (i < n && this.indent(i) === -1) i++;
    return i;
  }

  document(): unknown {
    const n = this.lines.length;
    let i = this.nextContent(0);
    if (i < n) {
      const l = this.line(i);
      if (this.indent(i) === 0 && isMarker(l, '---')) {
        // `---` alone or with a comment; content after the marker (`--- !tag`, `--- {a: 1}`) goes to the fallback.
        if (!isEmptyRest(l, 3)) bail();
        i = this.nextContent(i + 1);
      }
    }
    if (i >= n) return null;
    const first = this.line(i);
    const c = first.charCodeAt(this.indent(i));
    if (c === 37 /* % */) bail();
    // Column-0 markers further down mean a second document or a document end: not ours to handle.
    for (let k = i; k < n; k++) {
      const l = this.line(k);
      const c0 = l.charCodeAt(0);
      if ((c0 === DASH || c0 === 46) && (isMarker(l, '---') || isMarker(l, '...'))) bail();
    }
    const [value, next] = this.blockNode(i, this.indent(i), -1);
    if (this.nextContent(next) < n) bail();
    return value;
  }

  /**
   * Parses the node whose first character is at (li, col) inside a block collection of
   * indentation `parent`; returns the value and the first line after it.
   */
  private blockNode(li: number, col: number, parent: number): [unknown, number] {
    const l = this.line(li);
    const c = l.charCodeAt(col);
    if (c === DASH && isSpaceOrEnd(l, col + 1)) return this.blockSeq(li, col);
    const key = this.mappingKey(l, col);
    if (key !== undefined) return this.blockMap(li, col);
    if (parent < 0 && col > 0) bail();
    // A scalar or flow node on this line; it must not continue onto the next lines.
    if (c === 124 /* | */ || c === 62 /* > */) {
      if (parent < 0) bail();
      return this.blockScalar(li, col, parent);
    }
    const [v, end] = this.inlineValue(l, col);
    if (end !== l.length) bail();
    const next = li + 1;
    const nc = this.nextContent(next);
    if (nc < this.lines.length && this.indent(nc) > parent) bail();
    return [v, next];
  }

  private blockSeq(li: number, s: number): [unknown[], number] {
    if (++this.depth > MAX_NESTING_DEPTH) bail();
    const r = this.blockSeqItems(li, s);
    this.depth--;
    return r;
  }

  private blockSeqItems(li: number, s: number): [unknown[], number] {
    const out: unknown[] = [];
    const n = this.lines.length;
    for (;;) {
      const l = this.line(li);
      let c = s + 1;
      while (l.charCodeAt(c) === SP) c++;
      let next: number;
      if (c >= l.length || l.charCodeAt(c) === HASH) {
        if (c < l.length && c === s + 1) bail();
        const j = this.nextContent(li + 1);
        if (j < n && this.indent(j) > s) {
          this.path.push(out.length);
          this.current = j;
          const [v, after] = this.blockNode(j, this.indent(j), s);
          this.path.pop();
          out.push(v);
          next = after;
        } else {
          out.push(null);
          next = li + 1;
        }
      } else {
        this.path.push(out.length);
        this.current = li;
        const [v, after] = this.blockNode(li, c, s);
        this.path.pop();
        out.push(v);
        next = after;
      }
      const j = this.nextContent(next);
      if (j >= n) return [out, j];
      const ind = this.indent(j);
      if (ind > s) bail();
      if (ind < s) return [out, j];
      const lj = this.line(j);
      if (lj.charCodeAt(s) !== DASH || !isSpaceOrEnd(lj, s + 1)) return [out, j];
      li = j;
    }
  }

  private blockMap(li: number, m: number): [Record<string, unknown>, number] {
    if (++this.depth > MAX_NESTING_DEPTH) bail();
    const r = this.blockMapEntries(li, m);
    this.depth--;
    return r;
  }

  private blockMapEntries(li: number, m: number): [Record<string, unknown>, number] {
    const out: Record<string, unknown> = {};
    const n = this.lines.length;
    for (;;) {
      const l = this.line(li);
      const key = this.mappingKey(l, m);
      if (key === undefined) bail();
      const [k, afterColon] = key;
      if (Object.hasOwn(out, k)) bail(); // the fallback reports the duplicate with its position
      let c = afterColon;
      while (l.charCodeAt(c) === SP) c++;
      let next: number;
      let value: unknown;
      this.path.push(k);
      this.current = li;
      if (c >= l.length || (l.charCodeAt(c) === HASH && c > afterColon)) {
        const j = this.nextContent(li + 1);
        if (j < n && this.indent(j) > m) {
          this.current = j;
          [value, next] = this.blockNode(j, this.indent(j), m);
        } else if (j < n && this.indent(j) === m && this.line(j).charCodeAt(m) === DASH && isSpaceOrEnd(this.line(j), m + 1)) {
          // Kubernetes style: a sequence at the same indentation as its key.
          [value, next] = this.blockSeq(j, m);
        } else {
          value = null;
          next = li + 1;
        }
      } else {
        const ch = l.charCodeAt(c);
        if (ch === 124 /* | */ || ch === 62 /* > */) {
          [value, next] = this.blockScalar(li, c, m);
        } else {
          const [v, end] = this.inlineValue(l, c);
          if (end !== l.length) bail();
          value = v;
          next = li + 1;
        }
      }
      this.path.pop();
      out[k] = value;
      const j = this.nextContent(next);
      if (j >= n) return [out, j];
      const ind = this.indent(j);
      if (ind > m) bail();
      if (ind < m) return [out, j];
      li = j;
    }
  }

  /**
   * If the line has an implicit key starting at `col`, returns the key (as the JS property name
   * `yaml` would produce) and the position after its colon; undefined if the line is not a key line.
   */
  private mappingKey(l: string, col: number): [string, number] | undefined {
    const c = l.charCodeAt(col);
    if (c === 34 /* " */ || c === 39 /* ' */) {
      const [s, end] = c === 34 ? doubleQuoted(l, col) : singleQuoted(l, col);
      let p = end;
      while (l.charCodeAt(p) === SP) p++;
      if (l.charCodeAt(p) !== COLON) return undefined;
      if (!isSpaceOrEnd(l, p + 1)) bail();
      if (p - col > 1000 || s === '__proto__') bail();
      return [s, p + 1];
    }
    // Find ": " or a final ":" before any " #" comment.
    let p = col;
    const len = l.length;
    for (;;) {
      p = l.indexOf(':', p);
      if (p === -1) return undefined;
      const h = l.indexOf(' #', col);
      if (h !== -1 && h < p) return undefined;
      if (p + 1 >= len || l.charCodeAt(p + 1) === SP) break;
      p++;
    }
    if (p === col) bail(); // empty key or `: x`
    if (isIndicatorStart(l, col)) bail();
    let e = p;
    while (l.charCodeAt(e - 1) === SP) e--;
    const raw = l.slice(col, e);
    if (raw.length > 1000 || raw === '<<' || raw === '__proto__') bail();
    // Keys that resolve to non-strings become String(value) in yaml; keep it simple and exact by bailing.
    if (resolvePlain11(raw) !== raw || resolvePlain(raw) !== raw) bail();
    return [raw, p + 1];
  }

  /** Block scalar (`|` or `>`) whose header is at (li, col) inside a collection of indentation `n`. */
  private blockScalar(li: number, col: number, n: number): [string, number] {
    const l = this.line(li);
    const literal = l.charCodeAt(col) === 124;
    let p = col + 1;
    let chomp = '';
    const h = l.charCodeAt(p);
    if (h === DASH || h === 43 /* + */) {
      chomp = l[p] as string;
      p++;
    }
    // Explicit indentation indicators are rare in input and subtle; leave them to the fallback.
    if (!isEmptyRest(l, p)) bail();
    const total = this.lines.length;
    // Content indentation comes from the first non-blank line.
    let first = li + 1;
    while (first < total && isBlank(this.line(first))) first++;
    let indent = 0;
    if (first < total) {
      const fl = this.line(first);
      while (fl.charCodeAt(indent) === SP) indent++;
    }
    let end = li + 1; // first line after the scalar
    const bodyLines: string[] = [];
    if (first < total && indent > n) {
      for (let k = li + 1; k < first; k++) if (this.line(k).length > indent) bail();
      end = first;
      while (end < total) {
        const t = this.line(end);
        if (isBlank(t)) {
          if (t.length > indent) bail(); // more-indented blank lines: rare and subtle
          end++;
          continue;
        }
        let ind = 0;
        while (t.charCodeAt(ind) === SP) ind++;
        if (ind < indent) break;
        end++;
      }
    } else {
      // No content: the scalar is empty, and the next line belongs to the parent.
      let k = li + 1;
      while (k < total && isBlank(this.line(k))) {
        if (this.line(k).length > Math.max(n, 0)) bail();
        k++;
      }
      if (chomp === '+') bail();
      return ['', li + 1];
    }
    // Lines [li+1, end) belong to the scalar; trailing blank lines are chomping material.
    let last = end - 1;
    while (last > li && isBlank(this.line(last))) last--;
    for (let k = li + 1; k <= last; k++) {
      const t = this.line(k);
      bodyLines.push(t.length > indent ? t.slice(indent) : '');
    }
    let value: string;
    if (literal) {
      value = bodyLines.join('\n');
    } else {
      value = foldLines(bodyLines);
    }
    let trailing = end - 1 - last;
    if (end === total) {
      // text.split('\n') leaves an empty last element after a final newline: not a blank line.
      const tail = this.line(total - 1);
      if (tail === '') trailing--;
      else if (trailing > 0 && chomp === '+') bail();
    }
    if (chomp === '-') {
      // nothing
    } else if (chomp === '+') {
      value += '\n' + '\n'.repeat(trailing);
    } else {
      value += '\n';
    }
    // With keep chomping the trailing blank lines are part of the value; otherwise they are just
    // blank lines of the parent. Either way the parent continues after them.
    return [value, end];
  }

  /**
   * Parses a flow or scalar value that must end on this line; returns the value and the end of the
   * line's meaningful text (line length when only a comment or spaces follow).
   */
  private inlineValue(l: string, col: number): [unknown, number] {
    const c = l.charCodeAt(col);
    let v: unknown;
    let end: number;
    if (c === 34 || c === 39) {
      [v, end] = c === 34 ? doubleQuoted(l, col) : singleQuoted(l, col);
    } else if (c === 91 /* [ */ || c === 123 /* { */) {
      [v, end] = flowCollection(l, col, this.depth + 1);
    } else {
      if (isIndicatorStart(l, col)) bail();
      let h = l.indexOf(' #', col);
      if (h === -1) h = l.length;
      let e = h;
      while (l.charCodeAt(e - 1) === SP) e--;
      const raw = l.slice(col, e);
      // `a: b: c` is an error in block context, and `key: value:` too; let the fallback say so.
      if (raw.includes(': ') || raw.charCodeAt(raw.length - 1) === COLON) bail();
      return [resolveFast(raw), l.length];
    }
    let p = end;
    while (l.charCodeAt(p) === SP) p++;
    if (p < l.length && !(l.charCodeAt(p) === HASH && p > end)) bail();
    return [v, l.length];
  }
}

function isBlank(l: string): boolean {
  for (let i = 0; i < l.length; i++) if (l.charCodeAt(i) !== SP) return false;
  return true;
}

function isMarker(l: string, m: string): boolean {
  return l.startsWith(m) && (l.length === 3 || l.charCodeAt(3) === SP);
}

function isSpaceOrEnd(l: string, i: number): boolean {
  return i >= l.length || l.charCodeAt(i) === SP;
}

/** Whether only spaces and perhaps a comment follow position `p`. */
function isEmptyRest(l: string, p: number): boolean {
  const start = p;
  while (l.charCodeAt(p) === SP) p++;
  return p >= l.length || (l.charCodeAt(p) === HASH && p > start);
}

/**
 * Whether a plain scalar may not start here: YAML indicators, plus `-`, `?` and `:` unless followed
 * by a non-space (e.g. `-1` or `-foo` are plain scalars).
 */
function isIndicatorStart(l: string, col: number): boolean {
  const c = l.charCodeAt(col);
  switch (c) {
    case 45: case 63: case 58: // - ? :
      return c !== 45 || isSpaceOrEnd(l, col + 1);
    case 44: case 91: case 93: case 123: case 125: case 35: case 38: case 42: case 33:
    case 124: case 62: case 39: case 34: case 37: case 64: case 96:
      return true;
    default:
      return false;
  }
}

/** Folds `>` block scalar lines, following yaml's resolveBlockScalar (lines already de-indented). */
function foldLines(lines: string[]): string {
  let value = '';
  let sep = '';
  let prevMoreIndented = false;
  for (const content of lines) {
    if (content.charCodeAt(0) === SP) {
      if (sep === ' ') sep = '\n';
      else if (!prevMoreIndented && sep === '\n') sep = '\n\n';
      value += sep + content;
      sep = '\n';
      prevMoreIndented = true;
    } else if (content === '') {
      if (sep === '\n') value += '\n';
      else sep = '\n';
    } else {
      value += sep + content;
      sep = ' ';
      prevMoreIndented = false;
    }
  }
  return value;
}

const ESCAPES: Record<string, string> = {
  '0': '\0', a: '\x07', b: '\b', e: '\x1b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029', ' ': ' ', '"': '"', '/': '/', '\\': '\\',
};

/** A double-quoted scalar that closes on the same line; returns the value and the position after the quote. */
function doubleQuoted(l: string, col: number): [string, number] {
  let res = '';
  let i = col + 1;
  let run = i;
  const len = l.length;
  for (;;) {
    if (i >= len) bail(); // continues on the next line
    const ch = l.charCodeAt(i);
    if (ch === 34) {
      res += l.slice(run, i);
      return [res, i + 1];
    }
    if (ch === 92 /* \ */) {
      res += l.slice(run, i);
      const next = l[i + 1];
      if (next === undefined) bail();
      const esc = ESCAPES[next];
      if (esc !== undefined) {
        res += esc;
        i += 2;
      } else if (next === 'x' || next === 'u' || next === 'U') {
        const n = next === 'x' ? 2 : next === 'u' ? 4 : 8;
        const hex = l.slice(i + 2, i + 2 + n);
        if (hex.length !== n || !/^[0-9a-fA-F]+$/.test(hex)) bail();
        const code = parseInt(hex, 16);
        if (code > 0x10ffff) bail();
        res += String.fromCodePoint(code);
        i += 2 + n;
      } else {
        bail();
      }
      run = i;
      continue;
    }
    i++;
  }
}

/** A single-quoted scalar that closes on the same line. */
function singleQuoted(l: string, col: number): [string, number] {
  let i = col + 1;
  let res = '';
  for (;;) {
    const q = l.indexOf("'", i);
    if (q === -1) bail();
    res += l.slice(i, q);
    if (l.charCodeAt(q + 1) === 39) {
      res += "'";
      i = q + 2;
      continue;
    }
    return [res, q + 1];
  }
}

/** A flow sequence or mapping that closes on the same line; returns the value and the position after it. */
function flowCollection(l: string, col: number, depth: number): [unknown, number] {
  if (depth > MAX_NESTING_DEPTH) bail();
  const seq = l.charCodeAt(col) === 91;
  const close = seq ? 93 : 125;
  let p = skipSpaces(l, col + 1);
  if (l.charCodeAt(p) === close) return [seq ? [] : {}, p + 1];
  const arr: unknown[] = [];
  const obj: Record<string, unknown> = {};
  for (;;) {
    let item: unknown;
    [item, p] = flowItem(l, p, depth);
    p = skipSpaces(l, p);
    if (seq) {
      if (l.charCodeAt(p) === COLON) bail(); // single-pair mapping inside a sequence
      arr.push(item);
    } else {
      if (typeof item !== 'string' || l.charCodeAt(p) !== COLON) bail();
      if (item === '__proto__' || item === '<<' || Object.hasOwn(obj, item)) bail();
      p++;
      if (!isSpaceOrEnd(l, p)) bail();
      p = skipSpaces(l, p);
      let v: unknown;
      [v, p] = flowItem(l, p, depth);
      p = skipSpaces(l, p);
      obj[item] = v;
    }
    const c = l.charCodeAt(p);
    if (c === close) return [seq ? arr : obj, p + 1];
    if (c !== 44 /* , */) bail();
    p = skipSpaces(l, p + 1);
    if (l.charCodeAt(p) === close) bail(); // trailing comma: legal, but leave it to the fallback
  }
}

/** One item inside a flow collection; keys must be strings, so a plain key resolving otherwise bails. */
function flowItem(l: string, p: number, depth: number): [unknown, number] {
  const c = l.charCodeAt(p);
  if (c === 34) return doubleQuoted(l, p);
  if (c === 39) return singleQuoted(l, p);
  if (c === 91 || c === 123) return flowCollection(l, p, depth + 1);
  const start = p;
  const len = l.length;
  while (p < len) {
    const ch = l.charCodeAt(p);
    if (ch === 44 || ch === 91 || ch === 93 || ch === 123 || ch === 125 || ch === COLON) break;
    if (ch === HASH && l.charCodeAt(p - 1) === SP) bail();
    if (ch === 34 || ch === 39 || ch === 38 || ch === 42 || ch === 33) bail();
    p++;
  }
  let e = p;
  while (l.charCodeAt(e - 1) === SP && e > start) e--;
  if (e === start || isIndicatorStart(l, start)) bail();
  const raw = l.slice(start, e);
  if (l.charCodeAt(p) === COLON) {
    if (resolvePlain11(raw) !== raw || resolvePlain(raw) !== raw) bail(); // non-string keys
    return [raw, p];
  }
  const v = resolveFast(raw);
  return [v, p];
}

function skipSpaces(l: string, p: number): number {
  while (l.charCodeAt(p) === SP) p++;
  return p;
}

const NULL_RE = /^(?:~|[Nn]ull|NULL)?$/;
const BOOL_RE = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const OCT_RE = /^0o[0-7]+$/;
const INT_RE = /^[-+]?[0-9]+$/;
const HEX_RE = /^0x[0-9a-fA-F]+$/;
const NANINF_RE = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const EXP_RE = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/;
const FLOAT_RE = /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/;

/** Resolves a plain scalar with the YAML 1.2 core schema exactly as yaml 2.x does (same tests, same order). */
export function resolvePlain(s: string): unknown {
  const c = s.charCodeAt(0);
  // Fast exit: everything non-string starts with one of these characters.
  const maybe = s.length === 0 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70 ||
    (c >= 48 && c <= 57) || c === 45 || c === 43 || c === 46;
  if (!maybe) return s;
  if (NULL_RE.test(s)) return null;
  if (BOOL_RE.test(s)) return s[0] === 't' || s[0] === 'T';
  if (OCT_RE.test(s)) return parseInt(s.substring(2), 8);
  if (INT_RE.test(s)) return parseInt(s, 10);
  if (HEX_RE.test(s)) return parseInt(s.substring(2), 16);
  if (NANINF_RE.test(s)) return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (EXP_RE.test(s)) return parseFloat(s);
  if (FLOAT_RE.test(s)) return parseFloat(s);
  return s;
}

/**
 * The 1-based line (within `text`) where collections first nest deeper than `limit`, or undefined.
 * A cheap over-estimate from the text alone, run before the `yaml` package (whose composer recurses
 * per level): block nesting from indentation and `- ` entries, flow nesting from brackets outside
 * quotes and comments.
 */
export function tooDeepLine(text: string, limit: number): number | undefined {
  const stack: number[] = [];
  let flow = 0;
  let line = 0;
  let pos = 0;
  const len = text.length;
  while (pos < len) {
    line++;
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = len;
    let i = pos;
    while (i < nl && (text.charCodeAt(i) === SP || text.charCodeAt(i) === 9)) i++;
    if (i < nl && text.charCodeAt(i) !== HASH) {
      if (flow === 0) {
        const indent = i - pos;
        while (stack.length && (stack[stack.length - 1] as number) > indent) stack.pop();
        if (!stack.length || (stack[stack.length - 1] as number) < indent) stack.push(indent);
        // `- - - x` and `- key: v` open a collection per entry on one line.
        while (text.charCodeAt(i) === DASH && (i + 1 === nl || text.charCodeAt(i + 1) === SP)) {
          i++;
          while (i < nl && text.charCodeAt(i) === SP) i++;
          stack.push(i - pos);
        }
      }
      let quote = 0;
      for (let k = i; k < nl; k++) {
        const c = text.charCodeAt(k);
        if (quote) {
          if (c === quote) quote = 0;
          else if (c === 92 && quote === 34) k++;
        } else if (c === 34 || c === 39) quote = c;
        else if (c === 91 || c === 123) flow++;
        else if ((c === 93 || c === 125) && flow > 0) flow--;
        else if (c === HASH && (k === pos || text.charCodeAt(k - 1) === SP)) break;
        if (stack.length + flow > limit) return line;
      }
    }
    if (stack.length + flow > limit) return line;
    pos = nl + 1;
  }
  return undefined;
}

// YAML 1.1 as kubectl reads it: sigs.k8s.io/yaml on go-yaml v2 (resolve.go). Checked against
// `kubectl label --local -f FILE -o json` (kubectl v1.32), see test/unit/yaml/yaml11.test.ts.
const MAP11: Record<string, unknown> = Object.assign(Object.create(null) as Record<string, unknown>, {
  y: true, Y: true, yes: true, Yes: true, YES: true, on: true, On: true, ON: true, true: true, True: true, TRUE: true,
  n: false, N: false, no: false, No: false, NO: false, off: false, Off: false, OFF: false, false: false, False: false, FALSE: false,
  '': null, '~': null, null: null, Null: null, NULL: null,
  '.nan': NaN, '.NaN': NaN, '.NAN': NaN,
  '.inf': Infinity, '.Inf': Infinity, '.INF': Infinity, '+.inf': Infinity, '+.Inf': Infinity, '+.INF': Infinity,
  '-.inf': -Infinity, '-.Inf': -Infinity, '-.INF': -Infinity,
});
const YAML_STYLE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
const DOT_FLOAT = /^\.[0-9]+(?:[eE][-+]?[0-9]+)?$/;
const GO_INT = /^([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|0([0-7]+)|([1-9][0-9]*|0))$/;
const UINT64_MAX = 18446744073709551615n;
const INT64_MIN = -9223372036854775808n;

/**
 * Resolves a plain (unquoted, untagged) scalar as kubectl does (go-yaml v2, YAML 1.1): booleans
 * y/n/yes/no/on/off in three spellings, nulls, `.inf`/`.nan`, and numbers read by Go's
 * `strconv.ParseInt(s, 0, 64)` after removing `_` (so `012` is octal 10, `0b101` is 5, `1_000` is
 * 1000), then as a float; anything else (timestamps, `1:30`, `tRUE`) stays a string.
 */
export function resolvePlain11(s: string): unknown {
  if (s === '') return null;
  const c = s.charCodeAt(0);
  let hint: 'M' | 'D' | '.' | undefined;
  if (c >= 48 && c <= 57) hint = 'D';
  else if (c === 43 || c === 45) hint = 'D';
  else if (c === 46) hint = '.';
  else if ('yYnNtTfFoO~'.includes(s[0] as string)) hint = 'M';
  if (hint === undefined) return s;
  if (s in MAP11) return MAP11[s];
  if (hint === 'M') return s;
  if (hint === '.') return DOT_FLOAT.test(s) ? finiteOr(Number(s), s) : s;
  const plain = s.includes('_') ? s.replace(/_/g, '') : s;
  const m = GO_INT.exec(plain);
  if (m) {
    const digits = m[2] ?? m[3] ?? m[4] ?? m[5] ?? m[6] ?? '0';
    const base = m[2] !== undefined ? 16 : m[3] !== undefined ? 2 : m[4] !== undefined || m[5] !== undefined ? 8 : 10;
    if (digits.length <= 12 && base !== 2) {
      const v = parseInt(digits, base);
      return m[1] === '-' ? (v === 0 ? 0 : -v) : v;
    }
    // Large values: Go's int64, then uint64 for positive ones; beyond that it is tried as a float.
    const prefix = base === 16 ? '0x' : base === 2 ? '0b' : base === 8 ? '0o' : '';
    const big = BigInt(prefix + digits) * (m[1] === '-' ? -1n : 1n);
    if (big >= INT64_MIN && big <= UINT64_MAX) return Number(big);
  }
  if (YAML_STYLE_FLOAT.test(plain)) {
    const f = Number(plain);
    return Number.isFinite(f) ? (f === 0 ? 0 : f) : s;
  }
  return s;
}

function finiteOr(n: number, s: string): unknown {
  return Number.isFinite(n) ? n : s;
}
