// Carries out migration plans against the cluster, one job at a time per worker, with bounded concurrency.
//
// Per job, in this order (each step idempotent, so a run killed anywhere and started again finishes the work):
//   1. backup      the live PyTorchJob into the backup directory (a file write, no API call)
//   2. runtime     server-side apply of the generated TrainingRuntime, when the conversion needs one
//   3. trainjob    create the TrainJob with provenance; AlreadyExists with our source uid = done before
//   4. delete      the PyTorchJob, with uid + resourceVersion preconditions, only after step 3 succeeded
// The TrainJob is created with POST, not server-side apply: apply would silently merge into a TrainJob someone
// else created under the same name, while create fails and lets us check whose it is.
import { createHash } from 'node:crypto';
import type { Cluster, KubeObject } from '../cluster/client.js';
import { isAlreadyExists, isConflict, isNotFound, KubeApiError } from '../cluster/errors.js';
import { Resources } from '../cluster/resources.js';
import { ANNOTATIONS } from '../convert/index.js';
import { CliError } from '../errors.js';
import { SharedRuntimeApplies } from '../live/apply.js';
import { retryRuntimeRace } from '../live/runtime-race.js';
import { cleanManifest } from '../live/clean.js';
import { jobLabel, kindRef, v1JobKind } from '../live/kinds.js';
import { isFinished, v1JobState as pytorchJobState } from '../live/state.js';
import type { ResourceRef } from '../cluster/resources.js';
import type { BackupAction, BackupStore } from './backup-store.js';
import { planAfterWait, type ExistingTrainJob, type JobPlan } from './plan.js';
import { addProvenance } from './provenance.js';

/** The executor's steps; a fault hook is called after each one completes (tests kill the process there). */
export type Step = 'backup' | 'runtime' | 'trainjob' | 'delete';

/** The objects a conversion produced for one job: an optional generated runtime and the TrainJob. */
export interface ConvertedObjects {
  runtime?: KubeObject;
  trainJob?: KubeObject;
}

/**
 * One planned job as kept between planning and execution: the small plan row plus what execution needs to
 * re-obtain and verify the live job. The PyTorchJob itself and its conversion are not kept (memory stays
 * flat in the number of jobs); execution re-reads and re-converts them.
 */
export interface PlannedJob {
  plan: JobPlan;
  /** resourceVersion of the PyTorchJob the plan was made from; a different one at execution means it changed. */
  resourceVersion: string;
  /** The TrainJob that already had the target name when planning, for re-planning and the "unchanged since" check. */
  existing?: ExistingInfo;
}

/** What planning learnt about a TrainJob that already has the target name. */
export interface ExistingInfo {
  plan: ExistingTrainJob;
  /** Its provenance: the source resourceVersion and the sha256 of its v1-manifest annotation. */
  provenance: { sourceResourceVersion?: string; v1ManifestSha256?: string };
}

/** A live PyTorchJob re-converted and re-planned at execution time. */
export interface Prepared {
  plan: JobPlan;
  converted: ConvertedObjects;
  /** Whether the conversion was refused (error findings not overridden by --force). */
  refused: boolean;
}

/** One unit of work handed to the executor: a row index, with the live job when a list already returned it. */
export interface WorkItem {
  index: number;
  /** The live PyTorchJob from a re-list; absent means the worker reads it with a GET. */
  job?: KubeObject;
}

/** Final status of one job, as the report shows it. */
export type OutcomeStatus = 'migrated' | 'skipped' | 'refused' | 'failed';

/** What happened to one job. */
export interface JobOutcome {
  /** The v1 kind; absent for PyTorchJob. */
  kind?: string;
  namespace: string;
  name: string;
  trainJob: string;
  /** PyTorchJob state when planned (or when the wait ended). */
  state: string;
  action: JobPlan['action'];
  status: OutcomeStatus;
  /** Why it was skipped or refused, or the error of a failed job. */
  reason?: string;
  hint?: string;
  steps: {
    backup?: BackupAction;
    runtime?: 'created' | 'configured' | 'unchanged';
    trainJob?: 'created' | 'exists';
    pytorchJob?: 'deleted' | 'already-deleted' | 'kept';
  };
  /** Absolute path of the backup file. */
  backup?: string;
  /** Whether the TrainJob was created suspended. */
  suspended?: boolean;
  /** The command that starts a suspended TrainJob. */
  resume?: string;
  /** False when the clean v1 manifest did not fit into the TrainJob's annotations. */
  v1ManifestEmbedded?: boolean;
  /** API writes sent for this job. */
  writes: number;
  /** Who creates the PyTorchJob, when the cluster records it (src/live/producer.ts). */
  producer?: JobPlan['producer'];
}

