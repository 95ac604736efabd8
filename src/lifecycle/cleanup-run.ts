// `cleanup` end to end: gather facts (every v1 kind), judge, optionally delete migrated v1 jobs, judge again, report.
import { connect } from '../cluster/index.js';
import { isNotFound } from '../cluster/errors.js';
import { mapConcurrent } from '../cluster/concurrency.js';
import type { ExitCodeValue } from '../errors.js';
import { capturedDeps, type Deps } from '../io.js';
import type { ClusterOptions, ClusterTuning } from '../cluster/config-flags.js';
import { jobLabel, kindRef, nameOutput, v1JobKind } from '../live/kinds.js';
import { BackupLookup } from './backups.js';
import { assessCleanup, isDeletable, kindOf, type CleanupAssessment } from './cleanup-plan.js';
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
  kind: string;
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
    let assessment = assessCleanup(facts.jobs, facts.kinds);
    const deletions: Deletion[] = [];
    if (opts.deleteMigrated) {
      const doomed = assessment.jobs.filter((j) => isDeletable(j, opts.force));
      const kept = assessment.jobs.filter((j) => !isDeletable(j, opts.force));
      deps.io.err.write(`Plan: delete ${doomed.length} migrated v1 job(s) in ${where}${doomed.length ? ':' : '.'}\n`);
      for (const j of doomed) deps.io.err.write(`  - ${kindOf(j)} ${j.namespace}/${j.name} (TrainJob ${j.migratedTo}, backup in ${j.backup}${j.producer?.recreates ? `; --force: ${j.producer.kind} ${j.producer.name} may re-create it` : ''})\n`);
      for (const j of kept) deps.io.err.write(`  keep ${kindOf(j)} ${j.namespace}/${j.name}: ${j.reason}\n`);
      if (doomed.length && opts.dryRun) {
        // The verdict the real run would leave behind: the same facts without the jobs it would delete.
        const gone = new Set(doomed.map((j) => j.uid));
        assessment = assessCleanup(facts.jobs.filter((j) => !gone.has(j.uid)), facts.kinds.map((k) => ({ ...k, ...(k.jobs !== undefined ? { jobs: k.jobs - doomed.filter((j) => kindOf(j) === k.kind).length } : {}) })));
        deletions.push(...doomed.map((j): Deletion => ({ kind: kindOf(j), namespace: j.namespace, name: j.name, result: 'would-delete' })));
        deps.io.err.write(`Dry run: ${doomed.length} v1 job(s) would be deleted; nothing was deleted.\n`);
      } else if (doomed.length) {
        requireYesWhenNotInteractive(deps, opts.yes, 'cleanup --delete-migrated');
        if (!opts.yes && !(await confirm(deps, `Delete ${doomed.length} v1 job(s)?`))) {
          deps.io.err.write('Aborted; nothing was deleted.\n');
          return 1;
        }
        const results = await mapConcurrent(doomed, opts.tuning.concurrency, async (j): Promise<Deletion> => {
          const kind = kindOf(j);
          const ref = facts.live.get(j.uid)?.ref ?? kindRef(v1JobKind(kind)!);
          try {
            // The uid precondition: never delete a same-named job created after the assessment.
            await cluster.delete(ref, j.name, j.namespace, { uid: j.uid });
            deps.io.err.write(`deleted ${kind} ${j.namespace}/${j.name}\n`);
            return { kind, namespace: j.namespace, name: j.name, result: 'deleted' };
          } catch (e) {
            if (isNotFound(e)) return { kind, namespace: j.namespace, name: j.name, result: 'already-gone' };
            deps.io.err.write(`error: deleting ${kind} ${j.namespace}/${j.name}: ${(e as Error).message}\n`);
            return { kind, namespace: j.namespace, name: j.name, result: 'failed', error: (e as Error).message };
          }
        });
        deletions.push(...results);
        // Judge what is left now, so the exit code tells the runbook whether v1 can go.
        facts = await gatherCleanupFacts(cluster, scope, backups);
        assessment = assessCleanup(facts.jobs, facts.kinds);
      }
    }
    for (const n of facts.notes) deps.io.err.write(`note: ${n}\n`);
    if (opts.output === 'name') {
      // kubectl's -o name: the objects this run deleted (or, in a dry run, would delete).
      for (const d of deletions) if (d.result === 'deleted' || d.result === 'would-delete') deps.io.out.write(`${nameOutput(d.kind, d.name)}\n`);
    } else if (opts.output === 'json') {
      deps.io.out.write(`${JSON.stringify({ scope: where, pytorchJobsServed: facts.pytorchJobsServed, ...(opts.dryRun ? { dryRun: 'client' } : {}), ...assessment, deletions, notes: facts.notes }, null, 2)}\n`);
    } else {
      deps.io.out.write(renderCleanup(assessment, deletions, where));
    }
    if (deletions.some((d) => d.result === 'failed')) return 1;
    return assessment.exitCode;
  } finally {
    cluster.close();
  }
}

