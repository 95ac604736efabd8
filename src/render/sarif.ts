// SARIF 2.1.0 (OASIS Static Analysis Results Interchange Format) for `convert --report sarif` and
// `readiness --report sarif`: rule IDs are the stable finding codes / check IDs with their documentation,
// and convert's results point at the file, line and column of the input field the finding is about.
// The log is written as it goes (results first, the rules used at the end), so memory stays flat.
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';

/** Where the project's documentation lives (rule help links point into it). */
export const DOCS_URL = 'https://example.invalid/kubectl-trainjob/docs';

/** The `$schema` a SARIF 2.1.0 log names. */
export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

/** SARIF's result levels. */
export type SarifLevel = 'error' | 'warning' | 'note' | 'none';

/** A rule (finding code or check ID) as SARIF describes it. */
export interface SarifRule {
  id: string;
  title: string;
  level: SarifLevel;
  /** Documentation page (absolute URL). */
  helpUri: string;
}

/** A 1-based line and column in an input file. */
export interface Region {
  startLine: number;
  startColumn: number;
}

/** One result to write. */
export interface SarifResultInput {
  ruleId: string;
  level: SarifLevel;
  message: string;
  /** Input file (relative to the working directory, or `<stdin>`); absent for results about a cluster. */
  file?: string;
  region?: Region;
  /** A name for the thing the result is about: `PyTorchJob team-a/bert: spec.runPolicy`, `cluster https://…`. */
  logicalName?: string;
  properties?: Record<string, unknown>;
}

/** Streams one SARIF log with one run: call `result()` for each result, then `finish()`. */
export class SarifWriter {
  private first = true;
  private readonly rules: SarifRule[] = [];
  private readonly ruleIndex = new Map<string, number>();

  constructor(
    private readonly write: (chunk: string) => void,
    private readonly describe: (ruleId: string) => SarifRule,
    /** file:// URI of the working directory, the base of relative input paths (with a trailing slash). */
    private readonly srcRoot?: string,
  ) {
    this.write(`{"$schema":${JSON.stringify(SARIF_SCHEMA)},"version":"2.1.0","runs":[{"results":[`);
  }

  /** Writes one result. */
  result(r: SarifResultInput): void {
    let index = this.ruleIndex.get(r.ruleId);
    if (index === undefined) {
      index = this.rules.length;
      this.rules.push(this.describe(r.ruleId));
      this.ruleIndex.set(r.ruleId, index);
    }
    const physical = r.file
      ? {
          physicalLocation: {
            artifactLocation: r.file === '<stdin>' ? { uri: 'stdin' } : { uri: encodeURI(r.file.split('\\').join('/')), ...(this.srcRoot && !isAbsolutePath(r.file) ? { uriBaseId: 'SRCROOT' } : {}) },
            ...(r.region ? { region: r.region } : {}),
          },
        }
      : {};
    const logical = r.logicalName ? { logicalLocations: [{ fullyQualifiedName: r.logicalName, kind: 'object' }] } : {};
    const result = {
      ruleId: r.ruleId,
      ruleIndex: index,
      level: r.level,
      message: { text: r.message },
      ...(r.file || r.logicalName ? { locations: [{ ...physical, ...logical }] } : {}),
      ...(r.properties ? { properties: r.properties } : {}),
    };
    this.write(`${this.first ? '' : ','}\n${JSON.stringify(result)}`);
    this.first = false;
  }

  /** Closes the log: the tool with every rule used, and the source root. */
  finish(): void {
    const driver = {
      name: TOOL_NAME,
      version: TOOL_VERSION,
      semanticVersion: TOOL_VERSION,
      informationUri: DOCS_URL.replace(/\/docs$/, ''),
      rules: this.rules.map((r) => ({ id: r.id, shortDescription: { text: r.title }, helpUri: r.helpUri, help: { text: `${r.title}. See ${r.helpUri}` }, defaultConfiguration: { level: r.level } })),
    };
    const base = this.srcRoot ? { originalUriBaseIds: { SRCROOT: { uri: this.srcRoot } } } : {};
    this.write(`\n],"tool":${JSON.stringify({ driver })},"columnKind":"unicodeCodePoints"${this.srcRoot ? `,"originalUriBaseIds":${JSON.stringify(base.originalUriBaseIds)}` : ''}}]}\n`);
  }
}