/** Options of executeMigration. */
export interface ExecutorOptions {
  cluster: Cluster;
  store: BackupStore;
  concurrency: number;
  /** Re-converts and re-plans one live job (pure); a string says why it cannot be converted (runtime not read). */
  prepare: (job: KubeObject, row: PlannedJob) => Prepared | string;
  /**
   * Yields the rows (by index) that need a live PyTorchJob, each with the object when a page-by-page re-list
   * returned it; every index given must be yielded exactly once. Only one page or so is held at a time.
   */
  source: (indexes: number[]) => AsyncIterable<WorkItem>;
  /** Wait limit per job for --wait, in ms (0 = no limit). */
  waitTimeoutMs: number;
  pollIntervalMs: number;
  sleep: (ms: number) => Promise<void>;
  now: () => Date;
  /** Called after each completed step; a test hook may kill the process here. */
  afterStep?: (step: Step, job: JobPlan) => void | Promise<void>;
  /** Called when a job is done (progress display). */
  onOutcome?: (o: JobOutcome) => void;
  /** Generated runtimes applied in this run: a runtime several jobs share is applied once (made by executeMigration when absent). */
  runtimes?: SharedRuntimeApplies;
  /** Debug lines (-v=2+): a TrainJob retried because Trainer's webhook has not seen its new runtime yet. */
  log?: (line: string) => void;
}

/** The command that starts a suspended TrainJob. */
export function resumeCommand(namespace: string, name: string): string {
  return `kubectl patch trainjob ${name} -n ${namespace} --type merge -p '{"spec":{"suspend":false}}'`;
}

/** sha256 of a clean manifest's compact JSON (how an existing TrainJob's v1-manifest annotation is compared). */
export function manifestSha256(manifest: unknown): string {
  return createHash('sha256').update(typeof manifest === 'string' ? manifest : JSON.stringify(manifest)).digest('hex');
}

/** Thrown inside a job when a step cannot go on; becomes a failed outcome. */
class JobFailure extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/**
 * Executes the plans with bounded concurrency (jobs that wait for v1 to finish run in their own pool, so
 * they do not hold up the rest) and returns one outcome per job, in input order. The live jobs come from
 * `opts.source` one page at a time while the workers run, so memory does not grow with the number of jobs.
 * Never throws for a job's failure: each failure becomes a `failed` outcome and the other jobs go on.
 */
export async function executeMigration(rows: readonly PlannedJob[], options: ExecutorOptions): Promise<JobOutcome[]> {
  const opts: ExecutorOptions = { ...options, runtimes: options.runtimes ?? new SharedRuntimeApplies() };
  const outcomes = new Array<JobOutcome>(rows.length);
  const finish = (i: number, o: JobOutcome): void => {
    outcomes[i] = o;
    opts.onOutcome?.(o);
  };
  const live: number[] = [];
  const later: number[] = [];
  rows.forEach((r, i) => {
    const a = r.plan.action;
    if (a === 'skip' || a === 'refuse') finish(i, baseOutcome(r.plan));
    else if (a === 'wait-cutover') later.push(i);
    else live.push(i);
  });
  // Workers pull from one shared iterator: concurrent next() calls on an async generator are queued, so each
  // item goes to exactly one worker and the source fetches the next page only when the workers need it.
  const runPool = async (items: AsyncIterator<WorkItem>, count: number, width: number): Promise<void> => {
    const worker = async (): Promise<void> => {
      for (let r = await items.next(); !r.done; r = await items.next()) {
        const { index, job } = r.value;
        finish(index, await executeJob(rows[index]!, job, opts));
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(width, count)) }, worker));
  };
  const waiting = (async function* (): AsyncGenerator<WorkItem> {
    for (const index of later) yield { index };
  })();
  await Promise.all([
    live.length > 0 ? runPool(opts.source(live)[Symbol.asyncIterator](), live.length, opts.concurrency) : undefined,
    later.length > 0 ? runPool(waiting, later.length, Math.max(opts.concurrency, Math.min(later.length, 64))) : undefined,
  ]);
  return outcomes;
}

