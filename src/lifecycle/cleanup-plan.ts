// The pure half of `cleanup`: given what is on the cluster, which PyTorchJobs may be deleted and
// whether Training Operator v1 can be removed. No I/O here; the verb gathers the facts.
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { producerRefusal, type Producer } from '../live/producer.js';
import { isActive, type PyTorchJobState } from '../live/state.js';

/** Where a migrated job's backup was found (deletion needs one). */
export type BackupSource = 'backup-dir' | 'annotation';

/** The facts cleanup needs about one PyTorchJob. */
export interface V1JobFacts {
  namespace: string;
  name: string;
  uid: string;
  state: PyTorchJobState;
  /** The TrainJob whose source-uid is this job's uid, when one exists. */
  migratedTo?: string;
  /** Where a backup of this job was found; undefined when none was. */
  backup?: BackupSource;
  /** Who creates the job (src/live/producer.ts), when the cluster records it. */
  producer?: Producer;
}

/** What cleanup concludes about one PyTorchJob. */
export type JobVerdict =
  /** Migrated, backed up, not running: may be deleted. */
  | 'migrated'
  /** Migrated but v1 pods may still be working: deleting it would kill the run. */
  | 'migrated-running'
  /** Migrated, but no backup exists: deleting it would make rollback impossible. */
  | 'migrated-no-backup'
  /** Migrated and backed up, but its producer (owner, GitOps, Helm) would re-create it: deleted only with --force. */
  | 'migrated-has-producer'
  /** No TrainJob carries this job's uid. */
  | 'not-migrated';

/** One PyTorchJob with its verdict. */
export interface JobAssessment extends V1JobFacts {
  verdict: JobVerdict;
  /** True when this job keeps Training Operator v1 from being removed. */
  blocking: boolean;
  /** One sentence: why, and what to do. */
  reason: string;
}

/** Objects of another kubeflow.org/v1 kind (TFJob, MPIJob, ...) in scope. */
export interface OtherKindFacts {
  kind: string;
  /** False when its CRD is not served: then there are none. */
  installed: boolean;
  /** `namespace/name` of each object. */
  objects: string[];
}

/** Whether Training Operator v1 can be removed, as a verdict a runbook can branch on. */
export type RemovalVerdict = 'removable' | 'advisory' | 'blocked';

/** The whole cleanup report. */
export interface CleanupAssessment {
  jobs: JobAssessment[];
  otherKinds: OtherKindFacts[];
  verdict: RemovalVerdict;
  /** 0 removable, 3 advisory (v1 objects remain, all migrated and finished), 4 blocked. */
  exitCode: ExitCodeValue;
  /** One line per reason behind the verdict. */
  reasons: string[];
}

/** Judges one PyTorchJob. */
export function assessJob(job: V1JobFacts): JobAssessment {
  if (!job.migratedTo) {
    const running = isActive(job.state);
    return {
      ...job,
      verdict: 'not-migrated',
      blocking: true,
      reason: running ? `not migrated and ${job.state}: migrate it (or let it finish) before removing v1` : `not migrated (${job.state}): migrate it, or back it up and delete it`,
    };
  }
  if (isActive(job.state)) {
    return { ...job, verdict: 'migrated-running', blocking: true, reason: `migrated to TrainJob ${job.migratedTo}, but the v1 job is ${job.state}: wait for it to finish or delete it yourself` };
  }
  if (!job.backup) {
    return { ...job, verdict: 'migrated-no-backup', blocking: true, reason: `migrated to TrainJob ${job.migratedTo}, but no backup was found (no file in --backup-dir, no v1-manifest annotation): run "kubectl trainjob backup" first` };
  }
  if (job.producer?.recreates) {
    return { ...job, verdict: 'migrated-has-producer', blocking: true, reason: `migrated to TrainJob ${job.migratedTo}, but ${producerRefusal(job.producer)}` };
  }
  return { ...job, verdict: 'migrated', blocking: false, reason: `migrated to TrainJob ${job.migratedTo}, ${job.state}, backup in ${job.backup === 'backup-dir' ? '--backup-dir' : 'the TrainJob annotation'}: safe to delete` };
}

/** Whether `cleanup --delete-migrated` may delete this job; `force` (--force) also deletes jobs whose producer would re-create them. */
export function isDeletable(a: JobAssessment, force = false): boolean {
  return a.verdict === 'migrated' || (force && a.verdict === 'migrated-has-producer');
}

/** Combines the per-job verdicts and the other v1 kinds into the removal verdict and its exit code. */
export function assessCleanup(jobs: V1JobFacts[], otherKinds: OtherKindFacts[]): CleanupAssessment {
  const assessed = jobs.map(assessJob).sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
  const reasons: string[] = [];
  const count = (v: JobVerdict) => assessed.filter((j) => j.verdict === v).length;
  const notMigrated = count('not-migrated');
  const running = count('migrated-running');
  const noBackup = count('migrated-no-backup');
  const migrated = count('migrated');
  const produced = count('migrated-has-producer');
  if (notMigrated) reasons.push(`${notMigrated} PyTorchJob(s) not migrated`);
  if (running) reasons.push(`${running} migrated PyTorchJob(s) still running in v1`);
  if (noBackup) reasons.push(`${noBackup} migrated PyTorchJob(s) without a backup`);
  if (produced) reasons.push(`${produced} migrated PyTorchJob(s) still created by a producer that would re-create them (change the producer, or --delete-migrated --force)`);
  // Other kinds are served by the same operator: removing it orphans them, and removing its CRDs deletes them.
  const others = otherKinds.filter((k) => k.objects.length > 0);
  for (const k of others) reasons.push(`${k.objects.length} ${k.kind}(s) still use kubeflow.org/v1 (kubectl-trainjob does not migrate ${k.kind}s)`);
  const blocked = notMigrated + running + noBackup + produced + others.length > 0;
  if (!blocked && migrated) reasons.push(`${migrated} migrated PyTorchJob(s) remain; delete them with --delete-migrated --yes`);
  const verdict: RemovalVerdict = blocked ? 'blocked' : migrated ? 'advisory' : 'removable';
  if (verdict === 'removable') reasons.push('nothing in scope uses kubeflow.org/v1');
  const exitCode = verdict === 'blocked' ? ExitCode.BLOCKED : verdict === 'advisory' ? ExitCode.WARNINGS : ExitCode.OK;
  return { jobs: assessed, otherKinds, verdict, exitCode, reasons };
}
