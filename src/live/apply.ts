// Applying the objects of one conversion (generated TrainingRuntime first, then the TrainJob) with
// server-side apply, idempotently. Shared by apply-v2, preview (dry-run) and migrate.
//
// Write discipline, per object:
//   absent   → GET (404), then one apply                       → created
//   present  → GET, then a dry-run apply (dryRun=All: stores nothing); if the server's result equals
//              the live object the object is `unchanged` and nothing is written; otherwise one apply → configured
// So a re-run costs reads and dry-runs only, never a write (no resourceVersion bump, no watch event), and a
// first run costs one write per object. `--dry-run=server` replaces the real apply by a dry-run; `client`
// sends no write of any kind and compares locally.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { qualifiedResource } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { canonicalJson } from '../convert/content-hash.js';
import { isGeneratedRuntime } from '../convert/shared-runtimes.js';
import { ClusterError, InputError } from '../errors.js';
import { retryRuntimeRace } from './runtime-race.js';

/** kubectl's --dry-run values: none writes, server asks the API server to validate without storing, client sends no write at all. */
export type DryRunMode = 'none' | 'client' | 'server';

/** What applying one object did (or, in a dry run, would do), in kubectl's words. */
export type ApplyAction = 'created' | 'configured' | 'unchanged';

/** Options of applyObject and applyConversion. */
export interface ApplyObjectOptions {
  dryRun: DryRunMode;
  /** --force-conflicts: take ownership of fields another field manager owns instead of failing with 409. */
  forceConflicts: boolean;
  /** Defaults to `kubectl-trainjob`. */
  fieldManager?: string;
  /** A debug line when a TrainJob is retried because Trainer's webhook has not seen its new runtime yet (-v=2+). */
  log?: (line: string) => void;
}

/** The outcome of applying one object. */
export interface AppliedObject {
  kind: string;
  name: string;
  /** Namespace the object lives in (undefined for cluster-scoped kinds). */
  namespace?: string;
  ref: ResourceRef;
  action: ApplyAction;
  dryRun: DryRunMode;
  /** True only when a real (non-dry-run) write was sent. */
  wrote: boolean;
  /** The live object before the apply, when it existed. */
  live?: KubeObject;
  /** The object as the server stored it, or would store it (server dry run); the desired object for a client dry run. */
  result: KubeObject;
}

/** Raised when one object of a conversion fails: keeps the API error's message and hint, and says what was applied before. */
export class ApplyConversionError extends ClusterError {
  /** Objects applied before the failure (e.g. the generated TrainingRuntime when the TrainJob failed). */
  readonly applied: AppliedObject[];
  /** The object that failed, as `kind/name`. */
  readonly failed: string;
  /** The underlying error (usually a KubeApiError). */
  override readonly cause: unknown;
  constructor(cause: ClusterError, failed: string, applied: AppliedObject[]) {
    const before = applied.length ? ` (already applied: ${applied.map((a) => `${a.kind}/${a.name} ${a.action}`).join(', ')})` : '';
    super(`${cause.message}${before}`, cause.hint);
    this.cause = cause;
    this.failed = failed;
    this.applied = applied;
  }
}

/** The resource a converted object is written to; only the Trainer kinds the converter emits are accepted. */
export function resourceFor(obj: Pick<KubeObject, 'kind'>): ResourceRef {
  switch (obj.kind) {
    case 'TrainJob':
      return Resources.trainjobs;
    case 'TrainingRuntime':
      return Resources.trainingruntimes;
    case 'ClusterTrainingRuntime':
      return Resources.clustertrainingruntimes;
    default:
      throw new InputError(`cannot apply a ${String(obj.kind)}: only TrainJob, TrainingRuntime and ClusterTrainingRuntime are applied by kubectl-trainjob`);
  }
}

/** The line kubectl prints for an apply: `trainjob.trainer.kubeflow.org/name created (server dry run)`. */
export function appliedLine(a: Pick<AppliedObject, 'ref' | 'name' | 'action' | 'dryRun'>): string {
  const suffix = a.dryRun === 'server' ? ' (server dry run)' : a.dryRun === 'client' ? ' (dry run)' : '';
  return `${a.ref.kind.toLowerCase()}.${a.ref.group}/${a.name} ${a.action}${suffix}`;
}