function baseOutcome(plan: JobPlan): JobOutcome {
  const out: JobOutcome = { ...(plan.kind ? { kind: plan.kind } : {}), namespace: plan.namespace, name: plan.name, trainJob: plan.trainJobName, state: plan.state, action: plan.action, status: 'migrated', steps: {}, writes: 0 };
  if (plan.reason) out.reason = plan.reason;
  if (plan.producer) out.producer = plan.producer;
  if (plan.action === 'skip') out.status = 'skipped';
  if (plan.action === 'refuse') out.status = 'refused';
  return out;
}

/** The parts of a plan the user saw and consented to; a re-plan that changes any of them is not carried out. */
function decision(p: JobPlan): string {
  return JSON.stringify([p.action, p.createTrainJob, p.deleteV1, p.suspend, p.generatedRuntime, p.trainJobName]);
}

/**
 * Runs the steps of one job and reports what happened. `live` is the PyTorchJob from the re-list (read with
 * a GET when absent; not read at all for a job that waits). The live job must be the planned one: another
 * uid (deleted and re-created) is skipped; another resourceVersion is re-planned and carried out only when
 * the decision is the one printed in the plan (typically a status-only change in side-by-side mode), and
 * skipped otherwise, so nothing is ever done that the user did not see.
 */
export async function executeJob(row: PlannedJob, live: KubeObject | undefined, opts: ExecutorOptions): Promise<JobOutcome> {
  let plan = row.plan;
  const out = baseOutcome(plan);
  if (out.status !== 'migrated') return out;
  try {
    let job: KubeObject;
    let converted: ConvertedObjects = {};
    if (plan.action === 'wait-cutover') {
      job = await waitUntilFinished(plan, opts);
      const state = pytorchJobState(job);
      plan = planAfterWait(plan, state);
      out.state = state;
      delete out.reason;
      if (plan.createTrainJob) {
        const again = opts.prepare(job, row);
        if (typeof again === 'string') throw new JobFailure(`after the wait: ${again}`);
        if (again.refused || !again.converted.trainJob) throw new JobFailure('after the wait: the conversion of the finished job was refused; see the findings');
        converted = again.converted;
      }
    } else {
      const current = live ?? (await opts.cluster.tryGet(v1RefOf(plan), plan.name, plan.namespace));
      const changed = changedSincePlan(row, current);
      if (changed) return { ...out, status: 'skipped', reason: changed };
      job = current!;
      if (job.metadata?.resourceVersion !== row.resourceVersion || plan.createTrainJob) {
        const again = opts.prepare(job, row);
        if (typeof again === 'string') throw new JobFailure(again);
        if (job.metadata?.resourceVersion !== row.resourceVersion) {
          if (decision(again.plan) !== decision(plan)) {
            return {
              ...out,
              status: 'skipped',
              reason: `changed since the plan (resourceVersion ${row.resourceVersion} → ${job.metadata?.resourceVersion}; now: ${again.plan.action}${again.plan.reason ? `, ${again.plan.reason}` : ''}); nothing written, run migrate again`,
            };
          }
          // Same decision (e.g. only the status moved): carry it out on the newest version, which is what gets backed up.
          plan = { ...plan, state: again.plan.state };
          out.state = plan.state;
        }
        if (plan.createTrainJob && (again.refused || !again.converted.trainJob)) throw new JobFailure('the conversion was refused at execution time; see the findings (kubectl trainjob preview)');
        converted = again.converted;
      }
    }
    const backup = await opts.store.add(job as never);
    out.steps.backup = backup.action;
    out.backup = backup.path;
    await opts.afterStep?.('backup', plan);

    if (plan.createTrainJob) {
      if (converted.runtime) {
        // Generated runtimes are named by content and shared: applied once per run, never changed under another TrainJob.
        const applied = await (opts.runtimes ?? new SharedRuntimeApplies()).apply(opts.cluster, converted.runtime, { dryRun: 'none', forceConflicts: false });
        out.steps.runtime = applied.action;
        if (applied.wrote) out.writes++;
        await opts.afterStep?.('runtime', plan);
      }
      // A copy: the conversion may share sub-objects with the live job, which must stay as backed up.
      const trainJob = JSON.parse(JSON.stringify(converted.trainJob)) as KubeObject & { spec?: Record<string, unknown> };
      if (!trainJob?.metadata) throw new JobFailure('the conversion produced no TrainJob');
      if (plan.suspend) (trainJob.spec ??= {}).suspend = true;
      const prov = addProvenance(trainJob as never, { path: backup.path, sha256: backup.entry.sha256 }, backup.manifest);
      out.v1ManifestEmbedded = prov.v1ManifestEmbedded;
      const create = () => createTrainJob(opts.cluster, trainJob, plan, out);
      // The generated runtime was written a moment ago: Trainer's webhook may deny the TrainJob until its cache has it.
      const runtime = converted.runtime ? `TrainingRuntime ${plan.namespace}/${String(converted.runtime.metadata?.name ?? '')}` : undefined;
      out.steps.trainJob = await (runtime ? retryRuntimeRace(create, runtime, { clock: opts.cluster.clock, ...(opts.log ? { log: opts.log } : {}) }) : create());
      out.suspended = (trainJob.spec?.suspend as boolean | undefined) === true;
      await opts.afterStep?.('trainjob', plan);
    } else {
      out.steps.trainJob = 'exists';
      if (plan.deleteV1) checkUnchangedSince(row, job);
    }

    if (plan.deleteV1) {
      out.steps.pytorchJob = await deleteV1(opts.cluster, job, plan, out, backup.manifest);
      await opts.afterStep?.('delete', plan);
    } else {
      out.steps.pytorchJob = 'kept';
    }
    if (out.suspended) out.resume = resumeCommand(plan.namespace, plan.trainJobName);
    return out;
  } catch (e) {
    if (e instanceof CliError || e instanceof JobFailure) {
      return { ...out, status: 'failed', reason: e.message, ...(e.hint ? { hint: e.hint } : {}) };
    }
    // A bug or a local I/O error (disk full): still a per-job failure, so other jobs and the report go on.
    return { ...out, status: 'failed', reason: e instanceof Error ? e.message : String(e) };
  }
}

