import { convertDocument, convertListItem, isListDocument, isListHeader, type DocumentOutcome } from '../convert/index.js';
import type { ConvertOptions } from '../convert/plan.js';
import { InputError } from '../errors.js';
import { readInputParts, yaml11Findings, type InputDocument } from '../input/documents.js';
import type { InputSource } from '../input/sources.js';
import type { Yaml11Note } from '../yaml/index.js';
import { applyNamespace, type NamespaceRule } from './namespace.js';

/**
 * One converted piece of input: a whole document, or one item of a List (then the List's own
 * findings and its size come in a last piece after its items), with where it came from.
 */
export interface ConvertedDocument extends DocumentOutcome {
  source: string;
  /** 1-based index of the document in its source. */
  index: number;
  /** Whether this piece starts a document (false for a List's items after its first, and its last piece). */
  newDocument: boolean;
  /** Lines of input this piece accounts for (a List's items count none; its last piece the whole List). */
  lines: number;
  /** Whether the document held nothing (only comments, or `---` alone). */
  empty: boolean;
  /** The text the findings are in and its first line in the file, only when asked for (SARIF locates findings in it). */
  text?: string;
  startLine?: number;
  /** For an item of a List read item by item: its index, as `text` holds it as `items[0]`. */
  item?: number;
}

/** Options of {@link convertSources}: the converter's, plus what -n does to namespaced manifests. */
export interface SourceConvertOptions extends Omit<ConvertOptions, 'source'> {
  namespaceRule?: NamespaceRule;
}

/**
 * A List document larger than this (in characters held) is read item by item instead of whole: its
 * items are parsed, converted and reported as they are read, so memory stays flat in the List's size.
 */
export const LIST_ITEMS_ABOVE = 4 * 1024 * 1024;

/** Lines of a text (a last line without a newline counts). */
export function countLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.length && text.charCodeAt(text.length - 1) !== 10 ? n + 1 : n;
}

const ITEM_PATH = /^items\[(\d+)\]/;

/**
 * Reads the sources document by document (never a whole stream at once) and converts each. A List
 * (`kind: List`, `PyTorchJobList`, ...) is converted and yielded item by item, each item with its
 * own findings (an object left out is reported at its item's position); the List's own findings
 * come after its items. Lists over `listItemsAbove` characters are also read item by item.
 * A syntax or encoding error stops the run with an InputError naming file, document, line and column.
 */
export async function* convertSources(sources: InputSource[], opts: SourceConvertOptions, keepText = false, listItemsAbove = LIST_ITEMS_ABOVE): AsyncGenerator<ConvertedDocument> {
  const { namespaceRule, ...convertOpts } = opts;
  for (const src of sources) {
    let current = 0;
    for await (const part of readInputParts(src, listItemsAbove)) {
      const where = `${src.name}#${part.index}`;
      const newDocument = part.index !== current;
      current = part.index;
      const docFindings = (notes: Yaml11Note[], startLine: number) =>
        notes.length ? yaml11Findings({ yaml11: notes, startLine }).map((f) => ({ ...f, subject: { kind: 'Document', source: where } })) : [];
      if (part.part === 'item') {
        if (namespaceRule) applyNamespace(part.value, namespaceRule, where, `items[${part.item}]`);
        const outcome = convertListItem(part.value, part.item, { ...convertOpts, source: where });
        outcome.findings.unshift(...docFindings(part.yaml11, part.startLine));
        yield { ...outcome, source: src.name, index: part.index, newDocument, lines: 0, empty: false, ...(keepText ? { text: part.text, startLine: part.startLine, item: part.item } : {}) };
      } else if (part.part === 'rest') {
        if (!isListHeader(part.header)) {
          const kind = typeof part.header.kind === 'string' && part.header.kind ? `a ${part.header.kind}` : 'an object without a List kind';
          throw new InputError(
            `${src.name}: document ${part.index} was read item by item for its ${part.items} top-level items (it is over ${Math.round(listItemsAbove / 1048576)} MiB), but it is ${kind}, not a List; nothing was written`,
            'Only Lists (kind List or <Kind>List with apiVersion) are read item by item; split the document, or give it a List kind.',
          );
        }
        yield { jobs: [], findings: docFindings(part.yaml11, 1), source: src.name, index: part.index, newDocument, lines: part.lines, empty: false };
      } else {
        yield* convertWhole(src.name, part, convertOpts, namespaceRule, keepText);
      }
    }
  }
}

/** Converts a document read whole; a List goes out item by item as a List read item by item does. */
function* convertWhole(name: string, doc: InputDocument, convertOpts: Omit<ConvertOptions, 'source'>, namespaceRule: NamespaceRule | undefined, keepText: boolean): Generator<ConvertedDocument> {
  const where = `${name}#${doc.index}`;
  const opts = { ...convertOpts, source: where };
  const text = keepText ? { text: doc.text, startLine: doc.startLine } : {};
  const subject = { kind: 'Document', source: where };
  if (namespaceRule) applyNamespace(doc.value, namespaceRule, where);
  if (!isListDocument(doc.value)) {
    const outcome = convertDocument(doc.value, opts);
    if (doc.yaml11.length) outcome.findings.unshift(...yaml11Findings(doc).map((f) => ({ ...f, subject })));
    yield { ...outcome, source: name, index: doc.index, newDocument: true, lines: countLines(doc.text), empty: doc.value === null || doc.value === undefined, ...text };
    return;
  }
  // YAML 1.1 notes go with their item; the List's own after the items.
  const byItem = new Map<number, Yaml11Note[]>();
  const own: Yaml11Note[] = [];
  for (const n of doc.yaml11) {
    const m = ITEM_PATH.exec(n.path);
    if (!m) own.push(n);
    else {
      const i = Number(m[1]);
      const list = byItem.get(i);
      if (list) list.push(n);
      else byItem.set(i, [n]);
    }
  }
  const notes = (yaml11: Yaml11Note[]) => (yaml11.length ? yaml11Findings({ yaml11, startLine: doc.startLine }).map((f) => ({ ...f, subject })) : []);
  const items = doc.value.items;
  for (let i = 0; i < items.length; i++) {
    const outcome = convertListItem(items[i], i, opts);
    const n = byItem.get(i);
    if (n) outcome.findings.unshift(...notes(n));
    yield { ...outcome, source: name, index: doc.index, newDocument: i === 0, lines: 0, empty: false, ...text };
  }
  yield { jobs: [], findings: notes(own), source: name, index: doc.index, newDocument: items.length === 0, lines: countLines(doc.text), empty: false, ...text };
}
