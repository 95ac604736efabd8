import { YamlSyntaxError } from './errors.js';
import { utf8Length } from '../text/utf8.js';

/** One YAML document cut out of a stream, with enough position data to report errors in file terms. */
export interface YamlDocumentText {
  /** The document's source, starting at its `---` line when it has one; CRLF is normalised to LF. */
  text: string;
  /** 1-based index of the document in the stream. */
  index: number;
  /** 1-based line in the file where `text` starts. */
  startLine: number;
  /** Whether the document is one object of a JSON stream (`{...}{...}`, read as kubectl reads JSON). */
  json?: boolean;
}

/** Options shared by the streaming and the in-memory splitter. */
export interface SplitOptions {
  /** Name used in error messages (a file path or `<stdin>`). */
  source?: string;
  /** Largest accepted document in bytes of UTF-8; default 64 MiB. */
  maxDocumentBytes?: number;
}

/** Deepest nesting accepted in a JSON stream (as MAX_NESTING_DEPTH for YAML). */
const MAX_JSON_DEPTH = 256;

/** Default cap on one document, large enough for any real manifest and small enough to fail before memory runs out. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 64 * 1024 * 1024;

const NL = 10;
const CR = 13;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const DASH = 45;
const DOT = 46;
const PERCENT = 37;

/**
 * Incremental document splitter: text goes in chunk by chunk, finished documents come out.
 * Only whole lines are examined, so a marker split across two chunks is seen once the line completes.
 */
class Splitter {
  private buf = '';
  /** Start of the current document in `buf`. */
  private docStart = 0;
  private docStartLine = 1;
  /** Whether the current document began with an explicit `---` line. */
  private docHasMarker = false;
  /** Whether the current (marker-less) segment has a line other than blanks and comments. */
  private docHasContent = false;
  /** Whether the marker-less preamble has a `%` directive, which belongs to the next document. */
  private docHasDirective = false;
  /** Start of the first line not yet examined. */
  private scanPos = 0;
  /** 1-based line number of `scanPos`. */
  private line = 1;
  private index = 0;
  private readonly source: string;
  private readonly maxBytes: number;
  /** Undecided until the first non-blank character: `{` makes the stream a JSON stream, as in kubectl. */
  private json: boolean | undefined;
  private jsonDepth = 0;
  private jsonString = false;
  private jsonEscape = false;

  constructor(opts: SplitOptions) {
    this.source = opts.source ?? '<input>';
    this.maxBytes = opts.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  }

