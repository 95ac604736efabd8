/**
 * A YAML input problem located in the source: file, 1-based document index, and 1-based line and
 * column counted from the start of the file (not of the document), so messages point where an
 * editor would.
 */
export class YamlSyntaxError extends Error {
  /** The file name (or `<stdin>`) the document came from. */
  readonly file: string;
  /** 1-based index of the document in the stream (for a decoding error: the document being read). */
  readonly document: number;
  /** 1-based line in the file. */
  readonly line: number;
  /** 1-based column in the line. */
  readonly column: number;
  /** The bare reason, without the location prefix (useful for callers that format their own). */
  readonly reason: string;

  constructor(reason: string, where: { file: string; document: number; line: number; column: number }) {
    super(`${where.file}:${where.line}:${where.column}: document ${where.document}: ${reason}`);
    this.name = 'YamlSyntaxError';
    this.reason = reason;
    this.file = where.file;
    this.document = where.document;
    this.line = where.line;
    this.column = where.column;
  }
}
