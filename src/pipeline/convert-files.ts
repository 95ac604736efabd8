import { convertDocument, type DocumentOutcome } from '../convert/index.js';
import type { ConvertOptions } from '../convert/plan.js';
import { InputError } from '../errors.js';
import type { InputSource } from '../input/sources.js';
import { parseDocument, parseFastOnly, readDocuments, splitListItems, YamlSyntaxError } from '../yaml/index.js';

/** One converted input document, with where it came from and its size in lines. */
export interface ConvertedDocument extends DocumentOutcome {
  source: string;
  index: number;
  lines: number;
}

function countLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.length && text.charCodeAt(text.length - 1) !== 10 ? n + 1 : n;
}

/**
 * Documents above this size that look like a kubectl List are converted item by item; smaller
 * ones keep the whole-document path, whose cost does not matter at that size.
 */
export const LIST_ITEM_THRESHOLD = 1024 * 1024;

type ConvertOpts = Omit<ConvertOptions, 'source'> & { source: string };

/**
 * Converts a large List one item at a time, so the parse tree of the whole List never exists at
 * once; returns undefined whenever the result might differ from converting the whole document
 * (irregular shape, anything the fast parser does not take), and the caller then does that.
 */
export function convertListByItems(text: string, startLine: number, opts: ConvertOpts): DocumentOutcome | undefined {
  const split = splitListItems(text, startLine);
  if (!split) return undefined;
  const head = parseFastOnly(split.header)?.value;
  if (head === null || typeof head !== 'object' || Array.isArray(head) || 'items' in head) return undefined;
  const { apiVersion, kind } = head as Record<string, unknown>;
  // The List itself must be what extraction unpacks without a word: an empty List yields nothing.
  const bare = convertDocument({ apiVersion, kind, items: [] }, opts);
  if (bare.jobs.length || bare.findings.length) return undefined;
  const out: DocumentOutcome = { jobs: [], findings: [] };
  const zero = 'items[0]';
  for (const item of split.items) {
    const parsed = parseFastOnly(item.text)?.value as { items?: unknown } | undefined;
    if (!parsed || !Array.isArray(parsed.items) || parsed.items.length !== 1) return undefined;
    // A one-item List gives exactly what the whole List gives for this item, under `items[0]`.
    // A throw here (a converter bug) could come before a syntax error further down that the whole
    // path would report first, so any throw means: let the whole path decide.
    let one: DocumentOutcome;
    try {
      one = convertDocument({ apiVersion, kind, items: parsed.items }, opts);
    } catch {
      return undefined;
    }
    const at = `items[${item.index}]`;
    for (const f of one.findings) {
      if (f.path.startsWith(zero)) f.path = at + f.path.slice(zero.length);
      out.findings.push(f);
    }
    const src = `${opts.source} ${zero}`;
    for (const job of one.jobs) {
      // Job findings share this subject object, so one rewrite fixes them all.
      if (job.subject.source?.startsWith(src)) job.subject.source = `${opts.source} ${at}${job.subject.source.slice(src.length)}`;
      out.jobs.push(job);
    }
  }
  return out;
}

/**
 * Reads the sources document by document (never a whole stream at once) and converts each.
 * A syntax or encoding error stops the run with an InputError naming file, document, line and column.
 * `listThreshold` exists for tests, which exercise the item path on small Lists.
 */
export async function* convertSources(sources: InputSource[], opts: Omit<ConvertOptions, 'source'>, listThreshold = LIST_ITEM_THRESHOLD): AsyncGenerator<ConvertedDocument> {
  for (const src of sources) {
    try {
      for await (const doc of readDocuments(src.open(), { source: src.name })) {
        const docOpts = { ...opts, source: `${src.name}#${doc.index}` };
        const byItems = doc.text.length > listThreshold ? convertListByItems(doc.text, doc.startLine, docOpts) : undefined;
        const outcome = byItems ?? convertDocument(parseDocument(doc.text, { source: src.name, document: doc.index, startLine: doc.startLine }).value, docOpts);
        yield { ...outcome, source: src.name, index: doc.index, lines: countLines(doc.text) };
      }
    } catch (e) {
      if (e instanceof YamlSyntaxError) {
        throw new InputError(e.message, 'Fix the document and run again; nothing was written for this input.');
      }
      throw e;
    }
  }
}
