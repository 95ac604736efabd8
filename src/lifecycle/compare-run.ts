// `compare` end to end: find each pair (provenance, or --trainjob), read both sides and their pods, report.
// Every v1 kind: NAME (a migrated job or its TrainJob, any kind), TYPE/NAME (that kind only), --all.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { connect } from '../cluster/index.js';
import { mapConcurrent } from '../cluster/concurrency.js';
import { isForbidden, isResourceTypeMissing } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { ClusterError, ExitCode, UsageError, type ExitCodeValue } from '../errors.js';
import type { Deps } from '../io.js';
import type { ClusterOptions } from '../cluster/config-flags.js';
import { DEFAULT_KIND, jobLabel, kindRef, parseJobArg, v1JobKind, V1_JOB_KINDS, type V1JobKind } from '../live/kinds.js';
import { listIfServed, migratedTrainJobs, PODS, type Scope } from './cluster-facts.js';
import { compareSides, comparisonRows, describeV1, describeV2, formatDuration, v1PodSelector, v2PodSelector, type Comparison } from './compare.js';
import { readProvenance, runtimeRefOf, type Provenance } from './provenance.js';
import { columns } from './render.js';

/** Validated options of `compare`. */
export interface CompareOptions {
  cluster: ClusterOptions;
  /** NAME or TYPE/NAME arguments (empty with --all). */
  names: string[];
  /** --kind: only jobs of these kinds (a bare NAME is of the first when it matches no TrainJob). */
  kinds?: readonly V1JobKind[];
  /** --all: every migrated TrainJob in scope. */
  all?: boolean;
  /** -A and -l (with --all). */
  scope?: { allNamespaces: boolean; labelSelector?: string };
  trainJob?: string;
  output: 'table' | 'json';
  /** Pairs read in parallel (--concurrency). */
  concurrency?: number;
}

/** One pair to describe: the v1 job (live, or the TrainJob's copy of it) and its TrainJob. */
export interface Pair {
  kind: string;
  v1?: KubeObject;
  v1FromBackup?: KubeObject;
  trainJob: KubeObject;
}

/** A job argument of compare: a bare NAME matches a TrainJob or its source of any kind; TYPE/NAME only a source of that kind. */
interface WantedName {
  arg: string;
  name: string;
  kind?: V1JobKind;
  version?: string;
}

function parseWanted(arg: string): WantedName {
  if (!arg.includes('/')) return { arg, name: arg };
  const { kind, name, version } = parseJobArg(arg);
  return { arg, name, kind, ...(version ? { version } : {}) };
}

/** Validates compare's arguments before connecting: names or --all, --trainjob with one name, kinds against --kind. */
export function validateCompareSelection(names: readonly string[], all: boolean, trainJob: string | undefined, allNamespaces: boolean, selector: string | undefined, kinds?: readonly V1JobKind[]): void {
  for (const w of names.map(parseWanted)) {
    if (w.kind && kinds && !kinds.some((k) => k.kind === w.kind!.kind)) {
      throw new UsageError(`${w.arg} is a ${w.kind.kind}, which --kind ${kinds.map((k) => k.singular).join(',')} excludes`, 'Drop --kind, or name jobs of the kinds it allows.');
    }
  }
  if (names.length && all) throw new UsageError('pass job names, or --all, not both');
  if (!names.length && !all) throw new UsageError('name the job to compare, or pass --all', 'kubectl trainjob compare -n NAMESPACE JOB (or TYPE/NAME, e.g. mpijob/ds-bert)');
  if (names.length && allNamespaces) throw new UsageError('a job cannot be named across all namespaces', 'Give the namespace with -n NAMESPACE instead of -A, or use --all -A.');
  if (names.length && selector) throw new UsageError('-l selects TrainJobs for --all; it cannot narrow named jobs', 'Drop -l, or use --all -l SELECTOR.');
  if (trainJob && (all || names.length !== 1)) throw new UsageError('--trainjob names the TrainJob of one job', 'Name exactly one job with --trainjob.');
}

/** Where a job of `kind` at `apiVersion` (kubeflow.org/v2beta1 for mpi-operator's MPIJob) lives; undefined for a kind this tool does not know. */
function sourceRef(kind: string, apiVersion: string | undefined): ResourceRef | undefined {
  const k = v1JobKind(kind);
  if (!k) return undefined;
  const version = apiVersion?.split('/')[1];
  return kindRef(k, version && k.versions.includes(version) ? version : k.versions[0]);
}

