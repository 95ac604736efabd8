/**
 * YAML input and output for the converter: stream splitting, a fast parser with a `yaml`-package
 * fallback, and a kubectl-style emitter.
 */
export { YamlSyntaxError } from './errors.js';
export { readDocuments, readDocumentParts, splitDocuments, splitDocumentParts, DEFAULT_MAX_DOCUMENT_BYTES } from './stream.js';
export type { YamlDocumentText, YamlListItemText, YamlListRestText, YamlStreamPart, SplitOptions } from './stream.js';
export { parseDocument, parseFastOnly, MAX_ALIAS_COUNT, MAX_NESTING_DEPTH } from './parse.js';
export type { ParseOptions, ParsedDocument, Yaml11Note } from './parse.js';
export { toYaml } from './emit.js';