/**
 * Whether the server's view after a (dry-run) apply equals the live object, i.e. the apply changes nothing.
 * resourceVersion and the timestamps of managedFields are ignored: a dry run reports its own.
 */
export function sameServerState(live: KubeObject, after: KubeObject): boolean {
  return JSON.stringify(canonical(comparable(live))) === JSON.stringify(canonical(comparable(after)));
}

function comparable(obj: KubeObject): unknown {
  const copy = JSON.parse(JSON.stringify(obj)) as KubeObject;
  if (copy.metadata) {
    delete copy.metadata.resourceVersion;
    const mf = copy.metadata.managedFields;
    if (Array.isArray(mf)) for (const e of mf as Array<Record<string, unknown>>) delete e.time;
  }
  return copy;
}

/** Sorts object keys recursively so two JSON values compare equal whatever their key order. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

/** Whether every field of `desired` is present with the same value in `live` (the client dry run's estimate). */
export function containedIn(desired: unknown, live: unknown): boolean {
  if (Array.isArray(desired)) return Array.isArray(live) && desired.length === live.length && desired.every((d, i) => containedIn(d, live[i]));
  if (desired && typeof desired === 'object') {
    if (!live || typeof live !== 'object' || Array.isArray(live)) return false;
    return Object.entries(desired).every(([k, d]) => containedIn(d, (live as Record<string, unknown>)[k]));
  }
  return desired === live;
}

/**
 * Applies one object with server-side apply as field manager kubectl-trainjob and reports created, configured
 * or unchanged. An existing object is first applied with dryRun=All and compared with the live object, so an
 * unchanged object gets no write at all (see the file comment). API errors (conflict, forbidden, admission
 * denial, invalid) are thrown as ClusterErrors that name the object and say what to do.
 */
export async function applyObject(cluster: Cluster, obj: KubeObject, opts: ApplyObjectOptions): Promise<AppliedObject> {
  const ref = resourceFor(obj);
  const name = obj.metadata?.name;
  if (!name) {
    // Server-side apply addresses objects by name; generateName would create a new object on every run.
    throw new InputError(`cannot apply a ${ref.kind} without metadata.name (generateName ${JSON.stringify(obj.metadata?.generateName ?? '')} is not idempotent)`, 'Give the PyTorchJob a metadata.name, or use kubectl create with the output of kubectl trainjob convert.');
  }
  const namespace = ref.namespaced ? (obj.metadata?.namespace ?? cluster.namespace) : undefined;
  const body: KubeObject = ref.namespaced ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
  const applyOpts = { force: opts.forceConflicts, fieldManager: opts.fieldManager ?? cluster.fieldManager };
  const base = { kind: ref.kind, name, ...(namespace !== undefined ? { namespace } : {}), ref, dryRun: opts.dryRun };

  const live = await cluster.tryGet(ref, name, namespace);
  if (opts.dryRun === 'client') {
    const action: ApplyAction = !live ? 'created' : containedIn(body, live) ? 'unchanged' : 'configured';
    return { ...base, action, wrote: false, ...(live ? { live } : {}), result: body };
  }
  if (!live) {
    const result = await cluster.apply(ref, body, { ...applyOpts, dryRun: opts.dryRun === 'server' });
    return { ...base, action: 'created', wrote: opts.dryRun === 'none', result };
  }
  const predicted = await cluster.apply(ref, body, { ...applyOpts, dryRun: true });
  if (sameServerState(live, predicted)) return { ...base, action: 'unchanged', wrote: false, live, result: live };
  if (opts.dryRun === 'server') return { ...base, action: 'configured', wrote: false, live, result: predicted };
  const result = await cluster.apply(ref, body, applyOpts);
  // Someone else may have made the same change between the dry run and the apply.
  const action: ApplyAction = result.metadata?.resourceVersion === live.metadata?.resourceVersion ? 'unchanged' : 'configured';
  return { ...base, action, wrote: action !== 'unchanged', live, result };
}

