// The pure half of `cleanup`: given what is on the cluster, which v1 jobs (of every kind) may be deleted
// and whether Training Operator v1 can be removed. No I/O here; the verb gathers the facts.
import { ExitCode, type ExitCodeValue } from '../errors.js';
import { producerRefusal, type Producer } from '../live/producer.js';
import { isActive, type PyTorchJobState } from '../live/state.js';

/** Where a migrated job's backup was found (deletion needs one). */
export type BackupSource = 'backup-dir' | 'annotation';

/** The facts cleanup needs about one v1 job. */
export interface V1JobFacts {
  /** The v1 kind (PyTorchJob when absent). */
  kind?: string;
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

/** One v1 job with its verdict. */
export interface JobAssessment extends V1JobFacts {
  verdict: JobVerdict;
  /** True when this job keeps Training Operator v1 from being removed. */
  blocking: boolean;
  /** One sentence: why, and what to do. */
  reason: string;
}

/** One v1 job kind on the cluster: whether it is served, at which version, by whose CRD. */
export interface KindFacts {
  kind: string;
  /** False when its CRD is not served: then there are no jobs of it. */
  served: boolean;
  /** The served version (v1; v2beta1 for mpi-operator's MPIJob). */
  version?: string;
  /** The CRD (`mpijobs.kubeflow.org`). */
  crd: string;
  /** Jobs of this kind in scope (counted, listed in `jobs`); undefined when they could not be listed. */
  jobs?: number;
  /** Why the jobs could not be listed (e.g. forbidden): then nothing is known about them. */
  unknown?: string;
}

/** A CRD that goes with Training Operator v1 and can be deleted once the verdict is "removable". */
export interface CrdToDelete {
  name: string;
  /** The served version it was seen at. */
  version: string;
  /** Who installs it: Training Operator v1, or mpi-operator for MPIJob v2beta1. */
  owner: 'training-operator' | 'mpi-operator';
}

/** Whether Training Operator v1 can be removed, as a verdict a runbook can branch on. */
export type RemovalVerdict = 'removable' | 'advisory' | 'blocked';

/** The whole cleanup report. */
export interface CleanupAssessment {
  jobs: JobAssessment[];
  /** Every v1 kind: served or not, with its job count. */
  kinds: KindFacts[];
  /** The kubeflow.org CRDs of the served v1 kinds: what `kubectl delete crd` removes once nothing is left. */
  crds: CrdToDelete[];
  verdict: RemovalVerdict;
  /** 0 removable, 3 advisory (v1 objects remain, all migrated and finished), 4 blocked. */
  exitCode: ExitCodeValue;
  /** One line per reason behind the verdict. */
  reasons: string[];
}

/** Judges one v1 job (the rules are the same for every kind). */
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

/** The kind of a job's facts (PyTorchJob when not given). */
export function kindOf(j: Pick<V1JobFacts, 'kind'>): string {
  return j.kind ?? 'PyTorchJob';
}

/** The CRDs to delete: one per served v1 kind (every one of them goes with the operator, whether or not jobs are left). */
export function crdsToDelete(kinds: readonly KindFacts[]): CrdToDelete[] {
  return kinds.filter((k) => k.served && k.version).map((k) => ({ name: k.crd, version: k.version!, owner: k.kind === 'MPIJob' && k.version !== 'v1' ? 'mpi-operator' : 'training-operator' }));
}

/**
 * Combines the per-job verdicts of every kind into the removal verdict and its exit code: "removable" only
 * when no job of any v1 kind is left (and every kind could be listed), "advisory" when only migrated,
 * finished, backed-up jobs are left, "blocked" otherwise. Reasons are counted per kind.
 */
export function assessCleanup(jobs: V1JobFacts[], kinds: KindFacts[]): CleanupAssessment {
  const assessed = jobs.map(assessJob).sort((a, b) => a.namespace.localeCompare(b.namespace) || kindOf(a).localeCompare(kindOf(b)) || a.name.localeCompare(b.name));
  const reasons: string[] = [];
  const order = [...kinds.map((k) => k.kind), ...assessed.map(kindOf)].filter((k, i, all) => all.indexOf(k) === i);
  const count = (v: JobVerdict, kind: string) => assessed.filter((j) => j.verdict === v && kindOf(j) === kind).length;
  let blocking = 0;
  let migrated = 0;
  for (const kind of order) {
    const notMigrated = count('not-migrated', kind);
    const running = count('migrated-running', kind);
    const noBackup = count('migrated-no-backup', kind);
    const produced = count('migrated-has-producer', kind);
    if (notMigrated) reasons.push(`${notMigrated} ${kind}(s) not migrated`);
    if (running) reasons.push(`${running} migrated ${kind}(s) still running in v1`);
    if (noBackup) reasons.push(`${noBackup} migrated ${kind}(s) without a backup`);
    if (produced) reasons.push(`${produced} migrated ${kind}(s) still created by a producer that would re-create them (change the producer, or --delete-migrated --force)`);
    blocking += notMigrated + running + noBackup + produced;
    migrated += count('migrated', kind);
  }
  // A kind that could not be listed may hide live jobs: "removable" would be a guess.
  const unknown = kinds.filter((k) => k.unknown);
  for (const k of unknown) reasons.push(`${k.kind}s could not be checked (${k.unknown})`);
  const blocked = blocking + unknown.length > 0;
  if (!blocked && migrated) reasons.push(`${migrated} migrated v1 job(s) remain; delete them with --delete-migrated --yes`);
  const verdict: RemovalVerdict = blocked ? 'blocked' : migrated ? 'advisory' : 'removable';
  if (verdict === 'removable') reasons.push('nothing in scope uses kubeflow.org/v1');
  const exitCode = verdict === 'blocked' ? ExitCode.BLOCKED : verdict === 'advisory' ? ExitCode.WARNINGS : ExitCode.OK;
  return { jobs: assessed, kinds, crds: crdsToDelete(kinds), verdict, exitCode, reasons };
}
