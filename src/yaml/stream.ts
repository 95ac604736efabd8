import { YamlSyntaxError } from './errors.js';
import { utf8Length } from '../text/utf8.js';

/** One YAML document cut out of a stream, with enough position data to report errors in file terms. */
export interface YamlDocumentText {
  /** Unset: a whole document (see {@link YamlStreamPart}). */
  part?: undefined;
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
  /** Largest accepted document in bytes of UTF-8; default 64 MiB. For a document read item by item: the largest item. */
  maxDocumentBytes?: number;
  /**
   * Read a document item by item once more than this many characters of it are held and it has a
   * top-level `items` sequence (a kubectl List): its items come out as {@link YamlListItemText}s as they
   * are read, then its other keys as a {@link YamlListRestText}. Unset: documents are always whole.
   */
  listItemsAbove?: number;
}

/** One item of a document's top-level `items` sequence, cut out while the document is read item by item. */
export interface YamlListItemText {
  part: 'item';
  /** 1-based index of the document in the stream. */
  index: number;
  /** 0-based position of the item in `items`. */
  item: number;
  /**
   * YAML: the item's lines at their original columns, starting with its `- ` entry line (parse it after an
   * `items:` line to keep the sequence context). JSON: the value's text between its separators.
   */
  text: string;
  /** 1-based line in the file where `text` starts. */
  startLine: number;
  json?: boolean;
}

/** The rest of a document read item by item: everything but the items, and the document's size. */
export interface YamlListRestText {
  part: 'rest';
  /** 1-based index of the document in the stream. */
  index: number;
  /** How many items came before. */
  items: number;
  /** YAML: the lines before the `items:` line. JSON: the text before the items array's `[`. */
  head: string;
  headStartLine: number;
  /** YAML: the lines after the items sequence. JSON: the text after the items array's `]`. */
  tail: string;
  tailStartLine: number;
  /** Lines of the whole document (as a whole document's text would count them). */
  lines: number;
  json?: boolean;
}

/** What {@link readDocumentParts} yields: a whole document, or a piece of one read item by item. */
export type YamlStreamPart = YamlDocumentText | YamlListItemText | YamlListRestText;

/** State of a document being read item by item; positions in the buffer are kept in `docStart` only. */
interface ListCut {
  /** `items` until the sequence ends, then `tail` (the keys after it). */
  phase: 'items' | 'tail';
  /** YAML: the column of the sequence's `- ` entries. */
  seqIndent: number;
  head: string;
  headStartLine: number;
  /** Items emitted so far. */
  item: number;
  /** Newlines in the pieces of the document passed so far (for its line count). */
  newlines: number;
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
  private readonly listAbove: number | undefined;
  /** The document being read item by item, if it is. */
  private list: ListCut | undefined;
  /** The current document has a top-level `items` that is not a sequence to stream. */
  private listDeclined = false;
  private probe: Probe | undefined;

