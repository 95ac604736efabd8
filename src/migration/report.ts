// Rendering of plans, outcomes and progress. Plans and progress go to stderr, the final report to stdout.
import type { Writable } from 'node:stream';
import { planLabel, type JobOutcome, type OutcomeStatus } from './executor.js';
import { writeChunk } from '../io.js';
import { summarizePlans, type FindingCounts, type JobPlan } from './plan.js';

/** Renders rows as a kubectl-style table: upper-case headers, columns padded to the widest cell, two spaces apart. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** `2 errors, 1 warning` (or `-` when there are none). */
export function findingsSummary(c: FindingCounts): string {
  const parts: string[] = [];
  if (c.error) parts.push(`${c.error} error${c.error > 1 ? 's' : ''}`);
  if (c.warning) parts.push(`${c.warning} warning${c.warning > 1 ? 's' : ''}`);
  if (c.info) parts.push(`${c.info} info`);
  return parts.join(', ') || '-';
}

function actionLabel(p: JobPlan): string {
  switch (p.action) {
    case 'create':
      return 'create TrainJob (suspended), keep v1';
    case 'cutover':
      return `${p.createTrainJob ? `create TrainJob${p.suspend ? ' (suspended)' : ''}` : 'TrainJob exists'}, delete v1`;
    case 'wait-cutover':
      return 'wait for v1 to finish, then cut over';
    case 'refuse':
      return 'refuse';
    case 'skip':
      return 'skip';
  }
}

/** How many rows the printed plan shows before it summarizes the rest (a fleet's plan must stay readable). */
export const PLAN_TABLE_ROWS = 200;

/**
 * The plan table printed before anything is written. Above `limit` rows it shows the first `limit` and then
 * one line counting the rest by action: a 10,000-row table on a terminal helps no one, and `--dry-run -o json`
 * still lists every row.
 */
export function renderPlan(plans: readonly JobPlan[], allNamespaces: boolean, limit = PLAN_TABLE_ROWS): string {
  const shown = plans.length > limit ? plans.slice(0, limit) : plans;
  // The PRODUCER column appears only when some producer would re-create its job (what refuses a replace);
  // -o json carries every producer.
  const withProducer = shown.some((p) => p.producer?.recreates);
  const headers = [...(allNamespaces ? ['NAMESPACE'] : []), 'JOB', 'STATE', 'ACTION', 'TRAINJOB', 'FINDINGS', ...(withProducer ? ['PRODUCER'] : []), 'NOTE'];
  const rows = shown.map((p) => [
    ...(allNamespaces ? [p.namespace] : []),
    planLabel(p),
    p.state,
    actionLabel(p),
    p.trainJobName + (p.generatedRuntime && p.createTrainJob ? ' (+runtime)' : ''),
    findingsSummary(p.findings),
    ...(withProducer ? [p.producer?.recreates ? `${p.producer.kind} ${p.producer.name}` : '-'] : []),
    p.reason ?? (p.alreadyMigrated ? 'already migrated' : ''),
  ]);
  const table = renderTable(headers, rows);
  if (shown.length === plans.length) return table;
  const rest = summarizePlans(plans.slice(limit));
  const counts = (Object.keys(rest) as (keyof typeof rest)[]).filter((a) => rest[a] > 0).map((a) => `${rest[a]} ${a}`);
  return `${table}... and ${plans.length - limit} more job(s) not shown: ${counts.join(', ')} (every row: --dry-run -o json)\n`;
}

/** The summary of a run: how many jobs ended in each status, plus the API requests it took. */
export interface RunSummary {
  jobs: number;
  migrated: number;
  skipped: number;
  refused: number;
  failed: number;
  /** API writes sent (creates, applies, deletes). */
  writes: number;
  requests?: { total: number; byVerb: Record<string, number>; retries: number };
}

/** Counts outcomes by status. */
export function summarize(outcomes: readonly JobOutcome[]): RunSummary {
  const s: RunSummary = { jobs: outcomes.length, migrated: 0, skipped: 0, refused: 0, failed: 0, writes: 0 };
  for (const o of outcomes) {
    s[o.status]++;
    s.writes += o.writes;
  }
  return s;
}

function outcomeNote(o: JobOutcome): string {
  if (o.status !== 'migrated') return o.reason ?? '';
  const parts: string[] = [];
  if (o.steps.trainJob === 'exists') parts.push('TrainJob existed');
  if (o.steps.pytorchJob === 'deleted') parts.push('v1 deleted');
  else if (o.steps.pytorchJob === 'already-deleted') parts.push('v1 already gone');
  else parts.push('v1 kept');
  if (o.suspended) parts.push('suspended');
  if (o.v1ManifestEmbedded === false) parts.push('v1 manifest too large for an annotation: backup file only');
  return parts.join('; ');
}

