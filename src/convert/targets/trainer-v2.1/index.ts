import type { JsonObject, KubeObject } from '../../model.js';
import type { Overrides } from '../../placement.js';
import { intOrString, isEmptyOverrides, NODE_JOB, nodeContainerPatch, podMetadataPatch } from '../shared.js';
import type { Target, TargetSchemas } from '../types.js';
import runtime from './runtime.json' with { type: 'json' };
import otherRuntimes from './runtimes.json' with { type: 'json' };
import schemas from './schema.json' with { type: 'json' };

/**
 * Trainer v2.1 (`spec.podTemplateOverrides`, also RHOAI 3.2–3.5): pod metadata, affinity and
 * imagePullSecrets per job; numProcPerNode is still IntOrString; no activeDeadlineSeconds.
 */
export const trainerV21: Target = {
  version: 'v2.1',
  describe: 'Trainer v2.1.x and RHOAI 3.2-3.5 (spec.podTemplateOverrides)',
  capabilities: {
    podFields: new Set(['serviceAccountName', 'nodeSelector', 'affinity', 'tolerations', 'volumes', 'imagePullSecrets', 'schedulingGates']),
    nodeContainerFields: new Set(['volumeMounts']),
    podMetadata: true,
    numProcPerNodeStrings: true,
    activeDeadlineSeconds: false,
    requestsFromLimits: false,
    volcano: true,
    kueueAdmits: false,
  },
  stockRuntime: runtime as unknown as KubeObject,
  stockRuntimes: otherRuntimes as unknown as Readonly<Record<string, KubeObject>>,
  schemas: () => schemas as unknown as TargetSchemas,
  customization: (o: Overrides): JsonObject => {
    if (isEmptyOverrides(o)) return {};
    const entry: JsonObject = { targetJobs: [{ name: NODE_JOB }] };
    const metadata = podMetadataPatch(o);
    if (metadata) entry.metadata = metadata;
    const spec: JsonObject = { ...o.podSpec };
    const containers = nodeContainerPatch(o);
    if (containers) spec.containers = containers;
    if (Object.keys(spec).length) entry.spec = spec;
    return { podTemplateOverrides: [entry] };
  },
  numProcPerNode: intOrString,
};
