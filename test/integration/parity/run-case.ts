// Runs one golden case on a ControllerCluster: the v1 job in one namespace (Training Operator v1
// makes its pods), the converted objects in another (Trainer -> JobSet -> Jobs -> kube-controller-
// manager makes the pods), then compares pod by pod (test/controlplane/pod-parity.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parse, parseAllDocuments } from 'yaml';
import type { ControllerCluster, ControllerTrainerVersion } from '../../controlplane/controllers.js';
import type { KubeClient } from '../../controlplane/kube-client.js';
import { objectPath, type KubeObject } from '../../controlplane/objects.js';
import { PARITY_KINDS, trainerServes, V1_POD_LABELS, type ParityKind, type V1Job, type V2Slot } from '../../controlplane/parity-kinds.js';
import { diffPods, resolveEnv, translate, type AllowList, type ParityContext, type PodDifference, type PodObject } from '../../controlplane/pod-parity.js';
import { runCli } from '../../verbs/run-cli.js';

/** Golden cases live here; each one is also a parity case. */
export const CASES_DIR = path.join(process.cwd(), 'test/golden/cases');

/** Every golden case name, sorted. */
export function goldenCases(): string[] {
  return readdirSync(CASES_DIR).sort().filter((c) => existsSync(path.join(CASES_DIR, c, 'case.yaml')));
}

const KUEUE_QUEUE_LABEL = 'kueue.x-k8s.io/queue-name';

/** One job pair's outcome. */
export interface PairResult {
  v1Name: string;
  trainJobName: string;
  /** Kueue-labelled: created suspended as Kueue's webhook would, checked, then resumed. */
  kueue: boolean;
  /** The v1 job was created suspended (runPolicy.suspend) and stays so: no pods on either side. */
  suspended: boolean;
  /** Per v1 pod: `master-0 <-> node 0`, its differences, and the rendezvous env each side's `node` container sees (v1 translated). */
  pods: { pair: string; diffs: PodDifference[]; env: { v1: Record<string, string | undefined>; v2: Record<string, string | undefined> } }[];
  /** The kind's contract variables (ParityKind.contractEnv) in `pods[].env`. */
  contractEnv: readonly string[];
  /** State problems (TrainJob or JobSet failed, pod counts differ, ...). */
  problems: string[];
}

/** One case's outcome at one Trainer version. */
export interface CaseResult {
  name: string;
  /** Converted only with --force (the case is a refusal): marked as such in test names and results. */
  forced: boolean;
  /** Why the case was not compared (no output even with --force, or v1 rejects the input too). */
  skipped?: string;
  /** Finding codes of the conversion. */
  findings: string[];
  pairs: PairResult[];
}

interface ConvertOutcome { code: number; objects: KubeObject[]; findings: string[] }