function isAbsolutePath(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p);
}

/** A finding severity as a SARIF level. */
export function sarifLevel(severity: 'error' | 'warning' | 'info'): SarifLevel {
  return severity === 'info' ? 'note' : severity;
}

/** Splits a finding path (`spec.a.b[0].env`, `metadata.labels["x/y"]`) into keys and indexes. */
export function parseFindingPath(path: string): Array<string | number> {
  const out: Array<string | number> = [];
  const re = /\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) {
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, '$1'));
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3]);
  }
  return out;
}

/** Locates findings in one YAML/JSON document; built once per document that has findings. */
export class DocumentLocator {
  private readonly lines = new LineCounter();
  private readonly root: Node | null;

  /** `startLine`: the 1-based line of the file where `text` starts (documents after the first). */
  constructor(
    text: string,
    private readonly startLine = 1,
  ) {
    let root: Node | null = null;
    try {
      root = parseDocument(text, { lineCounter: this.lines, uniqueKeys: false, strict: false }).contents as Node | null;
    } catch {
      root = null;
    }
    this.root = root;
  }

  /**
   * The line and column of the deepest existing node along `path`, searched from the document root and from
   * every mapping of `kind` named `name` inside it (a job in a List or an AppWrapper): the field itself when it
   * exists, else the nearest ancestor (a missing `env` points at its container). The document's start otherwise.
   */
  locate(path: string, kind?: string, name?: string): Region {
    const keys = parseFindingPath(path);
    let best: { depth: number; offset: number } = { depth: -1, offset: 0 };
    for (const start of this.starts(kind, name)) {
      const found = walk(start, keys);
      if (found.depth > best.depth) best = found;
    }
    const pos = this.lines.linePos(best.offset);
    return { startLine: pos.line + this.startLine - 1, startColumn: pos.col };
  }

  private starts(kind?: string, name?: string): Node[] {
    const out: Node[] = [];
    if (this.root) out.push(this.root);
    if (!this.root || !kind) return out;
    const visit = (n: unknown, depth: number): void => {
      if (depth > 12) return;
      if (isMap(n)) {
        if (n !== this.root && scalarAt(n, ['kind']) === kind && (!name || scalarAt(n, ['metadata', 'name']) === name)) out.push(n as Node);
        for (const p of n.items) visit(p.value, depth + 1);
      } else if (isSeq(n)) for (const i of n.items) visit(i, depth + 1);
    };
    visit(this.root, 0);
    return out;
  }
}

function scalarAt(n: unknown, keys: string[]): unknown {
  let cur = n;
  for (const k of keys) {
    if (!isMap(cur)) return undefined;
    cur = cur.get(k, true);
  }
  return isScalar(cur) ? cur.value : undefined;
}

function walk(start: Node, keys: Array<string | number>): { depth: number; offset: number } {
  let node: unknown = start;
  let offset = start.range?.[0] ?? 0;
  let depth = 0;
  for (const k of keys) {
    if (typeof k === 'number' && isSeq(node)) {
      const item = node.items[k] as Node | undefined;
      if (!item) break;
      node = item;
      offset = item.range?.[0] ?? offset;
    } else if (typeof k === 'string' && isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? String(p.key.value) : String(p.key)) === k);
      if (!pair) break;
      // Point at the key (`env:`), which is where an editor shows a field.
      offset = (pair.key as Node | null)?.range?.[0] ?? (pair.value as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else break;
    depth++;
  }
  return { depth, offset };
}
