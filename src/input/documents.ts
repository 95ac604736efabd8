import { finding } from '../convert/codes.js';
import type { Finding } from '../convert/findings.js';
import { InputError } from '../errors.js';
import { parseDocument, readDocumentParts, readDocuments, YamlSyntaxError, type Yaml11Note, type YamlListItemText, type YamlListRestText } from '../yaml/index.js';
import { findTemplateInText, findTemplateInValue, locateInText, type TemplateVariable } from '../yaml/templates.js';
import type { InputSource } from './sources.js';

/** One parsed input document and where it came from. */
export interface InputDocument {
  /** The source's name (path, URL or `<stdin>`). */
  source: string;
  /** 1-based index of the document in its source. */
  index: number;
  /** 1-based line of the document's first line in the source. */
  startLine: number;
  /** The document's text (for line counts and in-place rewriting). */
  text: string;
  /** The parsed value (null for an empty document). */
  value: unknown;
  /** Plain scalars read the YAML 1.1 way (as kubectl reads them) that a YAML 1.2 reader reads otherwise. */
  yaml11: Yaml11Note[];
}

const RENDER_HINTS: Record<TemplateVariable['engine'], string> = {
  envsubst: 'Render the template first, e.g. `envsubst < FILE | kubectl trainjob convert -f -` (or `helm template` / `kustomize build` for charts and overlays).',
  helm: 'Render the template first, e.g. `helm template RELEASE CHART | kubectl trainjob convert -f -` (or `kustomize build DIR`, `envsubst`).',
};

/**
 * Reads one source document by document and parses each. Unparseable documents and unrendered
 * templates (`$NUM_NODES`, `${IMAGE}`, `{{ .Values.x }}`) stop the run with an InputError naming the
 * file, the 1-based document, the line and column and, for templates, the first variable.
 */
export async function* readInputDocuments(src: InputSource): AsyncGenerator<InputDocument> {
  try {
    for await (const doc of readDocuments(src.open(), { source: src.name })) yield parseWhole(src.name, doc);
  } catch (e) {
    if (e instanceof YamlSyntaxError) throw new InputError(e.message, 'Fix the document and run again; nothing was written.');
    throw e;
  }
}