  /** Line and column of position `pos` in `buf` (at or after `scanPos`), for error messages. */
  locate(pos: number): { line: number; column: number } {
    let line = this.line;
    let lineStart = this.scanPos;
    for (let i = this.buf.indexOf('\n', this.scanPos); i !== -1 && i < pos; i = this.buf.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    return { line, column: pos - lineStart + 1 };
  }

  /** 1-based index of the document being read (the one a decoding error falls into). */
  currentDocument(): number {
    return this.index + 1;
  }

  /** Line number just after everything pushed so far (used to place decoding errors). */
  endLocation(): { line: number; column: number } {
    return this.locate(this.buf.length);
  }

  private fail(reason: string, line: number, column: number): never {
    throw new YamlSyntaxError(reason, { file: this.source, document: this.index + 1, line, column });
  }

  push(chunk: string, out: YamlDocumentText[]): void {
    const nul = chunk.indexOf('\0');
    this.buf = this.docStart > 0 ? this.buf.slice(this.docStart) + chunk : this.buf + chunk;
    this.scanPos -= this.docStart;
    this.docStart = 0;
    if (nul !== -1) {
      const at = this.locate(this.buf.length - chunk.length + nul);
      this.fail('NUL byte (\\0) in input; YAML text must not contain NUL characters', at.line, at.column);
    }
    if (this.json === undefined) {
      const m = /[^ \t\r\n]/.exec(this.buf);
      if (m) this.json = m[0] === '{';
    }
    if (this.json) this.scanJson(out);
    // Not `else`: a stream that stops being JSON after its first object goes on as YAML.
    if (this.json === false) this.scan(false, out);
    if (this.buf.length - this.docStart > this.maxBytes) {
      // Characters never outnumber UTF-8 bytes, so this is already over the byte limit.
      this.fail(`document is larger than the limit of ${this.maxBytes} bytes`, this.docStartLine, 1);
    }
  }

  end(out: YamlDocumentText[]): void {
    if (this.json) {
      // An unfinished object still goes out, so the parser names what is wrong with it.
      if (this.docHasContent) this.emit(this.buf.length, out);
      this.buf = '';
      this.docStart = 0;
      this.scanPos = 0;
      return;
    }
    this.scan(true, out);
    if (this.docHasMarker || this.docHasContent) this.emit(this.buf.length, out);
    this.buf = '';
    this.docStart = 0;
    this.scanPos = 0;
  }

  private scan(atEnd: boolean, out: YamlDocumentText[]): void {
    const buf = this.buf;
    let pos = this.scanPos;
    let line = this.line;
    const len = buf.length;
    while (pos < len) {
      const nl = buf.indexOf('\n', pos);
      if (nl === -1 && !atEnd) break;
      const lineEnd = nl === -1 ? len : nl;
      const next = nl === -1 ? len : nl + 1;
      const c = buf.charCodeAt(pos);
      if ((c === DASH || c === DOT) && lineEnd - pos >= 3 && buf.charCodeAt(pos + 1) === c && buf.charCodeAt(pos + 2) === c && isMarkerEnd(buf, pos + 3, lineEnd)) {
        if (c === DASH) {
          if (this.docHasMarker || this.docHasContent) {
            this.emit(pos, out);
            this.docStart = pos;
            this.docStartLine = line;
          } else if (!this.docHasDirective) {
            // A preamble of comments only is not a document; the next one starts at its marker.
            this.docStart = pos;
            this.docStartLine = line;
          }
          this.docHasMarker = true;
          this.docHasContent = false;
          this.docHasDirective = false;
        } else {
          if (this.docHasMarker || this.docHasContent) this.emit(pos, out);
          this.docStart = next;
          this.docStartLine = line + 1;
          this.docHasMarker = false;
          this.docHasContent = false;
          this.docHasDirective = false;
        }
      } else if (!this.docHasMarker && !this.docHasContent) {
        const first = firstNonSpace(buf, pos, lineEnd);
        if (first < lineEnd) {
          const fc = buf.charCodeAt(first);
          if (fc === PERCENT && first === pos) this.docHasDirective = true;
          else if (fc !== HASH && fc !== CR) this.docHasContent = true;
        }
      }
      pos = next;
      if (nl !== -1) line++;
    }
    this.scanPos = pos;
    this.line = line;
  }

  /**
   * JSON stream mode (the input starts with `{`): each top-level value is one document, as kubectl's
   * JSON decoder reads `{...}{...}` or one object per line. Strings are skipped with their escapes;
   * nesting deeper than MAX_JSON_DEPTH is refused here, before any parser recurses into it.
   */
  private scanJson(out: YamlDocumentText[]): void {
    const buf = this.buf;
    let pos = this.scanPos;
    let line = this.line;
    const len = buf.length;
    for (; pos < len; pos++) {
      const c = buf.charCodeAt(pos);
      if (c === NL) line++;
      if (this.jsonString) {
        if (this.jsonEscape) this.jsonEscape = false;
        else if (c === 92) this.jsonEscape = true;
        else if (c === 34) this.jsonString = false;
        continue;
      }
      if (c === 34) {
        if (this.jsonDepth === 0 && this.switchToYaml(pos, line)) return;
        if (this.jsonDepth === 0) this.fail('a JSON stream holds objects; found a string between them', line, pos - buf.lastIndexOf('\n', pos - 1));
        this.jsonString = true;
      } else if (c === 123 || c === 91) {
        if (this.jsonDepth === 0) {
          this.docStart = pos;
          this.docStartLine = line;
          this.docHasContent = true;
        }
        if (++this.jsonDepth > MAX_JSON_DEPTH) this.fail(`JSON nested more than ${MAX_JSON_DEPTH} levels deep; not a Kubernetes manifest`, line, pos - buf.lastIndexOf('\n', pos - 1));
      } else if (c === 125 || c === 93) {
        if (this.jsonDepth === 0) this.fail(`unexpected "${String.fromCharCode(c)}" in a JSON stream`, line, pos - buf.lastIndexOf('\n', pos - 1));
        if (--this.jsonDepth === 0) {
          this.line = line;
          this.emit(pos + 1, out);
          this.docHasContent = false;
          this.docStart = pos + 1;
          this.docStartLine = line;
        }
      } else if (this.jsonDepth === 0 && c !== SPACE && c !== TAB && c !== NL && c !== CR) {
        if (this.switchToYaml(pos, line)) return;
        this.fail(`unexpected "${String.fromCharCode(c)}" between the objects of a JSON stream`, line, pos - buf.lastIndexOf('\n', pos - 1));
      }
    }
    this.scanPos = pos;
    this.line = line;
  }

  /**
   * kubectl's YAMLOrJSONDecoder reads a stream that starts with `{` as JSON, but while it has decoded at most
   * one object a failure switches it to YAML for the rest (so `{...}` then `---` and more documents is read,
   * as tools that join JSON objects with `---` expect); after two objects the stream is JSON for good. Here
   * the switch happens at a `---` line after the first object.
   */
  private switchToYaml(pos: number, line: number): boolean {
    if (this.index > 1) return false;
    const lineStart = this.buf.lastIndexOf('\n', pos - 1) + 1;
    if (lineStart < this.docStart) return false;
    // Only a document marker switches here: other text after an object is what kubectl's YAML decoder would
    // refuse as well, and the JSON error names it better.
    if (pos !== lineStart || !this.buf.startsWith('---', pos)) return false;
    this.json = false;
    this.docStart = lineStart;
    this.docStartLine = line;
    this.docHasMarker = false;
    this.docHasContent = false;
    this.docHasDirective = false;
    this.scanPos = lineStart;
    this.line = line;
    return true;
  }

  private emit(end: number, out: YamlDocumentText[]): void {
    let text = this.buf.slice(this.docStart, end);
    if (text.length * 3 > this.maxBytes && utf8Length(text) > this.maxBytes) {
      this.fail(`document is larger than the limit of ${this.maxBytes} bytes`, this.docStartLine, 1);
    }
    if (text.includes('\r')) text = text.replace(/\r\n/g, '\n');
    this.index++;
    out.push(this.json ? { text, index: this.index, startLine: this.docStartLine, json: true } : { text, index: this.index, startLine: this.docStartLine });
  }
}

/** A marker is `---`/`...` followed by end of line or whitespace; `---word` is ordinary content. */
function isMarkerEnd(buf: string, i: number, lineEnd: number): boolean {
  if (i >= lineEnd) return true;
  const c = buf.charCodeAt(i);
  return c === SPACE || c === TAB || c === CR;
}

function firstNonSpace(buf: string, pos: number, end: number): number {
  while (pos < end) {
    const c = buf.charCodeAt(pos);
    if (c !== SPACE && c !== TAB) break;
    pos++;
  }
  return pos;
}

/**
 * Splits an in-memory YAML stream into documents at column-0 `---` and `...` markers.
 * A leading BOM is dropped; a preamble holding only comments is not a document.
 */
export function splitDocuments(text: string, opts: SplitOptions = {}): YamlDocumentText[] {
  const out: YamlDocumentText[] = [];
  const splitter = new Splitter(opts);
  splitter.push(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, out);
  splitter.end(out);
  return out;
}

/**
 * Reads a byte stream (a Node Readable such as a file or stdin) chunk by chunk and yields its YAML
 * documents one at a time, so memory stays flat in the length of the stream.
 * Throws {@link YamlSyntaxError} on invalid UTF-8, NUL bytes, or a document over the size limit.
 */
export async function* readDocuments(input: AsyncIterable<Uint8Array | string>, opts: SplitOptions = {}): AsyncGenerator<YamlDocumentText> {
  const source = opts.source ?? '<input>';
  const splitter = new Splitter(opts);
  // Decoding is done per chunk without the decoder's own streaming mode, so that on an error we
  // know exactly which bytes were rejected; an incomplete sequence at a chunk end is carried over.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry: Uint8Array | null = null;
  let bytesBefore = 0;
  let first = true;
  const out: YamlDocumentText[] = [];
  for await (const chunk of input) {
    let text: string;
    if (typeof chunk === 'string') {
      text = chunk;
    } else {
      let bytes: Uint8Array = chunk;
      if (carry) {
        const joined = new Uint8Array(carry.length + bytes.length);
        joined.set(carry);
        joined.set(bytes, carry.length);
        bytes = joined;
        carry = null;
      }
      const cut = completeUtf8Prefix(bytes);
      if (cut < bytes.length) {
        carry = bytes.slice(cut);
        bytes = bytes.subarray(0, cut);
      }
      text = decodeOrFail(decoder, bytes, bytesBefore, splitter, source);
      bytesBefore += bytes.length;
    }
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      first = false;
    }
    splitter.push(text, out);
    if (out.length > 0) {
      yield* out;
      out.length = 0;
    }
  }
  if (carry) {
    const at = splitter.endLocation();
    throw new YamlSyntaxError(`invalid UTF-8: input ends inside a multi-byte sequence at byte offset ${bytesBefore}`, {
      file: source, document: splitter.currentDocument(), line: at.line, column: at.column,
    });
  }
  splitter.end(out);
  yield* out;
}

