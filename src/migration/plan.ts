// Pure planning of a migration: what happens to each selected PyTorchJob, decided from its state, the
// conversion outcome and any TrainJob that already has the target name. No I/O, no clock: unit-tested alone.
//
// Safety rules (issue 4): never run the same training twice at once, never silently re-run finished
// training, never adopt a TrainJob someone else created, and never delete a PyTorchJob that is still running
// unless told to wait for it (--wait) or to stop it (--force).
import type { Finding } from '../convert/index.js';
import { producerRefusal, type Producer } from '../live/producer.js';
import { isFinished, type PyTorchJobState } from '../live/state.js';

/** side-by-side: v1 keeps owning the work, TrainJobs are created suspended; replace: cut over and delete v1. */
export type Strategy = 'side-by-side' | 'replace';

/** What the plan does with one job. */
export type PlanAction =
  /** Create the TrainJob (suspended); leave the PyTorchJob alone. */
  | 'create'
  /** Create the TrainJob (unless it already exists) and delete the PyTorchJob. */
  | 'cutover'
  /** Wait for the running PyTorchJob to finish, then cut over. */
  | 'wait-cutover'
  /** Nothing to do, or not allowed: see `reason`. */
  | 'skip'
  /** The conversion has error findings: nothing is written. */
  | 'refuse';

/** The migration-wide choices that shape every job's plan. */
export interface PlanOptions {
  strategy: Strategy;
  /** Leave PyTorchJobs untouched even with --strategy replace. */
  keepV1: boolean;
  /** Create every TrainJob suspended (--suspend). */
  suspend: boolean;
  /** Migrate refused conversions, and cut over running jobs mid-run (--force). */
  force: boolean;
  /** Wait for running jobs to finish before cutting over (--wait). */
  wait: boolean;
}

/** A TrainJob that already has the target name, reduced to what planning needs. */
export interface ExistingTrainJob {
  name: string;
  /** Its `kubectl-trainjob.io/source-uid` annotation, when any. */
  sourceUid?: string;
}

/** Everything known about one job before planning. */
export interface PlanInput {
  /** The v1 kind (`MPIJob`); absent for PyTorchJob. */
  kind?: string;
  /** The version the job is served at, when not v1 (mpi-operator's MPIJob: v2beta1). */
  sourceVersion?: string;
  namespace: string;
  name: string;
  uid: string;
  state: PyTorchJobState;
  /** Name the TrainJob gets (PyTorchJob name plus --suffix). */
  trainJobName: string;
  /** Whether the conversion was refused (error findings not overridden by --force). */
  refused: boolean;
  findings: Pick<Finding, 'severity' | 'code'>[];
  /** The TrainJob with trainJobName in the same namespace, when one exists. */
  existing?: ExistingTrainJob;
  /** Whether a generated TrainingRuntime must be applied with the TrainJob. */
  generatedRuntime: boolean;
  /** Who creates the PyTorchJob (src/live/producer.ts), when the cluster records it. */
  producer?: Producer;
}

/** The producer as plans and reports carry it (the action text is in the refusal reason, not on every row). */
export type ProducerRef = Pick<Producer, 'kind' | 'name' | 'category' | 'evidence' | 'recreates'>;

/** Counts of findings by severity, for the plan table. */
export interface FindingCounts {
  error: number;
  warning: number;
  info: number;
}

/** The plan for one job. */
export interface JobPlan {
  /** The v1 kind (`MPIJob`); absent for PyTorchJob, so PyTorchJob plans read as they always did. */
  kind?: string;
  /** The version the job is served at, when not v1. */
  sourceVersion?: string;
  namespace: string;
  name: string;
  uid: string;
  state: PyTorchJobState;
  trainJobName: string;
  action: PlanAction;
  /** Why a job is skipped or refused, or a note on what the action implies. */
  reason?: string;
  /** Whether a TrainJob (and its generated runtime) is written; false when it already exists. */
  createTrainJob: boolean;
  /** Whether the created TrainJob is suspended. */
  suspend: boolean;
  /** Whether the PyTorchJob is deleted (after the API server accepted the TrainJob). */
  deleteV1: boolean;
  /** A TrainJob with this name and this PyTorchJob's uid exists already (an earlier, maybe interrupted, run). */
  alreadyMigrated: boolean;
  generatedRuntime: boolean;
  findings: FindingCounts;
  /** Who creates the PyTorchJob, when the cluster records it. */
  producer?: ProducerRef;
}

