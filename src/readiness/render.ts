// Renders a readiness report: a borderless kubectl-style table for people, JSON or YAML for machines.
import Table from 'cli-table3';
import { markdownTable } from '../render/markdown.js';
import { DOCS_URL, SarifWriter, type SarifLevel } from '../render/sarif.js';
import { toYaml } from '../yaml/index.js';
import type { ProducerRow } from './facts.js';
import type { CheckResult, ReadinessReport } from './types.js';

const NO_BORDERS = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};

const STATUS_WORD: Record<CheckResult['status'], string> = { pass: 'PASS', warn: 'WARN', fail: 'FAIL', skipped: 'SKIP' };
const MIGRATION_VERDICT: Record<ReadinessReport['summary']['verdict'], string> = {
  ready: 'READY: no blocking or advisory findings',
  advisory: 'ADVISORY: nothing blocks the migration, but review the warnings and skipped checks',
  blocked: 'BLOCKED: fix the failing checks before migrating',
};
const UPGRADE_VERDICT: Record<ReadinessReport['summary']['verdict'], string> = {
  ready: 'READY: Training Operator v1 can be removed from this cluster',
  advisory: 'ADVISORY: nothing blocks removing Training Operator v1, but review the warnings and skipped checks',
  blocked: 'BLOCKED: Training Operator v1 cannot be removed yet; fix the blocking items first',
};

/** The verdict line of a report (the question differs between the migration checks and --upgrade). */
export function verdictText(report: ReadinessReport): string {
  return (report.mode === 'upgrade' ? UPGRADE_VERDICT : MIGRATION_VERDICT)[report.summary.verdict];
}

/** Renders the report as a heading, a table of checks (message with the remediation under it) and a verdict line. */
export function renderReadinessTable(report: ReadinessReport, width: number): string {
  const idW = Math.max(...report.checks.map((c) => c.id.length), 5);
  const msgW = Math.max(30, width - idW - 6 - 9 - 6);
  const table = new Table({
    head: ['CHECK', 'STATUS', 'IMPACT', 'MESSAGE'],
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: [idW, 6, 9, msgW],
    wordWrap: true,
    wrapOnWordBoundary: true,
  });
  for (const c of report.checks) {
    table.push([c.id, STATUS_WORD[c.status], c.impact === 'none' ? '-' : c.impact, c.remediation && c.status !== 'pass' ? `${c.message}\nfix: ${c.remediation}` : c.message]);
  }
  const cl = report.cluster;
  const head = [
    `Cluster: ${cl.server}${cl.context ? ` (context ${cl.context})` : ''}${cl.kubernetesVersion ? `, Kubernetes ${cl.kubernetesVersion}` : ''}${cl.user ? `, as ${cl.user}` : ''}`,
    report.mode === 'upgrade'
      ? `Can Training Operator v1 be removed? All namespaces; Trainer schema: ${cl.trainerSchema ?? 'not detected'}`
      : `Scope: ${report.scope.allNamespaces ? 'all namespaces' : `namespace ${report.scope.namespace}`}; Trainer schema: ${cl.trainerSchema ?? 'not detected'}; dry conversion to ${report.target}`,
    '',
  ];
  const s = report.summary;
  const producers = report.producers?.length ? ['', ...renderProducersTable(report.producers, width, PRODUCER_TABLE_ROWS, report.mode === 'upgrade' ? 'v1 jobs' : 'PyTorchJobs').split('\n')] : [];
  const foot = [...producers, '', `${verdictText(report)} (${s.pass} passed, ${s.warn} warnings, ${s.fail} failed, ${s.skipped} skipped; ${s.blocking} blocking, ${s.advisory} advisory)`];
  return [...head, ...table.toString().split('\n').map((l) => l.trimEnd()), ...foot].join('\n') + '\n';
}

/** How many producers the table lists; -o json lists every one. */
export const PRODUCER_TABLE_ROWS = 20;

/** The "Who creates your PyTorchJobs" table: producer kind, name, jobs, namespaces and the action each needs. */
export function renderProducersTable(rows: readonly ProducerRow[], width: number, limit = PRODUCER_TABLE_ROWS, jobs = 'PyTorchJobs'): string {
  const kindW = Math.min(24, Math.max(8, ...rows.map((r) => r.kind.length)));
  const nameW = Math.min(32, Math.max(4, ...rows.map((r) => r.name.length)));
  const nsW = 20;
  const actionW = Math.max(30, width - kindW - nameW - 5 - nsW - 8);
  const table = new Table({
    head: ['PRODUCER', 'NAME', 'JOBS', 'NAMESPACES', 'ACTION'],
    chars: NO_BORDERS,
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
    colWidths: [kindW, nameW, 5, nsW, actionW],
    wordWrap: true,
    wrapOnWordBoundary: true,
  });
  const shown = rows.slice(0, limit);
  for (const r of shown) {
    const ns = r.namespaces.length <= 2 ? r.namespaces.join(', ') : `${r.namespaces.slice(0, 2).join(', ')} +${r.namespaces.length - 2}`;
    table.push([r.kind, r.name, String(r.jobs), ns, `${r.recreates ? 'RE-CREATES deleted jobs. ' : ''}${r.action}`]);
  }
  const lines = [`Who creates your ${jobs}:`, ...table.toString().split('\n').map((l) => l.trimEnd())];
  if (rows.length > shown.length) lines.push(`... and ${rows.length - shown.length} more producer(s) (every one: -o json, .producers)`);
  return lines.join('\n');
}

