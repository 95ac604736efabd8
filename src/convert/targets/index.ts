import { trainerV20 } from './trainer-v2.0/index.js';
import { trainerV21 } from './trainer-v2.1/index.js';
import { trainerV22 } from './trainer-v2.2/index.js';
import { trainerV23 } from './trainer-v2.3/index.js';
import type { Target, TargetVersion } from './types.js';
import { parseTargetVersion, TARGET_VERSIONS } from './versions.js';

const registry = new Map<TargetVersion, Target>();

/** Registers a target; refuses a second registration of the same version (one folder per schema). */
export function registerTarget(t: Target): void {
  if (registry.has(t.version)) throw new Error(`target ${t.version} already registered`);
  registry.set(t.version, t);
}

for (const t of [trainerV20, trainerV21, trainerV22, trainerV23]) registerTarget(t);
if (TARGET_VERSIONS.some((v) => !registry.has(v))) throw new Error('TARGET_VERSIONS lists a version without a target folder');

/** The Trainer schemas kubectl-trainjob can target, oldest first. */
export function targetVersions(): TargetVersion[] {
  return [...registry.keys()];
}

/** The newest target: the default of --target-version without a cluster. */
export function newestTarget(): Target {
  const all = [...registry.values()];
  return all[all.length - 1]!;
}

/** Looks a target up by its --target-version value (`v2.3`, `2.3`, `v2.3.0` all name v2.3). */
export function getTarget(value: string): Target {
  return registry.get(parseTargetVersion(value))!;
}
