// `rollback` end to end: gather (TrainJobs with provenance, live v1 jobs of the kind each came from, backups, runtimes), plan,
// print the plan, check that v1 accepts the jobs, confirm, then per job: recreate v1, delete the
// TrainJob (uid precondition), delete its generated runtime when nothing else uses it.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { connect } from '../cluster/index.js';
import { isAlreadyExists, isConflict, isNotFound, isResourceTypeMissing } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { mapConcurrent } from '../cluster/concurrency.js';
import { ClusterError, ExitCode, UsageError, type ExitCodeValue } from '../errors.js';
import type { Deps } from '../io.js';
import { cleanManifest } from '../live/clean.js';
import { DEFAULT_KIND, jobLabel, kindRef, nameOutput, parseJobArg, v1JobKind, type V1JobKind } from '../live/kinds.js';
import type { ClusterOptions, ClusterTuning } from '../cluster/config-flags.js';
import { BackupLookup } from './backups.js';
import { listIfServed, migratedTrainJobs, type Scope } from './cluster-facts.js';
import { confirm, requireYesWhenNotInteractive } from './confirm.js';
import { canonicalJson } from '../convert/content-hash.js';
import { GENERATED_FOR_LABEL, runtimeRefOf, type Provenance } from './provenance.js';
import { columns } from './render.js';
import { describePlan, isNoop, kindOf, planRollback, type JobRollbackPlan, type RollbackSubject } from './rollback-plan.js';
import { checkV1Acceptance, v1RefOf, V1NotAcceptingError } from './v1-acceptance.js';

/** Validated options of `rollback`. */
export interface RollbackOptions {
  cluster: ClusterOptions;
  tuning: ClusterTuning;
  /** NAME (the v1 job's or the TrainJob's name, any kind) or TYPE/NAME (`xgboostjob/bert`: that kind only). */
  names: string[];
  /** --kind: only TrainJobs migrated from these kinds (a bare NAME not found as a TrainJob is of the first). */
  kinds?: readonly V1JobKind[];
  all: boolean;
  scope: Omit<Scope, 'namespace'>;
  backupDir?: string;
  yes: boolean;
  /** --dry-run: print the plan (after the same refusal checks as a real run) and change nothing. */
  dryRun?: boolean;
  output: 'table' | 'json' | 'name';
}

/** What happened to one job. */
export interface RollbackOutcome {
  /** The v1 kind; absent for PyTorchJob (as in migrate's report). */
  kind?: string;
  namespace: string;
  name: string;
  trainJob?: string;
  /** would-roll-back: a dry run's plan. */
  result: 'rolled-back' | 'unchanged' | 'failed' | 'would-roll-back';
  v1: 'created' | 'already-present' | 'kept' | 'would-recreate' | '-';
  trainJobDeleted: boolean;
  runtimeDeleted?: string;
  notes: string[];
  error?: string;
}

const key = (ns: string, name: string) => `${ns}/${name}`;

async function tryGetV1(cluster: Cluster, ref: ResourceRef, name: string, ns: string): Promise<KubeObject | undefined> {
  try {
    return await cluster.tryGet(ref, name, ns);
  } catch (e) {
    // No such type (its CRD is gone): nothing exists; the acceptance check explains why nothing can be recreated.
    if (isResourceTypeMissing(e)) return undefined;
    throw e;
  }
}

/** Users of a namespaced TrainingRuntime among `trainJobs`, as `namespace/name`. */
function usersOf(runtime: string, ns: string, trainJobs: KubeObject[], exclude: Set<string>): string[] {
  return trainJobs
    .filter((t) => t.metadata?.namespace === ns && !exclude.has(key(ns, t.metadata?.name ?? '')))
    .filter((t) => {
      const ref = runtimeRefOf(t);
      return ref?.kind === 'TrainingRuntime' && ref.name === runtime;
    })
    .map((t) => key(ns, t.metadata?.name ?? ''));
}

/** A name argument of rollback: a bare NAME matches a TrainJob or its source of any kind; TYPE/NAME only a source of that kind. */
interface WantedName {
  arg: string;
  name: string;
  kind?: V1JobKind;
}

function parseWanted(arg: string): WantedName {
  if (!arg.includes('/')) return { arg, name: arg };
  const { kind, name } = parseJobArg(arg);
  return { arg, name, kind };
}

