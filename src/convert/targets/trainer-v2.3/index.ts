import type { KubeObject } from '../../model.js';
import { runtimePatches, trainerV22 } from '../trainer-v2.2/index.js';
import type { Target, TargetSchemas } from '../types.js';
import runtime from './runtime.json' with { type: 'json' };
import otherRuntimes from './runtimes.json' with { type: 'json' };
import schemas from './schema.json' with { type: 'json' };

/**
 * Trainer v2.3 (also RHOAI 3.6 EA): v2.2's runtimePatches plus terminationGracePeriodSeconds,
 * strategic-merge patch semantics, and mlPolicy.torch.envInjection in runtimes.
 */
export const trainerV23: Target = {
  ...trainerV22,
  version: 'v2.3',
  describe: 'Trainer v2.3.x and RHOAI 3.6 (spec.runtimePatches with terminationGracePeriodSeconds)',
  capabilities: {
    ...trainerV22.capabilities,
    podFields: new Set([...trainerV22.capabilities.podFields, 'terminationGracePeriodSeconds']),
  },
  stockRuntime: runtime as unknown as KubeObject,
  stockRuntimes: otherRuntimes as unknown as Readonly<Record<string, KubeObject>>,
  schemas: () => schemas as unknown as TargetSchemas,
  customization: runtimePatches,
};
