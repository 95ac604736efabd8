import { finding } from '../codes.js';
import type { Finding } from '../findings.js';
import { clone, deepEqual, isObject, type JsonObject, type ReplicaSpec } from '../model.js';

/** The one pod template every v2 node runs, being merged from the v1 roles. */
export interface MergedTemplate {
  /** The pod template to carry (metadata and spec), a copy safe to modify. */
  template: JsonObject;
}

/** How a kind names things in the findings of a merge. */
export interface MergeOptions {
  /** Where the replica specs are (`spec.pytorchReplicaSpecs`). */
  specsPath: string;
  /** How node 0 can tell it plays the first role, for the hint (`node 0 can detect ... PET_NODE_RANK == 0`). */
  rankHint: string;
}

/**
 * Merges the second role's pod template into the first's (which v2 node 0 plays): differences either
 * merge safely (resources: the larger value; pod labels: union, the first role wins) or are reported
 * as errors, since Trainer v2 runs one pod template on every node.
 */
export function mergeRoles(master: ReplicaSpec, worker: ReplicaSpec, out: MergedTemplate, findings: Finding[], how: MergeOptions): void {
  const mPath = `${how.specsPath}.${master.inputKey}`;
  const wPath = `${how.specsPath}.${worker.inputKey}`;
  if (master.restartPolicy !== worker.restartPolicy) {
    findings.push(
      finding(
        'KTJ-ROLE-004',
        `${wPath}.restartPolicy`,
        `${master.role} restartPolicy is ${master.restartPolicy}, ${worker.role}'s is ${worker.restartPolicy}; every v2 node uses the ${master.role}'s (${master.restartPolicy}).`,
      ),
    );
  }
  // Pod template metadata: labels and annotations are merged (the first role wins on conflicts).
  const mMeta = isObject(master.template.metadata) ? master.template.metadata : {};
  const wMeta = isObject(worker.template.metadata) ? worker.template.metadata : {};
  const mergedMeta: JsonObject = clone(mMeta);
  for (const key of ['labels', 'annotations'] as const) {
    const a = isObject(mMeta[key]) ? mMeta[key] : {};
    const b = isObject(wMeta[key]) ? wMeta[key] : {};
    if (!deepEqual(a, b)) {
      const merged = { ...b, ...a };
      const conflicts = Object.keys(b).filter((k) => k in a && a[k] !== b[k]);
      findings.push(
        finding(
          'KTJ-ROLE-005',
          `${wPath}.template.metadata.${key}`,
          `${master.role} and ${worker.role} pod ${key} differ; every v2 node gets their union${conflicts.length ? ` (${master.role}'s value kept for ${conflicts.join(', ')})` : ''}.`,
        ),
      );
      if (Object.keys(merged).length) mergedMeta[key] = merged;
    }
  }
  if (Object.keys(mergedMeta).length) out.template.metadata = mergedMeta;

  const mSpec = master.template.spec as JsonObject;
  const wSpec = worker.template.spec as JsonObject;
  const differing: string[] = [];
  for (const key of new Set([...Object.keys(mSpec), ...Object.keys(wSpec)])) {
    if (key === 'containers') continue;
    if (!deepEqual(mSpec[key], wSpec[key])) differing.push(`spec.${key}`);
  }
  const mContainers = (mSpec.containers as JsonObject[]) ?? [];
  const wContainers = (wSpec.containers as JsonObject[]) ?? [];
  const outContainers = (out.template.spec as JsonObject).containers as JsonObject[];
  const names = new Set([...mContainers, ...wContainers].map((c) => String(c.name)));
  for (const name of names) {
    const mc = mContainers.find((c) => c.name === name);
    const wc = wContainers.find((c) => c.name === name);
    if (!mc || !wc) {
      differing.push(`container ${name} (only in the ${mc ? master.role : worker.role})`);
      continue;
    }
    for (const key of new Set([...Object.keys(mc), ...Object.keys(wc)])) {
      if (deepEqual(mc[key], wc[key])) continue;
      if (key === 'resources') {
        const merged = maxResources(mc.resources, wc.resources);
        const target = outContainers.find((c) => c.name === name);
        if (target) target.resources = merged;
        findings.push(
          finding(
            'KTJ-ROLE-003',
            `${wPath}.template.spec.containers[${wContainers.indexOf(wc)}].resources`,
            `${master.role} and ${worker.role} resources of container ${name} differ; every v2 node gets the larger of each value: ${JSON.stringify(merged)}.`,
            'Check that every node can be scheduled with these resources.',
          ),
        );
        continue;
      }
      differing.push(`container ${name} ${key}`);
    }
  }
  if (differing.length) {
    findings.push(
      finding(
        'KTJ-ROLE-002',
        wPath,
        `The ${master.role} and ${worker.role} pod templates differ in ${differing.join(', ')}; Trainer v2 runs one pod template on every node, so one role would run the other's settings.`,
        `Make the two templates identical (${how.rankHint}), or re-run with --force to use the ${master.role}'s template (${mPath}.template) on every node.`,
      ),
    );
  }
}

/** Per resource name, the larger quantity of the two requirement sets (requests and limits separately). */
export function maxResources(a: unknown, b: unknown): JsonObject {
  const out: JsonObject = {};
  const ra = isObject(a) ? a : {};
  const rb = isObject(b) ? b : {};
  for (const section of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const sa = ra[section];
    const sb = rb[section];
    if (!isObject(sa) || !isObject(sb)) {
      out[section] = clone(isObject(sa) ? sa : sb);
      continue;
    }
    const merged: JsonObject = {};
    for (const name of new Set([...Object.keys(sa), ...Object.keys(sb)])) {
      const qa = sa[name];
      const qb = sb[name];
      if (qa === undefined || qa === null) merged[name] = qb;
      else if (qb === undefined || qb === null) merged[name] = qa;
      else merged[name] = compareQuantity(qa, qb) >= 0 ? qa : qb;
    }
    out[section] = merged;
  }
  return out;
}

const SUFFIX: Record<string, number> = {
  '': 1, m: 1e-3, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
  Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, Pi: 1024 ** 5, Ei: 1024 ** 6,
};

/** Parses a Kubernetes quantity (`500m`, `2Gi`, `1e3`, `4`) into a number; NaN when it is not one. */
export function parseQuantity(q: unknown): number {
  if (typeof q === 'number') return q;
  if (typeof q !== 'string') return NaN;
  const m = /^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$/.exec(q.trim());
  if (!m) return NaN;
  return Number(m[1]) * (SUFFIX[m[2] ?? ''] ?? NaN);
}

function compareQuantity(a: unknown, b: unknown): number {
  const x = parseQuantity(a);
  const y = parseQuantity(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return 0;
  return x - y;
}
