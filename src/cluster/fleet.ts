// Many clusters at once: `--context` given several times or `--all-contexts` runs a verb once per kubeconfig
// context, concurrently but bounded, and a cluster that cannot be reached becomes a result, not the end of
// the run. The verbs decide what to do per cluster; this only fans out and collects.
import { forContext, type ClusterOptions } from './config-flags.js';
import { mapConcurrent } from './concurrency.js';
import { listContexts } from './kubeconfig.js';
import { UsageError } from '../errors.js';

/** How many clusters are worked on at once (each has its own QPS budget and connection). */
export const FLEET_CONCURRENCY = 4;

/** The outcome for one cluster: the verb's value, or the error that stopped it there. */
export type ClusterOutcome<T> = { context: string; ok: true; value: T } | { context: string; ok: false; error: Error };

/**
 * The contexts a run covers: every --context given (in order, duplicates once), or with --all-contexts every
 * context of the kubeconfig. Undefined for a single-cluster run (zero or one --context, no --all-contexts).
 */
export function fleetContexts(contexts: readonly string[], allContexts: boolean, base: ClusterOptions, env: NodeJS.ProcessEnv): string[] | undefined {
  if (allContexts) {
    if (contexts.length > 0) throw new UsageError('--all-contexts and --context exclude each other', 'Give --context once per cluster, or --all-contexts for every context of the kubeconfig.');
    const all = listContexts(base, env);
    if (all.length === 0) throw new UsageError('--all-contexts: the kubeconfig defines no contexts');
    return all;
  }
  const unique = [...new Set(contexts.filter((c) => c !== ''))];
  return unique.length > 1 ? unique : undefined;
}

/** Runs `fn` for each context (at most `limit` at once) and returns one outcome per context, in order. */
export async function forEachCluster<T>(contexts: readonly string[], base: ClusterOptions, limit: number, fn: (opts: ClusterOptions, context: string) => Promise<T>): Promise<Array<ClusterOutcome<T>>> {
  return mapConcurrent(contexts, limit, async (context): Promise<ClusterOutcome<T>> => {
    try {
      return { context, ok: true, value: await fn(forContext(base, context), context) };
    } catch (e) {
      return { context, ok: false, error: e instanceof Error ? e : new Error(String(e)) };
    }
  });
}