/** Length of the longest prefix of `bytes` that does not end inside a UTF-8 multi-byte sequence. */
function completeUtf8Prefix(bytes: Uint8Array): number {
  const len = bytes.length;
  let i = len - 1;
  const stop = Math.max(0, len - 4);
  while (i >= stop && ((bytes[i] ?? 0) & 0xc0) === 0x80) i--;
  if (i < 0) return len;
  const lead = bytes[i] ?? 0;
  const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc0 ? 2 : 1;
  return len - i < need && lead >= 0xc0 && lead <= 0xf4 ? i : len;
}

function decodeOrFail(decoder: TextDecoder, bytes: Uint8Array, bytesBefore: number, splitter: Splitter, source: string): string {
  try {
    return decoder.decode(bytes);
  } catch {
    const bad = firstInvalidUtf8(bytes);
    // (lastIndexOf with a negative start would search from the end, hence the guard.)
    const lineStart = bad === 0 ? 0 : bytes.lastIndexOf(NL, bad - 1) + 1;
    // Lines before this chunk come from the splitter; columns count characters, as editors do.
    const before = new TextDecoder('utf-8').decode(bytes.subarray(0, lineStart));
    const base = splitter.endLocation();
    let line = base.line;
    for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
    const col = new TextDecoder('utf-8').decode(bytes.subarray(lineStart, bad)).length + 1;
    const column = lineStart === 0 ? base.column + col - 1 : col;
    const byte = (bytes[bad] ?? 0).toString(16).padStart(2, '0');
    throw new YamlSyntaxError(`invalid UTF-8 byte 0x${byte} at byte offset ${bytesBefore + bad}; the input must be UTF-8 text`, {
      file: source, document: splitter.currentDocument(), line, column,
    });
  }
}

/** Offset of the first byte a strict UTF-8 decoder rejects (WHATWG rules: no overlongs, surrogates or > U+10FFFF). */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i] ?? 0;
    if (c < 0x80) { i++; continue; }
    let need: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) need = 1;
    else if (c >= 0xe0 && c <= 0xef) { need = 2; if (c === 0xe0) lo = 0xa0; if (c === 0xed) hi = 0x9f; }
    else if (c >= 0xf0 && c <= 0xf4) { need = 3; if (c === 0xf0) lo = 0x90; if (c === 0xf4) hi = 0x8f; }
    else return i;
    for (let k = 1; k <= need; k++) {
      const d = b[i + k];
      if (d === undefined) return i;
      if (k === 1 ? d < lo || d > hi : (d & 0xc0) !== 0x80) return i;
    }
    i += need + 1;
  }
  return n;
}
