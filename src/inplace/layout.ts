// Where a YAML document's own lines begin and end inside its text, so that a rewrite can replace the
// object and keep everything around it (the `---` line, comments above and below) byte for byte.

/** One document's text cut into what is kept around the object and the object itself. */
export interface DocumentLayout {
  /** Lines before the object: the `---` marker line, directives, leading comments and blank lines. */
  head: string;
  /** The lines of the object itself. */
  body: string;
  /** Column-0 comment lines and blank lines after the object (before the next `---`). */
  tail: string;
  /** 1-based line (within the document text) where `body` starts. */
  bodyStartLine: number;
}

/** Whether a line holds nothing but spaces or tabs (a carriage return counts as a line end). */
function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9 && c !== 13) return false;
  }
  return true;
}

/** Whether a line is a `---` or `...` marker, alone or followed by a comment. */
function isMarker(line: string): boolean {
  return /^(---|\.\.\.)([ \t]+(#.*)?)?\r?$/.test(line);
}

/**
 * Cuts a document's text (as the stream splitter returns it) into head, body and tail. The head ends at
 * the first line that is neither blank, a comment, a `%` directive nor a bare `---` marker; the tail is
 * the run of blank and column-0 comment lines at the end (a column-0 `#` cannot continue the object: any
 * block scalar of a top-level key is indented). A `---` line that also carries content stays in the body.
 */
export function layoutDocument(text: string): DocumentLayout {
  const lines = text.split('\n');
  // A text ending in a newline splits into a last empty element that is not a line.
  const endsWithNewline = text.endsWith('\n');
  if (endsWithNewline) lines.pop();
  let first = 0;
  while (first < lines.length) {
    const l = lines[first]!;
    const trimmed = l.trimStart();
    if (isBlank(l) || trimmed.startsWith('#') || l.startsWith('%') || isMarker(l)) first++;
    else break;
  }
  let last = lines.length - 1;
  while (last >= first) {
    const l = lines[last]!;
    if (isBlank(l) || l.startsWith('#')) last--;
    else break;
  }
  const join = (from: number, to: number, isEnd: boolean): string => {
    if (to <= from) return '';
    const s = lines.slice(from, to).join('\n');
    return isEnd && !endsWithNewline ? s : `${s}\n`;
  };
  return {
    head: join(0, first, first >= lines.length),
    body: join(first, last + 1, last + 1 >= lines.length),
    tail: join(last + 1, lines.length, true),
    bodyStartLine: first + 1,
  };
}
