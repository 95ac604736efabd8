import { jaxJobKind } from './jaxjob/index.js';
import { mpiJobKind } from './mpijob/index.js';
import { paddleJobKind } from './paddlejob/index.js';
import { pytorchJobKind } from './pytorchjob/index.js';
import { tfJobKind } from './tfjob/index.js';
import { xgboostJobKind } from './xgboostjob/index.js';
import type { SourceKind } from './types.js';

export type { SourceKind } from './types.js';

/** Every v1 kind the converter reads, in the order reports list them. Adding a kind = a folder + a line here. */
export const SOURCE_KINDS: readonly SourceKind[] = [pytorchJobKind, mpiJobKind, xgboostJobKind, jaxJobKind, tfJobKind, paddleJobKind];

const byKind = new Map(SOURCE_KINDS.map((k) => [k.kind, k]));

/** The registered source kind named `kind` (any apiVersion), or undefined. */
export function sourceKind(kind: string): SourceKind | undefined {
  return byKind.get(kind);
}

/**
 * The kinds and apiVersions the converter reads, for hints: `PyTorchJob, MPIJob, ... (apiVersion kubeflow.org/v1;
 * MPIJob also kubeflow.org/v2beta1)`, so a user with mpi-operator's MPIJobs is not told they need v1.
 */
export function describeSourceKinds(): string {
  const others = SOURCE_KINDS.flatMap((k) => k.apiVersions.filter((v) => v !== 'kubeflow.org/v1').map((v) => `${k.kind} also ${v}`));
  return `${SOURCE_KINDS.map((k) => k.kind).join(', ')} (apiVersion kubeflow.org/v1${others.length ? `; ${others.join('; ')}` : ''})`;
}
