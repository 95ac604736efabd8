// `kubectl trainjob migrate`: select → convert → plan (printed first) → confirm → access check → back up and
// execute → report. The planning is pure (plan.ts); writes happen only in the executor (executor.ts).
import type { Cluster, KubeObject, ListOptions } from '../cluster/client.js';
import { isForbidden, qualifiedResource } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { ANNOTATIONS, convertDocument, sourceKind, type ConvertOptions, type RuntimeChoice } from '../convert/index.js';
import type { JsonObject } from '../convert/model.js';
import { getTarget } from '../convert/targets/index.js';
import type { Target } from '../convert/targets/types.js';
import { ClusterError, ExitCode, ExitWith, UsageError } from '../errors.js';
import { writeChunk, type Deps } from '../io.js';
import { CONVERTIBLE_KINDS } from '../live/convertible.js';
import { describeKinds, describeSelection, selectJobs, type JobSelection } from '../live/select.js';
import { detectProducer, type Producer } from '../live/producer.js';
import { v1JobState as pytorchJobState } from '../live/state.js';
import type { ClusterOptions, ClusterTuning } from '../cluster/config-flags.js';
import { TOOL_VERSION } from '../version.js';
import { connectCluster } from './backup.js';
import { BackupStore, defaultBackupDir } from './backup-store.js';
import { executeMigration, manifestSha256, planLabel, v1RefOf, type ConvertedObjects, type JobOutcome, type PlannedJob, type Prepared, type Step, type WorkItem } from './executor.js';
import { isDestructive, planJob, type ExistingTrainJob, type JobPlan, type PlanInput, type PlanOptions, type Strategy } from './plan.js';
import { jsonReport, ProgressBar, renderFooter, renderOutcomes, renderPlan, summarize, writeJsonReport } from './report.js';
import { relistJobs } from './source.js';

/** Validated options of `migrate`. */
export interface MigrateOptions {
  selection: JobSelection;
  strategy: Strategy;
  keepV1: boolean;
  suspend: boolean;
  force: boolean;
  wait: boolean;
  /** --timeout for --wait, ms; 0 = no limit. */
  waitTimeoutMs: number;
  pollIntervalMs: number;
  suffix: string;
  /** --target-version; undefined = discover from the cluster. */
  targetVersion?: string;
  runtime: RuntimeChoice;
  envShim: boolean;
  backupDir?: string;
  /** --yes given, or the user confirmed on the terminal. */
  yes: boolean;
  /** Print the plan only. */
  dryRun: boolean;
  output: 'table' | 'json' | 'name';
  cluster: ClusterOptions;
  tuning: ClusterTuning;
  /** Fault injection for crash tests (KTJ_FAULT_AFTER), built by the verb. */
  afterStep?: (step: Step, plan: JobPlan) => void | Promise<void>;
  /** Asks the user to confirm a destructive plan on the terminal; undefined when stdin is not a terminal. */
  confirm?: (question: string) => Promise<boolean>;
  /** Sleep used by --wait polling (tests pass a fast one). */
  sleep?: (ms: number) => Promise<void>;
}

/** A job that was selected but could not be planned (a name that does not exist). */
interface Unplanned {
  outcome: JobOutcome;
}

/** Runs `migrate` end to end and sets the exit code: 0 all done, 1 any failure, 4 anything refused or skipped for safety. */
export async function runMigrate(opts: MigrateOptions, deps: Deps, connected?: Cluster): Promise<void> {
  const cluster = connected ?? (await connectCluster(opts.cluster, opts.tuning, deps));
  try {
    await migrateWith(cluster, opts, deps);
  } finally {
    if (!connected) cluster.close();
  }
}