/** Output formats of readiness (-o, or --report for sarif and markdown). */
export type ReadinessFormat = 'table' | 'json' | 'yaml' | 'sarif' | 'markdown';

/** Renders the report in one of the output formats; JSON and YAML print the report object exactly. */
export function renderReadiness(report: ReadinessReport, format: ReadinessFormat, width = 120): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  if (format === 'yaml') return toYaml(report as unknown as Record<string, unknown>);
  if (format === 'sarif') return renderReadinessSarif(report);
  if (format === 'markdown') return renderReadinessMarkdown(report);
  return renderReadinessTable(report, width);
}

const clusterName = (r: ReadinessReport) => `cluster ${r.cluster.server}${r.cluster.context ? ` (context ${r.cluster.context})` : ''}`;

/**
 * SARIF 2.1.0: one result per check that is not passing (fail = error, warn = warning, an advisory skip = note),
 * rule IDs = the stable check IDs, located at the cluster (a logical location: there is no input file).
 */
export function renderReadinessSarif(report: ReadinessReport): string {
  return renderReadinessSarifMany([report]);
}

/** One SARIF log for the reports of several clusters (each result's logical location names its cluster). */
export function renderReadinessSarifMany(reports: readonly ReadinessReport[]): string {
  let out = '';
  const sarif = new SarifWriter(
    (c) => (out += c),
    (id) => ({ id, title: `readiness check ${id}`, level: 'warning', helpUri: `${DOCS_URL}/readiness.md#${id.replace(/\./g, '-')}` }),
  );
  for (const report of reports) for (const c of report.checks) {
    const level: SarifLevel | undefined = c.status === 'fail' ? 'error' : c.status === 'warn' ? 'warning' : c.impact === 'advisory' ? 'note' : undefined;
    if (!level) continue;
    sarif.result({
      ruleId: c.id,
      level,
      message: c.remediation ? `${c.message} Fix: ${c.remediation}` : c.message,
      logicalName: `${clusterName(report)}: ${c.id}`,
      properties: { status: c.status, impact: c.impact, server: report.cluster.server, ...(report.cluster.context ? { context: report.cluster.context } : {}) },
    });
  }
  sarif.finish();
  return out;
}

const MD_STATUS: Record<CheckResult['status'], string> = { pass: 'pass', warn: '**warn**', fail: '**FAIL**', skipped: 'skipped' };

/** Markdown for a pull-request or issue comment: verdict, checks, producers. */
export function renderReadinessMarkdown(report: ReadinessReport): string {
  const s = report.summary;
  const cl = report.cluster;
  const out = [
    `### kubectl trainjob readiness${report.mode === 'upgrade' ? ' --upgrade' : ''}: ${s.verdict.toUpperCase()}`,
    '',
    `${verdictText(report)} (${s.pass} passed, ${s.warn} warnings, ${s.fail} failed, ${s.skipped} skipped; ${s.blocking} blocking, ${s.advisory} advisory).`,
    '',
    `Cluster \`${cl.server}\`${cl.context ? ` (context \`${cl.context}\`)` : ''}${cl.kubernetesVersion ? `, Kubernetes ${cl.kubernetesVersion}` : ''}; scope ${report.scope.allNamespaces ? 'all namespaces' : `namespace \`${report.scope.namespace}\``}; Trainer schema ${cl.trainerSchema ?? 'not detected'}.`,
    '',
    markdownTable(
      ['Check', 'Status', 'Impact', 'Message'],
      report.checks.map((c) => [`[${c.id}](${DOCS_URL}/readiness.md#${c.id.replace(/\./g, '-')})`, MD_STATUS[c.status], c.impact === 'none' ? '-' : c.impact, c.remediation && c.status !== 'pass' ? `${c.message}\nFix: ${c.remediation}` : c.message]),
    ),
  ];
  if (report.producers?.length) {
    const shown = report.producers.slice(0, PRODUCER_TABLE_ROWS);
    out.push('', `#### Who creates your ${report.mode === 'upgrade' ? 'v1 jobs' : 'PyTorchJobs'}`, '', markdownTable(['Producer', 'Name', 'Jobs', 'Namespaces', 'Re-creates', 'Action'], shown.map((r) => [r.kind, r.name, String(r.jobs), r.namespaces.join(', '), r.recreates ? 'yes' : 'no', r.action])));
    if (report.producers.length > shown.length) out.push('', `… and ${report.producers.length - shown.length} more producers (-o json lists all of them).`);
  }
  return `${out.join('\n')}\n`;
}