async function tryGetV1(cluster: Cluster, ref: ResourceRef, name: string, ns: string): Promise<KubeObject | undefined> {
  try {
    return await cluster.tryGet(ref, name, ns);
  } catch (e) {
    if (isResourceTypeMissing(e)) return undefined;
    throw e;
  }
}

/** The live v1 job of a kind, at the version given, else at each version the tool reads (v1, then v2beta1 for MPIJob). */
async function liveV1(cluster: Cluster, kind: V1JobKind, name: string, ns: string, version?: string): Promise<KubeObject | undefined> {
  for (const v of version ? [version] : kind.versions) {
    const found = await tryGetV1(cluster, kindRef(kind, v), name, ns);
    if (found) return found;
  }
  return undefined;
}

type Migrated = { trainJob: KubeObject; provenance: Provenance };

/** The pair of a migrated TrainJob: its source, live when its uid still matches, else the copy the TrainJob carries. */
async function pairOf(cluster: Cluster, m: Migrated): Promise<Pair> {
  const p = m.provenance;
  const ref = sourceRef(p.sourceKind, p.sourceApiVersion);
  const live = ref ? await tryGetV1(cluster, ref, p.sourceName, p.sourceNamespace) : undefined;
  // A v1 job of the same name with another uid was created after the migration: it is not this TrainJob's source.
  if (live && (!p.sourceUid || live.metadata?.uid === p.sourceUid)) return { kind: p.sourceKind, v1: live, trainJob: m.trainJob };
  if (p.v1Manifest) return { kind: p.sourceKind, v1FromBackup: p.v1Manifest, trainJob: m.trainJob };
  throw new ClusterError(
    `${p.sourceKind} "${p.sourceName}" (the source of TrainJob ${m.trainJob.metadata?.namespace}/${m.trainJob.metadata?.name}) is gone, and the TrainJob carries no copy of it${p.v1ManifestError ? ` (${p.v1ManifestError})` : ''}`,
    'Compare it by hand with its backup file (kubectl trainjob backup writes one per job).',
  );
}

/** Finds the pair of one job argument in namespace `ns` (see WantedName); `migrated` are the namespace's migrated TrainJobs. */
export async function findPair(cluster: Cluster, ns: string, arg: string, migrated: readonly Migrated[], trainJobName?: string, kinds?: readonly V1JobKind[]): Promise<Pair> {
  const w = parseWanted(arg);
  const kindAllowed = (kind: string) => !kinds || kinds.some((k) => k.kind === kind);
  if (trainJobName) {
    const trainJob = await cluster.tryGet(Resources.trainjobs, trainJobName, ns);
    if (!trainJob) throw new ClusterError(`TrainJob "${trainJobName}" not found in namespace "${ns}"`, `List them with: kubectl get trainjobs -n ${ns}`);
    const p = readProvenance(trainJob);
    const fromProvenance = p && p.sourceName === w.name && (!w.kind || w.kind.kind === p.sourceKind) ? v1JobKind(p.sourceKind) : undefined;
    const kind = w.kind ?? fromProvenance ?? kinds?.[0] ?? v1JobKind(DEFAULT_KIND)!;
    const version = w.version ?? (fromProvenance ? p?.sourceApiVersion?.split('/')[1] : undefined);
    const v1 = await liveV1(cluster, kind, w.name, ns, version);
    if (v1) return { kind: kind.kind, v1, trainJob };
    if (fromProvenance && p?.v1Manifest) return { kind: kind.kind, v1FromBackup: p.v1Manifest, trainJob };
    throw new ClusterError(`${kind.kind} "${w.name}" not found in namespace "${ns}", and TrainJob ${trainJobName} carries no copy of it`, `Name an existing ${kind.kind} (kubectl get ${kind.plural} -n ${ns}).`);
  }
  const bySource = (m: Migrated) => m.provenance.sourceName === w.name && (w.kind ? m.provenance.sourceKind === w.kind.kind : true);
  const byTrainJob = (m: Migrated) => !w.kind && m.trainJob.metadata?.name === w.name;
  const candidates = migrated.filter((m) => kindAllowed(m.provenance.sourceKind) && (bySource(m) || byTrainJob(m)));
  const sourceKinds = [...new Set(candidates.filter(bySource).map((m) => m.provenance.sourceKind))];
  if (sourceKinds.length > 1) {
    const ks = V1_JOB_KINDS.filter((k) => sourceKinds.includes(k.kind));
    throw new UsageError(`"${w.name}" names TrainJobs migrated from ${sourceKinds.length} kinds (${ks.map((k) => k.kind).join(', ')})`, `Write TYPE/NAME, e.g. ${ks[0]!.singular}/${w.name}, or narrow with --kind.`);
  }
  const fromSource = candidates.filter(bySource);
  // NAME is a TrainJob's name, and no TrainJob was migrated from a job of that name: compare that TrainJob with its source.
  const namedTrainJob = candidates.find(byTrainJob);
  if (!fromSource.length && namedTrainJob) return pairOf(cluster, namedTrainJob);
  // The kind to read: TYPE, else the source kind of the TrainJobs found, else --kind's first, else PyTorchJob.
  const kind = w.kind ?? v1JobKind(sourceKinds[0] ?? '') ?? kinds?.[0] ?? v1JobKind(DEFAULT_KIND)!;
  const v1 = await liveV1(cluster, kind, w.name, ns, w.version ?? fromSource[0]?.provenance.sourceApiVersion?.split('/')[1]);
  const uid = v1?.metadata?.uid;
  // The uid is the real link; the name is the fallback when the v1 job is gone (replacement migration).
  const match = uid ? fromSource.find((m) => m.provenance.sourceUid === uid) : fromSource[0];
  if (!match) {
    if (!v1) {
      const others = w.kind ? '' : `, or name another kind as TYPE/NAME (e.g. mpijob/${w.name})`;
      throw new ClusterError(`no ${kind.kind} "${w.name}" and no TrainJob migrated from it in namespace "${ns}"`, `Check the name and namespace (kubectl get ${kind.plural},trainjobs -n ${ns})${others}.`);
    }
    throw new ClusterError(`no TrainJob in namespace "${ns}" was migrated from ${kind.kind} "${w.name}" (uid ${uid})`, `Migrate it first, or name the TrainJob: kubectl trainjob compare ${jobLabel(kind.kind, w.name)} --trainjob NAME`);
  }
  if (v1) return { kind: kind.kind, v1, trainJob: match.trainJob };
  return pairOf(cluster, match);
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
    // Runtimes only fill in defaults (node count, image, resources, env); a user who may not read them still gets the rest.
    if (isForbidden(e)) return undefined;
    throw e;
  }
}