async function migrateWith(cluster: Cluster, opts: MigrateOptions, deps: Deps): Promise<void> {
  const err = deps.io.err;
  const target = await resolveTarget(cluster, opts);
  const runtimes = new RuntimeReader(cluster, opts.runtime);
  const planOpts: PlanOptions = { strategy: opts.strategy, keepV1: opts.keepV1, suspend: opts.suspend, force: opts.force, wait: opts.wait };

  // 1. Select the live jobs (paginated) and convert each as it arrives (pure). Only a small row per job is
  // kept: the object and its conversion are dropped at once, so memory stays flat in the number of jobs.
  // The runtime read is --runtime (torch-distributed when not given): without --runtime it is the base of a job's
  // generated runtime only for the kind whose stock runtime it is; other kinds derive from the target's stock copy.
  const convertOptions = (ns: string, base: JsonObject, kind: string): ConvertOptions => ({
    target, runtime: opts.runtime, ...(opts.runtime.defaulted && sourceKind(kind)?.defaultRuntime !== opts.runtime.name ? {} : { baseRuntime: base }),
    suffix: opts.suffix, envShim: opts.envShim, force: opts.force, toolVersion: TOOL_VERSION, defaultNamespace: ns,
  });
  const convertJob = (job: KubeObject, base: JsonObject): { input: Omit<PlanInput, 'existing'>; converted: ConvertedObjects } => {
    const ns = job.metadata!.namespace!;
    const name = job.metadata!.name!;
    const outcome = convertDocument(job as JsonObject, convertOptions(ns, base, String(job.kind))).jobs[0];
    const converted = outcome ? splitObjects(outcome.objects) : {};
    const input = {
      ...kindOf(job),
      namespace: ns,
      name,
      uid: job.metadata!.uid!,
      state: pytorchJobState(job),
      // The converter may shorten a name JobSet would reject (--force): use the name it gave the TrainJob.
      trainJobName: converted.trainJob?.metadata?.name ?? `${name}${opts.suffix}`,
      refused: outcome?.refused ?? false,
      findings: (outcome?.findings ?? []).map((f) => ({ severity: f.severity, code: f.code })),
      generatedRuntime: converted.runtime !== undefined,
      ...producerOf(job),
    };
    return { input, converted };
  };
  const pre: { input: Omit<PlanInput, 'existing'>; resourceVersion: string; blocker?: string }[] = [];
  const unplanned: Unplanned[] = [];
  let seen = 0;
  for await (const sel of selectJobs(cluster, opts.selection, { concurrency: opts.tuning.concurrency, supported: CONVERTIBLE_KINDS })) {
    if (!sel.job) {
      unplanned.push({ outcome: { ...(sel.kind !== 'PyTorchJob' ? { kind: sel.kind } : {}), namespace: sel.namespace, name: sel.name, trainJob: `${sel.name}${opts.suffix}`, state: '-', action: 'skip', status: 'skipped', reason: sel.error.message, steps: {}, writes: 0 } });
      continue;
    }
    const job = sel.job;
    const ns = job.metadata!.namespace!;
    const base = await runtimes.forNamespace(ns);
    const resourceVersion = job.metadata!.resourceVersion ?? '';
    if (typeof base === 'string') {
      // No usable runtime: the job is skipped as a whole, so its conversion does not matter.
      pre.push({ input: { ...kindOf(job), namespace: ns, name: job.metadata!.name!, uid: job.metadata!.uid!, state: pytorchJobState(job), trainJobName: `${job.metadata!.name}${opts.suffix}`, refused: false, findings: [], generatedRuntime: false, ...producerOf(job) }, resourceVersion, blocker: base });
    } else {
      pre.push({ input: convertJob(job, base).input, resourceVersion });
    }
    // Objects of a page outlive a few young-generation collections and die in the old one, which V8 would let
    // grow with the number of jobs; a full collection now and then (only above 64 MiB) keeps the peak flat.
    if ((++seen & 15) === 0) deps.relieveMemory?.();
  }
  if (pre.length === 0 && unplanned.length === 0) {
    err.write(`No ${describeKinds(opts.selection, CONVERTIBLE_KINDS)} found ${describeSelection(opts.selection, cluster)}.\n`);
    if (opts.output === 'json') await writeChunk(deps.io.out, jsonReport('MigrationReport', summarize([]), []));
    return;
  }
  const existing = await findExistingTrainJobs(cluster, opts, pre.map((p) => p.input));

  // 2. Plan each job (pure), then print the plan.
  const rows: PlannedJob[] = [];
  for (const p of pre) {
    const ns = p.input.namespace;
    const ex = existing.byKey.get(`${ns}/${p.input.trainJobName}`);
    const plan = planJob({ ...p.input, ...(ex ? { existing: ex.plan } : {}) }, planOpts);
    // Problems that stop a whole namespace (no runtime, no permission to read TrainJobs) override the plan.
    const blocker = p.blocker ?? existing.denied.get(ns);
    if (blocker && plan.action !== 'skip') Object.assign(plan, { action: 'skip', reason: blocker, createTrainJob: false, deleteV1: false });
    rows.push({ plan, resourceVersion: p.resourceVersion, ...(ex ? { existing: ex } : {}) });
  }
  pre.length = 0;
  claimTrainJobNames(rows.map((r) => r.plan));
  const plans = rows.map((p) => p.plan);
  err.write(`Plan (strategy ${opts.strategy}${opts.keepV1 ? ', --keep-v1' : ''}, Trainer schema ${target.version}, runtime ${opts.runtime.kind}/${opts.runtime.name}):\n`);
  err.write(renderPlan(plans, opts.selection.allNamespaces));
  if (opts.dryRun) {
    for (const u of unplanned) err.write(`${u.outcome.namespace}/${planLabel(u.outcome)}: ${u.outcome.reason}\n`);
    err.write('Dry run: nothing was written.\n');
    if (opts.output === 'json') await writeJsonReport(deps.io.out, 'MigrationPlan', summarize([]), plans);
    if (opts.output === 'name') {
      for (const p of plans) if (p.createTrainJob) await writeChunk(deps.io.out, `trainjob.trainer.kubeflow.org/${p.trainJobName}\n`);
    }
    // A dry run exits as the real run would: refused or skipped jobs (missing ones too) are exit 4.
    if (unplanned.length > 0 || plans.some((p) => p.action === 'refuse' || (p.action === 'skip' && !p.alreadyMigrated))) throw new ExitWith(ExitCode.BLOCKED);
    return;
  }

  // 3. Destructive plans need consent; then check permissions per namespace before any write.
  if (isDestructive(plans) && !opts.yes) {
    const ok = opts.confirm ? await opts.confirm(`Delete up to ${plans.filter((p) => p.deleteV1).length} PyTorchJob(s) after backing them up and creating their TrainJobs? [y/N] `) : false;
    if (!ok) {
      if (!opts.confirm) throw new UsageError('migrate --strategy replace deletes PyTorchJobs; pass --yes to confirm when not running on a terminal', 'Review the plan above (or run with --dry-run), then add --yes.');
      err.write('Aborted: nothing was written.\n');
      throw new ExitWith(ExitCode.ERROR);
    }
  }
  await checkAccess(cluster, rows);

  // 4. Back up and execute, re-reading each job (a re-list page by page, or a GET per named job) and
  // re-converting it: the executor checks that it is still the planned version.
  const active = rows.filter((p) => p.plan.action !== 'skip' && p.plan.action !== 'refuse');
  let store: BackupStore | undefined;
  if (active.length > 0) {
    const dir = opts.backupDir ?? defaultBackupDir(deps.cwd, cluster.target.contextName, deps.now());
    store = await BackupStore.open(dir, { toolVersion: TOOL_VERSION, server: cluster.target.server, context: cluster.target.contextName, now: deps.now });
    err.write(`Backing up to ${store.dir}\n`);
  }
  const bar = deps.io.errIsTTY ? new ProgressBar(err, rows.length) : undefined;
  const prepare = (job: KubeObject, row: PlannedJob): Prepared | string => {
    const base = runtimes.cached(job.metadata!.namespace!);
    if (typeof base === 'string' || !base) return typeof base === 'string' ? base : 'runtime not read';
    const { input, converted } = convertJob(job, base);
    return { plan: planJob({ ...input, ...(row.existing ? { existing: row.existing.plan } : {}) }, planOpts), converted, refused: input.refused };
  };
  const sel = opts.selection;
  const scope: ListOptions | undefined =
    sel.jobs.length > 0 ? undefined : { ...(sel.allNamespaces ? { allNamespaces: true } : { namespace: sel.namespace ?? cluster.namespace }), ...(sel.labelSelector ? { labelSelector: sel.labelSelector } : {}) };
  const source = (indexes: number[]): AsyncIterable<WorkItem> => relistJobs(cluster, rows, indexes, { ...(scope ? { scope } : {}), ...(deps.relieveMemory ? { onPage: deps.relieveMemory } : {}) });
  let done = 0;
  const outcomes = await executeMigration(rows, {
    cluster,
    store: store as BackupStore,
    concurrency: opts.tuning.concurrency,
    prepare,
    source,
    waitTimeoutMs: opts.waitTimeoutMs,
    pollIntervalMs: opts.pollIntervalMs,
    sleep: opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms))),
    now: deps.now,
    ...(deps.log && deps.log.verbosity >= 2 ? { log: deps.log.write } : {}),
    ...(opts.afterStep ? { afterStep: opts.afterStep } : {}),
    ...(bar ? { onOutcome: (o: JobOutcome) => bar.tick(o.status) } : {}),
  });
  bar?.finish();

  // 5. Report (stdout) and exit code.
  const all = [...outcomes, ...unplanned.map((u) => u.outcome)];
  const summary = summarize(all);
  const stats = cluster.stats();
  summary.requests = { total: stats.total, byVerb: stats.byVerb, retries: stats.retries };
  if (opts.output === 'json') {
    await writeJsonReport(deps.io.out, 'MigrationReport', summary, all, { strategy: opts.strategy, targetVersion: target.version, ...(store ? { backupDir: store.dir } : {}) });
  } else if (opts.output === 'name') {
    // kubectl's -o name: the TrainJobs this run created or updated.
    for (const o of all) if (o.steps.trainJob === 'created') await writeChunk(deps.io.out, `trainjob.trainer.kubeflow.org/${o.trainJob}\n`);
    err.write(renderFooter(all, summary, store?.dir));
  } else {
    await writeChunk(deps.io.out, renderOutcomes(all, opts.selection.allNamespaces));
    err.write(renderFooter(all, summary, store?.dir));
  }
  if (summary.failed > 0) throw new ExitWith(ExitCode.ERROR);
  if (summary.refused > 0 || all.some((o) => o.status === 'skipped' && o.reason !== 'already migrated')) throw new ExitWith(ExitCode.BLOCKED);
}

