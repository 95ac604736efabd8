// Conversion with a cluster at hand: the target comes from the cluster's schemas, the generated runtime is
// derived from the REAL runtime the jobs reference, and input comes from files or from live PyTorchJobs.
// The pure core (convertDocument) still does the converting; this file only feeds it.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { applyNamespace } from '../pipeline/namespace.js';
import { discoverTrainer } from '../cluster/discovery.js';
import { isForbidden, isNotFound } from '../cluster/errors.js';
import { Resources } from '../cluster/resources.js';
import { convertDocument, sourceKind, type Finding, type FindingSubject, type RuntimeChoice } from '../convert/index.js';
import { extractJobs } from '../convert/extract.js';
import type { JsonObject, KubeObject as ConvertedObject } from '../convert/model.js';
import { getTarget } from '../convert/targets/index.js';
import type { Target } from '../convert/targets/types.js';
import { ClusterError } from '../errors.js';
import { readInputDocuments, yaml11Findings } from '../input/documents.js';
import type { InputSource } from '../input/sources.js';
import { CONVERTIBLE_KINDS } from './convertible.js';
import { selectJobs, type JobSelection } from './select.js';

/** Everything a conversion needs besides its input: the chosen target and runtime and the convert flags. */
export interface LiveConvertOptions {
  target: Target;
  runtime: RuntimeChoice;
  suffix: string;
  envShim: boolean;
  /** Emit objects despite error findings (--force). */
  force: boolean;
  /** Refuse jobs with warnings too (--strict). */
  strict: boolean;
  toolVersion: string;
}

/** One PyTorchJob and what its conversion produced, or why there is nothing to convert. */
export interface JobConversion {
  subject: FindingSubject;
  /** Objects to apply in order (generated TrainingRuntime first); empty when refused or failed. */
  objects: ConvertedObject[];
  findings: Finding[];
  refused: boolean;
  /** Set when the job could not be read or converted at all (a named job that does not exist, a missing runtime). */
  error?: ClusterError;
}

/** A conversion input unit: a job, or findings about a document (objects left out) with no job. */
export type ConversionEvent = { job: JobConversion } | { documentFindings: Finding[] };

/**
 * The Trainer schema to target: `--target-version` when given, else the generation the cluster's CRD schemas
 * show (discoverTrainer); `note` receives the evidence line. Throws when Trainer v2 is not installed.
 */
export async function resolveClusterTarget(cluster: Cluster, flag: string | undefined, note: (line: string) => void): Promise<Target> {
  if (flag !== undefined && flag !== '' && flag !== 'auto') return getTarget(flag);
  const found = await discoverTrainer(cluster);
  if (!found.schema) {
    throw new ClusterError(`cannot tell which Trainer schema the cluster serves: ${found.evidence.join('; ')}`, 'Install Trainer v2 (kubectl get crd trainjobs.trainer.kubeflow.org), or pass --target-version.');
  }
  note(`Detected Trainer schema ${found.schema} (${found.evidence.join('; ')}).`);
  return getTarget(found.schema);
}

/**
 * Reads the runtime the TrainJobs reference (--runtime/--runtime-kind), once per namespace, so a generated
 * TrainingRuntime is derived from the cluster's real runtime rather than the stock one the tool ships.
 */
export class RuntimeReader {
  private readonly cache = new Map<string, Promise<JsonObject | undefined>>();
  constructor(
    private readonly cluster: Cluster,
    private readonly choice: RuntimeChoice,
    private readonly note: (line: string) => void,
  ) {}

  /**
   * The runtime's content for jobs of `namespace`; undefined when we may not read it (the stock runtime is used,
   * with a note). A missing runtime is an error: the TrainJob would reference nothing.
   */
  read(namespace: string, choice: RuntimeChoice = this.choice): Promise<JsonObject | undefined> {
    const cluster = choice.kind === 'ClusterTrainingRuntime';
    const key = `${choice.kind}/${cluster ? '' : namespace}/${choice.name}`;
    let p = this.cache.get(key);
    if (!p) {
      p = this.fetch(choice, cluster ? undefined : namespace);
      this.cache.set(key, p);
    }
    return p;
  }

  /**
   * The runtime a job of `kind` references: --runtime when given, else the kind's stock runtime; undefined
   * when the kind has no stock runtime (nothing to read: its TrainingRuntime is generated from scratch).
   */
  choiceFor(kind: string): RuntimeChoice | undefined {
    const source = sourceKind(kind);
    if (!this.choice.defaulted || !source) return this.choice;
    if (source.defaultRuntime === undefined) return undefined;
    return source.defaultRuntime !== this.choice.name ? { name: source.defaultRuntime, kind: 'ClusterTrainingRuntime' } : this.choice;
  }

  private async fetch(choice: RuntimeChoice, namespace: string | undefined): Promise<JsonObject | undefined> {
    const { kind, name } = choice;
    const ref = kind === 'ClusterTrainingRuntime' ? Resources.clustertrainingruntimes : Resources.trainingruntimes;
    try {
      return (await this.cluster.get(ref, name, namespace)) as JsonObject;
    } catch (e) {
      if (isNotFound(e)) {
        const where = namespace ? ` in namespace "${namespace}"` : '';
        const list = namespace ? `kubectl get trainingruntimes -n ${namespace}` : 'kubectl get clustertrainingruntimes';
        throw new ClusterError(`${kind} ${name} not found${where}: ${list}`, 'Pass --runtime NAME (and --runtime-kind) naming a runtime that exists, or install the Trainer runtimes.');
      }
      if (isForbidden(e)) {
        // Reading runtimes is not needed to apply TrainJobs; the stock runtime is a good stand-in for the derivation.
        this.note(`warning: not allowed to read ${kind} ${name}; a generated TrainingRuntime is derived from the stock ${name} runtime instead.`);
        return undefined;
      }
      throw e;
    }
  }
}