/** Reads both sides of a pair (pods, runtime) and compares them. */
export async function comparePair(cluster: Cluster, pair: Pair, now: Date): Promise<Comparison> {
  const tjNs = pair.trainJob.metadata?.namespace ?? cluster.namespace;
  const v1obj = pair.v1 ?? pair.v1FromBackup!;
  const ns = pair.v1?.metadata?.namespace ?? readProvenance(pair.trainJob)?.sourceNamespace ?? tjNs;
  const v1Name = v1obj.metadata?.name ?? '';
  const tjName = pair.trainJob.metadata?.name ?? '';
  const [v1Pods, v2Pods, runtime] = await Promise.all([
    pair.v1 ? pods(cluster, ns, v1PodSelector(v1Name)) : Promise.resolve([]),
    pods(cluster, tjNs, v2PodSelector(tjName)),
    runtimeOf(cluster, pair.trainJob, tjNs),
  ]);
  const v1 = describeV1({ kind: pair.kind, ...v1obj, metadata: { ...v1obj.metadata, namespace: ns } }, v1Pods, now, Boolean(pair.v1));
  return compareSides(v1, describeV2(pair.trainJob, v2Pods, now, runtime, pair.kind), pair.kind);
}

/** The report of several pairs (`--all`, or more than one name): one entry per pair, and what could not be compared. */
export interface CompareList {
  comparisons: Comparison[];
  /** `namespace/job: why` for each job that could not be compared. */
  errors: string[];
  /** Pairs compared, and how many of them differ. */
  summary: { compared: number; withDifferences: number; errors: number };
}

