// The pure half of `compare`: one PyTorchJob and the TrainJob migrated from it, described the same
// way (state, times, nodes, resources, pods, restarts, how to read the logs), and the differences
// that matter. The clock is passed in, so durations of running jobs are testable.
import type { KubeObject } from '../cluster/client.js';
import { pytorchJobState, trainJobState } from '../live/state.js';

/** Pod counts of one side. */
export interface PodCounts {
  total: number;
  ready: number;
  running: number;
  pending: number;
  succeeded: number;
  failed: number;
  /** Container restarts summed over the pods. */
  restarts: number;
}

/** One side of the comparison. */
export interface SideReport {
  kind: 'PyTorchJob' | 'TrainJob';
  namespace: string;
  name: string;
  /** False when the object no longer exists (v1 after a replacement migration: described from its backup). */
  exists: boolean;
  state: string;
  /** Whether the state is final. */
  finished: boolean;
  /** succeeded / failed / undefined while not finished: the comparable outcome of both kinds. */
  outcome?: 'succeeded' | 'failed';
  created?: string;
  started?: string;
  completed?: string;
  /** Seconds from start to completion, or to now while running. */
  durationSeconds?: number;
  nodes?: number;
  /** Processes per node (nprocPerNode / numProcPerNode), when set. */
  procsPerNode?: string | number;
  resourcesPerNode?: Record<string, unknown>;
  pods: PodCounts;
  /** The label selector of this side's pods. */
  podSelector: string;
  /** The `kubectl logs` line that prints the first node's log. */
  logs: string;
}

/** The whole comparison. */
export interface Comparison {
  v1: SideReport;
  v2: SideReport;
  /** Differences that suggest the migration changed the job (empty when they agree so far). */
  differences: string[];
}

/** The pod label selector of a PyTorchJob (set by the v1 operator on every replica pod). */
export function v1PodSelector(name: string): string {
  return `training.kubeflow.org/job-name=${name}`;
}

/** The pod label selector of a TrainJob (its JobSet has the TrainJob's name). */
export function v2PodSelector(name: string): string {
  return `jobset.sigs.k8s.io/jobset-name=${name}`;
}

/** The `kubectl logs` command for the v1 master (rank 0) container. */
export function v1LogsCommand(namespace: string, name: string): string {
  return `kubectl logs -n ${namespace} -l ${v1PodSelector(name)},training.kubeflow.org/replica-type=master -c pytorch`;
}

/** The `kubectl logs` command for the v2 node of completion index 0 (rank 0). */
export function v2LogsCommand(namespace: string, name: string): string {
  return `kubectl logs -n ${namespace} -l ${v2PodSelector(name)},batch.kubernetes.io/job-completion-index=0 -c node`;
}

