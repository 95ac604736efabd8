// Comments on fields of a converted job follow the field into the new objects, where the field has exactly
// one home there. The `yaml` package's concrete syntax tree gives each comment's exact place (a `#` inside
// a string or a block scalar is not a comment); its document model gives each field's place. A comment
// belongs to the field on its own line (a trailing comment) or to the field on the next line (comment
// lines directly above it). The field's home in the output is the one field with the same key (or its v2
// name: the training container's image, command, args, env and resources become spec.trainer's), the same
// parent key and the same value; where there is no such field or more than one, the comment is not carried
// and the caller reports it.
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, parseDocument, Parser, type Document, type Node } from 'yaml';

/** A comment of the source body: its text (`# ...` as written) and whether it stood alone on its line. */
interface SourceComment {
  /** 0-based line in the body. */
  line: number;
  text: string;
  ownLine: boolean;
  /** For a trailing comment: the spaces between the value and the `#`. */
  gap: string;
}

/** A field (map entry) or a sequence item, where it starts and what it holds. */
interface Anchor {
  kind: 'pair' | 'item';
  /** The entry's key (pairs only). */
  key?: string;
  /** Key of the nearest enclosing map entry (sequence indices skipped); '' at the root. */
  parentKey: string;
  value: unknown;
  depth: number;
  line: number;
  endLine: number;
  /** Whether a trailing comment can follow the line (the value is a one-line scalar, a collection or a block scalar). */
  trailingOk: boolean;
  /** Object index of the anchor in the rendered output (which `---`-separated object). */
  doc: number;
}

/** The result of carrying comments into a rendered body. */
export interface CarriedComments {
  /** The rendered text with the carried comments inserted. */
  text: string;
  /** 1-based lines (in the source body) of comments that were not carried. */
  notCarried: number[];
}

/** v1 field (parent key, key) → its v2 home (parent key, key), beyond fields that keep key and parent. */
const RENAMES: Record<string, [string, string]> = {
  'containers image': ['trainer', 'image'],
  'containers command': ['trainer', 'command'],
  'containers args': ['trainer', 'args'],
  'containers env': ['trainer', 'env'],
  'containers resources': ['trainer', 'resourcesPerNode'],
  'spec nprocPerNode': ['trainer', 'numProcPerNode'],
  'runPolicy suspend': ['spec', 'suspend'],
  'runPolicy activeDeadlineSeconds': ['spec', 'activeDeadlineSeconds'],
  'runPolicy managedBy': ['spec', 'managedBy'],
};

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 0-based line of an offset (binary search over line starts). */
function lineOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Every comment of a YAML text, from the concrete syntax tree. */
function findComments(text: string, starts: number[]): SourceComment[] {
  const found: { offset: number; source: string }[] = [];
  const walk = (n: unknown): void => {
    if (Array.isArray(n)) {
      for (const x of n) walk(x);
      return;
    }
    if (n === null || typeof n !== 'object') return;
    const t = n as { type?: string; offset?: number; source?: string };
    if (t.type === 'comment' && typeof t.offset === 'number' && typeof t.source === 'string') {
      found.push({ offset: t.offset, source: t.source });
      return;
    }
    for (const v of Object.values(n)) if (v !== null && typeof v === 'object') walk(v);
  };
  for (const token of new Parser().parse(text)) walk(token);
  found.sort((a, b) => a.offset - b.offset);
  return found.map(({ offset, source }) => {
    const line = lineOf(starts, offset);
    const before = text.slice(starts[line]!, offset);
    const ownLine = before.trim() === '';
    const gap = ownLine ? '' : (/[ \t]*$/.exec(before)?.[0] ?? ' ');
    return { line, text: source.replace(/\r$/, ''), ownLine, gap: gap || ' ' };
  });
}

/** The fields and items of a parsed document, with their lines and plain values. */
function collectAnchors(document: Document, starts: number[], doc: number, out: Anchor[]): void {
  const root = document.contents;
  const visit = (node: unknown, parentKey: string, depth: number): void => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key) || !pair.key.range) continue;
        const key = String(pair.key.value);
        const value = pair.value as Node | null;
        const line = lineOf(starts, pair.key.range[0]);
        const end = value?.range ? lineOf(starts, Math.max(value.range[0], value.range[1] - 1)) : line;
        out.push({
          kind: 'pair', key, parentKey, value: value ? value.toJS(document) : null, depth, line, endLine: end, doc,
          trailingOk: !value || !isScalar(value) || end === line || value.type === 'BLOCK_LITERAL' || value.type === 'BLOCK_FOLDED',
        });
        visit(value, key, depth + 1);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) {
        const n = item as Node;
        if (!n?.range) continue;
        const line = lineOf(starts, n.range[0]);
        const end = lineOf(starts, Math.max(n.range[0], n.range[1] - 1));
        out.push({
          kind: 'item', parentKey, value: n.toJS(document), depth, line, endLine: end, doc,
          trailingOk: !isScalar(n) || end === line || n.type === 'BLOCK_LITERAL' || n.type === 'BLOCK_FOLDED',
        });
        visit(n, parentKey, depth + 1);
      }
    }
  };
  visit(root, '', 0);
}

