// The pure half of `compare`: one v1 job (any kind) and the TrainJob migrated from it, described the same
// way (state, times, nodes, images, resources, env, pods, restarts, how to read the logs), and the
// differences that matter. The clock is passed in, so durations of running jobs are testable. What differs
// per kind (roles, containers, env contract) is in compare-kinds.ts.
import type { KubeObject } from '../cluster/client.js';
import { v1JobState, trainJobState } from '../live/state.js';
import { compareKind, envMap, matchesVar, V1_JOB_NAME_LABEL, v1Rank0LogsCommand, v1Shape, type CompareKind } from './compare-kinds.js';

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
  /** The v1 kind (PyTorchJob, MPIJob, ...) or TrainJob. */
  kind: string;
  /** The v1 side's apiVersion when it is not kubeflow.org/v1 (mpi-operator's kubeflow.org/v2beta1). */
  apiVersion?: string;
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
  /** The image of the node container (MPIJob: of the workers). */
  image?: string;
  /** MPIJob: the launcher's image (v2: the trainer step's). */
  launcherImage?: string;
  /** The env of the trainer container (name -> value; valueFrom shown as JSON), v1-injected variables not included. */
  env?: Record<string, string>;
  pods: PodCounts;
  /** The label selector of this side's pods. */
  podSelector: string;
  /** The `kubectl logs` line that prints the first node's log. */
  logs: string;
}

/** The env contract of the kind: what v1 injected, what Trainer injects, and what the TrainJob sets again. */
export interface EnvContract {
  /** Variables the v1 operator injected (PREFIX_* for families). */
  v1Injected: string[];
  /** Variables Trainer v2 injects for the kind's runtime (none for TFJob and PaddleJob). */
  v2Injected: string[];
  /** v1-injected variables the TrainJob sets itself (the env shim, TF_CONFIG, PADDLE_*). */
  carried: string[];
}

/** The whole comparison. */
export interface Comparison {
  v1: SideReport;
  v2: SideReport;
  /** The kind's env contract (never a difference by itself). */
  envContract: EnvContract;
  /** Differences that suggest the migration changed the job (empty when they agree so far). */
  differences: string[];
}

/** The pod label selector of a v1 job of any kind (set by the v1 operator, and mpi-operator, on every replica pod). */
export function v1PodSelector(name: string): string {
  return `${V1_JOB_NAME_LABEL}=${name}`;
}

/** The pod label selector of a TrainJob (its JobSet has the TrainJob's name). */
export function v2PodSelector(name: string): string {
  return `jobset.sigs.k8s.io/jobset-name=${name}`;
}