function matches(w: WantedName, m: { trainJob: KubeObject; provenance: Provenance }): boolean {
  if (w.kind) return m.provenance.sourceKind === w.kind.kind && m.provenance.sourceName === w.name;
  return m.provenance.sourceName === w.name || m.trainJob.metadata?.name === w.name;
}

/** Where a job of `kind` read at `apiVersion` (kubeflow.org/v2beta1 for mpi-operator's MPIJob) lives; undefined for a kind this tool does not know. */
function sourceRef(kind: string, apiVersion: string | undefined): ResourceRef | undefined {
  const k = v1JobKind(kind);
  if (!k) return undefined;
  const version = apiVersion?.split('/')[1];
  return kindRef(k, version && k.versions.includes(version) ? version : k.versions[0]);
}

/** Gathers one subject per selected job (see RollbackSubject); names that match nothing are returned separately (`ns/name: why`). */
export async function gatherRollback(cluster: Cluster, opts: RollbackOptions, backups: BackupLookup): Promise<{ subjects: RollbackSubject[]; notFound: string[] }> {
  const scope: Scope = { ...opts.scope, ...(opts.scope.allNamespaces ? {} : { namespace: cluster.namespace }) };
  const kindAllowed = (kind: string) => !opts.kinds || opts.kinds.some((k) => k.kind === kind);
  const migrated = (await migratedTrainJobs(cluster, scope)).filter((m) => kindAllowed(m.provenance.sourceKind));
  const wanted = opts.names.map(parseWanted);
  const chosen = wanted.length ? migrated.filter((m) => wanted.some((w) => matches(w, m))) : migrated;
  const namespaces = [...new Set([...chosen.map((c) => c.trainJob.metadata?.namespace ?? ''), ...(scope.namespace ? [scope.namespace] : [])])];
  // Every TrainJob of the namespaces involved (not just the selected ones): runtime users and orphan runtimes need them all.
  const allTrainJobs: KubeObject[] = [];
  const runtimes = new Map<string, KubeObject>();
  for (const ns of namespaces) {
    allTrainJobs.push(...((await listIfServed(cluster, Resources.trainjobs, { namespace: ns, allNamespaces: false })) ?? []));
    for (const r of (await listIfServed(cluster, Resources.trainingruntimes, { namespace: ns, allNamespaces: false })) ?? []) runtimes.set(key(ns, r.metadata?.name ?? ''), r);
  }
  const rollingBack = new Set(chosen.map((c) => key(c.trainJob.metadata?.namespace ?? '', c.trainJob.metadata?.name ?? '')));
  const runtimeFacts = (ns: string, name: string) => {
    const rt = runtimes.get(key(ns, name));
    return { name, exists: Boolean(rt), generated: rt?.metadata?.labels?.['app.kubernetes.io/managed-by'] === 'kubectl-trainjob', otherUsers: usersOf(name, ns, allTrainJobs, rollingBack) };
  };
  const subjects = await mapConcurrent(chosen, opts.tuning.concurrency, async ({ trainJob, provenance }) => {
    const ns = provenance.sourceNamespace;
    const kind = provenance.sourceKind;
    const s: RollbackSubject = { ...(kind !== DEFAULT_KIND ? { kind } : {}), namespace: ns, name: provenance.sourceName, trainJob, provenance };
    const ref = sourceRef(kind, provenance.sourceApiVersion);
    const live = ref ? await tryGetV1(cluster, ref, provenance.sourceName, ns) : undefined;
    if (!ref) s.problem = `its source-kind "${kind}" is not a Training Operator v1 job kind this tool restores`;
    else if (live) s.liveV1 = live;
    else {
      try {
        const b = await backups.forProvenance(provenance);
        if (b) s.backup = b;
      } catch (e) {
        s.backupError = (e as Error).message;
      }
    }
    const tjNs = trainJob.metadata?.namespace ?? ns;
    const rtName = provenance.generatedRuntime ?? (runtimeRefOf(trainJob)?.kind === 'TrainingRuntime' ? runtimeRefOf(trainJob)!.name : undefined);
    if (rtName) s.runtime = runtimeFacts(tjNs, rtName);
    return s;
  });
  // Names with no TrainJob: already rolled back, never migrated, or a rollback killed after the TrainJob went.
  const notFound: string[] = [];
  for (const w of wanted.filter((w) => !chosen.some((m) => matches(w, m)))) {
    const ns = scope.namespace ?? cluster.namespace;
    // A bare name is a PyTorchJob, or of the kind --kind names first (as the verbs that take live jobs read it).
    const kind = w.kind ?? opts.kinds?.[0] ?? v1JobKind(DEFAULT_KIND)!;
    const name = w.name;
    const s: RollbackSubject = { ...(kind.kind !== DEFAULT_KIND ? { kind: kind.kind } : {}), namespace: ns, name };
    const live = await tryGetV1(cluster, kindRef(kind), name, ns);
    if (live) s.liveV1 = live;
    else {
      const b = await backups.byName(ns, name, kind.kind);
      if (b) s.backup = b;
    }
    const orphan = [...runtimes.values()].find((r) => r.metadata?.namespace === ns && r.metadata?.labels?.[GENERATED_FOR_LABEL] === name);
    if (orphan) s.runtime = runtimeFacts(ns, orphan.metadata?.name ?? '');
    if (!s.liveV1 && !s.backup && !s.runtime) notFound.push(`${key(ns, name)}: no TrainJob migrated from it, no ${kind.kind}, no backup`);
    else subjects.push(s);
  }
  if (opts.all) {
    // Generated runtimes that no TrainJob references: left by a killed migrate or rollback. A runtime made for one
    // job (older releases: label generated-for) goes with that job's name; a shared one (named by content) alone.
    for (const r of runtimes.values()) {
      const ns = r.metadata?.namespace ?? '';
      const rtName = r.metadata?.name ?? '';
      if (r.metadata?.labels?.['app.kubernetes.io/managed-by'] !== 'kubectl-trainjob') continue;
      if (subjects.some((s) => s.runtime?.name === rtName && s.namespace === ns)) continue;
      if (usersOf(rtName, ns, allTrainJobs, new Set()).length) continue;
      const forName = r.metadata?.labels?.[GENERATED_FOR_LABEL];
      if (!forName) {
        subjects.push({ namespace: ns, name: rtName, orphanRuntime: true, runtime: runtimeFacts(ns, rtName) });
        continue;
      }
      if (allTrainJobs.some((t) => t.metadata?.namespace === ns && t.metadata?.name === forName)) continue;
      const live = await tryGetV1(cluster, Resources.pytorchjobs, forName, ns);
      subjects.push({ namespace: ns, name: forName, ...(live ? { liveV1: live } : {}), runtime: runtimeFacts(ns, rtName) });
    }
  }
  subjects.sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  return { subjects, notFound };
}

