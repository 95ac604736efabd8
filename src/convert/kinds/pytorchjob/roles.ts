import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, deepEqual, isObject, type JsonObject, type ReplicaSpec } from '../../model.js';
import type { PyTorchJob } from './reader.js';

/** The one pod template Trainer v2 runs on every node, merged from the v1 Master and Worker. */
export interface UnifiedRoles {
  /** The pod template to carry (metadata and spec), a copy safe to modify. */
  template: JsonObject;
  /** The input path of the template the result was taken from. */
  templatePath: string;
  numNodes: number;
  restartPolicy: string;
}

const replicaPath = (r: ReplicaSpec) => `spec.pytorchReplicaSpecs.${r.inputKey}`;

/**
 * Merges Master and Worker into one pod template. v2 has a single replicated Job `node` whose
 * index 0 plays the old Master, so differences between roles either merge safely (resources:
 * the larger value; pod labels: union) or are reported as errors.
 */
export function unifyRoles(job: PyTorchJob, findings: Finding[]): UnifiedRoles {
  const { master, worker } = job;
  const primary = (master ?? worker)!;
  const numNodes = (master ? 1 : 0) + (worker ? worker.replicas : 0);
  const result: UnifiedRoles = {
    template: clone(primary.template),
    templatePath: `${replicaPath(primary)}.template`,
    numNodes,
    restartPolicy: primary.restartPolicy,
  };
  if (master && worker) {
    findings.push(
      finding(
        'KTJ-ROLE-001',
        'spec.pytorchReplicaSpecs',
        `Master + ${worker.replicas} Worker(s) become numNodes: ${numNodes}; node 0 plays the Master. v1 succeeded when the Master succeeded, v2 succeeds only when all ${numNodes} nodes exit 0.`,
        'Make sure every rank exits 0 at the end of training.',
      ),
    );
    mergeRoles(master, worker, result, findings);
  } else if (worker && !master && !job.elasticPolicy) {
    findings.push(
      finding(
        'KTJ-ROLE-006',
        replicaPath(worker),
        'Worker-only job: v1 injected no rank or master address here; Trainer v2 injects PET_NODE_RANK, PET_MASTER_ADDR and PET_MASTER_PORT into every node.',
      ),
    );
  }
  return result;
}

function mergeRoles(master: ReplicaSpec, worker: ReplicaSpec, out: UnifiedRoles, findings: Finding[]): void {
  const mPath = replicaPath(master);
  const wPath = replicaPath(worker);
  if (master.restartPolicy !== worker.restartPolicy) {
    findings.push(
      finding(
        'KTJ-ROLE-004',
        `${wPath}.restartPolicy`,
        `Master restartPolicy is ${master.restartPolicy}, Worker's is ${worker.restartPolicy}; every v2 node uses the Master's (${master.restartPolicy}).`,
      ),
    );
  }
  // Pod template metadata: labels and annotations are merged (Master wins on conflicts).
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
          `Master and Worker pod ${key} differ; every v2 node gets their union${conflicts.length ? ` (Master's value kept for ${conflicts.join(', ')})` : ''}.`,
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
      differing.push(`container ${name} (only in the ${mc ? 'Master' : 'Worker'})`);
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
            `Master and Worker resources of container ${name} differ; every v2 node gets the larger of each value: ${JSON.stringify(merged)}.`,
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
        `The Master and Worker pod templates differ in ${differing.join(', ')}; Trainer v2 runs one pod template on every node, so one role would run the other's settings.`,
        `Make the two templates identical (node 0 can detect that it is the master with PET_NODE_RANK == 0), or re-run with --force to use the Master's template (${mPath}.template) on every node.`,
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
