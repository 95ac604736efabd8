/** The Trainer schemas kubectl-trainjob can target, oldest first (placeholder until the registry lands). */
export function targetVersions(): string[] {
  return ['v2.0', 'v2.1', 'v2.2', 'v2.3'];
}