/** The command that deletes the CRDs of the served v1 kinds (run once the verdict is "removable" cluster-wide). */
export function deleteCrdsCommand(a: Pick<CleanupAssessment, 'crds'>): string | undefined {
  return a.crds.length ? `kubectl delete crd ${a.crds.map((c) => c.name).join(' ')}` : undefined;
}

/** The text report of cleanup: the jobs of every kind, the kinds, the verdict, and the CRDs to delete. */
export function renderCleanup(a: CleanupAssessment, deletions: Deletion[], where: string): string {
  let out = '';
  if (deletions.length) out += columns(['NAMESPACE', 'JOB', 'DELETION'], deletions.map((d) => [d.namespace, jobLabel(d.kind, d.name), d.result + (d.error ? `: ${d.error}` : '')])) + '\n';
  if (!a.kinds.some((k) => k.served)) out += 'v1 jobs: no Training Operator v1 kind is served (no kubeflow.org job CRD installed)\n';
  else if (a.jobs.length === 0) out += `v1 jobs: none in ${where}\n`;
  else {
    // The PRODUCER column appears only when a producer would re-create a job (-o json carries every producer).
    const withProducer = a.jobs.some((j) => j.producer?.recreates);
    const producer = (j: (typeof a.jobs)[number]) => (withProducer ? [j.producer?.recreates ? `${j.producer.kind} ${j.producer.name}` : '-'] : []);
    out += columns(
      ['NAMESPACE', 'JOB', 'STATE', 'TRAINJOB', 'BACKUP', ...(withProducer ? ['PRODUCER'] : []), 'VERDICT', 'BLOCKING'],
      a.jobs.map((j) => [j.namespace, jobLabel(kindOf(j), j.name), j.state, j.migratedTo ?? '-', j.backup ?? '-', ...producer(j), j.verdict, j.blocking ? 'yes' : 'no']),
    );
    const refused = a.jobs.filter((j) => j.verdict === 'migrated-has-producer');
    for (const j of refused.slice(0, 10)) out += `  ${j.namespace}/${j.name}: ${j.reason}\n`;
    if (refused.length > 10) out += `  ... and ${refused.length - 10} more job(s) with a producer (-o json lists every one)\n`;
  }
  const kinds = a.kinds.map((k) => (!k.served ? `${k.kind} (not installed)` : k.unknown ? `${k.kind} (not checked)` : `${k.kind} ${k.jobs ?? 0}`)).join(', ');
  out += `\nkubeflow.org v1 kinds in ${where}: ${kinds}\n`;
  const head = a.verdict === 'removable' ? 'Training Operator v1 can be removed' : a.verdict === 'advisory' ? 'Training Operator v1 can be removed once the migrated v1 jobs are deleted' : 'Training Operator v1 cannot be removed yet';
  out += `\n${head} (${where}; exit ${a.exitCode}):\n${a.reasons.map((r) => `  - ${r}`).join('\n')}\n`;
  if (!where.startsWith('all')) out += '  (this covers one namespace; run with -A for the whole cluster)\n';
  const del = deleteCrdsCommand(a);
  if (del) {
    const mpi = a.crds.filter((c) => c.owner === 'mpi-operator').map((c) => `${c.name} is served at ${c.version} by mpi-operator: remove mpi-operator with it`);
    out += `\nCRDs to delete ${a.verdict === 'removable' ? 'with the operator' : 'once nothing is left'} (deleting a CRD deletes every object of its kind):\n  ${del}\n${mpi.map((m) => `  (${m})\n`).join('')}`;
  }
  return out;
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
    const { deps: captured, out, err } = capturedDeps(deps);
    try {
      const code = await runCleanup({ ...opts, cluster }, captured);
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