/** The job's kind and served version as spreadable PlanInput fields (none for a PyTorchJob at v1). */
function kindOf(job: KubeObject): { kind?: string; sourceVersion?: string } {
  const kind = typeof job.kind === 'string' ? job.kind : 'PyTorchJob';
  const version = String(job.apiVersion ?? '').split('/')[1];
  return { ...(kind !== 'PyTorchJob' ? { kind } : {}), ...(version && version !== 'v1' ? { sourceVersion: version } : {}) };
}

/**
 * Two jobs of different kinds with one name in one namespace (a PyTorchJob and an MPIJob "bert") would both
 * become TrainJob "bert": the first in selection order keeps the name, the others are skipped with the fix
 * (--suffix, or migrate them in separate runs), so no TrainJob is ever claimed by two sources in one run.
 */
export function claimTrainJobNames(plans: JobPlan[]): void {
  const owner = new Map<string, JobPlan>();
  for (const p of plans) {
    if (p.action === 'skip' || p.action === 'refuse') continue;
    const key = `${p.namespace}/${p.trainJobName}`;
    const first = owner.get(key);
    if (!first) {
      owner.set(key, p);
      continue;
    }
    Object.assign(p, {
      action: 'skip',
      reason: `TrainJob ${p.trainJobName} is also the target of ${first.kind ?? 'PyTorchJob'} ${first.namespace}/${first.name} in this run; migrate this ${p.kind ?? 'PyTorchJob'} separately with another --suffix (e.g. --kind ${(p.kind ?? 'PyTorchJob').toLowerCase()} --suffix ${(p.kind ?? 'PyTorchJob').toLowerCase()})`,
      createTrainJob: false,
      deleteV1: false,
    });
  }
}

