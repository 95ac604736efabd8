// Re-obtaining the planned PyTorchJobs at execution time. Planning keeps only small rows (memory flat in the
// number of jobs), so the executor needs each live job again: selections by -l/--all are re-listed page by
// page (a request per 500 jobs, not one per job), named jobs are read with a GET by the worker.
import type { Cluster, KubeObject, ListOptions } from '../cluster/client.js';
import type { ResourceRef } from '../cluster/resources.js';
import { v1RefOf, type PlannedJob, type WorkItem } from './executor.js';

/** Options of relistJobs. */
export interface RelistOptions {
  /** The selection's list scope (namespace or all, label selector); undefined for named jobs (GET each). */
  scope?: ListOptions;
  /** Called after each page has been handed out (lets the caller collect garbage between pages). */
  onPage?: () => void;
}

const key = (kind: string | undefined, namespace: string | undefined, name: string | undefined): string => `${kind ?? 'PyTorchJob'}/${namespace ?? ''}/${name ?? ''}`;

/**
 * Yields one work item per given row index: first the jobs found by re-listing the selection's scope (at most
 * the current page and one prefetched page are held), then every row the list did not return, without an
 * object, so that the worker reads it with a GET. A job the list misses was deleted or relabelled since the
 * plan; the GET tells which. A list that fails midway (e.g. 410 Gone when the continue token expired during a
 * long run) is not fatal either: the rest are read one by one.
 */
export async function* relistJobs(cluster: Cluster, rows: readonly PlannedJob[], indexes: readonly number[], opts: RelistOptions = {}): AsyncGenerator<WorkItem> {
  const pending = new Map<string, number>();
  for (const i of indexes) pending.set(key(rows[i]!.plan.kind, rows[i]!.plan.namespace, rows[i]!.plan.name), i);
  // One list per kind the rows hold (PyTorchJobs first, as selected).
  const refs = new Map<string, ResourceRef>();
  for (const i of indexes) {
    const ref = v1RefOf(rows[i]!.plan);
    refs.set(`${ref.plural}.${ref.version}`, ref);
  }
  for (const ref of opts.scope ? refs.values() : []) {
    if (pending.size === 0) break;
    try {
      const pages = cluster.list(ref, opts.scope!);
      let next = pages.next();
      while (pending.size > 0) {
        const r = await next;
        if (r.done) break;
        // Ask for the next page now, while the workers process this one: no stall at page boundaries, and the
        // continue token is used within one page's worth of work, long before it can expire.
        next = pages.next();
        next.catch(() => undefined);
        for (const job of r.value.items as KubeObject[]) {
          const k = key(typeof job.kind === 'string' ? job.kind : ref.kind, job.metadata?.namespace, job.metadata?.name);
          const i = pending.get(k);
          if (i === undefined) continue; // not planned for execution (skipped, waiting, or created after the plan)
          pending.delete(k);
          yield { index: i, job };
        }
        opts.onPage?.();
      }
      if (pending.size === 0) void pages.return(undefined).catch(() => undefined);
    } catch {
      // Fall through: each remaining job is read with a GET, and a real failure then shows per job.
    }
  }
  for (const i of pending.values()) yield { index: i };
}
