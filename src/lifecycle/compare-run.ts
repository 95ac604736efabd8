// `compare` end to end: find the pair (provenance, or --trainjob), read both sides and their pods, report.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { connect } from '../cluster/index.js';
import { isForbidden, isResourceTypeMissing } from '../cluster/errors.js';
import { Resources } from '../cluster/resources.js';
import { ClusterError, ExitCode, type ExitCodeValue } from '../errors.js';
import type { Deps } from '../io.js';
import type { ClusterOptions } from '../cluster/config-flags.js';
import { listIfServed, migratedTrainJobs, PODS } from './cluster-facts.js';
import { compareSides, comparisonRows, describeV1, describeV2, v1PodSelector, v2PodSelector, type Comparison } from './compare.js';
import { readProvenance, runtimeRefOf } from './provenance.js';
import { columns } from './render.js';

/** Validated options of `compare`. */
export interface CompareOptions {
  cluster: ClusterOptions;
  job: string;
  trainJob?: string;
  output: 'table' | 'json';
}

async function tryGetV1(cluster: Cluster, name: string, ns: string): Promise<KubeObject | undefined> {
  try {
    return await cluster.tryGet(Resources.pytorchjobs, name, ns);
  } catch (e) {
    if (isResourceTypeMissing(e)) return undefined;
    throw e;
  }
}

/** Finds the pair: the PyTorchJob JOB (or its backup on the TrainJob) and the TrainJob migrated from it. */
export async function findPair(cluster: Cluster, ns: string, job: string, trainJobName?: string): Promise<{ v1?: KubeObject; v1FromBackup?: KubeObject; trainJob: KubeObject }> {
  const v1 = await tryGetV1(cluster, job, ns);
  let trainJob: KubeObject | undefined;
  if (trainJobName) {
    trainJob = await cluster.tryGet(Resources.trainjobs, trainJobName, ns);
    if (!trainJob) throw new ClusterError(`TrainJob "${trainJobName}" not found in namespace "${ns}"`, `List them with: kubectl get trainjobs -n ${ns}`);
  } else {
    const migrated = await migratedTrainJobs(cluster, { namespace: ns, allNamespaces: false });
    const uid = v1?.metadata?.uid;
    // The uid is the real link; the name is the fallback when the v1 job is gone (replacement migration).
    const match =
      (uid ? migrated.find((m) => m.provenance.sourceUid === uid) : undefined) ??
      (!v1 ? migrated.find((m) => m.provenance.sourceName === job && m.provenance.sourceNamespace === ns) ?? migrated.find((m) => m.trainJob.metadata?.name === job) : undefined);
    trainJob = match?.trainJob;
    if (!trainJob) {
      if (!v1) throw new ClusterError(`no PyTorchJob "${job}" and no TrainJob migrated from it in namespace "${ns}"`, `Check the name and namespace (kubectl get pytorchjobs,trainjobs -n ${ns}).`);
      throw new ClusterError(`no TrainJob in namespace "${ns}" was migrated from PyTorchJob "${job}" (uid ${uid})`, `Migrate it first, or name the TrainJob: kubectl trainjob compare ${job} --trainjob NAME`);
    }
  }
  if (v1) return { v1, trainJob };
  const p = readProvenance(trainJob);
  if (p?.v1Manifest) return { v1FromBackup: p.v1Manifest, trainJob };
  throw new ClusterError(`PyTorchJob "${job}" not found in namespace "${ns}", and TrainJob ${trainJob.metadata?.name} carries no copy of it`, 'Name an existing PyTorchJob.');
}

async function pods(cluster: Cluster, ns: string, selector: string): Promise<KubeObject[]> {
  return cluster.listAll(PODS, { namespace: ns, labelSelector: selector });
}

async function runtimeOf(cluster: Cluster, tj: KubeObject, ns: string): Promise<KubeObject | undefined> {
  const ref = runtimeRefOf(tj);
  if (!ref) return undefined;
  try {
    if (ref.kind === 'TrainingRuntime') return (await listIfServed(cluster, Resources.trainingruntimes, { namespace: ns, allNamespaces: false }))?.find((r) => r.metadata?.name === ref.name);
    return await cluster.tryGet(Resources.clustertrainingruntimes, ref.name);
  } catch (e) {
    // Runtimes only fill in defaults (node count, resources); a user who may not read them still gets the rest.
    if (isForbidden(e)) return undefined;
    throw e;
  }
}

/** Runs compare and returns its exit code: 0 when the sides agree so far, 3 when they differ. */
export async function runCompare(opts: CompareOptions, deps: Deps): Promise<ExitCodeValue> {
  const cluster = await connect(opts.cluster, deps.env, { log: deps.log });
  try {
    const ns = cluster.namespace;
    const pair = await findPair(cluster, ns, opts.job, opts.trainJob);
    const now = deps.now();
    const v1obj = pair.v1 ?? pair.v1FromBackup!;
    const v1Name = v1obj.metadata?.name ?? opts.job;
    const tjName = pair.trainJob.metadata?.name ?? '';
    const [v1Pods, v2Pods, runtime] = await Promise.all([
      pair.v1 ? pods(cluster, ns, v1PodSelector(v1Name)) : Promise.resolve([]),
      pods(cluster, ns, v2PodSelector(tjName)),
      runtimeOf(cluster, pair.trainJob, ns),
    ]);
    const v1 = describeV1({ ...v1obj, metadata: { ...v1obj.metadata, namespace: ns } }, v1Pods, now, Boolean(pair.v1));
    const c = compareSides(v1, describeV2(pair.trainJob, v2Pods, now, runtime));
    deps.io.out.write(opts.output === 'json' ? `${JSON.stringify(c, null, 2)}\n` : renderComparison(c));
    return c.differences.length ? ExitCode.WARNINGS : ExitCode.OK;
  } finally {
    cluster.close();
  }
}

/** The text report: side-by-side rows, the differences, and the logs commands. */
export function renderComparison(c: Comparison): string {
  const rows = comparisonRows(c);
  const [head, ...rest] = rows;
  let out = columns(['', 'V1 (' + head![1] + ')', 'V2 (' + head![2] + ')'], rest.map((r) => [...r]));
  out += `\n${c.differences.length ? `Differences:\n${c.differences.map((d) => `  - ${d}`).join('\n')}` : 'Differences: none'}\n`;
  out += `\nLogs (rank 0):\n  v1: ${c.v1.exists ? c.v1.logs : '(the PyTorchJob was deleted; its pods are gone)'}\n  v2: ${c.v2.logs}\n`;
  return out;
}
