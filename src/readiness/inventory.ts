// The v1 job inventory (one counter per kind): streams list pages, dry-converts each job and keeps only
// counters, a bounded sample of refused jobs, runtime usage and queue labels, so memory does not grow with jobs.
import type { Cluster, KubeObject, ResourceRef } from '../cluster/index.js';
import { convertDocument, type RuntimeChoice } from '../convert/index.js';
import type { Target } from '../convert/targets/types.js';
import { pytorchJobState } from '../live/state.js';
import { TOOL_VERSION } from '../version.js';
import type { InventoryFact, ProducerRow, RuntimeUsage } from './facts.js';
import { ProducerTally } from './producers.js';

/** How many refused jobs the report names (the counters cover all of them). */
export const REFUSED_SAMPLE_SIZE = 10;

const QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** Accumulates the inventory one job at a time (pure, so it is unit-tested without a cluster). */
export class InventoryCounter {
  /** The counters; read them after the last job. */
  readonly fact: InventoryFact;
  /** `kind/namespace/name` → usage of each runtime the converted jobs would reference. */
  private readonly usage: Map<string, RuntimeUsage>;
  /** `namespace/queue` → jobs carrying that queue name. */
  readonly queues: Record<string, number>;
  private readonly tally: ProducerTally;

  /** `sharedWith`: another kind's counter whose runtime usage, queues and producers this one adds to (one total over all kinds). */
  constructor(
    private readonly target: Target,
    private readonly runtime: RuntimeChoice,
    sharedWith?: InventoryCounter,
  ) {
    this.usage = sharedWith ? sharedWith.usage : new Map();
    this.queues = sharedWith ? sharedWith.queues : {};
    this.tally = sharedWith ? sharedWith.tally : new ProducerTally();
    this.fact = { total: 0, namespaces: {}, states: { running: 0, suspended: 0, finished: 0, created: 0 }, conversion: { clean: 0, warnings: 0, refused: 0 }, refusedSample: [], pages: 0, target: target.version };
  }

  /** Counts one v1 job (of the counter's kind): its state, its dry-conversion outcome, its runtime and its queue label. */
  add(job: KubeObject): void {
    const ns = job.metadata?.namespace ?? '';
    const name = job.metadata?.name ?? '';
    const f = this.fact;
    f.total++;
    const per = (f.namespaces[ns] ??= { total: 0, running: 0, suspended: 0, finished: 0, created: 0, clean: 0, warnings: 0, refused: 0 });
    per.total++;
    const state = pytorchJobState(job);
    const bucket = state === 'running' || state === 'restarting' ? 'running' : state === 'succeeded' || state === 'failed' ? 'finished' : state;
    f.states[bucket]++;
    per[bucket]++;

    const queue = job.metadata?.labels?.[QUEUE_LABEL] ?? ((job.spec as { runPolicy?: { schedulingPolicy?: { queue?: string } } } | undefined)?.runPolicy?.schedulingPolicy?.queue);
    if (queue) this.queues[`${ns}/${queue}`] = (this.queues[`${ns}/${queue}`] ?? 0) + 1;
    this.tally.add(job, state, typeof job.kind === 'string' ? job.kind : 'PyTorchJob');

    // The converter may prune the object it is given (fields the v1 server would drop); the job is not used afterwards.
    const outcome = convertDocument(job, { target: this.target, runtime: this.runtime, envShim: true, force: false, toolVersion: TOOL_VERSION, source: 'cluster' }).jobs[0];
    if (!outcome || outcome.refused) {
      f.conversion.refused++;
      per.refused++;
      if (f.refusedSample.length < REFUSED_SAMPLE_SIZE) {
        const first = outcome?.findings.find((x) => x.severity === 'error');
        // No outcome at all: the converter does not read this kind (yet).
        f.refusedSample.push({ namespace: ns, name, code: first?.code ?? 'unsupported-kind', message: first?.message ?? `kubectl-trainjob does not convert ${String(job.kind)}s` });
      }
      return;
    }
    if (outcome.findings.some((x) => x.severity !== 'info')) {
      f.conversion.warnings++;
      per.warnings++;
    } else {
      f.conversion.clean++;
      per.clean++;
    }
    const trainJob = outcome.objects.find((o) => o.kind === 'TrainJob');
    const ref = (trainJob?.spec as { runtimeRef?: { name?: string; kind?: string } } | undefined)?.runtimeRef;
    if (!ref?.name) return;
    const generated = outcome.objects.some((o) => o.kind === 'TrainingRuntime' && o.metadata.name === ref.name);
    // A generated TrainingRuntime is derived from the chosen runtime, so usage is counted against the chosen one.
    const base: RuntimeChoice = generated ? this.runtime : { name: ref.name, kind: ref.kind === 'TrainingRuntime' ? 'TrainingRuntime' : 'ClusterTrainingRuntime' };
    const key = `${base.kind}/${base.kind === 'TrainingRuntime' ? ns : ''}/${base.name}`;
    const u: RuntimeUsage = this.usage.get(key) ?? { kind: base.kind, name: base.name, ...(base.kind === 'TrainingRuntime' ? { namespace: ns } : {}), generated: 0, jobs: 0 };
    u.jobs++;
    if (generated) u.generated++;
    this.usage.set(key, u);
  }

  /** Who creates the jobs: one row per producer, re-creating producers first, then by job count. */
  producers(): ProducerRow[] {
    return this.tally.producers();
  }

  /** The runtimes the converted jobs would reference, with job counts. */
  runtimeUsage(): RuntimeUsage[] {
    return [...this.usage.values()];
  }
}

/**
 * Jobs per inventory list page. Smaller than the default --chunk-size (500) on purpose: each page is parsed
 * at once and stays alive while its jobs are dry-converted, and those surviving bytes are what makes V8 grow
 * its young generation (to 64 MB with 500-job pages, 32 MB with 100). 5,000 jobs: peak RSS 206 -> ~175 MB for
 * 40 more list requests (see docs/readiness.md). A smaller --chunk-size still wins.
 */
export const INVENTORY_PAGE_SIZE = 100;

/** The page size of the inventory list: --chunk-size when it is smaller, else INVENTORY_PAGE_SIZE (also for --chunk-size 0). */
export function inventoryPageSize(chunkSize: number, cap = INVENTORY_PAGE_SIZE): number {
  return chunkSize > 0 ? Math.min(chunkSize, cap) : cap;
}

/** Streams every job of one v1 kind in scope page by page into a counter; only one page is held at a time. */
export async function scanJobs(cluster: Cluster, ref: ResourceRef, scope: { allNamespaces: boolean; namespace: string }, counter: InventoryCounter, onPage?: (seen: number) => void): Promise<void> {
  const limit = inventoryPageSize(cluster.pageSize);
  for await (const page of cluster.list(ref, scope.allNamespaces ? { allNamespaces: true, limit } : { namespace: scope.namespace, limit })) {
    counter.fact.pages++;
    for (const job of page.items) counter.add(job);
    onPage?.(counter.fact.total);
  }
}