/** A JSON syntax error, placed at the position V8 reports (or the object's first line). */
function jsonError(file: string, document: number, startLine: number, text: string, e: unknown): YamlSyntaxError {
  const message = (e as Error)?.message ?? String(e);
  const pos = /position (\d+)/.exec(message);
  let line = startLine;
  let column = 1;
  if (pos) {
    const at = Number(pos[1]);
    const before = text.slice(0, at);
    const nl = before.lastIndexOf('\n');
    for (let i = before.indexOf('\n'); i !== -1; i = before.indexOf('\n', i + 1)) line++;
    column = at - nl;
  }
  const reason = message.replace(/ in JSON at position \d+.*$/, '').replace(/,? (?:\.\.\.)?"[\s\S]*is not valid JSON$/, '').replace(/ \(line \d+ column \d+\)$/, '');
  return new YamlSyntaxError(`invalid JSON: ${reason}`, { file, document, line, column });
}

function templateError(file: string, document: number, startLine: number, text: string, tpl: TemplateVariable & { offset?: number }): InputError {
  const at = tpl.offset !== undefined ? locateInText(text.slice(0, tpl.offset) + tpl.variable, tpl.variable) : locateInText(text, tpl.variable);
  const where = at ? `${file}:${startLine + at.line - 1}:${at.column}` : file;
  return new InputError(
    `${where}: document ${document}: unrendered template: ${tpl.variable}${tpl.path ? ` in ${tpl.path}` : ''} (this is a ${tpl.engine === 'helm' ? 'Helm/Go' : 'shell/envsubst'} template, not a manifest)`,
    RENDER_HINTS[tpl.engine],
  );
}

/** One item of a List document read item by item (see {@link readInputParts}). */
export interface InputListItem {
  part: 'item';
  source: string;
  /** 1-based index of the List document in its source. */
  index: number;
  /** 0-based position of the item in the List's `items`. */
  item: number;
  /** The text parsed: YAML `items:` and the item's lines (so `startLine` is the line before the item), or the item's JSON. */
  text: string;
  startLine: number;
  /** The parsed item. */
  value: unknown;
  /** YAML 1.1 notes, with paths as in the whole List (`items[7].spec...`) and lines within `text`. */
  yaml11: Yaml11Note[];
}

/** The fields of a List document read item by item, other than its items; it comes after them. */
export interface InputListRest {
  part: 'rest';
  source: string;
  index: number;
  /** How many items came before. */
  items: number;
  /** The document's other keys (`apiVersion`, `kind`, `metadata`, ...), without `items`. */
  header: Record<string, unknown>;
  /** YAML 1.1 notes of those keys, with lines of the file (use startLine 1). */
  yaml11: Yaml11Note[];
  /** Lines of the whole document. */
  lines: number;
}

/** What {@link readInputParts} yields: a whole document, or an item or the rest of a List read item by item. */
export type InputPart = (InputDocument & { part?: undefined }) | InputListItem | InputListRest;

/**
 * {@link readInputDocuments}, except that a document holding a top-level `items` sequence (a List) is
 * read item by item once more than `listItemsAbove` characters of it are held: each item is parsed
 * and yielded as soon as it is read, and the List's other fields after its last item, so memory stays
 * flat however large the List. Each item must be valid YAML (or JSON) on its own: an alias cannot
 * refer to an anchor of another item.
 */
export async function* readInputParts(src: InputSource, listItemsAbove: number): AsyncGenerator<InputPart> {
  try {
    for await (const part of readDocumentParts(src.open(), { source: src.name, listItemsAbove })) {
      if (part.part === 'item') yield parseItem(src.name, part);
      else if (part.part === 'rest') yield parseRest(src.name, part);
      else yield parseWhole(src.name, part);
    }
  } catch (e) {
    if (e instanceof YamlSyntaxError) throw new InputError(e.message, 'Fix the document and run again; nothing was written.');
    throw e;
  }
}

/** Parses one whole document (JSON strictly, a first non-JSON object as YAML, as kubectl does) and stops at unrendered templates. */
function parseWhole(name: string, doc: { text: string; index: number; startLine: number; json?: boolean }): InputDocument {
  let value: unknown;
  let yaml11: Yaml11Note[];
  try {
    if (doc.json) {
      // A JSON stream's object: strict JSON as kubectl's decoder reads it (exact and fast).
      try {
        value = JSON.parse(doc.text);
        yaml11 = [];
      } catch (e) {
        // kubectl reads a first object that is not JSON as YAML (`{kind: List, items: []}` is YAML flow style).
        if (doc.index > 1) throw jsonError(name, doc.index, doc.startLine, doc.text, e);
        try {
          ({ value, yaml11 } = parseDocument(doc.text, { source: name, document: doc.index, startLine: doc.startLine }));
        } catch {
          throw jsonError(name, doc.index, doc.startLine, doc.text, e);
        }
      }
    } else ({ value, yaml11 } = parseDocument(doc.text, { source: name, document: doc.index, startLine: doc.startLine }));
  } catch (e) {
    // An unquoted `{{ .Values.x }}` is a syntax error: say it is a template, not broken YAML.
    const tpl = e instanceof YamlSyntaxError ? findTemplateInText(doc.text) : undefined;
    if (tpl) throw templateError(name, doc.index, doc.startLine, doc.text, tpl);
    throw e;
  }
  // Cheap gate: most documents hold neither character, and then need no walk.
  if (doc.text.includes('$') || doc.text.includes('{{')) {
    const tpl = findTemplateInValue(value);
    if (tpl) throw templateError(name, doc.index, doc.startLine, doc.text, tpl);
  }
  return { source: name, index: doc.index, startLine: doc.startLine, text: doc.text, value, yaml11 };
}

const FIRST_ITEM = /^items\[0\]/;

function parseItem(name: string, part: YamlListItemText): InputListItem {
  // YAML: parsed under an `items:` key, so the entry keeps its sequence context and columns; it is then item 0.
  const text = part.json ? `{"items":[${part.text}]}` : `items:\n${part.text}`;
  const startLine = part.json ? part.startLine : part.startLine - 1;
  const whole = parseWhole(name, { text, index: part.index, startLine, ...(part.json ? { json: true } : {}) });
  const items = (whole.value as { items?: unknown } | null)?.items;
  if (!Array.isArray(items) || items.length !== 1) {
    throw new YamlSyntaxError(`item ${part.item} of the List could not be read on its own (read item by item, each item must be one complete entry)`, { file: name, document: part.index, line: part.startLine, column: 1 });
  }
  const at = `items[${part.item}]`;
  const yaml11 = whole.yaml11.map((n) => ({ ...n, path: n.path.replace(FIRST_ITEM, at) }));
  if (part.text.includes('$') || part.text.includes('{{')) {
    const tpl = findTemplateInValue({ apiVersion: 'v1', kind: 'List', items });
    if (tpl) throw templateError(name, part.index, startLine, text, { ...tpl, ...(tpl.path ? { path: tpl.path.replace(FIRST_ITEM, at) } : {}) });
  }
  return { part: 'item', source: name, index: part.index, item: part.item, text, startLine, value: items[0], yaml11 };
}

/** Stands in for the items while a JSON List's other fields are parsed (a second `items` key replaces it). */
const ITEMS_SENTINEL = '\u0000kubectl-trainjob:items\u0000';

function parseRest(name: string, part: YamlListRestText): InputListRest {
  const where = { file: name, document: part.index };
  let header: Record<string, unknown>;
  const yaml11: Yaml11Note[] = [];
  if (part.json) {
    const text = `${part.head}${JSON.stringify(ITEMS_SENTINEL)}${part.tail}`;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      // Place the error in the head or in the tail (the items are not part of this text).
      const err = jsonError(name, part.index, part.headStartLine, text, e);
      const tailFrom = part.head.length + JSON.stringify(ITEMS_SENTINEL).length;
      const pos = /position (\d+)/.exec((e as Error)?.message ?? '');
      if (pos && Number(pos[1]) >= tailFrom) throw jsonError(name, part.index, part.tailStartLine, part.tail, new SyntaxError(((e as Error).message).replace(/position \d+/, `position ${Number(pos[1]) - tailFrom}`)));
      throw err;
    }
    header = value as Record<string, unknown>;
    if (header.items !== ITEMS_SENTINEL) throw new YamlSyntaxError('duplicate key "items" after the List\'s items', { ...where, line: part.tailStartLine, column: 1 });
    delete header.items;
  } else {
    const head = parseDocument(part.head, { source: name, document: part.index, startLine: part.headStartLine });
    const tail = parseDocument(part.tail, { source: name, document: part.index, startLine: part.tailStartLine });
    for (const [p, start] of [[head, part.headStartLine], [tail, part.tailStartLine]] as const) {
      if (p.value !== null && (typeof p.value !== 'object' || Array.isArray(p.value))) {
        throw new YamlSyntaxError('a document with a top-level items sequence must be a mapping', { ...where, line: start, column: 1 });
      }
      for (const n of p.yaml11) yaml11.push({ ...n, line: n.line + start - 1 });
    }
    header = { ...((head.value as Record<string, unknown> | null) ?? {}) };
    if (Object.hasOwn(header, 'items')) throw new YamlSyntaxError('duplicate key "items"', { ...where, line: part.headStartLine, column: 1 });
    for (const [k, v] of Object.entries((tail.value as Record<string, unknown> | null) ?? {})) {
      if (k === 'items' || Object.hasOwn(header, k)) {
        const at = keyLine(part.tail, k);
        throw new YamlSyntaxError(`duplicate key ${JSON.stringify(k)} at line ${part.tailStartLine + at} col 1`, { ...where, line: part.tailStartLine + at, column: 1 });
      }
      header[k] = v;
    }
  }
  return { part: 'rest', source: name, index: part.index, items: part.items, header, yaml11, lines: part.lines };
}

