// Selecting live Training Operator v1 jobs the way `kubectl get` does: by `kind/name`, by label selector, in
// one namespace or all of them, over every v1 kind the cluster serves (or those --kind names). Shared by
// preview, apply-v2, backup and migrate, so every verb selects alike.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { mapConcurrent } from '../cluster/concurrency.js';
import { isNotFound, qualifiedResource } from '../cluster/errors.js';
import type { ResourceRef } from '../cluster/resources.js';
import { ClusterError, UsageError } from '../errors.js';
import { crdName, discoverServedKinds, kindPlural, V1_JOB_KINDS, type NamedJob, type ServedKind, type V1JobKind } from './kinds.js';

/** Which live v1 jobs to act on: named jobs, or a label selector in one namespace or across all (`-A`). */
export interface JobSelection {
  /** Jobs named as positional arguments (`bert` is a PyTorchJob, `mpijob/bert` an MPIJob); empty means "every job that matches". */
  jobs: NamedJob[];
  /** --kind: the kinds a selector/--all run covers; undefined means every v1 kind the cluster serves. */
  kinds?: V1JobKind[];
  /** Namespace of -n; undefined means the context's namespace (the cluster target's). */
  namespace?: string;
  /** -A/--all-namespaces. */
  allNamespaces: boolean;
  /** -l/--selector. */
  labelSelector?: string;
}

/** One selected job: the live object, or, for a name that does not exist, the not-found error to report. */
export type SelectedJob =
  | { kind: string; ref: ResourceRef; namespace: string; name: string; job: KubeObject; error?: undefined }
  | { kind: string; ref?: ResourceRef; namespace: string; name: string; job?: undefined; error: ClusterError };

/** Options of selectJobs. */
export interface SelectOptions {
  /** Named jobs are read this many at a time (list pages need no parallelism). Default 8. */
  concurrency?: number;
  /** Only these kinds are acted on (e.g. the kinds the converter reads); a named job of another kind yields an error entry. */
  supported?: readonly V1JobKind[];
  /** Told which of the wanted kinds the cluster serves, once discovery has run. */
  onServed?: (served: ServedKind[]) => void;
}

/** Checks the kubectl rules for combining names, -l and -A; throws a UsageError naming the clash. */
export function validateSelection(sel: JobSelection): void {
  // Same rules and wording as kubectl get, so users meet no surprises.
  if (sel.jobs.length > 0 && sel.labelSelector) {
    throw new UsageError('selectors and the all flag cannot be used when passing resource/name arguments', 'Pass job names, or -l SELECTOR, not both.');
  }
  if (sel.jobs.length > 0 && sel.allNamespaces) {
    throw new UsageError('a resource cannot be retrieved by name across all namespaces', 'Give the namespace with -n NAMESPACE instead of -A.');
  }
}

/** The kinds a selection covers, in report order. */
export function selectedKinds(sel: Pick<JobSelection, 'kinds'>, supported: readonly V1JobKind[] = V1_JOB_KINDS): V1JobKind[] {
  const wanted = sel.kinds ?? V1_JOB_KINDS;
  return wanted.filter((k) => supported.some((s) => s.kind === k.kind));
}

/** A human description of a selection, for "No v1 jobs found ..." and progress lines. */
export function describeSelection(sel: JobSelection, cluster: Pick<Cluster, 'namespace'>): string {
  const where = sel.allNamespaces ? 'in any namespace' : `in namespace "${sel.namespace ?? cluster.namespace}"`;
  return `${sel.labelSelector ? `matching -l ${sel.labelSelector} ` : ''}${where}`;
}

/** `PyTorchJobs`, `MPIJobs or TFJobs`, `Training Operator v1 jobs`: what a selection looks for, in prose. */
export function describeKinds(sel: Pick<JobSelection, 'kinds' | 'jobs'>, supported: readonly V1JobKind[] = V1_JOB_KINDS): string {
  const kinds = sel.jobs.length > 0 ? [...new Set(sel.jobs.map((j) => j.kind.kind))] : selectedKinds(sel, supported).map((k) => k.kind);
  if (kinds.length === 1) return kindPlural(kinds[0]!);
  if (kinds.length === V1_JOB_KINDS.length) return 'Training Operator v1 jobs';
  return kinds.map(kindPlural).join(' or ');
}

/**
 * Yields the selected live v1 jobs one at a time. Selector/namespace selections are listed kind by kind, page
 * by page (limit/continue, the cluster's page size), so memory stays flat however many jobs match; kinds the
 * cluster does not serve are skipped (no CRD, no jobs). Named jobs are read with bounded concurrency, in the
 * order given, and a missing name (or a kind that is not served) yields an entry with the error instead of
 * stopping the run (as `kubectl get a b` reports b and still prints a). Other errors (forbidden, connection)
 * are thrown.
 */
export async function* selectJobs(cluster: Cluster, sel: JobSelection, opts: SelectOptions = {}): AsyncGenerator<SelectedJob> {
  validateSelection(sel);
  const namespace = sel.namespace ?? cluster.namespace;
  const supported = opts.supported ?? V1_JOB_KINDS;
  if (sel.jobs.length > 0) {
    const wanted = V1_JOB_KINDS.filter((k) => sel.jobs.some((j) => j.kind.kind === k.kind));
    const served = await discoverServedKinds(cluster, wanted);
    opts.onServed?.(served);
    const width = Math.max(1, opts.concurrency ?? 8);
    // Chunks keep at most `width` objects in flight and preserve the order of the arguments.
    for (let i = 0; i < sel.jobs.length; i += width) {
      const chunk = sel.jobs.slice(i, i + width);
      const found = await mapConcurrent(chunk, width, async (j): Promise<SelectedJob> => {
        const { name } = j;
        const kind = j.kind.kind;
        if (!supported.some((s) => s.kind === kind)) {
          return { kind, namespace, name, error: new ClusterError(`${kind} ${namespace}/${name}: this verb does not handle ${kindPlural(kind)} yet`, `Supported here: ${supported.map((s) => s.kind).join(', ')}.`) };
        }
        const s = served.find((x) => x.kind.kind === kind && (j.version === undefined || x.ref.version === j.version));
        if (!s) {
          const at = j.version ? `${j.version} ` : '';
          return { kind, namespace, name, error: new ClusterError(`the server does not serve ${kindPlural(kind)} (${at}${crdName(j.kind)}): ${kind} "${name}" cannot exist`, `Check the context and the CRD: kubectl get crd ${crdName(j.kind)}`) };
        }
        try {
          return { kind, ref: s.ref, namespace, name, job: await cluster.get(s.ref, name, namespace) };
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return {
            kind,
            ref: s.ref,
            namespace,
            name,
            error: new ClusterError(`${qualifiedResource(s.ref)} "${name}" not found in namespace "${namespace}"`, `List the jobs with: kubectl get ${s.ref.plural} -n ${namespace}`),
          };
        }
      });
      yield* found;
    }
    return;
  }
  const served = await discoverServedKinds(cluster, selectedKinds(sel, supported));
  opts.onServed?.(served);
  const listOpts = {
    ...(sel.allNamespaces ? { allNamespaces: true } : { namespace }),
    ...(sel.labelSelector ? { labelSelector: sel.labelSelector } : {}),
  };
  for (const { kind, ref } of served) {
    for await (const page of cluster.list(ref, listOpts)) {
      for (const job of page.items) yield { kind: kind.kind, ref, namespace: job.metadata?.namespace ?? namespace, name: job.metadata?.name ?? '', job };
    }
  }
}