/** The `kubectl logs` command for rank 0 of a TrainJob: the node of completion index 0, or (MPI runtimes) the launcher. */
export function v2LogsCommand(namespace: string, name: string, launcher = false): string {
  if (launcher) return `kubectl logs -n ${namespace} -l ${v2PodSelector(name)},jobset.sigs.k8s.io/replicatedjob-name=launcher -c node`;
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

/** Describes a v1 job of any kind (live, or as backed up when `exists` is false) and its pods. */
export function describeV1(job: KubeObject, pods: readonly KubeObject[], now: Date, exists = true): SideReport {
  const j = job as any;
  const meta = job.metadata ?? {};
  const k = compareKind(String(j.kind ?? 'PyTorchJob'));
  const state = exists ? v1JobState(job) : 'deleted';
  const shape = v1Shape(j, k);
  const started = j.status?.startTime ?? earliestPodStart(pods);
  const completed = j.status?.completionTime ?? conditionTime(j, ['Succeeded', 'Failed']);
  const finished = state === 'succeeded' || state === 'failed';
  const resources = shape.nodeContainer?.resources;
  const r: SideReport = {
    kind: k.kind,
    ...(j.apiVersion && j.apiVersion !== 'kubeflow.org/v1' ? { apiVersion: String(j.apiVersion) } : {}),
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    exists,
    state,
    finished,
    pods: countPods(pods),
    podSelector: v1PodSelector(meta.name ?? ''),
    logs: v1Rank0LogsCommand(meta.namespace ?? '', meta.name ?? '', j, k),
  };
  if (finished) r.outcome = state === 'succeeded' ? 'succeeded' : 'failed';
  if (exists && meta.creationTimestamp) r.created = meta.creationTimestamp;
  if (started) r.started = started;
  if (completed) r.completed = completed;
  const d = exists ? duration(started, finished ? completed : undefined, now) : undefined;
  if (d !== undefined) r.durationSeconds = d;
  if (shape.nodes > 0) r.nodes = shape.nodes;
  if (j.spec?.nprocPerNode !== undefined) r.procsPerNode = j.spec.nprocPerNode;
  else if (k.kind === 'MPIJob') r.procsPerNode = typeof j.spec?.slotsPerWorker === 'number' ? j.spec.slotsPerWorker : 1;
  if (resources) r.resourcesPerNode = resources;
  if (shape.nodeContainer?.image) r.image = String(shape.nodeContainer.image);
  if (shape.launcherContainer?.image) r.launcherImage = String(shape.launcherContainer.image);
  if (shape.trainerContainer) r.env = withoutVars(envMap(shape.trainerContainer), k.v1Injected);
  return r;
}

function withoutVars(env: Record<string, string>, patterns: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !matchesVar(name, patterns)));
}

/** The replicated Job of a runtime by name, and its `node` container (where Trainer puts the trainer fields). */
function runtimeContainer(runtime: any, job: string): any {
  const rj = (runtime?.spec?.template?.spec?.replicatedJobs ?? []).find((x: any) => x?.name === job);
  return (rj?.template?.spec?.template?.spec?.containers ?? []).find((c: any) => c?.name === 'node');
}

/**
 * Describes a TrainJob and its pods; the runtime, when readable, fills in what it defaults (node count, image,
 * resources, env). `sourceKind` says where the trainer fields land: on the launcher for MPIJob, else on the nodes.
 */