function strictly(job: JobConversion, strict: boolean): JobConversion {
  if (!strict || job.refused || !job.findings.some((f) => f.severity === 'warning')) return job;
  for (const f of job.findings) if (f.severity === 'warning') f.severity = 'error';
  return { ...job, objects: [], refused: true };
}

/** Converts one v1 job (from a file or the cluster) with the real runtime of its namespace. */
async function convertOne(raw: JsonObject, source: string, defaultNamespace: string, opts: LiveConvertOptions, runtimes: RuntimeReader): Promise<JobConversion[]> {
  const meta = (raw.metadata ?? {}) as { namespace?: string; name?: string };
  const namespace = meta.namespace ?? defaultNamespace;
  let baseRuntime: JsonObject | undefined;
  try {
    const choice = runtimes.choiceFor(String(raw.kind));
    if (choice) baseRuntime = await runtimes.read(namespace, choice);
  } catch (e) {
    if (!(e instanceof ClusterError)) throw e;
    const subject: FindingSubject = { kind: String(raw.kind), namespace, source, ...(meta.name ? { name: meta.name } : {}) };
    return [{ subject, objects: [], findings: [], refused: false, error: e }];
  }
  const outcome = convertDocument(raw, {
    target: opts.target,
    runtime: opts.runtime,
    suffix: opts.suffix,
    envShim: opts.envShim,
    force: opts.force,
    toolVersion: opts.toolVersion,
    defaultNamespace,
    source,
    ...(baseRuntime ? { baseRuntime } : {}),
  });
  return outcome.jobs.map((j) => strictly({ subject: j.subject, objects: j.objects, findings: j.findings, refused: j.refused }, opts.strict));
}

/**
 * Converts the PyTorchJobs of manifest files document by document (memory flat in the input size). Jobs
 * without a namespace go to `defaultNamespace` (-n or the context's), as kubectl apply -f would put them.
 */
export async function* convertFileSources(sources: InputSource[], defaultNamespace: string, opts: LiveConvertOptions, runtimes: RuntimeReader, namespaceFlag?: string): AsyncGenerator<ConversionEvent> {
  for (const src of sources) {
    // Syntax errors and unrendered templates stop the run (InputError) before anything is applied.
    for await (const doc of readInputDocuments(src)) {
      const where = `${src.name}#${doc.index}`;
      // kubectl apply -n X -f F refuses an object of F that names another namespace; so do preview and apply-v2.
      if (namespaceFlag !== undefined) applyNamespace(doc.value, { namespace: namespaceFlag, override: false }, where);
      const extraction = extractJobs(doc.value);
      const found = [...yaml11Findings(doc), ...extraction.findings];
      if (found.length) yield { documentFindings: found.map((f) => ({ ...f, subject: { kind: 'Document', source: where } })) };
      for (const found of extraction.jobs) {
        for (const job of await convertOne(found.raw, [where, found.path].filter(Boolean).join(' '), defaultNamespace, opts, runtimes)) yield { job };
      }
    }
  }
}

/**
 * Converts the selected live PyTorchJobs (names, -l, -n, -A) as they are listed. The conversion keeps
 * their uid and resourceVersion in provenance annotations; a named job that does not exist yields a
 * JobConversion with its not-found error.
 */
export async function* convertLiveJobs(cluster: Cluster, sel: JobSelection, opts: LiveConvertOptions, runtimes: RuntimeReader, concurrency = 8): AsyncGenerator<ConversionEvent> {
  for await (const s of selectJobs(cluster, sel, { concurrency, supported: CONVERTIBLE_KINDS })) {
    if (s.error) {
      yield { job: { subject: { kind: s.kind, namespace: s.namespace, name: s.name, source: 'cluster' }, objects: [], findings: [], refused: false, error: s.error } };
      continue;
    }
    for (const job of await convertOne(s.job as unknown as JsonObject, 'cluster', s.namespace, opts, runtimes)) yield { job };
  }
}

/**
 * Runs `fn` over an async stream with at most `limit` calls in flight and yields the results in input order,
 * so output stays deterministic while the API calls overlap. `fn` should turn per-item failures into results;
 * a thrown error stops the stream after the calls in flight settle.
 */
export async function* mapOrdered<T, R>(source: AsyncIterable<T>, limit: number, fn: (item: T) => Promise<R>): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  const width = Math.max(1, Math.floor(limit));
  try {
    for await (const item of source) {
      const p = fn(item);
      // Avoid an unhandled rejection while an earlier item is awaited; the rejection surfaces when this one is.
      p.catch(() => undefined);
      window.push(p);
      if (window.length >= width) yield await window.shift()!;
    }
    while (window.length) yield await window.shift()!;
  } finally {
    await Promise.allSettled(window);
  }
}

/** The objects of a conversion as the API sees them (the cluster layer's looser object type). */
export function asKubeObjects(objects: ConvertedObject[]): KubeObject[] {
  return objects as unknown as KubeObject[];
}
