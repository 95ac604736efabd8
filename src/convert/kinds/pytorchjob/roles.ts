import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, type JsonObject, type ReplicaSpec } from '../../model.js';
import { mergeRoles } from '../../rules/roles.js';
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
    mergeRoles(master, worker, result, findings, { specsPath: 'spec.pytorchReplicaSpecs', rankHint: 'node 0 can detect that it is the master with PET_NODE_RANK == 0' });
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