/** Counts pods by phase and readiness and sums their container restarts. */
export function countPods(pods: readonly KubeObject[]): PodCounts {
  const c: PodCounts = { total: 0, ready: 0, running: 0, pending: 0, succeeded: 0, failed: 0, restarts: 0 };
  for (const p of pods) {
    const st = (p as { status?: any }).status ?? {};
    c.total++;
    if (st.phase === 'Running') c.running++;
    else if (st.phase === 'Succeeded') c.succeeded++;
    else if (st.phase === 'Failed') c.failed++;
    else c.pending++;
    if ((st.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True')) c.ready++;
    for (const cs of [...(st.containerStatuses ?? []), ...(st.initContainerStatuses ?? [])]) c.restarts += Number(cs.restartCount ?? 0);
  }
  return c;
}

function earliestPodStart(pods: readonly KubeObject[]): string | undefined {
  const times = pods.map((p) => (p as { status?: { startTime?: string } }).status?.startTime).filter((t): t is string => Boolean(t));
  return times.sort()[0];
}

function conditionTime(obj: any, types: string[]): string | undefined {
  const c = (obj?.status?.conditions ?? []).find((x: any) => types.includes(x.type) && x.status === 'True');
  return c?.lastTransitionTime;
}

function duration(start: string | undefined, end: string | undefined, now: Date): number | undefined {
  if (!start) return undefined;
  const s = Date.parse(start);
  const e = end ? Date.parse(end) : now.getTime();
  if (Number.isNaN(s) || Number.isNaN(e)) return undefined;
  return Math.max(0, Math.round((e - s) / 1000));
}

function replicaSpecs(job: any): Record<string, any> {
  return job?.spec?.pytorchReplicaSpecs ?? {};
}

function replicaKey(specs: Record<string, any>, role: string): string | undefined {
  return Object.keys(specs).find((k) => k.toLowerCase() === role);
}

function pytorchContainer(spec: any): any {
  const cs: any[] = spec?.template?.spec?.containers ?? [];
  return cs.find((c) => c.name === 'pytorch') ?? cs[0];
}

/** Describes a PyTorchJob (live, or as backed up when `exists` is false) and its pods. */
export function describeV1(job: KubeObject, pods: readonly KubeObject[], now: Date, exists = true): SideReport {
  const j = job as any;
  const meta = job.metadata ?? {};
  const state = exists ? pytorchJobState(job) : 'deleted';
  const specs = replicaSpecs(j);
  const master = replicaKey(specs, 'master');
  const worker = replicaKey(specs, 'worker');
  const replicas = (k: string | undefined) => (k ? Number(specs[k]?.replicas ?? 1) : 0);
  const nodes = replicas(master) + replicas(worker);
  const started = j.status?.startTime ?? earliestPodStart(pods);
  const completed = j.status?.completionTime ?? conditionTime(j, ['Succeeded', 'Failed']);
  const finished = state === 'succeeded' || state === 'failed';
  const resources = pytorchContainer(specs[master ?? worker ?? ''])?.resources;
  const r: SideReport = {
    kind: 'PyTorchJob',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    exists,
    state,
    finished,
    pods: countPods(pods),
    podSelector: v1PodSelector(meta.name ?? ''),
    logs: v1LogsCommand(meta.namespace ?? '', meta.name ?? ''),
  };
  if (finished) r.outcome = state === 'succeeded' ? 'succeeded' : 'failed';
  if (exists && meta.creationTimestamp) r.created = meta.creationTimestamp;
  if (started) r.started = started;
  if (completed) r.completed = completed;
  const d = exists ? duration(started, finished ? completed : undefined, now) : undefined;
  if (d !== undefined) r.durationSeconds = d;
  if (nodes > 0) r.nodes = nodes;
  if (j.spec?.nprocPerNode !== undefined) r.procsPerNode = j.spec.nprocPerNode;
  if (resources) r.resourcesPerNode = resources;
  return r;
}

/** Describes a TrainJob and its pods; `runtimeNodes`/`runtimeResources` fill in what the runtime defaults. */
export function describeV2(tj: KubeObject, pods: readonly KubeObject[], now: Date, runtime?: KubeObject): SideReport {
  const t = tj as any;
  const meta = tj.metadata ?? {};
  const state = trainJobState(tj);
  const finished = state === 'complete' || state === 'failed';
  // No startTime in TrainJob status (no Running condition either, T2713): the first pod's start is the best evidence.
  const started = earliestPodStart(pods);
  const completed = conditionTime(t, ['Complete', 'Failed']);
  const rt = runtime as any;
  const nodes = t.spec?.trainer?.numNodes ?? rt?.spec?.mlPolicy?.numNodes;
  const nodeContainer = ((rt?.spec?.template?.spec?.replicatedJobs ?? []).find((x: any) => x.name === 'node')?.template?.spec?.template?.spec?.containers ?? []).find((c: any) => c.name === 'node');
  const resources = t.spec?.trainer?.resourcesPerNode ?? nodeContainer?.resources;
  const procs = t.spec?.trainer?.numProcPerNode ?? rt?.spec?.mlPolicy?.torch?.numProcPerNode;
  const r: SideReport = {
    kind: 'TrainJob',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    exists: true,
    state,
    finished,
    pods: countPods(pods),
    podSelector: v2PodSelector(meta.name ?? ''),
    logs: v2LogsCommand(meta.namespace ?? '', meta.name ?? ''),
  };
  if (finished) r.outcome = state === 'complete' ? 'succeeded' : 'failed';
  if (meta.creationTimestamp) r.created = meta.creationTimestamp;
  if (started) r.started = started;
  if (completed) r.completed = completed;
  const d = duration(started, finished ? completed : undefined, now);
  if (d !== undefined) r.durationSeconds = d;
  if (nodes !== undefined) r.nodes = Number(nodes);
  if (procs !== undefined) r.procsPerNode = procs;
  if (resources) r.resourcesPerNode = resources;
  return r;
}

const SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/** Parses a Kubernetes quantity ("500m", "2Gi", "1e3") to a number, so "1" and "1000m" compare equal; NaN when unparseable. */
export function parseQuantity(q: unknown): number {
  const m = /^([+-]?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)(n|u|m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/.exec(String(q).trim());
  if (!m) return Number.NaN;
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? Number.NaN);
}

function sameResources(a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): boolean {
  for (const section of ['requests', 'limits']) {
    const x = (a?.[section] ?? {}) as Record<string, unknown>;
    const y = (b?.[section] ?? {}) as Record<string, unknown>;
    const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
    for (const k of keys) if (parseQuantity(x[k]) !== parseQuantity(y[k]) && String(x[k]) !== String(y[k])) return false;
  }
  return true;
}

/** Compares the two sides and lists the differences that matter (outcome, node count, resources per node). */
export function compareSides(v1: SideReport, v2: SideReport): Comparison {
  const differences: string[] = [];
  if (v1.outcome && v2.outcome && v1.outcome !== v2.outcome) differences.push(`outcome: v1 ${v1.outcome}, v2 ${v2.outcome}`);
  if (v1.nodes !== undefined && v2.nodes !== undefined && v1.nodes !== v2.nodes) differences.push(`nodes: v1 ${v1.nodes}, v2 ${v2.nodes}`);
  if ((v1.resourcesPerNode || v2.resourcesPerNode) && !sameResources(v1.resourcesPerNode, v2.resourcesPerNode)) {
    differences.push(`resources per node: v1 ${JSON.stringify(v1.resourcesPerNode ?? {})}, v2 ${JSON.stringify(v2.resourcesPerNode ?? {})}`);
  }
  return { v1, v2, differences };
}

/** Formats seconds as kubectl does for ages: 45s, 3m12s, 2h5m, 1d3h. */
export function formatDuration(s: number | undefined): string {
  if (s === undefined) return '-';
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60 ? `${s % 60}s` : ''}`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) ? `${Math.floor((s % 3600) / 60)}m` : ''}`;
  return `${Math.floor(s / 86400)}d${Math.floor((s % 86400) / 3600) ? `${Math.floor((s % 86400) / 3600)}h` : ''}`;
}

function resourcesText(r: Record<string, unknown> | undefined): string {
  if (!r) return '-';
  const parts: string[] = [];
  for (const section of ['requests', 'limits']) {
    const x = (r[section] ?? {}) as Record<string, unknown>;
    const keys = Object.keys(x).sort();
    if (keys.length) parts.push(`${section}: ${keys.map((k) => `${k}=${String(x[k])}`).join(', ')}`);
  }
  return parts.join('; ') || '-';
}

/** Renders the side-by-side rows (label, v1, v2) of a comparison for the text report. */
export function comparisonRows(c: Comparison): Array<[string, string, string]> {
  const { v1, v2 } = c;
  const pods = (s: SideReport) => `${s.pods.total} (ready ${s.pods.ready}, running ${s.pods.running}, pending ${s.pods.pending}, succeeded ${s.pods.succeeded}, failed ${s.pods.failed})`;
  return [
    ['', `${v1.kind} ${v1.namespace}/${v1.name}${v1.exists ? '' : ' (deleted; from backup)'}`, `${v2.kind} ${v2.namespace}/${v2.name}`],
    ['state', v1.state, v2.state],
    ['created', v1.created ?? '-', v2.created ?? '-'],
    ['started', v1.started ?? '-', v2.started ?? '-'],
    ['completed', v1.completed ?? '-', v2.completed ?? '-'],
    ['duration', formatDuration(v1.durationSeconds), formatDuration(v2.durationSeconds)],
    ['nodes', v1.nodes !== undefined ? String(v1.nodes) : '-', v2.nodes !== undefined ? String(v2.nodes) : '-'],
    ['procs per node', v1.procsPerNode !== undefined ? String(v1.procsPerNode) : '-', v2.procsPerNode !== undefined ? String(v2.procsPerNode) : '-'],
    ['resources per node', resourcesText(v1.resourcesPerNode), resourcesText(v2.resourcesPerNode)],
    ['pods', pods(v1), pods(v2)],
    ['restarts', String(v1.pods.restarts), String(v2.pods.restarts)],
    ['pod selector', v1.podSelector, v2.podSelector],
  ];
}
