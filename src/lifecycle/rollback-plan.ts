// The pure half of `rollback`: from what was found for each migrated job, the steps that put the
// v1 job (PyTorchJob, XGBoostJob, any v1 kind: the kind travels in the provenance and the backup) back and take the TrainJob (and its generated runtime) away, in a safe order:
// recreate v1 first, then delete the TrainJob, then the runtime. No I/O here.
import type { KubeObject } from '../cluster/client.js';
import { cleanManifest } from '../live/clean.js';
import type { FoundBackup } from './backups.js';
import type { Provenance } from './provenance.js';

/** What is known about the generated TrainingRuntime a TrainJob uses. */
export interface RuntimeFacts {
  name: string;
  exists: boolean;
  /** Carries `app.kubernetes.io/managed-by: kubectl-trainjob` (we never delete a runtime a user wrote). */
  generated: boolean;
  /** TrainJobs outside this rollback that reference it (`namespace/name`). */
  otherUsers: string[];
}

/** Everything gathered about one job to roll back. */
export interface RollbackSubject {
  /** The v1 kind of the job (from the TrainJob's source-kind; PyTorchJob when absent). */
  kind?: string;
  /** Namespace and name of the v1 job. */
  namespace: string;
  name: string;
  trainJob?: KubeObject;
  provenance?: Provenance;
  backup?: FoundBackup;
  /** Why the backup could not be read (e.g. a file modified after the backup). */
  backupError?: string;
  /** The v1 job as it exists now, if it does. */
  liveV1?: KubeObject;
  runtime?: RuntimeFacts;
  /** Why this job cannot be rolled back whatever else was found (e.g. a source-kind this tool does not know). */
  problem?: string;
  /** A generated runtime no TrainJob references, found by `rollback --all`; `name` is the runtime's. Only the runtime goes. */
  orphanRuntime?: boolean;
}

/** One step of a job's rollback. */
export type RollbackStep =
  | { action: 'recreate-v1'; manifest: KubeObject; from: FoundBackup['source']; file?: string }
  | { action: 'keep-v1'; reason: string }
  | { action: 'delete-trainjob'; name: string; uid: string }
  | { action: 'delete-runtime'; name: string }
  | { action: 'keep-runtime'; name: string; reason: string };

/** The rollback plan of one job; `problem` set means it cannot be rolled back and the run is refused. */
export interface JobRollbackPlan {
  /** The v1 kind; absent for PyTorchJob (as in migrate's rows). */
  kind?: string;
  namespace: string;
  name: string;
  trainJob?: string;
  steps: RollbackStep[];
  problem?: string;
  /** The plan only deletes an unused generated runtime (`name` is the runtime's). */
  orphanRuntime?: boolean;
}

/** Whether a plan writes nothing (everything is already rolled back). */
export function isNoop(plan: JobRollbackPlan): boolean {
  return plan.steps.every((s) => s.action === 'keep-v1' || s.action === 'keep-runtime');
}

/** The manifest to create: the backup, cleaned again (a hand-edited backup may carry server fields) and pinned to its namespace. */
export function restorableManifest(backup: KubeObject, namespace: string): KubeObject {
  const m = cleanManifest(backup) as KubeObject;
  // ownerReferences stay as backed up ("exactly as backed up"); docs/rollback-cleanup-compare.md notes the GC caveat.
  m.metadata = { ...(m.metadata ?? {}), namespace };
  return m;
}

/** The v1 kind of a subject or plan: PyTorchJob when not given. */
export function kindOf(x: { kind?: string }): string {
  return x.kind ?? 'PyTorchJob';
}

