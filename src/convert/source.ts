import { finding } from './codes.js';
import type { Finding } from './findings.js';
import { isObject, joinPath, type JsonObject } from './model.js';

/** The annotation kubectl writes on client-side apply; never carried. */
export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Metadata keys the API server sets; they never reach the output (uid and resourceVersion go into provenance). Also used for clean manifests. */
export const SERVER_METADATA = new Set(['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds']);

/** What every v1 source job has, whatever its kind: identity, metadata to carry, and its runPolicy. */
export interface SourceJob {
  raw: JsonObject;
  /** The v1 kind (`PyTorchJob`, `MPIJob`, ...), as registered in kinds/. */
  kind: string;
  apiVersion: string;
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  runPolicy: JsonObject;
}

/**
 * Reads the metadata every v1 kind shares (name, namespace, labels, annotations, provenance) and
 * reports what is not carried (owner references, finalizers, a missing name).
 */
export function readSourceMetadata(raw: JsonObject, kind: string, findings: Finding[]): SourceJob {
  const meta = isObject(raw.metadata) ? raw.metadata : {};
  const job: SourceJob = {
    raw,
    kind,
    apiVersion: String(raw.apiVersion),
    labels: stringMap(meta.labels),
    annotations: stringMap(meta.annotations),
    runPolicy: {},
  };
  if (typeof meta.name === 'string' && meta.name !== '') job.name = meta.name;
  if (typeof meta.generateName === 'string' && meta.generateName !== '') job.generateName = meta.generateName;
  if (typeof meta.namespace === 'string' && meta.namespace !== '') job.namespace = meta.namespace;
  if (typeof meta.uid === 'string') job.uid = meta.uid;
  if (typeof meta.resourceVersion === 'string') job.resourceVersion = meta.resourceVersion;
  delete job.annotations[LAST_APPLIED];
  for (const key of Object.keys(meta)) {
    if (['name', 'generateName', 'namespace', 'labels', 'annotations'].includes(key) || SERVER_METADATA.has(key)) continue;
    if (key === 'ownerReferences' || key === 'finalizers') {
      findings.push(
        finding(
          'KTJ-META-001',
          joinPath('metadata', key),
          `metadata.${key} is not carried to the TrainJob: it refers to the ${kind}'s lifecycle (owners and finalizers of the v1 object).`,
          key === 'ownerReferences' ? 'If an owner (for example an AppWrapper) must own the TrainJob, set the owner reference after creating it.' : 'Add the finalizer to the TrainJob yourself if a controller of yours still needs it.',
        ),
      );
    }
  }
  if (!job.name && !job.generateName) {
    findings.push(finding('KTJ-NAME-004', 'metadata.name', `The ${kind} has neither metadata.name nor metadata.generateName.`, 'Give the job a name.'));
  }
  if (isObject(raw.spec) && isObject(raw.spec.runPolicy)) job.runPolicy = raw.spec.runPolicy;
  return job;
}

/** A string map (labels, annotations) with null values dropped and every value a string. */
export function stringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(v)) for (const [k, x] of Object.entries(v)) if (x !== undefined && x !== null) out[k] = String(x);
  return out;
}

/** `a JAXJob`, `an XGBoostJob`, `an MPIJob`: the kind with the article its spoken name takes. */
export function aKind(kind: string): string {
  return `${/^(X|MPI)/.test(kind) ? 'an' : 'a'} ${kind}`;
}
