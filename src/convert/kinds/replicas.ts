import { finding } from '../codes.js';
import type { Finding } from '../findings.js';
import { isObject, joinPath, type JsonObject, type ReplicaSpec } from '../model.js';
import { aKind, readSourceMetadata, type SourceJob } from '../source.js';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The replica layout a v1 kind declares: its replica-spec field, roles, training container and defaults. */
export interface ReplicaLayout {
  kind: string;
  /** The spec field that holds the replica specs (`jaxReplicaSpecs`). */
  specsField: string;
  /** The roles the v1 webhook accepts, in their canonical spelling (`Master`, `Worker`). */
  roles: readonly string[];
  /** Roles the v1 webhook requires. */
  required?: readonly string[];
  /** Roles whose replicas the v1 webhook requires to be exactly 1. */
  exactlyOne?: readonly string[];
  /** The container the v1 webhook requires (`jax`). */
  container: string;
  /** Whether any container name is accepted (MPIJob: the first container trains, `container` is only the usual name). */
  anyContainerName?: boolean;
  /** The kind's v1 default replica restartPolicy (`SetDefaults_<Kind>`). */
  defaultRestartPolicy: string;
  /** Per-role defaults where they differ from the kind's (mpi-operator: the Launcher defaults to OnFailure). */
  roleDefaults?: Readonly<Record<string, { replicas?: number; restartPolicy?: string }>>;
}

/** A v1 job read through its ReplicaLayout: shared metadata plus its replica specs by canonical role. */
export interface ReplicaJob extends SourceJob {
  /** Where the replica specs are (`spec.jaxReplicaSpecs`). */
  specsPath: string;
  replicas: Record<string, ReplicaSpec>;
  spec: JsonObject;
}

/**
 * Reads a v1 job of a replica-spec kind as the v1 operator does: replica keys normalized to their
 * canonical case (`setTypeNameToCamelCase`), replicas defaulted to 1 and restartPolicy to the
 * kind's default, and what the v1 webhook rejects reported. Returns undefined when the job cannot
 * be converted (error findings name why).
 */
export function readReplicaJob(raw: JsonObject, layout: ReplicaLayout, findings: Finding[]): ReplicaJob | undefined {
  const base = readSourceMetadata(raw, layout.kind, findings);
  const specsPath = `spec.${layout.specsField}`;
  const spec = raw.spec;
  if (!isObject(spec)) {
    findings.push(finding('KTJ-V1-001', 'spec', `The ${layout.kind} has no spec object.`, `${cap(aKind(layout.kind))} needs ${specsPath} with a ${layout.roles.join(' and/or ')}.`));
    return undefined;
  }
  const specs = spec[layout.specsField];
  if (!isObject(specs) || Object.keys(specs).length === 0) {
    findings.push(finding('KTJ-V1-001', specsPath, `${specsPath} is missing or empty (the CRD requires it).`, `Declare a ${layout.roles.join(' and/or ')} replica spec.`));
    return undefined;
  }
  const job: ReplicaJob = { ...base, specsPath, replicas: {}, spec };
  let ok = true;
  for (const [key, value] of Object.entries(specs)) {
    const path = joinPath(specsPath, key);
    const role = layout.roles.find((r) => r.toLowerCase() === key.toLowerCase());
    if (!role) {
      findings.push(finding('KTJ-V1-001', path, `Replica type "${key}" is not ${layout.roles.join(' or ')}; the v1 webhook rejects it.`, `Rename it to ${layout.roles.join(' or ')}.`));
      ok = false;
      continue;
    }
    if (role !== key) findings.push(finding('KTJ-V1-002', path, `Replica type "${key}" read as "${role}", as the v1 operator normalizes it.`));
    if (job.replicas[role] !== undefined) {
      findings.push(finding('KTJ-V1-001', path, `Replica type ${role} is declared twice (keys differ only in case).`, 'Keep one of them.'));
      ok = false;
      continue;
    }
    const replica = readReplica(role, key, value, path, layout, findings);
    if (!replica) {
      ok = false;
      continue;
    }
    job.replicas[role] = replica;
  }
  if (!ok) return undefined;
  for (const role of layout.required ?? []) {
    if (!job.replicas[role]) {
      findings.push(finding('KTJ-V1-001', joinPath(specsPath, role), `${cap(aKind(layout.kind))} needs a ${role} replica spec (v1 webhook).`, `Add a ${role} with replicas: 1.`));
      return undefined;
    }
  }
  for (const role of layout.exactlyOne ?? []) {
    const r = job.replicas[role];
    if (r && r.replicas !== 1) {
      findings.push(finding('KTJ-V1-001', `${joinPath(specsPath, r.inputKey)}.replicas`, `${role} replicas is ${r.replicas}; the v1 webhook requires exactly 1.`, `Set ${role} replicas to 1.`));
      return undefined;
    }
  }
  return job;
}

function readReplica(role: string, inputKey: string, value: unknown, path: string, layout: ReplicaLayout, findings: Finding[]): ReplicaSpec | undefined {
  if (!isObject(value)) {
    findings.push(finding('KTJ-V1-001', path, `The ${role} replica spec is not an object.`));
    return undefined;
  }
  const template = value.template;
  const podSpec = isObject(template) ? template.spec : undefined;
  if (!isObject(template) || !isObject(podSpec)) {
    findings.push(finding('KTJ-V1-001', joinPath(path, 'template'), `The ${role} replica has no pod template spec.`, `Add template.spec.containers with a container named "${layout.container}".`));
    return undefined;
  }
  const containers = podSpec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    findings.push(finding('KTJ-V1-001', joinPath(path, 'template.spec.containers'), `The ${role} pod template has no containers.`, `Add a container named "${layout.container}".`));
    return undefined;
  }
  let ok = true;
  containers.forEach((c, i) => {
    if (!isObject(c) || typeof c.image !== 'string' || c.image === '') {
      findings.push(finding('KTJ-V1-001', `${path}.template.spec.containers[${i}].image`, `Container ${i} of the ${role} has no image; the v1 webhook rejects it.`, 'Set the image.'));
      ok = false;
    }
  });
  if (!layout.anyContainerName && !containers.some((c) => isObject(c) && c.name === layout.container)) {
    findings.push(
      finding(
        'KTJ-V1-001',
        joinPath(path, 'template.spec.containers'),
        `The ${role} pod template has no container named "${layout.container}"; the v1 webhook rejects it and the converter cannot tell which container trains.`,
        `Name the training container "${layout.container}".`,
      ),
    );
    ok = false;
  }
  if (!ok) return undefined;
  let replicas = layout.roleDefaults?.[role]?.replicas ?? 1;
  if (value.replicas !== undefined && value.replicas !== null) {
    if (typeof value.replicas !== 'number' || !Number.isInteger(value.replicas) || value.replicas < 0) {
      findings.push(finding('KTJ-V1-001', joinPath(path, 'replicas'), `replicas must be a non-negative integer, got ${JSON.stringify(value.replicas)}.`));
      return undefined;
    }
    replicas = value.replicas;
  }
  const written = typeof value.restartPolicy === 'string' && value.restartPolicy !== '';
  return {
    role,
    inputKey,
    replicas,
    restartPolicy: written ? (value.restartPolicy as string) : (layout.roleDefaults?.[role]?.restartPolicy ?? layout.defaultRestartPolicy),
    ...(written ? {} : { restartPolicyDefaulted: true }),
    template,
  };
}
