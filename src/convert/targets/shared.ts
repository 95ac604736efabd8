import type { JsonObject } from '../model.js';
import type { Overrides } from '../placement.js';

/** The replicated Job every torch runtime trains in (Trainer's `trainer` ancestor step). */
export const NODE_JOB = 'node';

/** The `node` container entry of a customization, or undefined when there is nothing to set on it. */
export function nodeContainerPatch(o: Overrides): JsonObject[] | undefined {
  if (!Object.keys(o.nodeContainer).length) return undefined;
  return [{ name: 'node', ...o.nodeContainer }];
}

/** Pod template metadata of a customization, or undefined when empty. */
export function podMetadataPatch(o: Overrides): JsonObject | undefined {
  const m: JsonObject = {};
  if (o.podMetadata.labels) m.labels = o.podMetadata.labels;
  if (o.podMetadata.annotations) m.annotations = o.podMetadata.annotations;
  return Object.keys(m).length ? m : undefined;
}

/** Whether a customization carries anything at all. */
export function isEmptyOverrides(o: Overrides): boolean {
  return !Object.keys(o.podSpec).length && !Object.keys(o.nodeContainer).length && !podMetadataPatch(o);
}

/** Numeric strings become numbers; other values pass through. */
export function intOrString(v: number | string): number | string {
  return typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
}