/** Builds the plan of one job. */
export function planRollback(s: RollbackSubject): JobRollbackPlan {
  const kind = kindOf(s);
  const plan: JobRollbackPlan = { ...(kind !== 'PyTorchJob' ? { kind } : {}), namespace: s.namespace, name: s.name, steps: [] };
  if (s.trainJob?.metadata?.name) plan.trainJob = s.trainJob.metadata.name;
  if (s.orphanRuntime) {
    if (s.runtime?.exists && s.runtime.generated && !s.runtime.otherUsers.length) plan.steps.push({ action: 'delete-runtime', name: s.runtime.name });
    plan.orphanRuntime = true;
    return plan;
  }
  if (s.problem) {
    plan.problem = s.problem;
    return plan;
  }
  if (s.liveV1) {
    const uid = s.liveV1.metadata?.uid;
    const src = s.provenance?.sourceUid;
    plan.steps.push({
      action: 'keep-v1',
      reason: src && uid && uid !== src ? `${kind} exists (uid ${uid}, recreated since the migration from ${src}); left as it is` : `${kind} still exists; left as it is`,
    });
  } else if (s.backupError) {
    plan.problem = `cannot read the backup: ${s.backupError}`;
    return plan;
  } else if (s.backup) {
    const manifest = restorableManifest(s.backup.manifest, s.namespace);
    if (manifest.kind !== kind || manifest.metadata?.name !== s.name) {
      plan.problem = `the backup holds ${manifest.kind ?? 'an object'} "${manifest.metadata?.name ?? '?'}", not ${kind} "${s.name}"`;
      return plan;
    }
    plan.steps.push({ action: 'recreate-v1', manifest, from: s.backup.source, ...(s.backup.file ? { file: s.backup.file } : {}) });
  } else {
    plan.problem = `the ${kind} is gone and no backup was found (no entry for uid ${s.provenance?.sourceUid ?? '?'} in --backup-dir, no ${'v1-manifest'} annotation${s.provenance?.v1ManifestError ? `: ${s.provenance.v1ManifestError}` : ''}); pass --backup-dir`;
    return plan;
  }
  const tj = s.trainJob;
  if (tj?.metadata?.name && tj.metadata.uid) plan.steps.push({ action: 'delete-trainjob', name: tj.metadata.name, uid: tj.metadata.uid });
  const rt = s.runtime;
  if (rt?.exists) {
    if (!rt.generated) plan.steps.push({ action: 'keep-runtime', name: rt.name, reason: 'not generated by kubectl-trainjob' });
    else if (rt.otherUsers.length) plan.steps.push({ action: 'keep-runtime', name: rt.name, reason: `still used by ${rt.otherUsers.join(', ')}` });
    else plan.steps.push({ action: 'delete-runtime', name: rt.name });
  }
  return plan;
}

/** One line per step, for the plan printed on stderr before anything is written. */
export function describePlan(plan: JobRollbackPlan): string[] {
  // A PyTorchJob is named as before (`ns/name`); other kinds carry their kind (`XGBoostJob ns/name`).
  const who = `${plan.kind ? `${plan.kind} ` : ''}${plan.namespace}/${plan.name}`;
  const head = plan.orphanRuntime ? `${plan.namespace}/${plan.name} (generated TrainingRuntime no TrainJob uses)` : `${who}${plan.trainJob ? ` (TrainJob ${plan.trainJob})` : ''}`;
  if (plan.problem) return [`${head}: REFUSED: ${plan.problem}`];
  if (isNoop(plan)) return [`${head}: nothing to do (${plan.steps.map(stepText).join('; ') || 'already rolled back'})`];
  return [`${head}:`, ...plan.steps.map((s, i) => `  ${i + 1}. ${stepText(s)}`)];
}

function stepText(s: RollbackStep): string {
  switch (s.action) {
    case 'recreate-v1':
      return `create ${s.manifest.kind} ${s.manifest.metadata?.name} from ${s.from === 'backup-dir' ? `backup ${s.file ?? ''}`.trim() : 'the v1-manifest annotation'}`;
    case 'keep-v1':
      return s.reason;
    case 'delete-trainjob':
      return `delete TrainJob ${s.name} (uid ${s.uid})`;
    case 'delete-runtime':
      return `delete generated TrainingRuntime ${s.name}`;
    case 'keep-runtime':
      return `keep TrainingRuntime ${s.name} (${s.reason})`;
  }
}
