// `cleanup` end to end: gather facts, judge, optionally delete migrated PyTorchJobs, judge again, report.
import { connect } from '../cluster/index.js';
import { isNotFound } from '../cluster/errors.js';
import { Resources } from '../cluster/resources.js';
import { mapConcurrent } from '../cluster/concurrency.js';
import type { ExitCodeValue } from '../errors.js';
import { Writable } from 'node:stream';
import type { Deps } from '../io.js';
import type { ClusterOptions, ClusterTuning } from '../cluster/config-flags.js';
import { BackupLookup } from './backups.js';
import { assessCleanup, isDeletable, type CleanupAssessment } from './cleanup-plan.js';
import { gatherCleanupFacts, type Scope } from './cluster-facts.js';
import { confirm, requireYesWhenNotInteractive } from './confirm.js';
import { columns } from './render.js';

/** Validated options of `cleanup`. */
export interface CleanupOptions {
  cluster: ClusterOptions;
  tuning: ClusterTuning;
  scope: Omit<Scope, 'namespace'>;
  backupDir?: string;
  deleteMigrated: boolean;
  /** --dry-run with --delete-migrated: print the plan and the verdict the deletion would leave; delete nothing. */
  dryRun?: boolean;
  /** Also delete migrated jobs whose producer would re-create them (--force). */
  force: boolean;
  yes: boolean;
  output: 'table' | 'json' | 'name';
}

/** What happened to one job cleanup tried to delete. */
export interface Deletion {
  namespace: string;
  name: string;
  result: 'deleted' | 'already-gone' | 'failed' | 'would-delete';
  error?: string;
}

/** Runs cleanup and returns its exit code (0 removable, 3 advisory, 4 blocked); throws on errors. */
export async function runCleanup(opts: CleanupOptions, deps: Deps): Promise<ExitCodeValue> {
  const cluster = await connect(opts.cluster, deps.env, { qps: opts.tuning.qps, burst: opts.tuning.burst, pageSize: opts.tuning.pageSize, log: deps.log });
  try {
    const scope: Scope = { ...opts.scope, ...(opts.scope.allNamespaces ? {} : { namespace: cluster.namespace }) };
    const where = scope.allNamespaces ? 'all namespaces' : `namespace "${scope.namespace}"`;
    const backups = new BackupLookup(opts.backupDir);
    let facts = await gatherCleanupFacts(cluster, scope, backups);
    let assessment = assessCleanup(facts.jobs, facts.otherKinds);
    const deletions: Deletion[] = [];
    if (opts.deleteMigrated) {
      const doomed = assessment.jobs.filter((j) => isDeletable(j, opts.force));
      const kept = assessment.jobs.filter((j) => !isDeletable(j, opts.force));
      deps.io.err.write(`Plan: delete ${doomed.length} migrated PyTorchJob(s) in ${where}${doomed.length ? ':' : '.'}\n`);
      for (const j of doomed) deps.io.err.write(`  - ${j.namespace}/${j.name} (TrainJob ${j.migratedTo}, backup in ${j.backup}${j.producer?.recreates ? `; --force: ${j.producer.kind} ${j.producer.name} may re-create it` : ''})\n`);
      for (const j of kept) deps.io.err.write(`  keep ${j.namespace}/${j.name}: ${j.reason}\n`);
      if (doomed.length && opts.dryRun) {
        // The verdict the real run would leave behind: the same facts without the jobs it would delete.
        const gone = new Set(doomed.map((j) => `${j.namespace}/${j.name}`));
        assessment = assessCleanup(facts.jobs.filter((j) => !gone.has(`${j.namespace}/${j.name}`)), facts.otherKinds);
        deletions.push(...doomed.map((j): Deletion => ({ namespace: j.namespace, name: j.name, result: 'would-delete' })));
        deps.io.err.write(`Dry run: ${doomed.length} PyTorchJob(s) would be deleted; nothing was deleted.\n`);
      } else if (doomed.length) {
        requireYesWhenNotInteractive(deps, opts.yes, 'cleanup --delete-migrated');
        if (!opts.yes && !(await confirm(deps, `Delete ${doomed.length} PyTorchJob(s)?`))) {
          deps.io.err.write('Aborted; nothing was deleted.\n');
          return 1;
        }
        const results = await mapConcurrent(doomed, opts.tuning.concurrency, async (j): Promise<Deletion> => {
          try {
            // The uid precondition: never delete a same-named job created after the assessment.
            await cluster.delete(Resources.pytorchjobs, j.name, j.namespace, { uid: j.uid });
            deps.io.err.write(`deleted PyTorchJob ${j.namespace}/${j.name}\n`);
            return { namespace: j.namespace, name: j.name, result: 'deleted' };
          } catch (e) {
            if (isNotFound(e)) return { namespace: j.namespace, name: j.name, result: 'already-gone' };
            deps.io.err.write(`error: deleting PyTorchJob ${j.namespace}/${j.name}: ${(e as Error).message}\n`);
            return { namespace: j.namespace, name: j.name, result: 'failed', error: (e as Error).message };
          }
        });
        deletions.push(...results);
        // Judge what is left now, so the exit code tells the runbook whether v1 can go.
        facts = await gatherCleanupFacts(cluster, scope, backups);
        assessment = assessCleanup(facts.jobs, facts.otherKinds);
      }
    }
    for (const n of facts.notes) deps.io.err.write(`note: ${n}\n`);
    if (opts.output === 'name') {
      // kubectl's -o name: the objects this run deleted (or, in a dry run, would delete).
      for (const d of deletions) if (d.result === 'deleted' || d.result === 'would-delete') deps.io.out.write(`pytorchjob.kubeflow.org/${d.name}\n`);
    } else if (opts.output === 'json') {
      deps.io.out.write(`${JSON.stringify({ scope: where, pytorchJobsServed: facts.pytorchJobsServed, ...(opts.dryRun ? { dryRun: 'client' } : {}), ...assessment, deletions, notes: facts.notes }, null, 2)}\n`);
    } else {
      deps.io.out.write(renderCleanup(assessment, deletions, where, facts.pytorchJobsServed));
    }
    if (deletions.some((d) => d.result === 'failed')) return 1;
    return assessment.exitCode;
  } finally {
    cluster.close();
  }
}