/**
 * The generated runtimes applied during one run of a verb. They are named by content and shared by every
 * TrainJob of a namespace that needs the same one, so the first job applies it and the others wait for that
 * apply and report it `unchanged`: one write, no racing creates. A runtime with the same name and other
 * content (two different runtimes that would replace each other) fails the later job instead.
 */
export class SharedRuntimeApplies {
  private readonly applies = new Map<string, { content: string; result: Promise<AppliedObject> }>();

  /** Applies `obj` once per run; later calls for the same runtime share the first result. */
  async apply(cluster: Cluster, obj: KubeObject, opts: ApplyObjectOptions): Promise<AppliedObject> {
    const ns = obj.metadata?.namespace ?? cluster.namespace;
    const key = `${ns}/${obj.metadata?.name ?? ''}`;
    const content = canonicalJson({ ...obj, metadata: { ...obj.metadata, namespace: ns } });
    const first = this.applies.get(key);
    if (!first) {
      const result = applyObject(cluster, obj, opts);
      this.applies.set(key, { content, result });
      return result;
    }
    if (first.content !== content) {
      throw new ClusterError(
        `generated TrainingRuntime ${key} differs from the runtime of the same name applied for an earlier job in this run; not applied (it would replace the other)`,
        'Convert the two jobs in separate runs, or align their pod settings so they share one runtime.',
      );
    }
    const shared = await first.result;
    return { ...shared, action: 'unchanged', wrote: false };
  }
}

/**
 * Applies the objects of one conversion in order (the generated TrainingRuntime before the TrainJob that
 * references it, as convertDocument emits them) and stops at the first failure, so a TrainJob is never
 * written without its runtime. A failure is thrown as ApplyConversionError listing what was applied before.
 * With `shared`, a generated runtime is applied once per run however many TrainJobs reference it.
 */
export async function applyConversion(cluster: Cluster, objects: readonly KubeObject[], opts: ApplyObjectOptions, shared?: SharedRuntimeApplies): Promise<AppliedObject[]> {
  const applied: AppliedObject[] = [];
  for (const obj of objects) {
    try {
      const justWritten = runtimeJustWritten(obj, applied, opts);
      const apply = () => (shared && isGeneratedRuntime(obj) ? shared.apply(cluster, obj, opts) : applyObject(cluster, obj, opts));
      // Trainer's webhook may not have seen the runtime written a moment ago: that one denial is retried briefly.
      applied.push(await (justWritten ? retryRuntimeRace(apply, justWritten, { clock: cluster.clock, ...(opts.log ? { log: opts.log } : {}) }) : apply()));
    } catch (e) {
      if (e instanceof ClusterError) throw new ApplyConversionError(e, `${obj.kind}/${String(obj.metadata?.name ?? '')}`, applied);
      throw e;
    }
  }
  return applied;
}

/**
 * The runtime a TrainJob references when this conversion has just really written it (`TrainingRuntime ns/name`),
 * else undefined: only then can a denial saying the runtime does not exist be Trainer's cache lagging behind.
 */
export function runtimeJustWritten(obj: KubeObject, applied: readonly AppliedObject[], opts: Pick<ApplyObjectOptions, 'dryRun'>): string | undefined {
  if (obj.kind !== 'TrainJob' || opts.dryRun !== 'none') return undefined;
  const ref = (obj as { spec?: { runtimeRef?: { name?: string; kind?: string } } }).spec?.runtimeRef;
  const kind = ref?.kind ?? 'ClusterTrainingRuntime';
  const rt = applied.find((a) => a.kind === kind && a.name === ref?.name);
  return rt ? `${rt.kind} ${rt.namespace ? `${rt.namespace}/` : ''}${rt.name}` : undefined;
}

/** `trainjobs.trainer.kubeflow.org`-style name of an applied object's resource (for reports). */
export function appliedResource(a: Pick<AppliedObject, 'ref'>): string {
  return qualifiedResource(a.ref);
}