/** Counts findings by severity. */
export function countFindings(findings: readonly Pick<Finding, 'severity'>[]): FindingCounts {
  const c: FindingCounts = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity as keyof FindingCounts]++;
  return c;
}

/** Decides what happens to one job (see the file comment for the rules). */
export function planJob(input: PlanInput, opts: PlanOptions): JobPlan {
  const base = {
    ...(input.kind && input.kind !== 'PyTorchJob' ? { kind: input.kind } : {}),
    ...(input.sourceVersion && input.sourceVersion !== 'v1' ? { sourceVersion: input.sourceVersion } : {}),
    namespace: input.namespace,
    name: input.name,
    uid: input.uid,
    state: input.state,
    trainJobName: input.trainJobName,
    generatedRuntime: input.generatedRuntime,
    findings: countFindings(input.findings),
    alreadyMigrated: false,
    ...(input.producer ? { producer: producerRef(input.producer) } : {}),
  };
  const skip = (reason: string, extra: Partial<JobPlan> = {}): JobPlan => ({ ...base, action: 'skip', reason, createTrainJob: false, suspend: false, deleteV1: false, ...extra });

  const existing = input.existing;
  if (existing && existing.sourceUid !== input.uid) {
    const whose = existing.sourceUid ? `was migrated from another PyTorchJob (uid ${existing.sourceUid})` : 'was not created by kubectl-trainjob migrate';
    return skip(`conflict: TrainJob ${existing.name} already exists and ${whose}; delete or rename it, or use --suffix`);
  }
  const already = existing !== undefined;
  if (!already && input.refused) {
    return { ...base, action: 'refuse', reason: `conversion refused (${base.findings.error} error finding(s)); see the findings, or pass --force`, createTrainJob: false, suspend: false, deleteV1: false };
  }
  const replace = opts.strategy === 'replace' && !opts.keepV1;
  if (!replace) {
    if (already) return skip('already migrated', { alreadyMigrated: true });
    // v1 keeps owning the work: a running TrainJob next to it would run the same training twice.
    return { ...base, action: 'create', createTrainJob: true, suspend: true, deleteV1: false };
  }
  const common = { ...base, alreadyMigrated: already, createTrainJob: !already, deleteV1: true };
  // A producer that re-creates the job would start a second training, or undo the cutover at its next sync.
  if (input.producer?.recreates && !opts.force) {
    return skip(`${producerRefusal(input.producer)} Or migrate it side by side (--strategy side-by-side).`, { alreadyMigrated: already });
  }
  const state = input.state;
  if (isFinished(state) || state === 'suspended') {
    // Finished training must not silently start again, and suspended work stays suspended.
    return { ...common, action: 'cutover', suspend: true };
  }
  if (state === 'created') {
    // Not started yet: the TrainJob takes over and runs (suspended only with --suspend).
    return { ...common, action: 'cutover', suspend: opts.suspend };
  }
  // running or restarting
  if (opts.wait) return { ...common, action: 'wait-cutover', suspend: true, reason: 'waits for the PyTorchJob to finish' };
  if (opts.force) return { ...common, action: 'cutover', suspend: opts.suspend, reason: opts.suspend ? 'running: stopped mid-run (--force)' : 'running: stopped mid-run (--force); the TrainJob starts from the beginning' };
  return skip(`${state}: pass --wait to cut over when it finishes, or --force to stop it now`, { alreadyMigrated: already });
}

/** The compact producer a plan carries. */
export function producerRef(p: Producer): ProducerRef {
  return { kind: p.kind, name: p.name, category: p.category, evidence: p.evidence, recreates: p.recreates };
}

/** Whether a plan writes anything destructive (deletes a PyTorchJob): such runs need --yes or a prompt. */
export function isDestructive(plans: readonly JobPlan[]): boolean {
  return plans.some((p) => p.deleteV1 && (p.action === 'cutover' || p.action === 'wait-cutover'));
}

/** The state to record and the suspend flag for a job that was waited on and has now finished. */
export function planAfterWait(plan: JobPlan, state: PyTorchJobState): JobPlan {
  return { ...plan, state, action: 'cutover', suspend: true };
}

/** Counts plans by action, for the summary line. */
export function summarizePlans(plans: readonly JobPlan[]): Record<PlanAction, number> {
  const s: Record<PlanAction, number> = { create: 0, cutover: 0, 'wait-cutover': 0, skip: 0, refuse: 0 };
  for (const p of plans) s[p.action]++;
  return s;
}
