import { LAST_APPLIED } from '../convert/pytorchjob.js';

/** Metadata fields the API server owns; a clean manifest (for backup or re-creation) has none of them. */
const SERVER_METADATA = ['uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields', 'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds'];

/**
 * Returns a copy of a live object as a clean manifest: server-populated metadata, status and the
 * last-applied annotation removed, everything the user wrote kept (like kubectl-neat).
 */
export function cleanManifest<T extends { metadata?: any; status?: unknown }>(obj: T): T {
  const copy = JSON.parse(JSON.stringify(obj));
  delete copy.status;
  const meta = copy.metadata ?? {};
  for (const k of SERVER_METADATA) delete meta[k];
  if (meta.annotations) {
    delete meta.annotations[LAST_APPLIED];
    if (Object.keys(meta.annotations).length === 0) delete meta.annotations;
  }
  return copy;
}