export function describeV2(tj: KubeObject, pods: readonly KubeObject[], now: Date, runtime?: KubeObject, sourceKind = 'PyTorchJob'): SideReport {
  const t = tj as any;
  const mpi = sourceKind === 'MPIJob';
  const meta = tj.metadata ?? {};
  const state = trainJobState(tj);
  const finished = state === 'complete' || state === 'failed';
  // No startTime in TrainJob status (no Running condition either, T2713): the first pod's start is the best evidence.
  const started = earliestPodStart(pods);
  const completed = conditionTime(t, ['Complete', 'Failed']);
  const rt = runtime as any;
  const nodes = t.spec?.trainer?.numNodes ?? rt?.spec?.mlPolicy?.numNodes;
  const nodeContainer = runtimeContainer(rt, 'node');
  const trainerContainer = mpi ? runtimeContainer(rt, 'launcher') : nodeContainer;
  const resources = t.spec?.trainer?.resourcesPerNode ?? nodeContainer?.resources;
  const procs = t.spec?.trainer?.numProcPerNode ?? rt?.spec?.mlPolicy?.torch?.numProcPerNode ?? rt?.spec?.mlPolicy?.mpi?.numProcPerNode;
  const image = mpi ? nodeContainer?.image : t.spec?.trainer?.image ?? nodeContainer?.image;
  const launcherImage = mpi ? t.spec?.trainer?.image ?? trainerContainer?.image : undefined;
  // The trainer container's env: the runtime's, then the TrainJob's (Trainer applies trainer.env over it by name).
  const env = { ...envMap(trainerContainer), ...envMap({ env: t.spec?.trainer?.env }) };
  const r: SideReport = {
    kind: 'TrainJob',
    namespace: meta.namespace ?? '',
    name: meta.name ?? '',
    exists: true,
    state,
    finished,
    pods: countPods(pods),
    podSelector: v2PodSelector(meta.name ?? ''),
    logs: v2LogsCommand(meta.namespace ?? '', meta.name ?? '', mpi),
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
  if (image) r.image = String(image);
  if (launcherImage) r.launcherImage = String(launcherImage);
  if (trainerContainer || t.spec?.trainer?.env) r.env = env;
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

/** The kind's env contract against what the TrainJob sets: which v1-injected variables it carries again. */
export function envContractOf(k: CompareKind, v2Env: Record<string, string> | undefined): EnvContract {
  const carried = Object.keys(v2Env ?? {}).filter((n) => matchesVar(n, k.v1Injected) && !matchesVar(n, k.v2Injected)).sort();
  return { v1Injected: [...k.v1Injected], v2Injected: [...k.v2Injected], carried };
}

function shown(v: string | undefined): string {
  return v === undefined ? 'not set' : JSON.stringify(v);
}

/**
 * Compares the two sides and lists the differences that matter: outcome, node count, resources per node,
 * images, and env (the kind's env contract is left out: v1-injected, Trainer-injected and the converter's
 * helper variables are reported as the contract, not as differences). `sourceKind` picks the contract.
 */
export function compareSides(v1: SideReport, v2: SideReport, sourceKind = v1.kind): Comparison {
  const k = compareKind(sourceKind);
  const differences: string[] = [];
  if (v1.outcome && v2.outcome && v1.outcome !== v2.outcome) differences.push(`outcome: v1 ${v1.outcome}, v2 ${v2.outcome}`);
  if (v1.nodes !== undefined && v2.nodes !== undefined && v1.nodes !== v2.nodes) differences.push(`nodes: v1 ${v1.nodes}, v2 ${v2.nodes}`);
  if ((v1.resourcesPerNode || v2.resourcesPerNode) && !sameResources(v1.resourcesPerNode, v2.resourcesPerNode)) {
    differences.push(`resources per node: v1 ${JSON.stringify(v1.resourcesPerNode ?? {})}, v2 ${JSON.stringify(v2.resourcesPerNode ?? {})}`);
  }
  if (v1.image && v2.image && v1.image !== v2.image) differences.push(`image: v1 ${v1.image}, v2 ${v2.image}`);
  if (v1.launcherImage && v2.launcherImage && v1.launcherImage !== v2.launcherImage) differences.push(`launcher image: v1 ${v1.launcherImage}, v2 ${v2.launcherImage}`);
  if (v1.env && v2.env) {
    const contract = [...k.v1Injected, ...k.v2Injected, ...k.converterAdds];
    const names = [...new Set([...Object.keys(v1.env), ...Object.keys(v2.env)])].filter((n) => !matchesVar(n, contract)).sort();
    for (const n of names) if (v1.env[n] !== v2.env[n]) differences.push(`env ${n}: v1 ${shown(v1.env[n])}, v2 ${shown(v2.env[n])}`);
  }
  return { v1, v2, envContract: envContractOf(k, v2.env), differences };
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

function envText(env: Record<string, string> | undefined): string {
  if (!env) return '-';
  const names = Object.keys(env).sort();
  return names.length ? names.join(', ') : '(none)';
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
    ['image', v1.image ?? '-', v2.image ?? '-'],
    ...(v1.launcherImage || v2.launcherImage ? [['launcher image', v1.launcherImage ?? '-', v2.launcherImage ?? '-'] as [string, string, string]] : []),
    ['env', envText(v1.env), envText(v2.env)],
    ['env contract', c.envContract.v1Injected.join(', ') || '-', `${c.envContract.v2Injected.join(', ') || '(none)'}${c.envContract.carried.length ? `; set again: ${c.envContract.carried.join(', ')}` : ''}`],
    ['pods', pods(v1), pods(v2)],
    ['restarts', String(v1.pods.restarts), String(v2.pods.restarts)],
    ['pod selector', v1.podSelector, v2.podSelector],
  ];
}
