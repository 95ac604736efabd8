// What pod parity needs to know about each v1 kind: how its pods are labelled, which Trainer node
// index each v1 pod becomes, and which v1 host names and ports the v2 contract replaces. Adding a
// kind to the parity tests is adding an entry here (plus its rules in test/parity/allowed-differences.yaml).
import type { V1Scheme } from './controllers.js';

/** A v1 job as read from a manifest. */
export interface V1Job {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec: Record<string, any>;
}

/** Per-kind facts for pod parity. */
export interface ParityKind {
  scheme: V1Scheme;
  plural: string;
  /** Pods the v1 operator creates for the job: replica type (lower case, as in the pod label) -> count, after v1 defaulting. */
  replicas(job: V1Job): Map<string, number>;
  /** The Trainer node index a v1 pod becomes (Master -> 0, Worker i -> i + 1; worker-only: Worker i -> i). */
  nodeIndex(replicaType: string, index: number, replicas: ReadonlyMap<string, number>): number;
  /** v1 -> v2 translations of names and ports the pods see (host names of each replica, rendezvous port). */
  translations(job: V1Job, trainJobName: string, replicas: ReadonlyMap<string, number>): [string, string][];
  /** Whether the v1 job has a master role (v1 injected MASTER_ADDR, RANK, WORLD_SIZE). */
  hasMaster(replicas: ReadonlyMap<string, number>): boolean;
  /** Suspends the job the way Kueue's webhook does for a job with a queue label. */
  suspend(job: V1Job, suspended: boolean): void;
}

/** Pod labels every Training Operator v1 controller sets (pkg/util/labels, common_types.go). */
export const V1_POD_LABELS = {
  jobName: 'training.kubeflow.org/job-name',
  replicaType: 'training.kubeflow.org/replica-type',
  replicaIndex: 'training.kubeflow.org/replica-index',
} as const;

/** Trainer's rendezvous port (ContainerTrainerPort, all versions). */
export const TRAINER_MASTER_PORT = '29500';

function pytorchReplicas(job: V1Job): Map<string, number> {
  const out = new Map<string, number>();
  for (const [type, spec] of Object.entries((job.spec.pytorchReplicaSpecs ?? {}) as Record<string, { replicas?: number }>)) {
    out.set(type.toLowerCase(), spec?.replicas ?? 1); // v1 defaulting: replicas 1, keys case-insensitive
  }
  return out;
}

/** v2 host name of node `i` of a TrainJob (JobSet: hostname `<jobset>-<rjob>-<job index>-<pod index>`, subdomain `<jobset>`). */
export function trainerNodeHost(trainJobName: string, index: number): string {
  return `${trainJobName}-node-0-${index}.${trainJobName}`;
}

const pytorchJob: ParityKind = {
  scheme: 'pytorchjob',
  plural: 'pytorchjobs',
  replicas: pytorchReplicas,
  nodeIndex: (type, index, replicas) => (replicas.has('master') ? (type === 'master' ? 0 : index + 1) : index),
  hasMaster: (replicas) => replicas.has('master'),
  translations(job, trainJobName, replicas) {
    const out: [string, string][] = [];
    for (const [type, count] of replicas) {
      for (let i = 0; i < count; i++) out.push([`${job.metadata.name}-${type}-${i}`, trainerNodeHost(trainJobName, this.nodeIndex(type, i, replicas))]);
    }
    // The rendezvous port v1 injected: the `pytorchjob-port` of the Master's pytorch container (default 23456).
    const master = Object.entries(job.spec.pytorchReplicaSpecs ?? {}).find(([k]) => k.toLowerCase() === 'master')?.[1] as any;
    const ports = (master?.template?.spec?.containers ?? []).find((c: any) => c.name === 'pytorch')?.ports ?? [];
    const port = ports.find((p: any) => p.name === 'pytorchjob-port')?.containerPort ?? 23456;
    out.push([String(port), TRAINER_MASTER_PORT]);
    if (trainJobName !== job.metadata.name) out.push([job.metadata.name, trainJobName]);
    return out;
  },
  suspend(job, suspended) {
    job.spec.runPolicy = { ...job.spec.runPolicy, suspend: suspended };
  },
};

/** Kinds the parity tests know, by v1 kind name. */
export const PARITY_KINDS: Record<string, ParityKind> = {
  PyTorchJob: pytorchJob,
};
