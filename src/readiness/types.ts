// The data model of `kubectl trainjob readiness`: check results, the report, and the catalog of
// stable check IDs. Pure: no cluster or CLI imports, so renderers and tests can use it alone.

import type { ProducerRow } from './facts.js';

/** Outcome of one check. `skipped` always carries a reason. */
export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skipped';

/** What a result means for the migration: blocking fails the run (exit 4), advisory warns (exit 3). */
export type Impact = 'none' | 'advisory' | 'blocking';

/** The stable check IDs (odh-cli style `<area>.<subject>.<aspect>`); docs/readiness.md documents each. */
export const CHECK_IDS = [
  'cluster.apiserver.reachable',
  'v1.crd.pytorchjobs',
  'v1.operator.deployment',
  'v2.crd.trainjobs',
  'v2.crd.trainingruntimes',
  'v2.crd.clustertrainingruntimes',
  'v2.crd.jobsets',
  'v2.crd.legacy-trainjobs',
  'v2.schema.version',
  'v2.operator.deployment',
  'v2.jobset.deployment',
  'webhooks.v1.service',
  'webhooks.v2.service',
  'webhooks.jobset.service',
  'rbac.v1.serviceaccounts',
  'rbac.v2.serviceaccounts',
  'runtimes.available',
  'runtimes.per-job',
  'permissions.migrate',
  'kueue.queues',
  'kueue.v1-integrations',
  'inventory.pytorchjobs',
  'inventory.mpijobs',
  'inventory.xgboostjobs',
  'inventory.jaxjobs',
  'inventory.tfjobs',
  'inventory.paddlejobs',
  'producers.pytorchjobs',
  'upgrade.dsc.trainingoperator',
  'upgrade.dsc.trainer',
  'upgrade.v1.jobs',
  'upgrade.v1.operator',
  'upgrade.kueue',
  'upgrade.producers',
] as const;

/** One of the stable check IDs. */
export type CheckId = (typeof CHECK_IDS)[number];

/** The result of one check, as rendered in the table and in `-o json|yaml`. */
export interface CheckResult {
  id: CheckId;
  status: CheckStatus;
  impact: Impact;
  /** One or a few sentences: what was found. */
  message: string;
  /** Why the check did not run (status skipped only). */
  reason?: string;
  /** What to do about a warn/fail/skipped result. */
  remediation?: string;
  /** Structured facts behind the message (machine output only). */
  details?: Record<string, unknown>;
}

/** Final verdict: `ready` (exit 0), `advisory` (exit 3) or `blocked` (exit 4). */
export type Verdict = 'ready' | 'advisory' | 'blocked';

/** Counts over all checks. */
export interface ReadinessSummary {
  verdict: Verdict;
  pass: number;
  warn: number;
  fail: number;
  skipped: number;
  blocking: number;
  advisory: number;
}

/** The whole report (`-o json|yaml` prints exactly this object). */
export interface ReadinessReport {
  apiVersion: 'kubectl-trainjob.io/v1alpha1';
  kind: 'ReadinessReport';
  /** `upgrade` for `readiness --upgrade` (can Training Operator v1 be removed?); absent for the migration checks. */
  mode?: 'upgrade';
  cluster: { server: string; context?: string; user?: string; kubernetesVersion?: string; trainerSchema?: string; trainerVersion?: string };
  /** `all` with -A, else the one namespace checked. */
  scope: { allNamespaces: boolean; namespace?: string };
  /** The Trainer schema the dry conversion used. */
  target: string;
  summary: ReadinessSummary;
  checks: CheckResult[];
  /** Who creates the PyTorchJobs in scope, with the action each producer needs (absent when they could not be listed). */
  producers?: ProducerRow[];
}

/** A passing result. */
export function pass(id: CheckId, message: string, details?: Record<string, unknown>): CheckResult {
  return { id, status: 'pass', impact: 'none', message, ...(details ? { details } : {}) };
}

/** A warning: advisory impact, exit 3 unless something blocks. */
export function warn(id: CheckId, message: string, remediation: string, details?: Record<string, unknown>): CheckResult {
  return { id, status: 'warn', impact: 'advisory', message, remediation, ...(details ? { details } : {}) };
}

/** A failure: blocking impact, exit 4. */
export function fail(id: CheckId, message: string, remediation: string, details?: Record<string, unknown>): CheckResult {
  return { id, status: 'fail', impact: 'blocking', message, remediation, ...(details ? { details } : {}) };
}

/** A check that could not run because something it depends on is missing (already reported elsewhere): no impact. */
export function skippedBecause(id: CheckId, reason: string): CheckResult {
  return { id, status: 'skipped', impact: 'none', message: `skipped: ${reason}`, reason };
}

/**
 * A check the current identity may not run. Advisory, because "not verified" is not "ready": the
 * reason carries the `kubectl auth can-i` line an admin can use to grant or confirm the permission.
 */
export function notPermitted(id: CheckId, canI: string): CheckResult {
  const reason = `not permitted to check (${canI})`;
  return {
    id,
    status: 'skipped',
    impact: 'advisory',
    message: `skipped: ${reason}`,
    reason,
    remediation: 'Run readiness as a user who may read this (e.g. a cluster admin), or ask one to run it.',
  };
}

/** Counts results and derives the verdict: any blocking ⇒ blocked, any advisory ⇒ advisory, else ready. */
export function summarize(checks: readonly CheckResult[]): ReadinessSummary {
  const s: ReadinessSummary = { verdict: 'ready', pass: 0, warn: 0, fail: 0, skipped: 0, blocking: 0, advisory: 0 };
  for (const c of checks) {
    s[c.status]++;
    if (c.impact === 'blocking') s.blocking++;
    if (c.impact === 'advisory') s.advisory++;
  }
  s.verdict = s.blocking > 0 ? 'blocked' : s.advisory > 0 ? 'advisory' : 'ready';
  return s;
}

/** Orders results by the catalog order, so output is stable whatever order the checks finished in. */
export function sortChecks(checks: CheckResult[]): CheckResult[] {
  const rank = (id: CheckId) => CHECK_IDS.indexOf(id);
  return [...checks].sort((a, b) => rank(a.id) - rank(b.id));
}
