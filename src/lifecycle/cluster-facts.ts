// Reading what the lifecycle verbs judge: v1 jobs of every kind, TrainJobs with provenance, pods. Everything here is I/O; the judging is in cleanup-plan.ts and compare.ts.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { isForbidden, isResourceTypeMissing } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { crdName, discoverServedKinds, V1_JOB_KINDS } from '../live/kinds.js';
import { detectProducer } from '../live/producer.js';
import { v1JobState } from '../live/state.js';
import type { BackupLookup } from './backups.js';
import type { KindFacts, V1JobFacts } from './cleanup-plan.js';
import { readProvenance, type Provenance } from './provenance.js';

/** Pods (not in the shared Resources table, which lists only what migrate writes). */
export const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', kind: 'Pod', namespaced: true };

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

/** Cleanup's facts: every v1 job (all kinds) in scope with its TrainJob (by source-uid) and backup, and every kind with its CRD. */
export async function gatherCleanupFacts(
  cluster: Cluster,
  scope: Scope,
  backups: BackupLookup,
): Promise<{ pytorchJobsServed: boolean; jobs: V1JobFacts[]; live: Map<string, { job: KubeObject; ref: ResourceRef }>; kinds: KindFacts[]; notes: string[] }> {
  const notes: string[] = [];
  const served = await discoverServedKinds(cluster);
  // TrainJobs are matched by uid, so list them without -l: the selector picks v1 jobs, not their TrainJobs.
  const migrated = await migratedTrainJobs(cluster, { ...scope, labelSelector: undefined } as Scope);
  const byUid = new Map<string, { trainJob: KubeObject; provenance: Provenance }>();
  for (const m of migrated) if (m.provenance.sourceUid) byUid.set(m.provenance.sourceUid, m);
  const jobs: V1JobFacts[] = [];
  const live = new Map<string, { job: KubeObject; ref: ResourceRef }>();
  const kinds: KindFacts[] = [];
  for (const k of V1_JOB_KINDS) {
    const s = served.find((x) => x.kind.kind === k.kind);
    const facts: KindFacts = { kind: k.kind, served: s !== undefined, crd: crdName(k), ...(s ? { version: s.ref.version } : {}) };
    kinds.push(facts);
    if (!s) continue;
    let items: KubeObject[] | undefined;
    try {
      items = await listIfServed(cluster, s.ref, scope);
    } catch (e) {
      // A user without access to one kind cannot know what is there; say so rather than claim "none".
      if (!isForbidden(e)) throw e;
      facts.unknown = `forbidden: kubectl auth can-i list ${s.ref.plural}.${s.ref.group}${scope.allNamespaces ? ' --all-namespaces' : ` -n ${scope.namespace}`}`;
      notes.push(`cannot list ${k.kind}s (forbidden): they were not checked`);
      continue;
    }
    if (items === undefined) {
      // Served at discovery time, gone when listed (CRD deleted meanwhile): nothing of it is left.
      Object.assign(facts, { served: false });
      delete facts.version;
      continue;
    }
    facts.jobs = items.length;
    for (const job of items) {
      const meta = job.metadata ?? {};
      const uid = meta.uid ?? '';
      const producer = detectProducer(meta, k.kind);
      const f: V1JobFacts = { ...(k.kind !== 'PyTorchJob' ? { kind: k.kind } : {}), namespace: meta.namespace ?? '', name: meta.name ?? '', uid, state: v1JobState(job), ...(producer ? { producer } : {}) };
      live.set(uid, { job, ref: s.ref });
      const m = byUid.get(uid);
      if (m) {
        f.migratedTo = m.trainJob.metadata?.namespace === f.namespace ? (m.trainJob.metadata?.name ?? '') : `${m.trainJob.metadata?.namespace}/${m.trainJob.metadata?.name}`;
        if (await backups.hasUid(uid)) f.backup = 'backup-dir';
        else if (m.provenance.v1Manifest) f.backup = 'annotation';
      }
      jobs.push(f);
    }
  }
  return { pytorchJobsServed: kinds[0]!.served, jobs, live, kinds, notes };
}