async function convert(caseDir: string, input: string, version: ControllerTrainerVersion, args: string[]): Promise<ConvertOutcome> {
  const tmp = mkdtempSync(path.join(tmpdir(), 'ktj-parity-'));
  try {
    const report = path.join(tmp, 'report.json');
    const r = await runCli(['convert', '-f', input, '--target-version', version, '--report', 'json', '--report-file', report, ...args], { cwd: caseDir });
    const findings: string[] = [];
    if (existsSync(report) && readFileSync(report, 'utf8').trim()) {
      for (const item of JSON.parse(readFileSync(report, 'utf8')).items) {
        for (const f of item.kind === 'Finding' ? [item] : item.findings) findings.push(f.code);
      }
    }
    const objects = parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject).filter(Boolean);
    return { code: r.code, objects, findings };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Job kinds of the kubeflow.org group that Training Operator v1 (and mpi-operator, MPIJob v2beta1) served; Katib's Experiment is not one. */
const TRAINING_OPERATOR_KINDS = new Set(['PyTorchJob', 'TFJob', 'XGBoostJob', 'JAXJob', 'PaddleJob', 'MPIJob', 'MXJob']);

/** Every Training Operator job in an input text (any version): top-level documents, items of Lists, components of CodeFlare AppWrappers. */
function kubeflowJobsIn(text: string): V1Job[] {
  const out: V1Job[] = [];
  const visit = (o: any): void => {
    if (!o || typeof o !== 'object') return;
    if (TRAINING_OPERATOR_KINDS.has(o.kind) && typeof o.apiVersion === 'string' && o.apiVersion.startsWith('kubeflow.org/') && o.metadata?.name) out.push(o as V1Job);
    else if (Array.isArray(o.items)) o.items.forEach(visit);
    else if (o.kind === 'AppWrapper') (o.spec?.components ?? []).forEach((c: any) => visit(c.template));
  };
  // YAML 1.1, as kubectl reads a file (012 is 10, yes is true): the v1 job must be what `kubectl apply` creates.
  for (const doc of parseAllDocuments(text, { version: '1.1' })) {
    try { visit(doc.toJS()); } catch { /* malformed documents are the converter's business */ }
  }
  return out;
}

/** The v1 jobs of an input file that parity can run (a kind in PARITY_KINDS, at the apiVersion the Training Operator serves). */
export function v1JobsIn(text: string): V1Job[] {
  return kubeflowJobsIn(text).filter((j) => PARITY_KINDS[j.kind]?.apiVersion === j.apiVersion);
}

function caseInput(name: string): string {
  const dir = path.join(CASES_DIR, name);
  return path.join(dir, existsSync(path.join(dir, 'input.yaml')) ? 'input.yaml' : 'input.json');
}

/**
 * Why a golden case is not compared at `version`, decided from its input before any cluster work
 * (undefined: it is compared). The reason is part of the skipped test's name, so nothing is left out silently.
 */
export function notComparedBecause(name: string, version: ControllerTrainerVersion): string | undefined {
  let jobs: V1Job[];
  try {
    jobs = kubeflowJobsIn(readFileSync(caseInput(name), 'latin1'));
  } catch {
    return undefined; // unreadable input: the converter's business (the case runs and checks the golden has no TrainJob)
  }
  for (const job of jobs) {
    const kind = PARITY_KINDS[job.kind];
    if (job.kind === 'MPIJob' && job.apiVersion === 'kubeflow.org/v2beta1') {
      // mpi-operator runs only in a cluster of its own (its CRD has the MPIJob v1 CRD's name) with a fixed health
      // port (one per machine at a time), so the two parity files, which run side by side, cannot both start it.
      return 'MPIJob kubeflow.org/v2beta1 needs mpi-operator, which runs only in a cluster of its own (its CRD has the MPIJob v1 name; health port 8080, one per machine), not in the parity clusters';
    }
    if (!kind) return `no pod parity for ${job.kind} yet (test/controlplane/parity-kinds.ts)`;
    // Another version of a kind (PyTorchJob v1beta1): the converter refuses it, which the case checks (no TrainJob).
    if (kind.apiVersion !== job.apiVersion) continue;
    if (kind.cases && !kind.cases.includes(name)) return `${job.kind} parity compares ${kind.cases.join(', ')} only (time budget, docs/testing.md)`;
    if (!trainerServes(kind, version)) return `${job.kind} needs Trainer ${kind.needsTrainer}+ (its runtime ships there; KTJ-KIND-001 refuses it at ${version})`;
  }
  return undefined;
}

function clean(obj: KubeObject | V1Job, namespace: string): any {
  const { name, labels, annotations } = obj.metadata as Record<string, any>;
  const { status: _status, ...rest } = obj as any;
  return { ...rest, metadata: { name, namespace, ...(labels ? { labels } : {}), ...(annotations ? { annotations } : {}) } };
}

/** PriorityClasses and RuntimeClasses the pod templates name: admission rejects pods that name missing ones. */
async function ensureClusterPrereqs(client: KubeClient, objs: readonly unknown[]): Promise<void> {
  const text = JSON.stringify(objs);
  for (const [, name] of text.matchAll(/"priorityClassName":"([^"]+)"/g)) {
    if (name === 'system-cluster-critical' || name === 'system-node-critical') continue;
    await client.request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', { body: { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name }, value: 1000 } });
  }
  for (const [, name] of text.matchAll(/"runtimeClassName":"([^"]+)"/g)) {
    await client.request('POST', '/apis/node.k8s.io/v1/runtimeclasses', { body: { apiVersion: 'node.k8s.io/v1', kind: 'RuntimeClass', metadata: { name }, handler: name } });
  }
}