/** Why a re-read PyTorchJob is not the planned one (gone, or another object under the name); undefined when it is. */
function changedSincePlan(row: PlannedJob, job: KubeObject | undefined): string | undefined {
  const p = row.plan;
  if (!job) return `${p.kind ?? 'PyTorchJob'} ${p.namespace}/${p.name} was deleted after the plan was made; nothing written`;
  if (job.metadata?.uid !== p.uid) return `${p.kind ?? 'PyTorchJob'} ${p.namespace}/${p.name} was deleted and re-created (uid ${job.metadata?.uid}) after the plan was made; nothing written, run migrate again`;
  return undefined;
}

/** Creates the TrainJob; an existing one made from this PyTorchJob (same source uid) counts as done, any other is a conflict. */
async function createTrainJob(cluster: Cluster, trainJob: KubeObject, plan: JobPlan, out: JobOutcome): Promise<'created' | 'exists'> {
  try {
    await cluster.create(Resources.trainjobs, trainJob);
    out.writes++;
    return 'created';
  } catch (e) {
    const maybeStored = !(e instanceof KubeApiError) || e.statusCode >= 500;
    if (!isAlreadyExists(e) && !maybeStored) throw e;
    // AlreadyExists, or a timeout/5xx after which the create may have been stored: look at what is there.
    const live = await cluster.tryGet(Resources.trainjobs, plan.trainJobName, plan.namespace);
    if (!live) throw e;
    if (maybeStored) out.writes++;
    const uid = live.metadata?.annotations?.[ANNOTATIONS.sourceUid];
    if (uid === plan.uid) return 'exists';
    throw new JobFailure(
      `conflict: TrainJob ${plan.trainJobName} in namespace ${plan.namespace} was created by someone else while migrating (source uid ${uid ?? 'none'})`,
      'Delete or rename that TrainJob, or migrate under another name with --suffix.',
    );
  }
}

/** An already-migrated job may only lose its PyTorchJob if the spec is still the one its TrainJob was made from. */
function checkUnchangedSince(prepared: PlannedJob, job: KubeObject): void {
  const ex = prepared.existing?.provenance ?? {};
  if (ex.sourceResourceVersion && ex.sourceResourceVersion === job.metadata?.resourceVersion) return;
  if (ex.v1ManifestSha256 && ex.v1ManifestSha256 === manifestSha256(cleanManifest(job))) return;
  throw new JobFailure(
    `${prepared.plan.kind ?? 'PyTorchJob'} ${prepared.plan.namespace}/${prepared.plan.name} changed after TrainJob ${prepared.plan.trainJobName} was created from it; not deleted`,
    'Compare the two (kubectl trainjob preview), delete the stale TrainJob if needed and migrate again.',
  );
}

