import type { ConversionResult } from '../build.js';
import type { JsonObject } from '../model.js';
import type { ConvertOptions } from '../plan.js';

/**
 * One Training Operator v1 source kind: how to recognize it, how to check it against its CRD, and
 * how to read it into the shared plan. Each lives in its own folder under kinds/ and is listed
 * once in kinds/index.ts.
 */
export interface SourceKind {
  /** The kind as written in manifests (`PyTorchJob`). */
  readonly kind: string;
  /** The apiVersions this tool reads, first the preferred one (`kubeflow.org/v1`). */
  readonly apiVersions: readonly string[];
  /** The apiVersions in words, for the finding on any other (`kubeflow.org/v1 (Training Operator v1.x)`). */
  readonly supportedApiVersions: string;
  /** The plural resource name (`pytorchjobs`), as in `kubectl get pytorchjobs`. */
  readonly resource: string;
  /**
   * The stock ClusterTrainingRuntime its jobs reference when --runtime is not given (`torch-distributed`);
   * undefined for kinds Trainer ships no runtime for (TFJob, PaddleJob): their jobs get a generated TrainingRuntime.
   */
  readonly defaultRuntime: string | undefined;
  /** The CRD's openAPIV3Schema for an apiVersion of apiVersions (the input schema check). */
  inputSchema(apiVersion: string): object;
  /**
   * Converts one job of this kind whose shape passed the input schema check. Pure: reads nothing
   * but its arguments; every input field is carried over or reported.
   */
  convert(raw: JsonObject, opts: ConvertOptions): ConversionResult;
}