/** A ClusterTrainingRuntime a TrainJob names that the cluster lacks (e.g. RHOAI's torch-cuda-251): a copy of torch-distributed under that name. */
async function ensureReferencedRuntimes(client: KubeClient, objs: readonly KubeObject[]): Promise<void> {
  for (const o of objs) {
    const ref = (o.spec as { runtimeRef?: { name?: string; kind?: string } } | undefined)?.runtimeRef;
    if (o.kind !== 'TrainJob' || !ref?.name || (ref.kind ?? 'ClusterTrainingRuntime') !== 'ClusterTrainingRuntime') continue;
    const path = `/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes/${ref.name}`;
    if ((await client.request('GET', path)).status === 200) continue;
    const base = await client.ok<KubeObject>('GET', '/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes/torch-distributed');
    await client.request('POST', '/apis/trainer.kubeflow.org/v1alpha1/clustertrainingruntimes', {
      body: { apiVersion: base.apiVersion, kind: base.kind, metadata: { name: ref.name, labels: (base.metadata as any).labels }, spec: (base as any).spec },
    });
  }
}

async function create(client: KubeClient, obj: any): Promise<{ status: number; message: string }> {
  const p = await objectPath(client, obj);
  const res = await client.request('POST', p.slice(0, p.lastIndexOf('/')), { body: obj });
  return { status: res.status, message: String((res.body as { message?: string } | undefined)?.message ?? res.text) };
}

async function listPods(client: KubeClient, namespace: string, selector: string): Promise<PodObject[]> {
  const res = await client.ok<{ items: PodObject[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, { query: { labelSelector: selector } });
  return res.items;
}

function condition(obj: any, type: string): { status: string; reason?: string; message?: string } | undefined {
  return (obj?.status?.conditions ?? []).find((c: any) => c.type === type);
}

/** Polls until `check` returns a value or `ms` pass; returns undefined on timeout. */
async function within<T>(ms: number, check: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await check();
    if (v !== undefined || Date.now() > deadline) return v;
    await sleep(250);
  }
}

const POD_TIMEOUT_MS = 120_000;