/** Runs compare and returns its exit code: 0 when every pair agrees so far, 3 when one differs, 1 when one could not be compared. */
export async function runCompare(opts: CompareOptions, deps: Deps): Promise<ExitCodeValue> {
  const cluster = await connect(opts.cluster, deps.env, { log: deps.log });
  try {
    const now = deps.now();
    const scope: Scope = { allNamespaces: Boolean(opts.scope?.allNamespaces), ...(opts.scope?.labelSelector ? { labelSelector: opts.scope.labelSelector } : {}), ...(opts.scope?.allNamespaces ? {} : { namespace: cluster.namespace }) };
    const kindAllowed = (kind: string) => !opts.kinds || opts.kinds.some((k) => k.kind === kind);
    const single = !opts.all && opts.names.length === 1;
    if (single) {
      const migrated = opts.trainJob ? [] : await migratedTrainJobs(cluster, { namespace: cluster.namespace, allNamespaces: false });
      const c = await comparePair(cluster, await findPair(cluster, cluster.namespace, opts.names[0]!, migrated, opts.trainJob, opts.kinds), now);
      deps.io.out.write(opts.output === 'json' ? `${JSON.stringify(c, null, 2)}\n` : renderComparison(c));
      return c.differences.length ? ExitCode.WARNINGS : ExitCode.OK;
    }
    const migrated = await migratedTrainJobs(cluster, scope);
    const errors: string[] = [];
    let pairs: Array<{ label: string; get: () => Promise<Pair> }>;
    if (opts.all) {
      pairs = migrated
        .filter((m) => kindAllowed(m.provenance.sourceKind))
        .sort((a, b) => (a.trainJob.metadata?.namespace ?? '').localeCompare(b.trainJob.metadata?.namespace ?? '') || (a.trainJob.metadata?.name ?? '').localeCompare(b.trainJob.metadata?.name ?? ''))
        .map((m) => ({ label: `${m.provenance.sourceNamespace}/${jobLabel(m.provenance.sourceKind, m.provenance.sourceName)}`, get: () => pairOf(cluster, m) }));
    } else {
      pairs = opts.names.map((arg) => ({ label: `${cluster.namespace}/${arg}`, get: () => findPair(cluster, cluster.namespace, arg, migrated, undefined, opts.kinds) }));
    }
    const results = await mapConcurrent(pairs, opts.concurrency ?? 8, async (p) => {
      try {
        return await comparePair(cluster, await p.get(), now);
      } catch (e) {
        if (e instanceof UsageError) throw e;
        if (!(e instanceof ClusterError)) throw e;
        errors.push(`${p.label}: ${e.message}`);
        return undefined;
      }
    });
    const comparisons = results.filter((c): c is Comparison => c !== undefined);
    const report: CompareList = { comparisons, errors, summary: { compared: comparisons.length, withDifferences: comparisons.filter((c) => c.differences.length).length, errors: errors.length } };
    for (const e of errors) deps.io.err.write(`error: ${e}\n`);
    if (opts.output === 'json') deps.io.out.write(`${JSON.stringify(report, null, 2)}\n`);
    else if (comparisons.length) deps.io.out.write(renderCompareList(report));
    if (!comparisons.length && !errors.length) deps.io.err.write(`No migrated TrainJobs found${opts.scope?.allNamespaces ? '' : ` in namespace ${cluster.namespace}`}${opts.kinds ? ` from ${opts.kinds.map((k) => k.kind).join(', ')}` : ''}.\n`);
    if (errors.length) return ExitCode.ERROR;
    return report.summary.withDifferences ? ExitCode.WARNINGS : ExitCode.OK;
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
  out += `\nLogs (rank 0):\n  v1: ${c.v1.exists ? c.v1.logs : `(the ${c.v1.kind} was deleted; its pods are gone)`}\n  v2: ${c.v2.logs}\n`;
  return out;
}

/** The text report of several pairs: one line per pair, then each pair's differences. */
export function renderCompareList(r: CompareList): string {
  const rows = r.comparisons.map((c) => [
    c.v1.namespace,
    jobLabel(c.v1.kind, c.v1.name) + (c.v1.exists ? '' : ' (deleted)'),
    c.v2.name,
    `${c.v1.state}/${c.v2.state}`,
    `${c.v1.nodes ?? '-'}/${c.v2.nodes ?? '-'}`,
    `${formatDuration(c.v1.durationSeconds)}/${formatDuration(c.v2.durationSeconds)}`,
    String(c.differences.length),
  ]);
  let out = columns(['NAMESPACE', 'JOB', 'TRAINJOB', 'STATE (V1/V2)', 'NODES', 'DURATION', 'DIFFERENCES'], rows);
  const differing = r.comparisons.filter((c) => c.differences.length);
  if (differing.length) {
    out += '\nDifferences:\n';
    for (const c of differing) out += `  ${c.v1.namespace}/${jobLabel(c.v1.kind, c.v1.name)}:\n${c.differences.map((d) => `    - ${d}`).join('\n')}\n`;
  }
  out += `\n${r.summary.compared} compared, ${r.summary.withDifferences} with differences${r.summary.errors ? `, ${r.summary.errors} could not be compared` : ''}.\n`;
  return out;
}