/**
 * Deletes the PyTorchJob with uid + resourceVersion preconditions. A 409 means it changed since it was read:
 * if only its status moved (same clean manifest, still safe to cut over) the delete is retried with the new
 * resourceVersion; a changed spec or a replaced object is left alone and the job fails.
 */
async function deleteV1(cluster: Cluster, job: KubeObject, plan: JobPlan, out: JobOutcome, backedUp: unknown): Promise<'deleted' | 'already-deleted'> {
  const ns = plan.namespace;
  let current = job;
  for (let attempt = 0; ; attempt++) {
    try {
      await cluster.delete(v1RefOf(plan), plan.name, ns, { uid: plan.uid, resourceVersion: current.metadata?.resourceVersion! });
      out.writes++;
      return 'deleted';
    } catch (e) {
      if (isNotFound(e)) return 'already-deleted';
      const maybeDone = !(e instanceof KubeApiError) || e.statusCode >= 500;
      if (!isConflict(e) && !maybeDone) throw e;
      const live = await cluster.tryGet(v1RefOf(plan), plan.name, ns);
      if (!live || live.metadata?.deletionTimestamp) {
        if (maybeDone) out.writes++;
        return live ? 'deleted' : 'already-deleted';
      }
      if (live.metadata?.uid !== plan.uid) throw new JobFailure(`${plan.kind ?? 'PyTorchJob'} ${ns}/${plan.name} was replaced by another object during the migration; not deleted`);
      const sameSpec = JSON.stringify(cleanManifest(live)) === JSON.stringify(backedUp);
      const state = pytorchJobState(live);
      // Finished is final; a suspended job that was resumed meanwhile is someone's training again: leave it.
      const stillSafe = !(plan.state === 'suspended' && !isFinished(state) && state !== 'suspended');
      if (!sameSpec || !stillSafe || attempt >= 2) {
        throw new JobFailure(
          `${plan.kind ?? 'PyTorchJob'} ${ns}/${plan.name} changed during the migration (${sameSpec ? `state now ${state}` : 'spec, labels or annotations differ from the backup'}); not deleted`,
          'Run migrate again: it re-reads the job, backs up the new version and continues.',
        );
      }
      current = live;
    }
  }
}

/**
 * Polls a running PyTorchJob until it has finished (or is suspended), within --timeout. It starts from the
 * planned state (running) and reads the job only after the first interval, as before: the plan row is enough.
 */
async function waitUntilFinished(plan: JobPlan, opts: ExecutorOptions): Promise<KubeObject> {
  const ns = plan.namespace;
  const name = plan.name;
  // Elapsed time is counted in poll intervals, not read from a clock: the injected clock may be frozen
  // (tests), and a slow GET only makes the wait a little longer, never shorter.
  let waited = 0;
  let current: KubeObject | undefined;
  for (;;) {
    const state = current ? pytorchJobState(current) : plan.state;
    if (current && (isFinished(state) || state === 'suspended')) return current;
    if (opts.waitTimeoutMs > 0 && waited >= opts.waitTimeoutMs) {
      throw new JobFailure(`timed out after ${Math.round(opts.waitTimeoutMs / 1000)}s waiting for ${plan.kind ?? 'PyTorchJob'} ${ns}/${name} to finish (state ${state}); nothing was changed`, 'Raise --timeout, or run migrate again later.');
    }
    await opts.sleep(opts.pollIntervalMs);
    waited += opts.pollIntervalMs;
    const next = await opts.cluster.tryGet(v1RefOf(plan), name, ns);
    if (!next || next.metadata?.uid !== plan.uid) throw new JobFailure(`${plan.kind ?? 'PyTorchJob'} ${ns}/${name} was deleted or replaced while waiting for it; nothing was changed`);
    current = next;
  }
}

/** Where a planned job lives in the API: its kind at the version it was served at (PyTorchJob v1 by default). */
export function v1RefOf(plan: Pick<JobPlan, 'kind' | 'sourceVersion'>): ResourceRef {
  const kind = v1JobKind(plan.kind ?? 'PyTorchJob');
  if (!kind) throw new JobFailure(`unknown v1 kind ${plan.kind}`);
  return kindRef(kind, plan.sourceVersion ?? 'v1');
}

/** How reports name a planned job: `ns/bert` for a PyTorchJob, `ns/mpijob/bert` otherwise. */
export function planLabel(p: Pick<JobPlan, 'kind' | 'name'>): string {
  return jobLabel(p.kind ?? 'PyTorchJob', p.name);
}
