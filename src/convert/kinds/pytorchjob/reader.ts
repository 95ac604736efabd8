import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { isObject, joinPath, type JsonObject, type ReplicaRole, type ReplicaSpec } from '../../model.js';
import type { TrainingContainer } from '../../rules/pod.js';
import { readSourceMetadata, type SourceJob } from '../../source.js';

/** The v1 default rendezvous port the operator adds to the `pytorch` container (`setPyTorchDefaultPort`). */
export const V1_DEFAULT_PORT = 23456;
/** The name of the v1 default port. */
export const V1_PORT_NAME = 'pytorchjob-port';

/** The training container of a PyTorchJob (`pytorch`) and the rendezvous port v1 added to it. */
export const TRAINING_CONTAINER: TrainingContainer = {
  name: 'pytorch',
  v1Env: 'RANK, MASTER_ADDR, PET_*',
  masterAddrVar: 'PET_MASTER_ADDR',
  sidecarHint: 'If a sidecar needs rank or master address, derive them itself; Trainer v2.3+ runtimes can list it in mlPolicy.torch.envInjection.',
  v1Port(p, path, plan) {
    if (p.name !== V1_PORT_NAME) return false;
    if (p.containerPort !== V1_DEFAULT_PORT) {
      plan.findings.push(
        finding(
          'KTJ-ENV-003',
          path,
          `The v1 rendezvous port ${V1_PORT_NAME} was ${String(p.containerPort)}; Trainer v2 always uses 29500 (PET_MASTER_PORT).`,
          'Read the port from PET_MASTER_PORT (or MASTER_PORT of the compatibility env) instead of hard-coding it.',
        ),
      );
      plan.v1Settings.masterPort = p.containerPort;
    } else {
      plan.findings.push(finding('KTJ-CTR-002', path, `Port ${V1_PORT_NAME} (${V1_DEFAULT_PORT}) is dropped: Trainer v2 adds its own port 29500 to the node container.`));
    }
    return true;
  },
};

/** A PyTorchJob read from the input, with the v1 operator's defaults applied (they are not persisted by v1). */
export interface PyTorchJob extends SourceJob {
  master?: ReplicaSpec;
  worker?: ReplicaSpec;
  /** `spec.nprocPerNode` as written (undefined when absent; v1 then defaults it to `auto`). */
  nprocPerNode?: string;
  elasticPolicy?: JsonObject;
}

/**
 * Reads a PyTorchJob as the v1 operator would: normalizes replica keys, applies the defaults the
 * controller applies in memory (replicas 1, restartPolicy OnFailure, nprocPerNode auto), and reports
 * what the v1 webhook would reject. Returns undefined when the object is too broken to convert.
 */
export function readPyTorchJob(raw: JsonObject, findings: Finding[]): PyTorchJob | undefined {
  const job: PyTorchJob = readSourceMetadata(raw, 'PyTorchJob', findings);

  const spec = raw.spec;
  if (!isObject(spec)) {
    findings.push(finding('KTJ-V1-001', 'spec', 'The PyTorchJob has no spec object.', 'A PyTorchJob needs spec.pytorchReplicaSpecs with a Master and/or Worker.'));
    return undefined;
  }
  if (typeof spec.nprocPerNode === 'string') job.nprocPerNode = spec.nprocPerNode;
  else if (typeof spec.nprocPerNode === 'number') job.nprocPerNode = String(spec.nprocPerNode);
  if (isObject(spec.elasticPolicy)) job.elasticPolicy = spec.elasticPolicy;

  const specs = spec.pytorchReplicaSpecs;
  if (!isObject(specs) || Object.keys(specs).length === 0) {
    findings.push(
      finding('KTJ-V1-001', 'spec.pytorchReplicaSpecs', 'spec.pytorchReplicaSpecs is missing or empty (the CRD requires it).', 'Declare a Master and/or Worker replica spec.'),
    );
    return undefined;
  }
  let ok = true;
  for (const [key, value] of Object.entries(specs)) {
    const path = joinPath('spec.pytorchReplicaSpecs', key);
    const role = normalizeRole(key);
    if (!role) {
      findings.push(finding('KTJ-V1-001', path, `Replica type "${key}" is not Master or Worker; the v1 webhook rejects it.`, 'Rename it to Master or Worker.'));
      ok = false;
      continue;
    }
    if (role !== key) {
      findings.push(finding('KTJ-V1-002', path, `Replica type "${key}" read as "${role}", as the v1 operator normalizes it.`));
    }
    if ((role === 'Master' ? job.master : job.worker) !== undefined) {
      findings.push(finding('KTJ-V1-001', path, `Replica type ${role} is declared twice (keys differ only in case).`, 'Keep one of them.'));
      ok = false;
      continue;
    }
    const replica = readReplica(role, key, value, path, findings);
    if (!replica) {
      ok = false;
      continue;
    }
    if (role === 'Master') job.master = replica;
    else job.worker = replica;
  }
  if (!ok) return undefined;
  if (job.master && job.master.replicas !== 1) {
    findings.push(
      finding(
        'KTJ-V1-001',
        'spec.pytorchReplicaSpecs.Master.replicas',
        `Master replicas is ${job.master.replicas}; the v1 webhook requires exactly 1.`,
        'Set Master replicas to 1 and move the other replicas to Worker.',
      ),
    );
    return undefined;
  }
  if (job.elasticPolicy && !job.worker) {
    findings.push(finding('KTJ-V1-001', 'spec.elasticPolicy', 'elasticPolicy requires a Worker replica spec (v1 webhook).', 'Add a Worker replica spec.'));
    return undefined;
  }
  return job;
}

