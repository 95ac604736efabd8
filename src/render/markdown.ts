// GitHub-flavoured markdown pieces for `--report markdown` (pull-request comments).

/** Escapes a table cell: pipes, newlines and HTML-significant characters. */
export function markdownCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, '<br>');
}

/** A markdown table; cells are escaped, except that links and code spans the caller built stay intact. */
export function markdownTable(headers: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.map(markdownCell).join(' | ')} |`;
  return [line(headers), `|${headers.map(() => ' --- ').join('|')}|`, ...rows.map(line)].join('\n');
}