/** The text report of cleanup. */
export function renderCleanup(a: CleanupAssessment, deletions: Deletion[], where: string, pytorchJobsServed: boolean): string {
  let out = '';
  if (deletions.length) out += columns(['NAMESPACE', 'PYTORCHJOB', 'DELETION'], deletions.map((d) => [d.namespace, d.name, d.result + (d.error ? `: ${d.error}` : '')])) + '\n';
  if (!pytorchJobsServed) out += 'PyTorchJobs: the kubeflow.org/v1 PyTorchJob type is not served (CRD not installed)\n';
  else if (a.jobs.length === 0) out += `PyTorchJobs: none in ${where}\n`;
  else {
    // The PRODUCER column appears only when a producer would re-create a job (-o json carries every producer).
    const withProducer = a.jobs.some((j) => j.producer?.recreates);
    const producer = (j: (typeof a.jobs)[number]) => (withProducer ? [j.producer?.recreates ? `${j.producer.kind} ${j.producer.name}` : '-'] : []);
    out += columns(
      ['NAMESPACE', 'PYTORCHJOB', 'STATE', 'TRAINJOB', 'BACKUP', ...(withProducer ? ['PRODUCER'] : []), 'VERDICT', 'BLOCKING'],
      a.jobs.map((j) => [j.namespace, j.name, j.state, j.migratedTo ?? '-', j.backup ?? '-', ...producer(j), j.verdict, j.blocking ? 'yes' : 'no']),
    );
    const refused = a.jobs.filter((j) => j.verdict === 'migrated-has-producer');
    for (const j of refused.slice(0, 10)) out += `  ${j.namespace}/${j.name}: ${j.reason}\n`;
    if (refused.length > 10) out += `  ... and ${refused.length - 10} more job(s) with a producer (-o json lists every one)\n`;
  }
  const kinds = a.otherKinds.map((k) => (k.installed ? `${k.kind} ${k.objects.length}` : `${k.kind} (not installed)`)).join(', ');
  out += `\nOther kubeflow.org/v1 kinds in ${where}: ${kinds}\n`;
  for (const k of a.otherKinds) for (const o of k.objects) out += `  ${k.kind} ${o}\n`;
  const head = a.verdict === 'removable' ? 'Training Operator v1 can be removed' : a.verdict === 'advisory' ? 'Training Operator v1 can be removed once the migrated PyTorchJobs are deleted' : 'Training Operator v1 cannot be removed yet';
  out += `\n${head} (${where}; exit ${a.exitCode}):\n${a.reasons.map((r) => `  - ${r}`).join('\n')}\n`;
  if (!where.startsWith('all')) out += '  (this covers one namespace; run with -A for the whole cluster)\n';
  return out;
}