  constructor(opts: SplitOptions) {
    this.source = opts.source ?? '<input>';
    this.maxBytes = opts.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
    this.listAbove = opts.listItemsAbove;
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

  push(chunk: string, out: YamlStreamPart[]): void {
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
    if (this.listAbove !== undefined && !this.list && !this.listDeclined && this.scanPos - this.docStart > this.listAbove) {
      if (this.json) this.startJsonList(out);
      else if (this.json === false) this.startYamlList(out);
    }
    if (this.buf.length - this.docStart > this.maxBytes) {
      // Characters never outnumber UTF-8 bytes, so this is already over the byte limit.
      this.fail(`document is larger than the limit of ${this.maxBytes} bytes`, this.docStartLine, 1);
    }
  }

  end(out: YamlStreamPart[]): void {
    if (this.json) {
      // An unfinished object still goes out, so the parser names what is wrong with it.
      if (this.list) this.endList(this.buf.length, out);
      else if (this.docHasContent) this.emit(this.buf.length, out);
      this.buf = '';
      this.docStart = 0;
      this.scanPos = 0;
      return;
    }
    this.scan(true, out);
    if (this.list) this.endList(this.buf.length, out);
    else if (this.docHasMarker || this.docHasContent) this.emit(this.buf.length, out);
    this.buf = '';
    this.docStart = 0;
    this.scanPos = 0;
  }

  private scan(atEnd: boolean, out: YamlStreamPart[]): void {
    const buf = this.buf;
    let pos = this.scanPos;
    let line = this.line;
    const len = buf.length;
    while (pos < len) {
      const nl = buf.indexOf('\n', pos);
      if (nl === -1 && !atEnd) break;
      if (this.listAbove !== undefined && !this.list && !this.listDeclined && pos - this.docStart > this.listAbove) {
        this.scanPos = pos;
        this.line = line;
        this.startYamlList(out);
      }
      const lineEnd = nl === -1 ? len : nl;
      const next = nl === -1 ? len : nl + 1;
      const c = buf.charCodeAt(pos);
      if ((c === DASH || c === DOT) && lineEnd - pos >= 3 && buf.charCodeAt(pos + 1) === c && buf.charCodeAt(pos + 2) === c && isMarkerEnd(buf, pos + 3, lineEnd)) {
        if (c === DASH) {
          if (this.list) {
            this.endList(pos, out);
            this.docStart = pos;
            this.docStartLine = line;
          } else if (this.docHasMarker || this.docHasContent) {
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
          if (this.list) this.endList(pos, out);
          else if (this.docHasMarker || this.docHasContent) this.emit(pos, out);
          this.docStart = next;
          this.docStartLine = line + 1;
          this.docHasMarker = false;
          this.docHasContent = false;
          this.docHasDirective = false;
        }
      } else if (this.list) {
        this.listLine(pos, lineEnd, line, out);
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
  private scanJson(out: YamlStreamPart[]): void {
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
      if ((c === 44 || c === 123 || c === 91) && this.listAbove !== undefined && !this.list && !this.listDeclined && this.jsonDepth > 0 && pos - this.docStart > this.listAbove) {
        // Checked at separators and openings: the List's items are cut from here on.
        this.scanPos = pos;
        this.line = line;
        this.startJsonList(out);
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
        const list = this.list;
        if (list && list.phase === 'items' && this.jsonDepth === 2) {
          // The items array closes: its last item, then the keys after it.
          this.jsonItem(pos, out, true);
          list.phase = 'tail';
          this.docStart = pos + 1;
          this.docStartLine = line;
        }
        if (--this.jsonDepth === 0) {
          this.line = line;
          if (list) this.endList(pos + 1, out);
          else this.emit(pos + 1, out);
          this.docHasContent = false;
          this.docStart = pos + 1;
          this.docStartLine = line;
        }
      } else if (c === 44 && this.jsonDepth === 2 && this.list?.phase === 'items') {
        this.jsonItem(pos, out, false);
        this.docStart = pos + 1;
        this.docStartLine = line;
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

  private emit(end: number, out: YamlStreamPart[]): void {
    let text = this.buf.slice(this.docStart, end);
    if (text.length * 3 > this.maxBytes && utf8Length(text) > this.maxBytes) {
      this.fail(`document is larger than the limit of ${this.maxBytes} bytes`, this.docStartLine, 1);
    }
    if (text.includes('\r')) text = text.replace(/\r\n/g, '\n');
    this.index++;
    this.listDeclined = false;
    out.push(this.json ? { text, index: this.index, startLine: this.docStartLine, json: true } : { text, index: this.index, startLine: this.docStartLine });
  }

  // --- Lists read item by item -----------------------------------------------------------------
  // A document over `listAbove` characters with a top-level `items` sequence is cut at its items: the
  // items already held go out at once, later ones as they complete, and the buffer keeps only the
  // item being read. The document's other keys (head and tail) are kept and go out at its end.

  /**
   * The probe of the current document for a top-level `items` sequence, resumed where the last check
   * stopped (offsets are relative to `docStart`, which stays put until the document ends).
   */
  private probeFor(): Probe {
    const key = `${this.index}:${this.docStartLine}`;
    if (this.probe?.key !== key) {
      this.probe = { key, offset: 0, line: this.docStartLine, itemsAt: -1, depth: 0, str: false, esc: false, keyStart: -1, expectKey: false, name: undefined, valueOf: undefined };
    }
    return this.probe;
  }

  /** YAML: looks for a top-level `items:` block sequence in the held document and starts cutting it. */
  private startYamlList(out: YamlStreamPart[]): void {
    const buf = this.buf;
    const base = this.docStart;
    const stop = this.scanPos;
    const probe = this.probeFor();
    // The `items:` key: a column-0 line (a top-level key of a block mapping).
    if (probe.itemsAt === -1) {
      let pos = base + probe.offset;
      let line = probe.line;
      while (pos < stop) {
        const nl = buf.indexOf('\n', pos);
        const end = nl === -1 || nl > stop ? stop : nl;
        if (buf.charCodeAt(pos) === 105 /* i */ && ITEMS_KEY.test(buf.slice(pos, end))) {
          probe.itemsAt = pos - base;
          break;
        }
        pos = end + 1;
        line++;
      }
      probe.offset = Math.min(pos, stop) - base;
      probe.line = line;
      if (probe.itemsAt === -1) return;
    }
    const itemsLine = base + probe.itemsAt;
    let line = probe.line;
    // The items: every `- ` entry at the first entry's column starts one.
    let seqIndent = -1;
    const starts: { pos: number; line: number }[] = [];
    let tailStart = -1;
    let tailLine = 0;
    let pos = buf.indexOf('\n', itemsLine) + 1;
    line++;
    for (; pos > 0 && pos < stop; ) {
      const nl = buf.indexOf('\n', pos);
      const end = nl === -1 ? stop : nl;
      const first = firstNonSpace(buf, pos, end);
      const c = first < end ? buf.charCodeAt(first) : -1;
      if (c !== -1 && c !== HASH && c !== CR) {
        const indent = first - pos;
        const entry = c === DASH && isMarkerEnd(buf, first + 1, end);
        if (seqIndent === -1) {
          if (!entry) {
            this.listDeclined = true; // `items:` holds no block sequence
            return;
          }
          seqIndent = indent;
        }
        if (indent === seqIndent && entry) starts.push({ pos, line });
        else if (indent <= seqIndent) {
          tailStart = pos;
          tailLine = line;
          break;
        }
      }
      if (nl === -1) break;
      pos = nl + 1;
      line++;
    }
    if (!starts.length) return; // nothing after `items:` yet
    const head = buf.slice(base, itemsLine);
    const list: ListCut = { phase: 'items', seqIndent, head: normalizeNewlines(head), headStartLine: this.docStartLine, item: 0, newlines: countNewlines(head) };
    for (let i = buf.indexOf('\n', itemsLine); i !== -1 && i < starts[0]!.pos; i = buf.indexOf('\n', i + 1)) list.newlines++;
    this.list = list;
    this.probe = undefined;
    // Every item but the last one seen is complete.
    for (let k = 0; k < starts.length; k++) {
      const end = k + 1 < starts.length ? starts[k + 1]!.pos : tailStart;
      if (end === -1) break;
      this.docStart = starts[k]!.pos;
      this.docStartLine = starts[k]!.line;
      this.yamlItem(end, out);
    }
    const last = starts[starts.length - 1]!;
    if (tailStart !== -1) {
      list.phase = 'tail';
      this.docStart = tailStart;
      this.docStartLine = tailLine;
    } else {
      this.docStart = last.pos;
      this.docStartLine = last.line;
    }
  }

  /** YAML, list mode: one content line; a new entry ends the item before it, a line left of the entries ends the sequence. */
  private listLine(pos: number, lineEnd: number, line: number, out: YamlStreamPart[]): void {
    const list = this.list!;
    if (list.phase !== 'items') return;
    const buf = this.buf;
    const first = firstNonSpace(buf, pos, lineEnd);
    if (first >= lineEnd) return;
    const c = buf.charCodeAt(first);
    if (c === HASH || c === CR) return;
    const indent = first - pos;
    if (indent > list.seqIndent) return;
    this.yamlItem(pos, out);
    this.docStart = pos;
    this.docStartLine = line;
    if (indent < list.seqIndent || !(c === DASH && isMarkerEnd(buf, first + 1, lineEnd))) list.phase = 'tail';
  }

  /** YAML, list mode: emits the item from `docStart` to `end`. */
  private yamlItem(end: number, out: YamlStreamPart[]): void {
    const list = this.list!;
    const text = normalizeNewlines(this.buf.slice(this.docStart, end));
    list.newlines += countNewlines(text);
    out.push({ part: 'item', index: this.index + 1, item: list.item++, text, startLine: this.docStartLine });
  }

  /** JSON, list mode: emits the item from `docStart` to `end` (a `,` or the closing `]`); an empty last one (`[]`) is none. */
  private jsonItem(end: number, out: YamlStreamPart[], last: boolean): void {
    const list = this.list!;
    const text = normalizeNewlines(this.buf.slice(this.docStart, end));
    list.newlines += countNewlines(text);
    if (last && list.item === 0 && !/[^ \t\n]/.test(text)) return;
    out.push({ part: 'item', index: this.index + 1, item: list.item++, text, startLine: this.docStartLine, json: true });
  }

  /** Ends a document read item by item at `end`: its last item (YAML), then its rest. */
  private endList(end: number, out: YamlStreamPart[]): void {
    const list = this.list!;
    if (list.phase === 'items' && !this.json) {
      this.yamlItem(end, out);
      this.docStart = end;
    }
    const tail = list.phase === 'tail' || this.json ? normalizeNewlines(this.buf.slice(this.docStart, end)) : '';
    const newlines = list.newlines + countNewlines(tail);
    const lastChar = end > 0 ? this.buf.charCodeAt(end - 1) : NL;
    this.index++;
    out.push({
      part: 'rest', index: this.index, items: list.item, head: list.head, headStartLine: list.headStartLine, tail, tailStartLine: this.docStartLine,
      lines: newlines + (lastChar === NL ? 0 : 1), ...(this.json ? { json: true } : {}),
    });
    this.list = undefined;
    this.listDeclined = false;
    this.docHasMarker = false;
    this.docHasContent = false;
    this.docHasDirective = false;
  }

  /** JSON: looks for a top-level `"items": [` in the held object (resuming the probe) and starts cutting it. */
  private startJsonList(out: YamlStreamPart[]): void {
    if (this.jsonDepth === 0) return;
    const buf = this.buf;
    const base = this.docStart;
    const stop = this.scanPos;
    const p = this.probeFor();
    let pos = base + p.offset;
    let line = p.line;
    let open = -1;
    for (; pos < stop; pos++) {
      const c = buf.charCodeAt(pos);
      if (c === NL) line++;
      if (p.str) {
        if (p.esc) p.esc = false;
        else if (c === 92) p.esc = true;
        else if (c === 34) {
          p.str = false;
          if (p.keyStart !== -1) p.name = buf.slice(base + p.keyStart, pos + 1);
          p.keyStart = -1;
        }
        continue;
      }
      if (c === 34) {
        p.str = true;
        if (p.depth === 1 && p.expectKey) p.keyStart = pos - base;
        p.expectKey = false;
      } else if (c === 123 || c === 91) {
        if (p.depth === 1 && c === 91 && p.valueOf === '"items"') {
          open = pos;
          break;
        }
        if (++p.depth === 1) p.expectKey = true;
        p.valueOf = undefined;
      } else if (c === 125 || c === 93) {
        p.depth--;
      } else if (p.depth === 1 && c === 44) {
        p.expectKey = true;
        p.name = p.valueOf = undefined;
      } else if (p.depth === 1 && c === 58) {
        p.valueOf = p.name;
        p.name = undefined;
      } else if (p.depth === 1 && c !== SPACE && c !== TAB && c !== NL && c !== CR) {
        p.valueOf = undefined; // a scalar value
      }
    }
    p.offset = pos - base;
    p.line = line;
    if (open === -1) return;
    const head = normalizeNewlines(buf.slice(base, open));
    const list: ListCut = { phase: 'items', seqIndent: 0, head, headStartLine: this.docStartLine, item: 0, newlines: countNewlines(head) };
    this.list = list;
    this.probe = undefined;
    this.docStart = open + 1;
    this.docStartLine = line;
    // The items seen so far: commas at depth 2, up to the array's end.
    let depth = 2;
    let str = false;
    let esc = false;
    for (pos = open + 1; pos < stop; pos++) {
      const c = buf.charCodeAt(pos);
      if (c === NL) line++;
      if (str) {
        if (esc) esc = false;
        else if (c === 92) esc = true;
        else if (c === 34) str = false;
        continue;
      }
      if (c === 34) str = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (depth === 2) {
          this.jsonItem(pos, out, true);
          list.phase = 'tail';
          this.docStart = pos + 1;
          this.docStartLine = line;
          return;
        }
        depth--;
      } else if (c === 44 && depth === 2) {
        this.jsonItem(pos, out, false);
        this.docStart = pos + 1;
        this.docStartLine = line;
      }
    }
  }
}

/** Where the search for a document's top-level `items` stopped (offsets relative to the document's start). */
interface Probe {
  /** The document probed: the index of the last emitted one and its first line. */
  key: string;
  /** Offset and line where scanning resumes. */
  offset: number;
  line: number;
  /** YAML: offset of the `items:` line once found. */
  itemsAt: number;
  // JSON scanner state at `offset`.
  depth: number;
  str: boolean;
  esc: boolean;
  keyStart: number;
  expectKey: boolean;
  /** The last top-level key read, with its quotes. */
  name: string | undefined;
  /** The key whose value comes next. */
  valueOf: string | undefined;
}

/** A column-0 `items:` key line (perhaps with a comment): where a kubectl List's items begin. */
const ITEMS_KEY = /^items:[ \t]*(?:#.*)?\r?$/;

function normalizeNewlines(text: string): string {
  return text.includes('\r') ? text.replace(/\r\n/g, '\n') : text;
}

function countNewlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
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
export function splitDocuments(text: string, opts: Omit<SplitOptions, 'listItemsAbove'> = {}): YamlDocumentText[] {
  return splitDocumentParts(text, opts) as YamlDocumentText[];
}

/** {@link splitDocuments} with Lists read item by item past `opts.listItemsAbove` (for tests of the streamed path). */
export function splitDocumentParts(text: string, opts: SplitOptions = {}): YamlStreamPart[] {
  const out: YamlStreamPart[] = [];
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
export function readDocuments(input: AsyncIterable<Uint8Array | string>, opts: Omit<SplitOptions, 'listItemsAbove'> = {}): AsyncGenerator<YamlDocumentText> {
  return readDocumentParts(input, opts) as AsyncGenerator<YamlDocumentText>;
}

/**
 * {@link readDocuments}, with a document that holds a top-level `items` sequence (a List) read item by
 * item once more than `opts.listItemsAbove` characters of it are held: its items come out as they are
 * read and its other keys at its end, so memory stays flat however many items a List has.
 */
export async function* readDocumentParts(input: AsyncIterable<Uint8Array | string>, opts: SplitOptions = {}): AsyncGenerator<YamlStreamPart> {
  const source = opts.source ?? '<input>';
  const splitter = new Splitter(opts);
  // Decoding is done per chunk without the decoder's own streaming mode, so that on an error we
  // know exactly which bytes were rejected; an incomplete sequence at a chunk end is carried over.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let carry: Uint8Array | null = null;
  let bytesBefore = 0;
  let first = true;
  const out: YamlStreamPart[] = [];
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