/** 0-based line of the column-0 key `key` in `text` (0 when not found). */
function keyLine(text: string, key: string): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => l.startsWith(`${key}:`) || l.startsWith(`"${key}":`) || l.startsWith(`'${key}':`));
  return Math.max(0, i);
}

/**
 * Findings for the scalars of a document that kubectl reads the YAML 1.1 way: numbers (`012` is 10)
 * are warnings, since the author may have meant 12; booleans (`yes`, `on`) are info, and a field that
 * needs a string is refused by the schema check anyway.
 */
export function yaml11Findings(doc: Pick<InputDocument, 'yaml11' | 'startLine'>): Finding[] {
  return doc.yaml11.map((n) => {
    const line = doc.startLine + n.line - 1;
    const bool = typeof n.value === 'boolean';
    return finding(
      'KTJ-YAML-001',
      n.path,
      `line ${line}: ${n.raw} is read as ${JSON.stringify(n.value)}, as kubectl and the API server read it (YAML 1.1${bool ? '' : ' number syntax'}); a YAML 1.2 tool reads ${JSON.stringify(n.yaml12)}.`,
      typeof n.yaml12 === 'string' ? `Quote it ("${n.raw}") if the text was meant.` : `Write ${JSON.stringify(n.value)}, or ${JSON.stringify(n.yaml12)} without the leading zero, to say which number is meant.`,
      bool ? 'info' : 'warning',
    );
  });
}