/** The job's producer as a spreadable PlanInput field (none when nothing is recorded). */
function producerOf(job: KubeObject): { producer?: Producer } {
  const producer = detectProducer(job.metadata, typeof job.kind === 'string' ? job.kind : 'PyTorchJob');
  return producer ? { producer } : {};
}

/** The Trainer schema to target: --target-version, else what the cluster serves. */
async function resolveTarget(cluster: Cluster, opts: MigrateOptions): Promise<Target> {
  if (opts.targetVersion) return getTarget(opts.targetVersion);
  const { discoverTrainer } = await import('../cluster/discovery.js');
  const found = await discoverTrainer(cluster);
  if (!found.schema) throw new ClusterError(`the cluster serves no TrainJob schema (${found.evidence.join('; ')})`, 'Install Trainer v2 first (kubectl trainjob readiness), or pass --target-version.');
  return getTarget(found.schema);
}

/** Reads the runtime the TrainJobs reference (once, or once per namespace for a TrainingRuntime); a missing one blocks its jobs. */
class RuntimeReader {
  private readonly cache = new Map<string, JsonObject | string>();
  private readonly pending = new Map<string, Promise<JsonObject | string>>();
  constructor(
    private readonly cluster: Cluster,
    private readonly choice: RuntimeChoice,
  ) {}

