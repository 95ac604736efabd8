import type { JsonObject, KubeObject } from '../../model.js';
import type { Overrides } from '../../placement.js';
import { isEmptyOverrides, NODE_JOB, nodeContainerPatch, podMetadataPatch } from '../shared.js';
import type { Target, TargetSchemas } from '../types.js';
import runtime from './runtime.json' with { type: 'json' };
import otherRuntimes from './runtimes.json' with { type: 'json' };
import schemas from './schema.json' with { type: 'json' };

/** The runtimePatches manager name kubectl-trainjob owns (patches are keyed by manager). */
export const PATCH_MANAGER = 'kubectl-trainjob.io/migration';

/** Builds a runtimePatches list from the overrides (shared by v2.2 and v2.3, which differ in allowed fields). */
export function runtimePatches(o: Overrides): JsonObject {
  if (isEmptyOverrides(o)) return {};
  const podTemplate: JsonObject = {};
  const metadata = podMetadataPatch(o);
  if (metadata) podTemplate.metadata = metadata;
  const spec: JsonObject = { ...o.podSpec };
  const containers = nodeContainerPatch(o);
  if (containers) spec.containers = containers;
  if (Object.keys(spec).length) podTemplate.spec = spec;
  return {
    runtimePatches: [
      {
        manager: PATCH_MANAGER,
        trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: NODE_JOB, template: { spec: { template: podTemplate } } }] } } },
      },
    ],
  };
}

/**
 * Trainer v2.2 (`spec.runtimePatches`): adds pod and container securityContext and
 * spec.activeDeadlineSeconds; numProcPerNode becomes int32; trainer is immutable.
 */
export const trainerV22: Target = {
  version: 'v2.2',
  describe: 'Trainer v2.2.x (spec.runtimePatches, int numProcPerNode)',
  capabilities: {
    podFields: new Set(['serviceAccountName', 'nodeSelector', 'affinity', 'tolerations', 'volumes', 'imagePullSecrets', 'schedulingGates', 'securityContext']),
    nodeContainerFields: new Set(['volumeMounts', 'securityContext']),
    podMetadata: true,
    numProcPerNodeStrings: false,
    activeDeadlineSeconds: true,
    requestsFromLimits: false,
    volcano: true,
    kueueAdmits: true,
  },
  stockRuntime: runtime as unknown as KubeObject,
  stockRuntimes: otherRuntimes as unknown as Readonly<Record<string, KubeObject>>,
  schemas: () => schemas as unknown as TargetSchemas,
  customization: runtimePatches,
  numProcPerNode: (v) => (typeof v === 'number' ? v : /^\d+$/.test(v) ? Number(v) : undefined),
};
