import { convertDocument, type DocumentOutcome } from '../convert/index.js';
import type { ConvertOptions } from '../convert/plan.js';
import { readInputDocuments, yaml11Findings } from '../input/documents.js';
import type { InputSource } from '../input/sources.js';
import { applyNamespace, type NamespaceRule } from './namespace.js';

/** One converted input document, with where it came from and its size in lines. */
export interface ConvertedDocument extends DocumentOutcome {
  source: string;
  /** 1-based index of the document in its source. */
  index: number;
  lines: number;
  /** Whether the document held nothing (only comments, or `---` alone). */
  empty: boolean;
  /** The document's text and first line in the file, only when asked for (SARIF locates findings in it). */
  text?: string;
  startLine?: number;
}

/** Options of {@link convertSources}: the converter's, plus what -n does to namespaced manifests. */
export interface SourceConvertOptions extends Omit<ConvertOptions, 'source'> {
  namespaceRule?: NamespaceRule;
}

/** Lines of a text (a last line without a newline counts). */
export function countLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return text.length && text.charCodeAt(text.length - 1) !== 10 ? n + 1 : n;
}

/**
 * Reads the sources document by document (never a whole stream at once) and converts each.
 * A syntax or encoding error stops the run with an InputError naming file, document, line and column.
 */
export async function* convertSources(sources: InputSource[], opts: SourceConvertOptions, keepText = false): AsyncGenerator<ConvertedDocument> {
  const { namespaceRule, ...convertOpts } = opts;
  for (const src of sources) {
    for await (const doc of readInputDocuments(src)) {
      const where = `${src.name}#${doc.index}`;
      if (namespaceRule) applyNamespace(doc.value, namespaceRule, where);
      const outcome = convertDocument(doc.value, { ...convertOpts, source: where });
      if (doc.yaml11.length) outcome.findings.unshift(...yaml11Findings(doc).map((f) => ({ ...f, subject: { kind: 'Document', source: where } })));
      yield { ...outcome, source: src.name, index: doc.index, lines: countLines(doc.text), empty: doc.value === null || doc.value === undefined, ...(keepText ? { text: doc.text, startLine: doc.startLine } : {}) };
    }
  }
}
