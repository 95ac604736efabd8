import type { JsonObject, KubeObject } from '../../model.js';
import type { Overrides } from '../../placement.js';
import { intOrString, isEmptyOverrides, NODE_JOB, nodeContainerPatch } from '../shared.js';
import type { Target, TargetSchemas } from '../types.js';
import runtime from './runtime.json' with { type: 'json' };
import otherRuntimes from './runtimes.json' with { type: 'json' };
import schemas from './schema.json' with { type: 'json' };

/**
 * Trainer v2.0 (`spec.podSpecOverrides`): no pod labels, affinity or imagePullSecrets per job,
 * numProcPerNode is IntOrString, no activeDeadlineSeconds. The stock runtime sets a command.
 */
export const trainerV20: Target = {
  version: 'v2.0',
  describe: 'Trainer v2.0.x (spec.podSpecOverrides)',
  capabilities: {
    podFields: new Set(['serviceAccountName', 'nodeSelector', 'tolerations', 'volumes', 'schedulingGates']),
    nodeContainerFields: new Set(['volumeMounts']),
    podMetadata: false,
    numProcPerNodeStrings: true,
    activeDeadlineSeconds: false,
    requestsFromLimits: true,
    volcano: false,
    kueueAdmits: false,
  },
  stockRuntime: runtime as unknown as KubeObject,
  stockRuntimes: otherRuntimes as unknown as Readonly<Record<string, KubeObject>>,
  schemas: () => schemas as unknown as TargetSchemas,
  customization: (o: Overrides): JsonObject => {
    if (isEmptyOverrides(o)) return {};
    const entry: JsonObject = { targetJobs: [{ name: NODE_JOB }], ...o.podSpec };
    const containers = nodeContainerPatch(o);
    if (containers) entry.containers = containers;
    return { podSpecOverrides: [entry] };
  },
  numProcPerNode: intOrString,
};
