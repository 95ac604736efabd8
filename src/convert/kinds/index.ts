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