/** Executes one job's plan in the safe order; never throws (the outcome carries the error). */
export async function executePlan(cluster: Cluster, plan: JobRollbackPlan, rollingBack: Set<string>, log: (line: string) => void): Promise<RollbackOutcome> {
  const out: RollbackOutcome = { ...(plan.kind ? { kind: plan.kind } : {}), namespace: plan.namespace, name: plan.name, ...(plan.trainJob ? { trainJob: plan.trainJob } : {}), result: 'unchanged', v1: '-', trainJobDeleted: false, notes: [] };
  try {
    for (const step of plan.steps) {
      switch (step.action) {
        case 'keep-v1':
          out.v1 = 'kept';
          break;
        case 'recreate-v1':
          // The kind and version the backup holds (planRollback checked the kind; the acceptance check that it is served).
          const ref = v1RefOf(step.manifest);
          if (!ref) throw new ClusterError(`the backup holds ${step.manifest.apiVersion} ${step.manifest.kind}, not a Training Operator v1 job`);
          try {
            await cluster.create(ref, step.manifest);
            out.v1 = 'created';
            log(`created ${ref.kind} ${plan.namespace}/${plan.name}`);
          } catch (e) {
            if (!isAlreadyExists(e)) throw e;
            // A re-run after a crash between create and delete: fine when it is the same job.
            const live = await cluster.get(ref, plan.name, plan.namespace);
            out.v1 = 'already-present';
            if (canonicalJson((cleanManifest(live) as KubeObject).spec) !== canonicalJson(step.manifest.spec)) out.notes.push(`a ${ref.kind} with this name already exists with a different spec; it was left as it is`);
          }
          break;
        case 'delete-trainjob':
          try {
            await cluster.delete(Resources.trainjobs, step.name, plan.namespace, { uid: step.uid });
            out.trainJobDeleted = true;
            log(`deleted TrainJob ${plan.namespace}/${step.name}`);
          } catch (e) {
            if (isNotFound(e)) break;
            if (isConflict(e)) throw new ClusterError(`TrainJob ${plan.namespace}/${step.name} was replaced since the plan was made (uid differs); it was not deleted`, 'Run rollback again to plan with the current TrainJob.');
            throw e;
          }
          break;
        case 'delete-runtime': {
          // Re-check the users now, on the live TrainJobs: one created since the plan keeps the runtime, and of
          // several TrainJobs of this run that share it the last one to go deletes it, so a TrainJob whose own
          // rollback failed never loses its runtime.
          const live = (await cluster.listAll(Resources.trainjobs, { namespace: plan.namespace })).filter((t) => !t.metadata?.deletionTimestamp);
          const users = usersOf(step.name, plan.namespace, live, new Set());
          if (users.length) {
            const others = users.filter((u) => !rollingBack.has(u));
            out.notes.push(others.length ? `TrainingRuntime ${step.name} kept: now used by ${others.join(', ')}` : `TrainingRuntime ${step.name} is deleted with the last of ${users.join(', ')}`);
            break;
          }
          try {
            await cluster.delete(Resources.trainingruntimes, step.name, plan.namespace);
            out.runtimeDeleted = step.name;
            log(`deleted TrainingRuntime ${plan.namespace}/${step.name}`);
          } catch (e) {
            if (!isNotFound(e)) throw e;
          }
          break;
        }
        case 'keep-runtime':
          break;
      }
    }
    out.result = out.v1 === 'created' || out.trainJobDeleted || out.runtimeDeleted ? 'rolled-back' : 'unchanged';
  } catch (e) {
    out.result = 'failed';
    out.error = (e as Error).message;
    log(`error: ${plan.namespace}/${plan.name}: ${out.error}`);
  }
  return out;
}