  /** The runtime object, or a reason string when it cannot be used. */
  forNamespace(ns: string): Promise<JsonObject | string> {
    const key = this.choice.kind === 'ClusterTrainingRuntime' ? '' : ns;
    let p = this.pending.get(key);
    if (!p) {
      const ref: ResourceRef = this.choice.kind === 'ClusterTrainingRuntime' ? Resources.clustertrainingruntimes : Resources.trainingruntimes;
      p = this.cluster.tryGet(ref, this.choice.name, ns).then(
        (o) => (o ? (o as JsonObject) : `${this.choice.kind} ${this.choice.name} not found${key ? ` in namespace ${ns}` : ''}; pass --runtime/--runtime-kind`),
        (e: unknown) => {
          if (isForbidden(e)) return `cannot read ${this.choice.kind} ${this.choice.name}: ${e.message}`;
          throw e;
        },
      );
      p.then((v) => this.cache.set(key, v));
      this.pending.set(key, p);
    }
    return p;
  }

  /** The runtime already read for a namespace (used after --wait). */
  cached(ns: string): JsonObject | string | undefined {
    return this.cache.get(this.choice.kind === 'ClusterTrainingRuntime' ? '' : ns);
  }
}

function splitObjects(objects: readonly KubeObject[]): ConvertedObjects {
  const out: ConvertedObjects = {};
  for (const o of objects) {
    if (o.kind === 'TrainJob') out.trainJob = o;
    else if (o.kind === 'TrainingRuntime' || o.kind === 'ClusterTrainingRuntime') out.runtime = o;
  }
  return out;
}

interface ExistingIndex {
  byKey: Map<string, { plan: ExistingTrainJob; provenance: { sourceResourceVersion?: string; v1ManifestSha256?: string } }>;
  /** Namespaces whose TrainJobs we may not read: nothing is written there. */
  denied: Map<string, string>;
}

/**
 * Finds the TrainJobs that already use the target names: a paginated list per scope (one request per 500
 * TrainJobs, not one per job) when jobs were selected by -l/--all, a GET per name when jobs were named.
 */
