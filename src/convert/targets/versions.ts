import { UsageError } from '../../errors.js';
import type { TargetVersion } from './types.js';

/**
 * The Trainer schemas kubectl-trainjob can target, oldest first. Kept apart from the target
 * modules (which embed large CRD schemas) so flag validation and --help stay cheap; the registry in
 * ./index.ts checks that every entry here has a folder.
 */
export const TARGET_VERSIONS: readonly TargetVersion[] = ['v2.0', 'v2.1', 'v2.2', 'v2.3'];

/** Parses a --target-version value (`v2.3`, `2.3`, `v2.3.0` all name v2.3); throws a UsageError listing the valid values. */
export function parseTargetVersion(value: string): TargetVersion {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?$/.exec(value.trim());
  const key = (m ? `v${m[1]}.${m[2]}` : value) as TargetVersion;
  if (!TARGET_VERSIONS.includes(key)) {
    throw new UsageError(`unknown --target-version "${value}"`, `Valid values: ${TARGET_VERSIONS.join(', ')}, or auto (detect from the cluster).`);
  }
  return key;
}