/** Runs rollback and returns its exit code: 0 done (or nothing to do), 1 some job failed or a name matched nothing; refusals throw (exit 4). */
export async function runRollback(opts: RollbackOptions, deps: Deps): Promise<ExitCodeValue> {
  const cluster = await connect(opts.cluster, deps.env, { qps: opts.tuning.qps, burst: opts.tuning.burst, pageSize: opts.tuning.pageSize, log: deps.log });
  const err = (s: string) => deps.io.err.write(`${s}\n`);
  try {
    const { subjects, notFound } = await gatherRollback(cluster, opts, new BackupLookup(opts.backupDir));
    for (const n of notFound) err(`error: nothing to roll back for ${n}`);
    const plans = subjects.map(planRollback);
    const work = plans.filter((p) => !isNoop(p));
    err(`Rollback plan (${work.length} of ${plans.length} job(s) need changes):`);
    for (const p of plans) for (const line of describePlan(p)) err(`  ${line}`);
    const refused = plans.filter((p) => p.problem);
    if (refused.length) {
      throw new V1NotAcceptingError({ ok: false, problems: refused.map((p) => `${p.namespace}/${p.name}: ${p.problem}`), notes: [] }, 'cannot roll back');
    }
    if (work.length === 0) {
      err('Nothing to do: everything selected is already rolled back.');
      report(deps, opts, []);
      return notFound.length ? ExitCode.ERROR : ExitCode.OK;
    }
    if (!opts.dryRun) requireYesWhenNotInteractive(deps, opts.yes, 'rollback');
    const recreate = work.flatMap((p) => p.steps.flatMap((s) => (s.action === 'recreate-v1' ? [s.manifest] : [])));
    if (recreate.length) {
      // Before any TrainJob is deleted: prove the v1 side takes the jobs back.
      const acceptance = await checkV1Acceptance(cluster, recreate);
      for (const n of acceptance.notes) err(`note: ${n}`);
      if (!acceptance.ok) throw new V1NotAcceptingError(acceptance);
    }
    if (opts.dryRun) {
      // Reads and server-side dry runs only (the v1 acceptance check above): nothing is created or deleted.
      err(`Dry run: ${work.length} job(s) would be rolled back; nothing was changed.`);
      report(deps, opts, work.map(plannedOutcome));
      return notFound.length ? ExitCode.ERROR : ExitCode.OK;
    }
    if (!opts.yes && !(await confirm(deps, `Roll back ${work.length} job(s)?`))) {
      err('Aborted; nothing was changed.');
      return ExitCode.ERROR;
    }
    const rollingBack = new Set(work.flatMap((p) => (p.trainJob ? [key(p.namespace, p.trainJob)] : [])));
    const outcomes = await mapConcurrent(work, opts.tuning.concurrency, (p) => executePlan(cluster, p, rollingBack, err));
    report(deps, opts, outcomes);
    return outcomes.some((o) => o.result === 'failed') || notFound.length ? ExitCode.ERROR : ExitCode.OK;
  } finally {
    cluster.close();
  }
}