/** A stream that keeps what is written to it (one cluster's output in a fleet run). */
class Captured extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

/**
 * cleanup on several clusters: each runs concurrently (bounded) with its output captured, then the reports are
 * printed in context order, each under a heading, followed by the fleet summary; with -o json one
 * FleetCleanupReport whose items carry their `cluster`. A cluster that cannot be reached is an error item and
 * the others go on. Exit: 1 when any cluster failed, else the worst verdict (4 blocked, 3 advisory, 0).
 */
export async function runCleanupFleet(opts: CleanupOptions, contexts: string[], deps: Deps): Promise<ExitCodeValue> {
  const { forEachCluster, FLEET_CONCURRENCY } = await import('../cluster/index.js');
  let done = 0;
  const outcomes = await forEachCluster(contexts, opts.cluster, FLEET_CONCURRENCY, async (cluster, context) => {
    const out = new Captured();
    const err = new Captured();
    try {
      const code = await runCleanup({ ...opts, cluster }, { ...deps, io: { in: deps.io.in, out, err, outIsTTY: false, errIsTTY: false } });
      return { code, out: out.text, err: err.text };
    } finally {
      done++;
      deps.io.err.write(`[${done}/${contexts.length}] context ${context} checked\n`);
    }
  });
  const counts = { removable: 0, advisory: 0, blocked: 0, unreachable: 0 };
  const items: unknown[] = [];
  let text = '';
  let worst: ExitCodeValue = 0;
  const rank = (c: number) => (c === 1 ? 3 : c === 4 ? 2 : c === 3 ? 1 : 0);
  for (const o of outcomes) {
    if (!o.ok) {
      counts.unreachable++;
      worst = 1;
      deps.io.err.write(`error: context ${o.context}: ${o.error.message}\n`);
      items.push({ kind: 'ClusterError', cluster: { context: o.context }, error: { message: o.error.message, ...((o.error as { hint?: string }).hint ? { hint: (o.error as { hint?: string }).hint } : {}) } });
      text += `=== context ${o.context} ===\nerror: ${o.error.message}\n\n`;
      continue;
    }
    const { code, out, err } = o.value;
    for (const line of err.split('\n').filter(Boolean)) deps.io.err.write(`[${o.context}] ${line}\n`);
    if (rank(code) > rank(worst)) worst = code as ExitCodeValue;
    if (opts.output === 'json') {
      const report = JSON.parse(out) as { verdict: 'removable' | 'advisory' | 'blocked' };
      counts[report.verdict]++;
      items.push({ cluster: { context: o.context }, ...report });
    } else {
      const verdict = code === 0 ? 'removable' : code === 3 ? 'advisory' : code === 4 ? 'blocked' : undefined;
      if (verdict) counts[verdict]++;
      text += `=== context ${o.context} ===\n${out}\n`;
    }
  }
  const line = `Fleet: ${contexts.length} clusters: ${counts.removable} removable, ${counts.advisory} advisory, ${counts.blocked} blocked, ${counts.unreachable} unreachable.`;
  if (opts.output === 'json') deps.io.out.write(`${JSON.stringify({ kind: 'FleetCleanupReport', summary: { clusters: contexts.length, ...counts }, items }, null, 2)}\n`);
  else deps.io.out.write(`${text}${line}\n`);
  return worst;
}
