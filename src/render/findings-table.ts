import Table from 'cli-table3';
import type { Finding } from '../convert/findings.js';

/** Formats the object a finding is about: `PyTorchJob ns/name (file.yaml#2)`. */
export function subjectLabel(f: Finding): string {
  const s = f.subject;
  if (!s) return '(input)';
  const name = s.name ? `${s.namespace ? `${s.namespace}/` : ''}${s.name}` : '';
  const what = s.kind === 'Document' ? 'Document' : `${s.kind}${name ? ` ${name}` : ''}`;
  return `${what}${s.source ? ` (${s.source})` : ''}`;
}

/** Breaks a field path at dots so it fits a column without cutting names in half. */
export function wrapPath(path: string, width: number): string {
  const lines: string[] = [];
  let cur = '';
  for (const part of path.split(/(?=\.)/)) {
    if (cur && cur.length + part.length > width) {
      lines.push(cur);
      cur = part;
    } else cur += part;
  }
  if (cur) lines.push(cur);
  return lines.join('\n');
}

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

/**
 * Renders findings as borderless tables (kubectl style), one per object with the object as a
 * heading, sized to the terminal width; the hint goes under the message. With `grouped`, one table
 * of findings that carry a `count` (one row per code and field over many objects), no headings.
 */
export function renderFindingsTable(findings: (Finding & { count?: number })[], width: number, opts: { grouped?: boolean } = {}): string {
  const pathW = Math.max(24, Math.min(48, Math.floor(width * 0.3)));
  if (opts.grouped) {
    const msgW = Math.max(30, width - pathW - 9 - 16 - 7 - 8);
    const table = new Table({
      head: ['SEVERITY', 'CODE', 'COUNT', 'PATH', 'MESSAGE'],
      chars: NO_BORDERS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
      colWidths: [9, 16, 7, pathW, msgW],
      wordWrap: true,
      wrapOnWordBoundary: true,
    });
    for (const f of findings) table.push([f.severity, f.code, String(f.count ?? 1), wrapPath(f.path, pathW), f.message]);
    return table.toString().split('\n').map((l) => `  ${l}`.trimEnd()).join('\n');
  }
  const msgW = Math.max(30, width - pathW - 9 - 16 - 6);
  const out: string[] = [];
  let group: Finding[] = [];
  const flush = () => {
    if (!group.length) return;
    const table = new Table({
      head: ['SEVERITY', 'CODE', 'PATH', 'MESSAGE'],
      chars: NO_BORDERS,
      style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
      colWidths: [9, 16, pathW, msgW],
      wordWrap: true,
      wrapOnWordBoundary: true,
    });
    for (const f of group) table.push([f.severity, f.code, wrapPath(f.path, pathW), f.hint ? `${f.message}\nhint: ${f.hint}` : f.message]);
    out.push(`${subjectLabel(group[0]!)}:`);
    out.push(...table.toString().split('\n').map((l) => `  ${l}`.trimEnd()));
    group = [];
  };
  for (const f of findings) {
    if (group.length && subjectLabel(group[0]!) !== subjectLabel(f)) flush();
    group.push(f);
  }
  flush();
  return out.join('\n');
}
