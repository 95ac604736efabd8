// Tallies the producers of live v1 jobs ("who creates your PyTorchJobs") one job at a time: bounded rows,
// kind-agnostic (every v1 kind goes through the same detection), shared by the migration inventory and
// the upgrade verdict.
import type { KubeObject } from '../cluster/index.js';
import { detectProducer } from '../live/producer.js';
import type { PyTorchJobState } from '../live/state.js';
import type { ProducerRow } from './facts.js';

/** How many distinct producers the report lists by name; the rest are counted per producer kind. */
export const PRODUCER_ROWS = 200;

/** Counts jobs per producer (kind and name), with their namespaces and how many are still active. */
export class ProducerTally {
  private readonly rows = new Map<string, ProducerRow & { nsSet: Set<string> }>();

  /** Counts one job in its state; `jobKind` words the action (`PyTorchJob`, `TFJob`, ...). */
  add(job: KubeObject, state: PyTorchJobState, jobKind = 'PyTorchJob'): void {
    const ns = job.metadata?.namespace ?? '';
    const p = detectProducer(job.metadata, jobKind);
    const kind = p?.kind ?? 'none recorded';
    let key = `${kind}\u0000${p?.name ?? ''}`;
    let row = this.rows.get(key);
    if (!row && this.rows.size >= PRODUCER_ROWS) {
      key = `${kind}\u0000*`;
      row = this.rows.get(key);
      row ??= { kind, name: '(others)', category: p?.category ?? 'unknown', recreates: p?.recreates ?? false, evidence: p?.evidence ?? '', action: p?.action ?? '', jobs: 0, active: 0, namespaces: [], nsSet: new Set() };
    }
    row ??= p
      ? { kind: p.kind, name: p.name, category: p.category, recreates: p.recreates, evidence: p.evidence, action: p.action, jobs: 0, active: 0, namespaces: [], nsSet: new Set() }
      : { kind, name: '-', category: 'unknown', recreates: false, evidence: 'no owner, marker or field manager', action: `Nothing on the jobs says who creates them: ask their owners, and check runbooks and CI for kubectl apply of ${jobKind}s.`, jobs: 0, active: 0, namespaces: [], nsSet: new Set() };
    row.jobs++;
    if (state === 'running' || state === 'restarting' || state === 'created') row.active++;
    row.nsSet.add(ns);
    this.rows.set(key, row);
  }

  /** One row per producer, producers that re-create jobs first, then by job count. */
  producers(): ProducerRow[] {
    return [...this.rows.values()]
      .map(({ nsSet, ...r }) => ({ ...r, namespaces: [...nsSet].sort() }))
      .sort((a, b) => Number(b.recreates) - Number(a.recreates) || b.jobs - a.jobs || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
  }
}
