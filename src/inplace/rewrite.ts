// Rewrites a manifest file document by document: the documents given new bodies are replaced (keeping
// their `---` line, leading comments and trailing comments), every other byte of the file is copied as it
// was — other documents, separators, the file's leading comments, line endings and the final newline.
import { layoutDocument } from './layout.js';

/** A document of a file as the stream splitter cut it out (its text has CRLF normalised to LF). */
export interface DocumentSpan {
  /** 1-based index of the document in the file. */
  index: number;
  /** 1-based line of the file where the document's text starts. */
  startLine: number;
  /** The document's text. */
  text: string;
}

/** Offsets at which each line of a text starts (index 0 is line 1). */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** Lines a document text spans (a last line without a newline counts). */
function lineCount(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return text.length && !text.endsWith('\n') ? n + 1 : n;
}

/**
 * Returns the file's text with the body of each document in `bodies` (by document index) replaced.
 * A body is LF-terminated YAML (or JSON); it takes the place of the document's object lines, between the
 * document's head (marker, leading comments) and tail (trailing comments). A region written with CRLF
 * gets CRLF in the new text too; a file that ended without a newline still does.
 */
export function rewriteFile(original: string, docs: readonly DocumentSpan[], bodies: ReadonlyMap<number, string>): string {
  if (bodies.size === 0) return original;
  const starts = lineStarts(original);
  const offsetOfLine = (line: number): number => (line - 1 < starts.length ? starts[line - 1]! : original.length);
  let out = '';
  let copied = 0;
  for (const doc of docs) {
    const body = bodies.get(doc.index);
    if (body === undefined) continue;
    let from = offsetOfLine(doc.startLine);
    // A byte-order mark belongs to the file, not to its first document.
    if (from === 0 && original.charCodeAt(0) === 0xfeff) from = 1;
    // A document that does not end in a newline (the file's last one, or one object of a JSON stream, whose
    // text stops at its closing brace) ends where its last line does; what follows that line stays.
    let to: number;
    if (doc.text.endsWith('\n') || doc.text === '') to = offsetOfLine(doc.startLine + lineCount(doc.text));
    else {
      const nl = original.indexOf('\n', offsetOfLine(doc.startLine + lineCount(doc.text) - 1));
      to = nl < 0 ? original.length : original.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    }
    const layout = layoutDocument(doc.text);
    let text = layout.head + body + layout.tail;
    if (!layout.tail && !doc.text.endsWith('\n') && text.endsWith('\n')) text = text.slice(0, -1);
    if (original.slice(from, to).includes('\r\n')) text = text.replace(/\r?\n/g, '\r\n');
    out += original.slice(copied, from) + text;
    copied = to;
  }
  return out + original.slice(copied);
}
