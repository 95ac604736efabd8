import type { Finding } from '../findings.js';
import type { JsonObject, KubeObject } from '../model.js';

/** A TrainJob schema generation kubectl-trainjob can emit (all are trainer.kubeflow.org/v1alpha1). */
export type TargetVersion = 'v2.0' | 'v2.1' | 'v2.2' | 'v2.3';

/**
 * What a Trainer schema can express without a generated TrainingRuntime. Rules read this data
 * instead of comparing version strings, so a new Trainer release is one new folder.
 */
export interface TargetCapabilities {
  /** Pod spec fields the TrainJob's per-job customization (overrides or patches) can set. */
  podFields: ReadonlySet<string>;
  /** Fields of the `node` container the customization can set (env is never allowed on `node`). */
  nodeContainerFields: ReadonlySet<string>;
  /** Whether pod template labels and annotations can be set per job. */
  podMetadata: boolean;
  /** Whether `trainer.numProcPerNode` accepts the strings auto, cpu and gpu (IntOrString). */
  numProcPerNodeStrings: boolean;
  /** Whether `spec.activeDeadlineSeconds` exists. */
  activeDeadlineSeconds: boolean;
  /** Whether `trainer.resourcesPerNode` needs requests next to limits (v2.0 numProcPerNode quirk). */
  requestsFromLimits: boolean;
  /** Whether the runtime's podGroupPolicy has a volcano policy. */
  volcano: boolean;
  /** Whether Kueue 0.17+ can admit TrainJobs of this version. */
  kueueAdmits: boolean;
}

/** The JSON schemas of one Trainer version, extracted from its CRDs (see scripts/gen-schemas.mjs). */
export interface TargetSchemas {
  trainjob: JsonObject;
  trainingruntime: JsonObject;
  clustertrainingruntime: JsonObject;
}

/** One Trainer schema generation: its capabilities, stock runtime, and how to shape its objects. */
export interface Target {
  version: TargetVersion;
  /** A sentence naming the Trainer releases that serve this schema. */
  describe: string;
  capabilities: TargetCapabilities;
  /** The stock `torch-distributed` ClusterTrainingRuntime of this release. */
  stockRuntime: KubeObject;
  /** The release's other stock ClusterTrainingRuntimes by name (deepspeed-distributed, jax-distributed, ...): what other v1 kinds run on. */
  stockRuntimes: Readonly<Record<string, KubeObject>>;
  /** Loads the CRD schemas (lazily: they are large). */
  schemas: () => TargetSchemas;
  /** Shapes the TrainJob's spec customization (overrides/patches) for this version; returns spec fields to merge. */
  customization: (overrides: Overrides) => JsonObject;
  /** Version-specific trainer fields (numProcPerNode type). */
  numProcPerNode: (value: number | string) => number | string | undefined;
}

/** Result of running the version-neutral rules for a target. */
export interface RuleOutput {
  findings: Finding[];
}

/** What goes through the TrainJob's per-job customization (overrides or patches). */
export interface Overrides {
  podMetadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  podSpec: JsonObject;
  nodeContainer: JsonObject;
}