/** Marks pods Running and Ready through the status subresource, as a kubelet would once their containers run (ParityKind.startsAfterReadyNodes). */
async function markReady(client: KubeClient, pods: readonly PodObject[]): Promise<void> {
  for (const p of pods) {
    const conditions = ((p as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? []);
    if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) continue;
    const now = new Date().toISOString();
    await client.ok('PATCH', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`, {
      body: { status: { phase: 'Running', startTime: now, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: now }] } },
      contentType: 'application/strategic-merge-patch+json',
    });
  }
}

/** The JobSet replicated Job a v2 pod belongs to (`node`, or `launcher` for MPI). */
function replicatedJob(pod: PodObject): string {
  return pod.metadata.labels?.['jobset.sigs.k8s.io/replicatedjob-name'] ?? '?';
}

/** The node index Trainer gave a pod (label since Kubernetes 1.28, annotation always). */
function completionIndex(pod: PodObject): number {
  return Number(pod.metadata.labels?.['batch.kubernetes.io/job-completion-index'] ?? pod.metadata.annotations?.['batch.kubernetes.io/job-completion-index']);
}

async function comparePair(cluster: ControllerCluster, kind: ParityKind, job: V1Job, objs: KubeObject[], trainJob: KubeObject,
  ns: { v1: string; v2: string }, findings: ReadonlySet<string>, allow: AllowList): Promise<PairResult> {
  const client = await cluster.client();
  const v1Name = job.metadata.name;
  const tj = trainJob.metadata.name!;
  const replicas = kind.replicas(job);
  const kueue = Boolean(job.metadata.labels?.[KUEUE_QUEUE_LABEL]);
  const suspended = Boolean(job.spec.runPolicy?.suspend);
  const result: PairResult = { v1Name, trainJobName: tj, kueue, suspended, pods: [], problems: [], contractEnv: kind.contractEnv };

  // Kueue's webhook suspends jobs that carry a queue label until the workload is admitted; the
  // harness does what it would do (Kueue itself is not run) and checks the controllers honour it.
  const v1Obj = clean(job, ns.v1);
  if (kueue) kind.suspend(v1Obj, true);
  const v1Create = await create(client, v1Obj);
  if (v1Create.status >= 300) {
    result.problems.push(`the v1 job was rejected (${v1Create.status}): ${v1Create.message}`);
    return result;
  }
  for (const o of objs) {
    const obj = clean(o, ns.v2);
    if (obj.kind === 'TrainJob' && obj.metadata.name === tj && kueue) obj.spec = { ...obj.spec, suspend: true };
    if (obj.kind === 'TrainJob' && obj.metadata.name !== tj) continue;
    let r = await create(client, obj);
    // Trainer's webhook looks the runtime up in its informer cache: a runtime created a moment ago may not be
    // in it yet on a loaded machine (seen once at v2.1 in CI). Retry that one denial for up to 15 s.
    for (let i = 0; i < 30 && obj.kind === 'TrainJob' && r.status === 403 && r.message.includes('must be created before the TrainJob'); i++) {
      await new Promise((done) => setTimeout(done, 500));
      r = await create(client, obj);
    }
    // Generated runtimes are named by content and shared by the jobs of a stream: one created for an earlier pair is the same object.
    if (r.status === 409 && obj.kind === 'TrainingRuntime' && obj.metadata.labels?.['app.kubernetes.io/managed-by'] === 'kubectl-trainjob') continue;
    if (r.status >= 300) {
      result.problems.push(`${obj.kind} ${obj.metadata.name} was rejected (${r.status}): ${r.message}`);
      return result;
    }
  }

  const trainJobPath = `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns.v2}/trainjobs/${tj}`;
  const jobSetPath = `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${ns.v2}/jobsets/${tj}`;
  const v1Path = `/apis/kubeflow.org/v1/namespaces/${ns.v1}/${kind.plural}/${v1Name}`;

  const checkSuspended = async (): Promise<void> => {
    const js = await within(60_000, async () => {
      const r = await client.request('GET', jobSetPath);
      return r.status === 200 ? r.body : undefined;
    });
    if (!js) { result.problems.push(`no JobSet ${tj} while suspended: TrainJob status ${JSON.stringify((await client.request('GET', trainJobPath)).body?.status)}`); return; }
    if (js.spec?.suspend !== true) result.problems.push(`JobSet ${tj} is not suspended while the TrainJob is`);
    const tjSuspended = await within(30_000, async () => (condition((await client.request('GET', trainJobPath)).body, 'Suspended')?.status === 'True' ? true : undefined));
    if (!tjSuspended) result.problems.push(`TrainJob ${tj} has no Suspended=True condition while suspended`);
    const v1Suspended = await within(30_000, async () => (condition((await client.request('GET', v1Path)).body, 'Suspended')?.status === 'True' ? true : undefined));
    if (!v1Suspended) result.problems.push(`v1 job ${v1Name} has no Suspended=True condition while suspended`);
    const pods = [...await listPods(client, ns.v1, `${V1_POD_LABELS.jobName}=${v1Name}`), ...await listPods(client, ns.v2, `jobset.sigs.k8s.io/jobset-name=${tj}`)];
    if (pods.length > 0) result.problems.push(`${pods.length} pods exist while suspended: ${pods.map((p) => p.metadata.name).join(', ')}`);
  };

  if (suspended || kueue) await checkSuspended();
  if (suspended) return result; // the user's own suspend: nothing else to compare
  if (kueue) {
    // "Admission": resume both, as Kueue does once the workload fits.
    await client.ok('PATCH', v1Path, { body: { spec: { runPolicy: { suspend: false } } }, contentType: 'application/merge-patch+json' });
    await client.ok('PATCH', trainJobPath, { body: { spec: { suspend: false } }, contentType: 'application/merge-patch+json' });
  }

  const expected = [...replicas.values()].reduce((a, b) => a + b, 0);
  const pods = await within(POD_TIMEOUT_MS, async () => {
    const v1 = await listPods(client, ns.v1, `${V1_POD_LABELS.jobName}=${v1Name}`);
    const v2 = await listPods(client, ns.v2, `jobset.sigs.k8s.io/jobset-name=${tj}`);
    if (kind.startsAfterReadyNodes && v2.length < expected) await markReady(client, v2.filter((p) => replicatedJob(p) === 'node'));
    return v1.length >= expected && v2.length >= expected ? { v1, v2 } : undefined;
  });
  const trainJobNow = (await client.request('GET', trainJobPath)).body;
  const jobSetNow = await client.request('GET', jobSetPath);
  const failed = condition(trainJobNow, 'Failed');
  if (failed?.status === 'True') result.problems.push(`TrainJob ${tj} Failed: ${failed.reason}: ${failed.message}`);
  if (jobSetNow.status !== 200) result.problems.push(`no JobSet ${tj} (${jobSetNow.status})`);
  else if (condition(jobSetNow.body, 'Failed')?.status === 'True') result.problems.push(`JobSet ${tj} Failed: ${JSON.stringify(condition(jobSetNow.body, 'Failed'))}`);
  if (!pods) {
    const v1 = await listPods(client, ns.v1, `${V1_POD_LABELS.jobName}=${v1Name}`);
    const v2 = await listPods(client, ns.v2, `jobset.sigs.k8s.io/jobset-name=${tj}`);
    result.problems.push(`expected ${expected} pods on each side within ${POD_TIMEOUT_MS} ms, have v1=${v1.length} v2=${v2.length}; `
      + `TrainJob status ${JSON.stringify(trainJobNow?.status ?? {})}; JobSet status ${JSON.stringify(jobSetNow.body?.status ?? {})}`);
    return result;
  }
  if (pods.v2.length !== pods.v1.length) result.problems.push(`pod counts differ: v1=${pods.v1.length} v2=${pods.v2.length}`);

  // v2 pods by replicated Job and completion index; v1 pods to the slot their kind says (Launcher replicas carry no index label: 0).
  const byslot = new Map(pods.v2.map((p) => [`${replicatedJob(p)}/${completionIndex(p)}`, p]));
  const v1Role = (p: PodObject): { type: string; index: number } => ({
    type: p.metadata.labels?.[V1_POD_LABELS.replicaType] ?? '?', index: Number(p.metadata.labels?.[V1_POD_LABELS.replicaIndex] ?? 0),
  });
  const slotOfV1 = (p: PodObject): V2Slot => {
    const { type, index } = v1Role(p);
    return kind.v2Slot?.(type, index, replicas) ?? { job: 'node', index: kind.nodeIndex(type, index, replicas) };
  };
  // Label selectors are compared by the node indexes they select; a pod outside the `node` Job (MPI launcher) counts as -1 - index.
  const nodeNumber = (slot: V2Slot): number => (slot.job === 'node' ? slot.index : -1 - slot.index);
  const ctx: ParityContext = {
    kind: job.kind, translations: kind.translations(job, tj, replicas, ns), jsonEnv: kind.jsonEnv, hasMaster: kind.hasMaster(replicas), findings,
    siblings: {
      v1: pods.v1.map((p) => ({ pod: p, node: nodeNumber(slotOfV1(p)) })),
      v2: pods.v2.map((p) => ({ pod: p, node: nodeNumber({ job: replicatedJob(p), index: completionIndex(p) }) })),
    },
  };
  for (const p of [...pods.v1].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))) {
    const { type, index } = v1Role(p);
    const slot = slotOfV1(p);
    const pair = `${type}-${index} <-> ${slot.job} ${slot.index}`;
    const twin = byslot.get(`${slot.job}/${slot.index}`);
    if (!twin) { result.problems.push(`${pair}: no v2 pod of replicated Job ${slot.job} with completion index ${slot.index}`); continue; }
    const renames = kind.containerRenames?.(job, type);
    const v1Container = Object.entries(renames ?? allow.renameContainers[job.kind] ?? {}).find(([, to]) => to === 'node')?.[0] ?? kind.container;
    result.pods.push({
      pair, diffs: diffPods(p, twin, { ...ctx, renameContainers: renames }, allow),
      env: { v1: contractEnv(p, v1Container, kind, ctx.translations), v2: contractEnv(twin, 'node', kind, []) },
    });
  }
  return result;
}

/** The variables v1 injected into a PyTorchJob for distributed training (PyTorchJob's contractEnv). */
export const RENDEZVOUS_ENV = PARITY_KINDS.PyTorchJob!.contractEnv;

/** JSON with object keys sorted (a JSON env value compared by content), or the text when it is not JSON. */
function canonicalJson(text: string): string {
  const sort = (v: unknown): unknown => (Array.isArray(v) ? v.map(sort)
    : v && typeof v === 'object' ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])])) : v);
  try {
    return JSON.stringify(sort(JSON.parse(text)));
  } catch {
    return text;
  }
}

/**
 * What the kind's contract variables resolve to in a container, as the container sees them (translated to v2
 * names; JSON values canonical). A variable from a source that cannot be resolved while the pod is Pending
 * (status.podIP) is shown as its source.
 */
function contractEnv(pod: PodObject, container: string, kind: ParityKind, translations: [string, string][]): Record<string, string | undefined> {
  const c = (pod.spec.containers as { name: string; env?: any[] }[]).find((x) => x.name === container);
  const env = resolveEnv(pod, c?.env);
  return Object.fromEntries(kind.contractEnv.map((n) => {
    const e = env.get(n);
    const v = e?.value ?? (e?.valueFrom ? JSON.stringify(e.valueFrom) : undefined);
    if (v === undefined) return [n, undefined];
    const t = translate(v, translations);
    return [n, kind.jsonEnv?.includes(n) ? canonicalJson(t) : t];
  }));
}

/** Converts and compares one golden case at one Trainer version on `cluster`. */
export async function runParityCase(cluster: ControllerCluster, name: string, version: ControllerTrainerVersion, allow: AllowList): Promise<CaseResult> {
  const dir = path.join(CASES_DIR, name);
  const spec = (parse(readFileSync(path.join(dir, 'case.yaml'), 'utf8')) ?? {}) as { args?: string[] };
  const input = path.basename(caseInput(name));
  const args = spec.args ?? [];
  let conv = await convert(dir, input, version, args);
  let forced = args.includes('--force');
  if (conv.code === 4 && !forced) {
    conv = await convert(dir, input, version, [...args, '--force']);
    forced = true;
  }
  const result: CaseResult = { name, forced, findings: [...new Set(conv.findings)].sort(), pairs: [] };
  const trainJobs = conv.objects.filter((o) => o.kind === 'TrainJob');
  if (trainJobs.length === 0) {
    result.skipped = `no TrainJob${forced ? ' even with --force' : ''} (exit ${conv.code})`;
    return result;
  }
  let jobs: V1Job[];
  try {
    jobs = v1JobsIn(readFileSync(path.join(dir, input), 'latin1'));
  } catch {
    jobs = [];
  }
  const client = await cluster.client();
  await ensureClusterPrereqs(client, [...jobs, ...conv.objects]);
  await ensureReferencedRuntimes(client, conv.objects);
  const findings = new Set(conv.findings);
  for (const trainJob of trainJobs) {
    const ann = (trainJob.metadata.annotations ?? {}) as Record<string, string>;
    const job = jobs.find((j) => j.metadata.name === ann['kubectl-trainjob.io/source-name']);
    if (!job) {
      result.skipped = `no ${ann['kubectl-trainjob.io/source-kind'] ?? 'v1'} job named ${ann['kubectl-trainjob.io/source-name']} in the input (embedded in a template?)`;
      continue;
    }
    const kind = PARITY_KINDS[job.kind]!;
    const short = name.replace(/^(example|map|input)-/, '').slice(0, 30).replace(/-+$/, '');
    const ns = { v1: await cluster.namespace(`${short}-v1`), v2: await cluster.namespace(`${short}-v2`) };
    // Runtimes first (a TrainJob's webhook needs its runtime), then this job's TrainJob only.
    const own = conv.objects.filter((o) => o.kind !== 'TrainJob' || o === trainJob);
    result.pairs.push(await comparePair(cluster, kind, job, own, trainJob, ns, findings, allow));
  }
  return result;
}