function normalizeRole(key: string): ReplicaRole | undefined {
  const lower = key.toLowerCase();
  if (lower === 'master') return 'Master';
  if (lower === 'worker') return 'Worker';
  return undefined;
}

function readReplica(role: ReplicaRole, inputKey: string, value: unknown, path: string, findings: Finding[]): ReplicaSpec | undefined {
  if (!isObject(value)) {
    findings.push(finding('KTJ-V1-001', path, `The ${role} replica spec is not an object.`));
    return undefined;
  }
  const template = value.template;
  const podSpec = isObject(template) ? template.spec : undefined;
  if (!isObject(template) || !isObject(podSpec)) {
    findings.push(finding('KTJ-V1-001', joinPath(path, 'template'), `The ${role} replica has no pod template spec.`, 'Add template.spec.containers with a container named "pytorch".'));
    return undefined;
  }
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    findings.push(finding('KTJ-V1-001', joinPath(path, 'template.spec.containers'), `The ${role} pod template has no containers.`, 'Add a container named "pytorch".'));
    return undefined;
  }
  let ok = true;
  containers.forEach((c, i) => {
    if (!isObject(c) || typeof c.image !== 'string' || c.image === '') {
      findings.push(finding('KTJ-V1-001', `${path}.template.spec.containers[${i}].image`, `Container ${i} of the ${role} has no image; the v1 webhook rejects it.`, 'Set the image.'));
      ok = false;
    }
  });
  if (!containers.some((c) => isObject(c) && c.name === 'pytorch')) {
    findings.push(
      finding(
        'KTJ-V1-001',
        joinPath(path, 'template.spec.containers'),
        `The ${role} pod template has no container named "pytorch"; the v1 webhook rejects it and the converter cannot tell which container trains.`,
        'Name the training container "pytorch".',
      ),
    );
    ok = false;
  }
  if (!ok) return undefined;
  let replicas = 1;
  if (value.replicas !== undefined && value.replicas !== null) {
    if (typeof value.replicas !== 'number' || !Number.isInteger(value.replicas) || value.replicas < 0) {
      findings.push(finding('KTJ-V1-001', joinPath(path, 'replicas'), `replicas must be a non-negative integer, got ${JSON.stringify(value.replicas)}.`));
      return undefined;
    }
    replicas = value.replicas;
  }
  if (role === 'Worker' && replicas < 1 && value.replicas !== undefined) {
    findings.push(finding('KTJ-V1-001', joinPath(path, 'replicas'), 'Worker replicas must be at least 1 (v1 webhook).'));
    return undefined;
  }
  return {
    role,
    inputKey,
    replicas,
    restartPolicy: typeof value.restartPolicy === 'string' && value.restartPolicy !== '' ? value.restartPolicy : 'OnFailure',
    template,
  };
}
