// The Training Operator v1 job kinds as the cluster verbs see them: how a user spells each one on the
// command line (`mpijob/ds-bert`, `--kind tfjobs`), and which of them the cluster serves. A kind whose CRD
// is not installed simply has no jobs: discovery never turns a missing CRD into an error.
import type { Cluster } from '../cluster/client.js';
import { KubeApiError } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { UsageError } from '../errors.js';

/** The API group of every Training Operator v1 kind (and of mpi-operator's MPIJob v2beta1). */
export const V1_GROUP = 'kubeflow.org';

/** One v1 job kind: its names and the API versions it may be served at, preferred first. */
export interface V1JobKind {
  /** The kind as written in manifests (`MPIJob`). */
  kind: string;
  /** `kubectl get` spellings: the singular resource name (`mpijob`); these CRDs declare no short names. */
  singular: string;
  /** The plural resource name (`mpijobs`), the CRD is `<plural>.kubeflow.org`. */
  plural: string;
  /** Versions this tool reads, preferred first: Training Operator's v1; MPIJob also mpi-operator's v2beta1. */
  versions: readonly string[];
}

/** Every v1 job kind, in the order reports list them (PyTorchJob first: a bare name means PyTorchJob). */
export const V1_JOB_KINDS: readonly V1JobKind[] = [
  { kind: 'PyTorchJob', singular: 'pytorchjob', plural: 'pytorchjobs', versions: ['v1'] },
  { kind: 'MPIJob', singular: 'mpijob', plural: 'mpijobs', versions: ['v1', 'v2beta1'] },
  { kind: 'XGBoostJob', singular: 'xgboostjob', plural: 'xgboostjobs', versions: ['v1'] },
  { kind: 'JAXJob', singular: 'jaxjob', plural: 'jaxjobs', versions: ['v1'] },
  { kind: 'TFJob', singular: 'tfjob', plural: 'tfjobs', versions: ['v1'] },
  { kind: 'PaddleJob', singular: 'paddlejob', plural: 'paddlejobs', versions: ['v1'] },
];

/** The kind a bare job name (no `kind/` prefix) refers to: PyTorchJob, as before other kinds were supported. */
export const DEFAULT_KIND = 'PyTorchJob';

const byKind = new Map(V1_JOB_KINDS.map((k) => [k.kind, k]));

/** The v1 kind named exactly `kind` (`MPIJob`), or undefined. */
export function v1JobKind(kind: string): V1JobKind | undefined {
  return byKind.get(kind);
}

/** The CRD name of a kind: `mpijobs.kubeflow.org`. */
export function crdName(k: V1JobKind): string {
  return `${k.plural}.${V1_GROUP}`;
}

/** Where a kind lives at one of its versions (the input to every URL). */
export function kindRef(k: V1JobKind, version = k.versions[0]!): ResourceRef {
  const known = Object.values(Resources).find((r) => r.group === V1_GROUP && r.plural === k.plural && r.version === version);
  if (known) return known;
  return { group: V1_GROUP, version, plural: k.plural, kind: k.kind, namespaced: true, missingHint: `Is the ${k.kind} CRD installed? (kubectl get crd ${crdName(k)})` };
}

const ACCEPTED = V1_JOB_KINDS.map((k) => k.singular).join(', ');

/**
 * Resolves a resource type the way kubectl spells it: kind, singular or plural, any case, optionally
 * qualified by group (`mpijobs.kubeflow.org`) or version and group (`mpijobs.v2beta1.kubeflow.org`).
 * Returns the kind and the version when one was given; throws a UsageError for anything else.
 */
export function parseKindType(type: string): { kind: V1JobKind; version?: string } {
  const lower = type.toLowerCase();
  let base = lower;
  let version: string | undefined;
  const dot = lower.indexOf('.');
  if (dot >= 0) {
    base = lower.slice(0, dot);
    const rest = lower.slice(dot + 1);
    const m = /^(?:([a-z0-9]+)\.)?kubeflow\.org$/.exec(rest);
    if (!m) throw unknownType(type);
    version = m[1];
  }
  const kind = V1_JOB_KINDS.find((k) => base === k.kind.toLowerCase() || base === k.singular || base === k.plural);
  if (!kind) throw unknownType(type);
  if (version !== undefined && !kind.versions.includes(version)) {
    throw new UsageError(`${kind.kind} is not read at version "${version}"`, `Use ${kind.versions.map((v) => `${kind.plural}.${v}.${V1_GROUP}`).join(' or ')}, or leave the version out.`);
  }
  return { kind, ...(version ? { version } : {}) };
}

function unknownType(type: string): UsageError {
  const hint = /^trainjobs?($|\.)/i.test(type)
    ? 'These verbs take the v1 jobs to migrate; TrainJobs are found through their provenance (see `kubectl trainjob rollback --help`).'
    : `Use one of the Training Operator v1 kinds: ${ACCEPTED} (plural and kind.kubeflow.org spellings work too), e.g. mpijob/ds-bert.`;
  return new UsageError(`the server doesn't have a resource type "${type}" among the Training Operator v1 kinds`, hint);
}

