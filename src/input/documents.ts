import { finding } from '../convert/codes.js';
import type { Finding } from '../convert/findings.js';
import { InputError } from '../errors.js';
import { parseDocument, readDocuments, YamlSyntaxError, type Yaml11Note } from '../yaml/index.js';
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
    for await (const doc of readDocuments(src.open(), { source: src.name })) {
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
            if (doc.index > 1) throw jsonError(src.name, doc.index, doc.startLine, doc.text, e);
            try {
              ({ value, yaml11 } = parseDocument(doc.text, { source: src.name, document: doc.index, startLine: doc.startLine }));
            } catch {
              throw jsonError(src.name, doc.index, doc.startLine, doc.text, e);
            }
          }
        } else ({ value, yaml11 } = parseDocument(doc.text, { source: src.name, document: doc.index, startLine: doc.startLine }));
      } catch (e) {
        // An unquoted `{{ .Values.x }}` is a syntax error: say it is a template, not broken YAML.
        const tpl = e instanceof YamlSyntaxError ? findTemplateInText(doc.text) : undefined;
        if (tpl) throw templateError(src.name, doc.index, doc.startLine, doc.text, tpl);
        throw e;
      }
      // Cheap gate: most documents hold neither character, and then need no walk.
      if (doc.text.includes('$') || doc.text.includes('{{')) {
        const tpl = findTemplateInValue(value);
        if (tpl) throw templateError(src.name, doc.index, doc.startLine, doc.text, tpl);
      }
      yield { source: src.name, index: doc.index, startLine: doc.startLine, text: doc.text, value, yaml11 };
    }
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

/**
 * Findings for the scalars of a document that kubectl reads the YAML 1.1 way: numbers (`012` is 10)
 * are warnings, since the author may have meant 12; booleans (`yes`, `on`) are info, and a field that
 * needs a string is refused by the schema check anyway.
 */
export function yaml11Findings(doc: InputDocument): Finding[] {
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