/** What a dry run reports for a plan: the outcome the real run would aim for. */
function plannedOutcome(p: JobRollbackPlan): RollbackOutcome {
  const recreate = p.steps.some((s) => s.action === 'recreate-v1');
  const runtime = p.steps.find((s) => s.action === 'delete-runtime');
  return {
    ...(p.kind ? { kind: p.kind } : {}),
    namespace: p.namespace,
    name: p.name,
    result: 'would-roll-back',
    v1: recreate ? 'would-recreate' : 'kept',
    ...(p.trainJob ? { trainJob: p.trainJob } : {}),
    trainJobDeleted: p.steps.some((s) => s.action === 'delete-trainjob'),
    ...(runtime && 'name' in runtime ? { runtimeDeleted: runtime.name } : {}),
    notes: describePlan(p),
  };
}

function report(deps: Deps, opts: RollbackOptions, outcomes: RollbackOutcome[]): void {
  if (opts.output === 'name') {
    // kubectl's -o name: the v1 jobs rolled back (or, in a dry run, that would be), `xgboostjob.kubeflow.org/NAME`.
    for (const o of outcomes) if (o.result !== 'failed') deps.io.out.write(`${nameOutput(kindOf(o), o.name)}\n`);
    return;
  }
  if (opts.output === 'json') {
    if (opts.dryRun) {
      deps.io.out.write(`${JSON.stringify({ dryRun: 'client', jobs: outcomes }, null, 2)}\n`);
      return;
    }
    deps.io.out.write(`${JSON.stringify({ jobs: outcomes }, null, 2)}\n`);
    return;
  }
  if (!outcomes.length) return;
  deps.io.out.write(
    columns(
      ['NAMESPACE', 'JOB', 'RESULT', 'V1', 'TRAINJOB', 'RUNTIME', 'NOTES'],
      outcomes.map((o) => [o.namespace, jobLabel(kindOf(o), o.name), o.result, o.v1, o.trainJob ? `${o.trainJob}${o.trainJobDeleted ? ' (deleted)' : ''}` : '-', o.runtimeDeleted ? `${o.runtimeDeleted} (deleted)` : '-', [...o.notes, ...(o.error ? [o.error] : [])].join('; ')]),
    ),
  );
}

/** Validates the selection flags of rollback (before connecting): TYPE/NAME spellings, and their kinds against --kind. */
export function validateRollbackSelection(names: string[], all: boolean, selector: string | undefined, allNamespaces: boolean, kinds?: readonly V1JobKind[]): void {
  for (const w of names.map(parseWanted)) {
    if (w.kind && kinds && !kinds.some((k) => k.kind === w.kind!.kind)) {
      throw new UsageError(`${w.arg} is a ${w.kind.kind}, which --kind ${kinds.map((k) => k.singular).join(',')} excludes`, 'Drop --kind, or name jobs of the kinds it allows.');
    }
  }
  if (names.length && (all || selector)) throw new UsageError('pass job names, or --all / -l, not both');
  if (names.length && allNamespaces) throw new UsageError('a job cannot be named across all namespaces', 'Give the namespace with -n NAMESPACE instead of -A.');
  if (!names.length && !all && !selector) throw new UsageError('name the jobs to roll back, or pass --all or -l SELECTOR', 'kubectl trainjob rollback -n NAMESPACE JOB [JOB...] --yes');
}
