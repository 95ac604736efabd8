import { LAST_APPLIED, SERVER_METADATA } from '../convert/source.js';

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