/** The final per-job table (stdout). */
export function renderOutcomes(outcomes: readonly JobOutcome[], allNamespaces: boolean): string {
  const withProducer = outcomes.some((o) => o.producer?.recreates);
  const headers = [...(allNamespaces ? ['NAMESPACE'] : []), 'JOB', 'RESULT', 'TRAINJOB', ...(withProducer ? ['PRODUCER'] : []), 'NOTE'];
  const rows = outcomes.map((o) => [...(allNamespaces ? [o.namespace] : []), planLabel(o), o.status, o.trainJob, ...(withProducer ? [o.producer?.recreates ? `${o.producer.kind} ${o.producer.name}` : '-'] : []), outcomeNote(o)]);
  return renderTable(headers, rows);
}

/** The closing lines under the table: totals, how to resume suspended TrainJobs, where the backup is. */
export function renderFooter(outcomes: readonly JobOutcome[], summary: RunSummary, backupDir: string | undefined): string {
  const lines = [`${summary.jobs} job(s): ${summary.migrated} migrated, ${summary.skipped} skipped, ${summary.refused} refused, ${summary.failed} failed.`];
  if (backupDir) lines.push(`Backup: ${backupDir}`);
  const suspended = outcomes.filter((o) => o.resume && o.steps.trainJob === 'created');
  if (suspended.length) {
    lines.push(`${suspended.length} TrainJob(s) were created suspended. Start one (after retiring its PyTorchJob in side-by-side mode) with:`);
    lines.push(`  ${suspended[0]!.resume}`);
  }
  for (const o of outcomes.filter((x) => x.status === 'failed' && x.hint).slice(0, 5)) lines.push(`hint (${o.namespace}/${planLabel(o)}): ${o.hint}`);
  return lines.join('\n') + '\n';
}

/** The `-o json` report. */
export function jsonReport(kind: string, summary: RunSummary, jobs: readonly unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ kind, ...extra, summary, jobs }, null, 2) + '\n';
}

/**
 * Writes the same bytes as jsonReport, a chunk of jobs at a time with backpressure, so a fleet's report is
 * never held as one big string (it would be several times the size of the rows themselves).
 */
export async function writeJsonReport(out: Writable, kind: string, summary: RunSummary, jobs: readonly unknown[], extra: Record<string, unknown> = {}): Promise<void> {
  if (jobs.length === 0) return writeChunk(out, jsonReport(kind, summary, jobs, extra));
  const head = JSON.stringify({ kind, ...extra, summary, jobs: [] }, null, 2);
  // `"jobs": []` is the last member: open the array there and close it after the rows.
  let chunk = `${head.slice(0, head.lastIndexOf('[]'))}[\n`;
  for (let i = 0; i < jobs.length; i++) {
    chunk += `    ${JSON.stringify(jobs[i], null, 2).replace(/\n/g, '\n    ')}${i < jobs.length - 1 ? ',' : ''}\n`;
    if (chunk.length > 64 * 1024) {
      await writeChunk(out, chunk);
      chunk = '';
    }
  }
  await writeChunk(out, `${chunk}  ]\n}\n`);
}

/** A one-line progress bar on stderr, redrawn at most every 100 ms; only used when stderr is a terminal. */
export class ProgressBar {
  private done = 0;
  private readonly counts: Record<OutcomeStatus, number> = { migrated: 0, skipped: 0, refused: 0, failed: 0 };
  private last = 0;
  constructor(
    private readonly err: Writable,
    private readonly total: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records one finished job and redraws when due. */
  tick(status: OutcomeStatus): void {
    this.done++;
    this.counts[status]++;
    const t = this.clock();
    if (this.done === this.total || t - this.last >= 100) {
      this.last = t;
      this.draw();
    }
  }

  /** Clears the bar's line. */
  finish(): void {
    this.err.write('\r\x1b[K');
  }

  private draw(): void {
    const width = 30;
    const filled = this.total ? Math.round((this.done / this.total) * width) : width;
    const c = this.counts;
    this.err.write(`\r\x1b[K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${this.done}/${this.total}  migrated ${c.migrated}  skipped ${c.skipped}  refused ${c.refused}  failed ${c.failed}`);
  }
}
