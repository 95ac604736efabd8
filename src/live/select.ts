// Selecting live PyTorchJobs the way `kubectl get pytorchjobs` does: by name, by label selector, in one
// namespace or all of them. Shared by preview, apply-v2, backup and migrate, so every verb selects alike.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { mapConcurrent } from '../cluster/concurrency.js';
import { isNotFound, qualifiedResource } from '../cluster/errors.js';
import { Resources } from '../cluster/resources.js';
import { ClusterError, UsageError } from '../errors.js';

/** Which live PyTorchJobs to act on: names, or a label selector in one namespace or across all (`-A`). */
export interface JobSelection {
  /** Job names (positional arguments); empty means "every job that matches the selector". */
  names: string[];
  /** Namespace of -n; undefined means the context's namespace (the cluster target's). */
  namespace?: string;
  /** -A/--all-namespaces. */
  allNamespaces: boolean;
  /** -l/--selector. */
  labelSelector?: string;
}

/** One selected job: the live object, or, for a name that does not exist, the not-found error to report. */
export type SelectedJob =
  | { namespace: string; name: string; job: KubeObject; error?: undefined }
  | { namespace: string; name: string; job?: undefined; error: ClusterError };

/** Options of selectPyTorchJobs. */
export interface SelectOptions {
  /** Named jobs are read this many at a time (list pages need no parallelism). Default 8. */
  concurrency?: number;
}

/** Checks the kubectl rules for combining names, -l and -A; throws a UsageError naming the clash. */
export function validateSelection(sel: JobSelection): void {
  // Same rules and wording as kubectl get, so users meet no surprises.
  if (sel.names.length > 0 && sel.labelSelector) {
    throw new UsageError('selectors and the all flag cannot be used when passing resource/name arguments', 'Pass job names, or -l SELECTOR, not both.');
  }
  if (sel.names.length > 0 && sel.allNamespaces) {
    throw new UsageError('a resource cannot be retrieved by name across all namespaces', 'Give the namespace with -n NAMESPACE instead of -A.');
  }
  for (const n of sel.names) {
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(n)) throw new UsageError(`invalid PyTorchJob name "${n}"`, 'A name is a DNS subdomain: lower-case letters, digits, "-" and ".".');
  }
}

/** A human description of a selection, for "No PyTorchJobs found ..." and progress lines. */
export function describeSelection(sel: JobSelection, cluster: Pick<Cluster, 'namespace'>): string {
  const where = sel.allNamespaces ? 'in any namespace' : `in namespace "${sel.namespace ?? cluster.namespace}"`;
  return `${sel.labelSelector ? `matching -l ${sel.labelSelector} ` : ''}${where}`;
}

/**
 * Yields the selected live PyTorchJobs one at a time. Selector/namespace selections are listed page by page
 * (limit/continue, the cluster's page size), so memory stays flat however many jobs match; named jobs are read
 * with bounded concurrency, in the order given, and a missing name yields an entry with a not-found error
 * instead of stopping the run (as `kubectl get a b` reports b and still prints a). Other errors (forbidden,
 * PyTorchJob CRD missing, connection) are thrown.
 */
export async function* selectPyTorchJobs(cluster: Cluster, sel: JobSelection, opts: SelectOptions = {}): AsyncGenerator<SelectedJob> {
  validateSelection(sel);
  const namespace = sel.namespace ?? cluster.namespace;
  if (sel.names.length > 0) {
    const width = Math.max(1, opts.concurrency ?? 8);
    // Chunks keep at most `width` objects in flight and preserve the order of the arguments.
    for (let i = 0; i < sel.names.length; i += width) {
      const chunk = sel.names.slice(i, i + width);
      const found = await mapConcurrent(chunk, width, async (name): Promise<SelectedJob> => {
        try {
          return { namespace, name, job: await cluster.get(Resources.pytorchjobs, name, namespace) };
        } catch (e) {
          if (!isNotFound(e)) throw e;
          return {
            namespace,
            name,
            error: new ClusterError(
              `${qualifiedResource(Resources.pytorchjobs)} "${name}" not found in namespace "${namespace}"`,
              `List the jobs with: kubectl get pytorchjobs -n ${namespace}`,
            ),
          };
        }
      });
      yield* found;
    }
    return;
  }
  const listOpts = {
    ...(sel.allNamespaces ? { allNamespaces: true } : { namespace }),
    ...(sel.labelSelector ? { labelSelector: sel.labelSelector } : {}),
  };
  for await (const page of cluster.list(Resources.pytorchjobs, listOpts)) {
    for (const job of page.items) yield { namespace: job.metadata?.namespace ?? namespace, name: job.metadata?.name ?? '', job };
  }
}