async function findExistingTrainJobs(cluster: Cluster, opts: MigrateOptions, live: readonly { namespace: string; trainJobName: string }[]): Promise<ExistingIndex> {
  const wanted = new Set(live.map((j) => `${j.namespace}/${j.trainJobName}`));
  const idx: ExistingIndex = { byKey: new Map(), denied: new Map() };
  const keep = (tj: KubeObject): void => {
    const key = `${tj.metadata?.namespace}/${tj.metadata?.name}`;
    if (!wanted.has(key)) return;
    const a = tj.metadata?.annotations ?? {};
    const sourceUid = a[ANNOTATIONS.sourceUid];
    const rv = a[ANNOTATIONS.sourceResourceVersion];
    const manifest = a[ANNOTATIONS.v1Manifest];
    idx.byKey.set(key, {
      plan: { name: tj.metadata!.name!, ...(sourceUid ? { sourceUid } : {}) },
      provenance: { ...(rv ? { sourceResourceVersion: rv } : {}), ...(manifest ? { v1ManifestSha256: manifestSha256(manifest) } : {}) },
    });
  };
  const deny = (ns: string, e: unknown): void => {
    if (!isForbidden(e)) throw e;
    idx.denied.set(ns, `forbidden: cannot read ${qualifiedResource(Resources.trainjobs)} in namespace ${ns}; nothing written there`);
  };
  const namespaces = [...new Set(live.map((j) => j.namespace))];
  if (opts.selection.jobs.length > 0) {
    const { mapConcurrent } = await import('../cluster/concurrency.js');
    await mapConcurrent(live, opts.tuning.concurrency, async (j) => {
      const ns = j.namespace;
      try {
        const tj = await cluster.tryGet(Resources.trainjobs, j.trainJobName, ns);
        if (tj) keep(tj);
      } catch (e) {
        deny(ns, e);
      }
    });
  } else if (opts.selection.allNamespaces) {
    for await (const page of cluster.list(Resources.trainjobs, { allNamespaces: true })) for (const tj of page.items) keep(tj);
  } else {
    for (const ns of namespaces) {
      try {
        for await (const page of cluster.list(Resources.trainjobs, { namespace: ns })) for (const tj of page.items) keep(tj);
      } catch (e) {
        deny(ns, e);
      }
    }
  }
  return idx;
}

/**
 * Asks the API server (SelfSubjectAccessReview) whether each write the plans need is allowed, per namespace,
 * before anything is written. Jobs in a namespace that fails any check are skipped with the reason, so a
 * user allowed only some namespaces gets every allowed one done and nothing half-written elsewhere.
 */
async function checkAccess(cluster: Cluster, prepared: readonly PlannedJob[]): Promise<void> {
  const needs = new Map<string, Set<string>>();
  const add = (ns: string, check: string): void => {
    let s = needs.get(ns);
    if (!s) needs.set(ns, (s = new Set()));
    s.add(check);
  };
  for (const { plan } of prepared) {
    if (plan.action === 'skip' || plan.action === 'refuse') continue;
    if (plan.createTrainJob) add(plan.namespace, 'create trainjobs');
    if (plan.createTrainJob && plan.generatedRuntime) for (const v of ['get', 'create', 'patch']) add(plan.namespace, `${v} trainingruntimes`);
    const v1 = v1RefOf(plan);
    if (plan.deleteV1) add(plan.namespace, `delete ${v1.plural}`);
    if (plan.action === 'wait-cutover') add(plan.namespace, `get ${v1.plural}`);
  }
  const refs: Record<string, ResourceRef> = { trainjobs: Resources.trainjobs, trainingruntimes: Resources.trainingruntimes };
  for (const { plan } of prepared) {
    const v1 = v1RefOf(plan);
    refs[v1.plural] = v1;
  }
  const deniedNs = new Map<string, string[]>();
  const checks = [...needs].flatMap(([ns, set]) => [...set].map((c) => ({ ns, verb: c.split(' ')[0]!, ref: refs[c.split(' ')[1]!]! })));
  const { mapConcurrent } = await import('../cluster/concurrency.js');
  await mapConcurrent(checks, 8, async ({ ns, verb, ref }) => {
    const r = await cluster.selfSubjectAccessReview({ verb, group: ref.group, resource: ref.plural, namespace: ns });
    if (!r.allowed) deniedNs.set(ns, [...(deniedNs.get(ns) ?? []), `${verb} ${qualifiedResource(ref)}`]);
  });
  for (const p of prepared) {
    const denied = deniedNs.get(p.plan.namespace);
    const why = denied && `forbidden: you may not ${denied.sort().join(', ')} in namespace ${p.plan.namespace} (kubectl auth can-i ${denied[0]} -n ${p.plan.namespace}); nothing written there`;
    if (why && p.plan.action !== 'skip' && p.plan.action !== 'refuse') Object.assign(p.plan, { action: 'skip', reason: why, createTrainJob: false, deleteV1: false });
  }
}
