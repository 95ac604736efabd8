// readiness over many clusters (--context repeated, --all-contexts): one report per cluster plus a fleet
// summary. A cluster that could not be checked is an item with its error; the others are unaffected.
import type { ClusterOutcome } from '../cluster/index.js';
import { markdownTable } from '../render/markdown.js';
import { renderReadiness, renderReadinessSarifMany, type ReadinessFormat } from './render.js';
import type { ReadinessReport, Verdict } from './types.js';
import { toYaml } from '../yaml/index.js';

/** A cluster that could not be checked (unreachable, bad credentials, unknown context). */
export interface ClusterErrorItem {
  kind: 'ClusterError';
  cluster: { context: string; server?: string };
  error: { message: string; hint?: string };
}

/** The fleet's totals: clusters per verdict, and the worst verdict. */
export interface FleetSummary {
  clusters: number;
  ready: number;
  advisory: number;
  blocked: number;
  unreachable: number;
  /** `error` when any cluster could not be checked, else the worst verdict. */
  verdict: Verdict | 'error';
}

/** What `readiness --context a --context b -o json` prints: every item carries its `cluster`. */
export interface FleetReadinessReport {
  apiVersion: 'kubectl-trainjob.io/v1alpha1';
  kind: 'FleetReadinessReport';
  mode?: 'upgrade';
  summary: FleetSummary;
  items: Array<ReadinessReport | ClusterErrorItem>;
}

/** Builds the fleet report from the per-cluster outcomes (in the order the contexts were given). */
export function fleetReport(outcomes: ReadonlyArray<ClusterOutcome<ReadinessReport>>, upgrade: boolean): FleetReadinessReport {
  const items: FleetReadinessReport['items'] = outcomes.map((o) =>
    o.ok
      ? { ...o.value, cluster: { ...o.value.cluster, context: o.value.cluster.context ?? o.context } }
      : { kind: 'ClusterError', cluster: { context: o.context }, error: { message: o.error.message, ...((o.error as { hint?: string }).hint ? { hint: (o.error as { hint?: string }).hint! } : {}) } },
  );
  const s: FleetSummary = { clusters: items.length, ready: 0, advisory: 0, blocked: 0, unreachable: 0, verdict: 'ready' };
  for (const i of items) {
    if (i.kind === 'ClusterError') s.unreachable++;
    else s[i.summary.verdict]++;
  }
  s.verdict = s.unreachable ? 'error' : s.blocked ? 'blocked' : s.advisory ? 'advisory' : 'ready';
  return { apiVersion: 'kubectl-trainjob.io/v1alpha1', kind: 'FleetReadinessReport', ...(upgrade ? { mode: 'upgrade' as const } : {}), summary: s, items };
}

const reportsOf = (f: FleetReadinessReport) => f.items.filter((i): i is ReadinessReport => i.kind === 'ReadinessReport');

/** One row per cluster: context, server, verdict, counts, PyTorchJobs, producers that re-create jobs, or the error. */
function summaryRows(f: FleetReadinessReport): string[][] {
  return f.items.map((i) => {
    if (i.kind === 'ClusterError') return [i.cluster.context, '-', 'UNREACHABLE', '-', '-', '-', '-', i.error.message];
    const inv = i.checks.find((c) => c.id === 'inventory.pytorchjobs' || c.id === 'upgrade.v1.jobs')?.details as { total?: number; kinds?: Array<{ total: number }> } | undefined;
    const jobs = inv?.total ?? inv?.kinds?.reduce((n, k) => n + k.total, 0);
    const recreating = (i.producers ?? []).filter((p) => p.recreates).length;
    return [i.cluster.context ?? '-', i.cluster.server, i.summary.verdict.toUpperCase(), String(i.summary.blocking), String(i.summary.advisory), jobs === undefined ? '-' : String(jobs), String(recreating), ''];
  });
}

const HEAD = ['CONTEXT', 'SERVER', 'VERDICT', 'BLOCKING', 'ADVISORY', 'JOBS', 'RE-CREATING PRODUCERS', 'ERROR'];

function plainTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(headers), ...rows.map(line)].join('\n');
}

/** Renders the fleet report: each cluster's report under a heading, then the fleet summary (table, markdown); one object (json, yaml); one SARIF log. */
export function renderFleet(f: FleetReadinessReport, format: ReadinessFormat, width = 120): string {
  if (format === 'json') return `${JSON.stringify(f, null, 2)}\n`;
  if (format === 'yaml') return toYaml(f as unknown as Record<string, unknown>);
  if (format === 'sarif') return renderReadinessSarifMany(reportsOf(f));
  const s = f.summary;
  const line = `Fleet: ${s.clusters} clusters: ${s.ready} ready, ${s.advisory} advisory, ${s.blocked} blocked, ${s.unreachable} unreachable.`;
  if (format === 'markdown') {
    const parts = [`### kubectl trainjob readiness${f.mode === 'upgrade' ? ' --upgrade' : ''}: fleet of ${s.clusters} clusters`, '', line, '', markdownTable(HEAD, summaryRows(f)), ''];
    for (const i of f.items) {
      if (i.kind === 'ClusterError') parts.push(`#### Context \`${i.cluster.context}\`: not checked`, '', `${i.error.message}${i.error.hint ? ` ${i.error.hint}` : ''}`, '');
      else parts.push(renderReadiness(i, 'markdown').replace(/^### /, `#### Context \`${i.cluster.context ?? '-'}\`: `));
    }
    return `${parts.join('\n')}\n`;
  }
  let out = '';
  for (const i of f.items) {
    out += `=== context ${i.cluster.context}${i.kind === 'ReadinessReport' ? ` (${i.cluster.server})` : ''} ===\n`;
    out += i.kind === 'ClusterError' ? `error: ${i.error.message}\n${i.error.hint ? `hint: ${i.error.hint}\n` : ''}\n` : `${renderReadiness(i, 'table', width)}\n`;
  }
  return `${out}${line}\n${plainTable(HEAD, summaryRows(f))}\n`;
}
