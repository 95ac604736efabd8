// Plain kubectl-style tables (upper-case headers, columns padded with three spaces, no borders),
// so reports read like `kubectl get` and stay grep-able.

/** Renders rows under headers as aligned columns, one line per row, ending with a newline. */
export function columns(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  return all.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('   ').trimEnd()).join('\n') + '\n';
}
