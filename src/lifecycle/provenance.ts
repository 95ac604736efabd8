// Reading the provenance annotations `migrate` writes on each TrainJob: the link back to the
// PyTorchJob it came from, where its backup lives, and the generated runtime it uses.
import { ANNOTATIONS } from '../convert/build.js';
import { ANNOTATION_PREFIX } from '../convert/placement.js';
import type { KubeObject } from '../cluster/client.js';

/** Provenance annotation keys; `backup` and `v1-manifest` are written by migrate (docs/backup-format.md). */
export const PROVENANCE = {
  sourceKind: ANNOTATIONS.sourceKind,
  sourceApiVersion: ANNOTATIONS.sourceApiVersion,
  sourceUid: ANNOTATIONS.sourceUid,
  sourceResourceVersion: ANNOTATIONS.sourceResourceVersion,
  sourceNamespace: ANNOTATIONS.sourceNamespace,
  sourceName: ANNOTATIONS.sourceName,
  generatedRuntime: ANNOTATIONS.runtime,
  backup: `${ANNOTATION_PREFIX}backup`,
  v1Manifest: `${ANNOTATION_PREFIX}v1-manifest`,
} as const;

/** The label the converter puts on a generated TrainingRuntime, naming the TrainJob it was made for. */
export const GENERATED_FOR_LABEL = `${ANNOTATION_PREFIX}generated-for`;

/** What a TrainJob's annotations say about the v1 job (PyTorchJob, MPIJob, ...) it was migrated from. */
export interface Provenance {
  /** The v1 kind of the source (source-kind; PyTorchJob when absent, as TrainJobs of earlier versions were all from PyTorchJobs). */
  sourceKind: string;
  /** The source's apiVersion (source-api-version), when recorded: kubeflow.org/v1, or kubeflow.org/v2beta1 for mpi-operator's MPIJobs. */
  sourceApiVersion?: string;
  /** Namespace of the TrainJob (the PyTorchJob's when source-namespace is absent). */
  namespace: string;
  trainJobName: string;
  sourceName: string;
  sourceNamespace: string;
  sourceUid?: string;
  sourceResourceVersion?: string;
  /** The backup location migrate recorded (information; --backup-dir wins). */
  backup?: string;
  /** The clean v1 manifest carried on the TrainJob, when present and parseable. */
  v1Manifest?: KubeObject;
  /** Why the v1-manifest annotation could not be used, when it is present but broken. */
  v1ManifestError?: string;
  /** Name of the namespaced TrainingRuntime generated for this TrainJob. */
  generatedRuntime?: string;
}

/** Reads a TrainJob's provenance; undefined when it was not migrated by kubectl-trainjob (no source-uid and no source-name). */
export function readProvenance(trainJob: KubeObject): Provenance | undefined {
  const meta = trainJob.metadata ?? {};
  const a = meta.annotations ?? {};
  const uid = a[PROVENANCE.sourceUid];
  const name = a[PROVENANCE.sourceName];
  if (!uid && !name) return undefined;
  const namespace = meta.namespace ?? '';
  const sourceKind = a[PROVENANCE.sourceKind] || 'PyTorchJob';
  const p: Provenance = {
    sourceKind,
    namespace,
    trainJobName: meta.name ?? '',
    sourceName: name ?? meta.name ?? '',
    sourceNamespace: a[PROVENANCE.sourceNamespace] ?? namespace,
  };
  if (uid) p.sourceUid = uid;
  if (a[PROVENANCE.sourceApiVersion]) p.sourceApiVersion = a[PROVENANCE.sourceApiVersion];
  if (a[PROVENANCE.sourceResourceVersion]) p.sourceResourceVersion = a[PROVENANCE.sourceResourceVersion];
  if (a[PROVENANCE.backup]) p.backup = a[PROVENANCE.backup];
  if (a[PROVENANCE.generatedRuntime]) p.generatedRuntime = a[PROVENANCE.generatedRuntime];
  const raw = a[PROVENANCE.v1Manifest];
  if (raw) {
    try {
      const parsed = JSON.parse(raw) as KubeObject;
      if (parsed && typeof parsed === 'object' && parsed.kind === sourceKind) p.v1Manifest = parsed;
      else p.v1ManifestError = `the ${PROVENANCE.v1Manifest} annotation does not hold a ${sourceKind}`;
    } catch (e) {
      p.v1ManifestError = `the ${PROVENANCE.v1Manifest} annotation is not valid JSON: ${(e as Error).message}`;
    }
  }
  return p;
}

/** The runtime a TrainJob references, as `Kind/name` (ClusterTrainingRuntime when kind is omitted, as Trainer defaults it). */
export function runtimeRefOf(trainJob: KubeObject): { kind: string; name: string } | undefined {
  const ref = (trainJob as { spec?: { runtimeRef?: { name?: string; kind?: string } } }).spec?.runtimeRef;
  if (!ref?.name) return undefined;
  return { kind: ref.kind ?? 'ClusterTrainingRuntime', name: ref.name };
}