function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!equal((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  return true;
}

/** The output anchors a source anchor can land on: same (or renamed) key and parent, same value. */
function homes(src: Anchor, targets: readonly Anchor[]): Anchor[] {
  const rename = src.kind === 'pair' ? RENAMES[`${src.parentKey} ${src.key}`] : undefined;
  return targets.filter((t) => {
    if (t.kind !== src.kind) return false;
    const sameName = t.key === src.key && t.parentKey === src.parentKey;
    const renamed = rename !== undefined && t.parentKey === rename[0] && t.key === rename[1];
    if (!sameName && !renamed) return false;
    // nprocPerNode is a string in v1 ("4") and a number in v2.
    if (renamed && rename[1] === 'numProcPerNode') return String(t.value) === String(src.value);
    return equal(t.value, src.value);
  });
}

/**
 * Inserts the comments of a converted document's body (`source`) into the text rendered from its objects
 * (`rendered`, YAML objects separated by `---` lines), where each commented field has one home.
 */
export function carryComments(source: string, rendered: string): CarriedComments {
  if (!source.includes('#')) return { text: rendered, notCarried: [] };
  const srcStarts = lineStarts(source);
  const comments = findComments(source, srcStarts);
  if (comments.length === 0) return { text: rendered, notCarried: [] };
  const srcAnchors: Anchor[] = [];
  collectAnchors(parseDocument(source), srcStarts, 0, srcAnchors);
  // Outermost first, so a comment above `- name: x` belongs to the item, not its first field.
  srcAnchors.sort((a, b) => a.line - b.line || a.depth - b.depth);
  const byLine = new Map<number, Anchor[]>();
  for (const a of srcAnchors) {
    const list = byLine.get(a.line);
    if (list) list.push(a);
    else byLine.set(a.line, [a]);
  }
  // Which source anchor each comment belongs to.
  const owned = new Map<Anchor, { above: SourceComment[]; trailing?: SourceComment }>();
  const notCarried: number[] = [];
  const own = (a: Anchor | undefined, c: SourceComment, trailing: boolean): void => {
    if (!a) {
      notCarried.push(c.line + 1);
      return;
    }
    const entry = owned.get(a) ?? { above: [] };
    if (trailing) entry.trailing = c;
    else entry.above.push(c);
    owned.set(a, entry);
  };
  const srcLines = source.split('\n');
  for (let i = 0; i < comments.length; i++) {
    const c = comments[i]!;
    const onLine = byLine.get(c.line);
    if (!c.ownLine) {
      // The outermost field that is whole on this line; else the outermost that starts on it (`labels: # x`).
      own(onLine?.find((a) => a.endLine === c.line) ?? onLine?.[0], c, true);
      continue;
    }
    // A block of comment lines belongs to the field on the line right after it (no blank line between).
    let next = c.line + 1;
    while (next < srcLines.length && comments.some((o) => o.ownLine && o.line === next)) next++;
    const blank = next < srcLines.length && srcLines[next]!.trim() === '';
    own(blank ? undefined : byLine.get(next)?.[0], c, false);
  }
  if (owned.size === 0) return { text: rendered, notCarried };

  const outStarts = lineStarts(rendered);
  const targets: Anchor[] = [];
  for (const [i, d] of parseAllDocuments(rendered).entries()) collectAnchors(d as Document, outStarts, i, targets);
  const above = new Map<number, string[]>();
  const trailing = new Map<number, string>();
  for (const [src, entry] of owned) {
    const found = homes(src, targets);
    // Identical fields (Master and Worker share a template) land on one home: that is still one home.
    const home = found.length === 1 ? found[0] : undefined;
    const lines = [...entry.above.map((c) => c.line), ...(entry.trailing ? [entry.trailing.line] : [])];
    if (!home) {
      notCarried.push(...lines.map((l) => l + 1));
      continue;
    }
    const list = above.get(home.line) ?? [];
    for (const c of entry.above) if (!list.includes(c.text)) list.push(c.text);
    if (entry.trailing) {
      const t = entry.trailing;
      if (home.trailingOk && !trailing.has(home.line)) trailing.set(home.line, `${t.gap}${t.text}`);
      else if (!list.includes(t.text) && trailing.get(home.line) !== `${t.gap}${t.text}`) list.push(t.text);
    }
    if (list.length) above.set(home.line, list);
  }
  const outLines = rendered.split('\n');
  const result: string[] = [];
  for (let i = 0; i < outLines.length; i++) {
    const line = outLines[i]!;
    const indent = /^[ ]*/.exec(line)![0];
    for (const c of above.get(i) ?? []) result.push(`${indent}${c}`);
    result.push(trailing.has(i) ? `${line}${trailing.get(i)}` : line);
  }
  notCarried.sort((a, b) => a - b);
  return { text: result.join('\n'), notCarried: [...new Set(notCarried)] };
}
