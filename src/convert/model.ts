/** A JSON object as parsed from YAML or JSON input. */
export type JsonObject = { [key: string]: unknown };

/** Any Kubernetes object: apiVersion, kind, metadata and the rest, loosely typed. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

/** The subset of ObjectMeta the converter reads and writes. */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

/** A container as found in a PodSpec (fields kept loose: the converter dispatches on every key). */
export type Container = JsonObject & { name?: string };

/** The replica roles a PyTorchJob may declare (after v1 case normalization). */
export type ReplicaRole = 'Master' | 'Worker';

/** One replica spec of a v1 job after v1 defaulting. */
export interface ReplicaSpec {
  /** The role after v1 case normalization (`Master`, `Worker`, `Launcher`, `Chief`, ...). */
  role: string;
  /** The key as written in the input (`Master`, `master`, `MASTER`), for input paths. */
  inputKey: string;
  replicas: number;
  /** restartPolicy as written, or the kind's v1 default (OnFailure for PyTorchJob, Never for JAXJob, ...). */
  restartPolicy: string;
  /** Set when restartPolicy was not written and comes from the kind's v1 default. */
  restartPolicyDefaulted?: boolean;
  template: JsonObject;
}

/** Returns true for a plain (non-array, non-null) object. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep structural equality for JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** Deep copy of a JSON value. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Formats an input path: `spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].env`. */
export function joinPath(base: string, key: string | number): string {
  if (typeof key === 'number') return `${base}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}
