// Unified diffs of two texts, in the format of `diff -u -N` (what kubectl diff runs by default), computed
// in-process so preview needs no diff binary (Windows, minimal images) and its output is deterministic.

/** One edit of a line-level diff: kept, removed from the old text, or added in the new one. */
export interface DiffLine {
  op: ' ' | '-' | '+';
  text: string;
}

/** Options of unifiedDiff. */
export interface UnifiedDiffOptions {
  /** Label of the old side (`--- label`). */
  fromLabel: string;
  /** Label of the new side (`+++ label`). */
  toLabel: string;
  /** Lines of context around each change; diff's default is 3. */
  context?: number;
}

/**
 * Marks a last line that has no newline, so that it differs from the same line with one (as in diff) and
 * the output can say so after it. NUL never occurs in the texts diffed here (the YAML reader rejects it).
 */
const NO_EOL = '\u0000';

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += NO_EOL;
  return lines;
}

/**
 * The shortest edit script between two line arrays (Myers' O((N+M)·D) algorithm), as a list of kept,
 * removed and added lines in order. Removals come before additions within a change, as in GNU diff.
 */
export function diffLines(a: readonly string[], b: readonly string[]): DiffLine[] {
  const n = a.length;
  const m = b.length;
  const max = n + m;
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = false;
  for (let d = 0; d <= max && !found; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) {
        found = true;
        break;
      }
    }
  }
  // Walk the trace backwards to recover the path.
  const out: DiffLine[] = [];
  let x = n;
  let y = m;
  for (let d = trace.length - 1; d >= 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[offset + k - 1]! < vd[offset + k + 1]!) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : vd[offset + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      out.push({ op: ' ', text: a[--x]! });
      y--;
    }
    if (d === 0) break;
    if (x === prevX) out.push({ op: '+', text: b[--y]! });
    else out.push({ op: '-', text: a[--x]! });
  }
  out.reverse();
  return groupChanges(out);
}

/** Reorders each run of changes so its removals precede its additions (the order diff -u prints). */
function groupChanges(lines: DiffLine[]): DiffLine[] {
  const out: DiffLine[] = [];
  let minus: DiffLine[] = [];
  let plus: DiffLine[] = [];
  const flush = (): void => {
    out.push(...minus, ...plus);
    minus = [];
    plus = [];
  };
  for (const l of lines) {
    if (l.op === '-') minus.push(l);
    else if (l.op === '+') plus.push(l);
    else {
      flush();
      out.push(l);
    }
  }
  flush();
  return out;
}

function range(start: number, count: number): string {
  // diff -u writes an empty range as "start-1,0" and a one-line range without the count.
  if (count === 0) return `${start - 1},0`;
  return count === 1 ? `${start}` : `${start},${count}`;
}

/**
 * Renders the unified diff of two texts (`--- from`, `+++ to`, `@@ -a,b +c,d @@` hunks with `context` lines
 * around changes); returns "" when the texts are equal. An empty side stands for an absent file (diff -N).
 */
export function unifiedDiff(from: string, to: string, opts: UnifiedDiffOptions): string {
  if (from === to) return '';
  const a = splitLines(from);
  const b = splitLines(to);
  const lines = diffLines(a, b);
  const ctx = opts.context ?? 3;
  const out: string[] = [`--- ${opts.fromLabel}`, `+++ ${opts.toLabel}`];
  // Positions (old/new line numbers, 1-based) of every edit line.
  let ai = 1;
  let bi = 1;
  const pos = lines.map((l) => {
    const p = { a: ai, b: bi };
    if (l.op !== '+') ai++;
    if (l.op !== '-') bi++;
    return p;
  });
  let i = 0;
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.op === ' ') i++;
    if (i >= lines.length) break;
    // A hunk starts `ctx` lines before the first change and grows while changes are within 2·ctx lines.
    const start = Math.max(0, i - ctx);
    let end = i;
    let lastChange = i;
    while (end < lines.length) {
      if (lines[end]!.op !== ' ') lastChange = end;
      else if (end - lastChange > 2 * ctx) break;
      end++;
    }
    end = Math.min(lines.length, lastChange + ctx + 1);
    const hunk = lines.slice(start, end);
    const aCount = hunk.filter((l) => l.op !== '+').length;
    const bCount = hunk.filter((l) => l.op !== '-').length;
    out.push(`@@ -${range(pos[start]!.a, aCount)} +${range(pos[start]!.b, bCount)} @@`);
    for (const l of hunk) {
      // diff -u and git write the marker right after the line that lacks the newline.
      if (l.text.endsWith(NO_EOL)) out.push(`${l.op}${l.text.slice(0, -1)}`, '\\ No newline at end of file');
      else out.push(`${l.op}${l.text}`);
    }
    i = end;
  }
  return `${out.join('\n')}\n`;
}

/** kubectl diff's file name for an object: `<group>.<version>.<Kind>.<namespace>.<name>`. */
export function diffFileName(apiVersion: string, kind: string, namespace: string | undefined, name: string): string {
  // kubectl joins group and version with a dot; core objects have no group ("v1.ConfigMap.ns.name").
  const gv = apiVersion.replace('/', '.');
  return [gv, kind, namespace, name].filter((p) => p !== undefined && p !== '').join('.');
}