/** A job named on the command line: its kind, the version if one was spelled out, and its name. */
export interface NamedJob {
  kind: V1JobKind;
  version?: string;
  name: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Parses one positional argument: `NAME` (a PyTorchJob) or `TYPE/NAME` (`mpijob/ds-bert`, `tfjobs.kubeflow.org/x`). */
export function parseJobArg(arg: string): NamedJob {
  const slash = arg.indexOf('/');
  if (slash < 0) return { kind: byKind.get(DEFAULT_KIND)!, name: checkName(arg, DEFAULT_KIND) };
  const type = arg.slice(0, slash);
  const name = arg.slice(slash + 1);
  if (type === '' || name === '' || name.includes('/')) {
    throw new UsageError(`invalid job argument "${arg}"`, 'Write NAME for a PyTorchJob, or TYPE/NAME for any v1 kind, e.g. mpijob/ds-bert.');
  }
  const { kind, version } = parseKindType(type);
  return { kind, ...(version ? { version } : {}), name: checkName(name, kind.kind) };
}

function checkName(name: string, kind: string): string {
  if (!DNS_SUBDOMAIN.test(name)) throw new UsageError(`invalid ${kind} name "${name}"`, 'A name is a DNS subdomain: lower-case letters, digits, "-" and ".".');
  return name;
}

/**
 * Parses the values of `--kind` (repeatable, each value may be a comma-separated list) into kinds, in
 * V1_JOB_KINDS order without duplicates; undefined when the flag was not given (meaning every kind).
 */
export function parseKindFlag(values: readonly string[] | string | undefined): V1JobKind[] | undefined {
  if (values === undefined) return undefined;
  const list = (Array.isArray(values) ? values : [values]).flatMap((v) => String(v).split(',')).map((v) => v.trim());
  if (list.length === 0 || list.every((v) => v === '')) throw new UsageError('--kind needs a value', `Give one or more kinds, e.g. --kind mpijob,tfjob (accepted: ${ACCEPTED}).`);
  const chosen = new Set<string>();
  for (const v of list) {
    if (v === '') continue;
    const { kind, version } = parseKindType(v);
    if (version) throw new UsageError(`--kind takes a kind, not a version ("${v}")`, `Write --kind ${kind.singular}; the version served by the cluster is used.`);
    chosen.add(kind.kind);
  }
  return V1_JOB_KINDS.filter((k) => chosen.has(k.kind));
}

/** A v1 kind the cluster serves, at the version it serves it. */
export interface ServedKind {
  kind: V1JobKind;
  ref: ResourceRef;
}

/**
 * Which v1 kinds the cluster serves, from the API discovery document of kubeflow.org/v1 and, only when a wanted
 * kind is missing there and has another version (mpi-operator's MPIJob v2beta1), of that version too: one
 * request in the common case, readable by every authenticated user. A kind served at several versions is
 * taken at its preferred one. Kinds whose CRD is absent are left out.
 */
export async function discoverServedKinds(cluster: Pick<Cluster, 'getPath'>, kinds: readonly V1JobKind[] = V1_JOB_KINDS): Promise<ServedKind[]> {
  const served = new Map<string, Set<string>>();
  const resourcesAt = async (v: string): Promise<Set<string>> => {
    let found = served.get(v);
    if (found) return found;
    try {
      const doc = await cluster.getPath<{ resources?: Array<{ name?: string }> }>(`/apis/${V1_GROUP}/${v}`);
      found = new Set((doc.resources ?? []).map((r) => r.name ?? ''));
    } catch (e) {
      if (!(e instanceof KubeApiError && e.statusCode === 404)) throw e;
      found = new Set();
    }
    served.set(v, found);
    return found;
  };
  const out: ServedKind[] = [];
  // In preference order, one version at a time: later versions are asked for only when still needed.
  for (const k of kinds) {
    for (const v of k.versions) {
      if ((await resourcesAt(v)).has(k.plural)) {
        out.push({ kind: k, ref: kindRef(k, v) });
        break;
      }
    }
  }
  return out;
}

/** How a job is named in tables: what you would type as its argument (`bert` for a PyTorchJob, `mpijob/bert` otherwise). */
export function jobLabel(kind: string, name: string): string {
  if (kind === DEFAULT_KIND) return name;
  return `${byKind.get(kind)?.singular ?? kind.toLowerCase()}/${name}`;
}

/** kubectl's `-o name` form of a v1 job: `mpijob.kubeflow.org/ds-bert`. */
export function nameOutput(kind: string, name: string): string {
  return `${byKind.get(kind)?.singular ?? kind.toLowerCase()}.${V1_GROUP}/${name}`;
}

/** `MPIJobs`, `PyTorchJobs`: the plural of a kind in prose. */
export function kindPlural(kind: string): string {
  return `${kind}s`;
}

/**
 * A count of v1 jobs named per kind, for summaries: `1 MPIJob`, `3 PyTorchJobs` when one kind was read, else
 * `5 v1 jobs (3 PyTorchJobs, 2 MPIJobs)` (kinds in V1_JOB_KINDS order); `0 v1 jobs` when none.
 */
export function describeJobCount(perKind: Readonly<Record<string, number>>): string {
  const order = (k: string) => {
    const i = V1_JOB_KINDS.findIndex((x) => x.kind === k);
    return i < 0 ? V1_JOB_KINDS.length : i;
  };
  const kinds = Object.entries(perKind).filter(([, n]) => n > 0).sort(([a], [b]) => order(a) - order(b));
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (kinds.length === 0) return '0 v1 jobs';
  if (kinds.length === 1) return plural(kinds[0]![1], kinds[0]![0]);
  const total = kinds.reduce((n, [, c]) => n + c, 0);
  return `${plural(total, 'v1 job')} (${kinds.map(([k, n]) => plural(n, k)).join(', ')})`;
}
