// Reading what the lifecycle verbs judge: PyTorchJobs, TrainJobs with provenance, pods, other
// kubeflow.org/v1 kinds. Everything here is I/O; the judging is in cleanup-plan.ts and compare.ts.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { isForbidden, isResourceTypeMissing } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { detectProducer } from '../live/producer.js';
import { pytorchJobState } from '../live/state.js';
import type { BackupLookup } from './backups.js';
import type { OtherKindFacts, V1JobFacts } from './cleanup-plan.js';
import { readProvenance, type Provenance } from './provenance.js';

/** Pods (not in the shared Resources table, which lists only what migrate writes). */
export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };

/** The other kubeflow.org/v1 kinds Training Operator v1 serves; any of them left keeps v1 in place. */
export const OTHER_V1_KINDS = [Resources.tfjobs, Resources.mpijobs, Resources.xgboostjobs, Resources.paddlejobs, Resources.jaxjobs] as const;

/** Where to look: one namespace (-n or the context's) or all (-A). */
export interface Scope {
  namespace?: string;
  allNamespaces: boolean;
  labelSelector?: string;
}

function listOpts(scope: Scope): { namespace?: string; allNamespaces?: boolean; labelSelector?: string } {
  return { ...(scope.allNamespaces ? { allNamespaces: true } : scope.namespace ? { namespace: scope.namespace } : {}), ...(scope.labelSelector ? { labelSelector: scope.labelSelector } : {}) };
}

/** Lists a kind, or returns undefined when the server does not serve it (a missing CRD means "none"). */
export async function listIfServed(cluster: Cluster, ref: ResourceRef, scope: Scope): Promise<KubeObject[] | undefined> {
  try {
    return await cluster.listAll(ref, listOpts(scope));
  } catch (e) {
    if (isResourceTypeMissing(e)) return undefined;
    throw e;
  }
}

/** TrainJobs in scope that carry provenance, with it. */
export async function migratedTrainJobs(cluster: Cluster, scope: Scope): Promise<Array<{ trainJob: KubeObject; provenance: Provenance }>> {
  const all = (await listIfServed(cluster, Resources.trainjobs, scope)) ?? [];
  const out: Array<{ trainJob: KubeObject; provenance: Provenance }> = [];
  for (const trainJob of all) {
    const provenance = readProvenance(trainJob);
    if (provenance) out.push({ trainJob, provenance });
  }
  return out;
}

/** Cleanup's facts: every PyTorchJob in scope with its TrainJob (by source-uid) and backup, plus the other v1 kinds. */
export async function gatherCleanupFacts(
  cluster: Cluster,
  scope: Scope,
  backups: BackupLookup,
): Promise<{ pytorchJobsServed: boolean; jobs: V1JobFacts[]; live: Map<string, KubeObject>; otherKinds: OtherKindFacts[]; notes: string[] }> {
  const notes: string[] = [];
  const pytorchJobs = await listIfServed(cluster, Resources.pytorchjobs, scope);
  // TrainJobs are matched by uid, so list them without -l: the selector picks PyTorchJobs, not their TrainJobs.
  const migrated = await migratedTrainJobs(cluster, { ...scope, labelSelector: undefined } as Scope);
  const byUid = new Map<string, { trainJob: KubeObject; provenance: Provenance }>();
  for (const m of migrated) if (m.provenance.sourceUid) byUid.set(m.provenance.sourceUid, m);
  const jobs: V1JobFacts[] = [];
  const live = new Map<string, KubeObject>();
  for (const job of pytorchJobs ?? []) {
    const meta = job.metadata ?? {};
    const uid = meta.uid ?? '';
    const producer = detectProducer(meta, 'PyTorchJob');
    const facts: V1JobFacts = { namespace: meta.namespace ?? '', name: meta.name ?? '', uid, state: pytorchJobState(job), ...(producer ? { producer } : {}) };
    live.set(uid, job);
    const m = byUid.get(uid);
    if (m) {
      facts.migratedTo = m.trainJob.metadata?.namespace === facts.namespace ? (m.trainJob.metadata?.name ?? '') : `${m.trainJob.metadata?.namespace}/${m.trainJob.metadata?.name}`;
      if (await backups.hasUid(uid)) facts.backup = 'backup-dir';
      else if (m.provenance.v1Manifest) facts.backup = 'annotation';
    }
    jobs.push(facts);
  }
  const otherKinds: OtherKindFacts[] = [];
  for (const ref of OTHER_V1_KINDS) {
    try {
      const items = await listIfServed(cluster, ref, { ...scope, labelSelector: undefined } as Scope);
      otherKinds.push({ kind: ref.kind, installed: items !== undefined, objects: (items ?? []).map((o) => `${o.metadata?.namespace}/${o.metadata?.name}`) });
    } catch (e) {
      // A user without access to one kind cannot know; say so rather than claim "none".
      if (!isForbidden(e)) throw e;
      notes.push(`cannot list ${ref.kind}s (forbidden): they were not checked`);
      otherKinds.push({ kind: ref.kind, installed: true, objects: [] });
    }
  }
  return { pytorchJobsServed: pytorchJobs !== undefined, jobs, live, otherKinds, notes };
}
