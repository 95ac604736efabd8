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

/** The namespaces a job pair runs in (v1 job in one, its conversion in the other). */
export interface PairNamespaces { v1: string; v2: string }

/** Where a pod sits in the TrainJob's JobSet: its replicated Job and its completion index there. */
export interface V2Slot { job: string; index: number }

/** Per-kind facts for pod parity. */
export interface ParityKind {
  scheme: V1Scheme;
  plural: string;
  /** The only apiVersion the harness's Training Operator serves for the kind. */
  apiVersion: 'kubeflow.org/v1';
  /** The v1 training container (v1 injected its env there; it becomes `node`). */
  container: string;
  /**
   * Golden cases of this kind that are compared (the upstream examples): each case costs a job pair on the shared
   * parity cluster, so a kind added after PyTorchJob runs one or two, not all (docs/testing.md). Undefined: all.
   */
  cases?: readonly string[];
  /** The oldest Trainer release that ships the kind's runtime and ML policy (older ones refuse with KTJ-KIND-001). */
  needsTrainer?: string;
  /** Variables v1 injected that the TrainJob re-creates (the env shim): each must see v1's value, translated. */
  contractEnv: readonly string[];
  /** Env variables whose value is JSON, compared parsed (TF_CONFIG; ParityContext.jsonEnv). */
  jsonEnv?: readonly string[];
  /** Pods the v1 operator creates for the job: replica type (lower case, as in the pod label) -> count, after v1 defaulting. */
  replicas(job: V1Job): Map<string, number>;
  /** The Trainer node index a v1 pod becomes (Master -> 0, Worker i -> i + 1; worker-only: Worker i -> i). */
  nodeIndex(replicaType: string, index: number, replicas: ReadonlyMap<string, number>): number;
  /**
   * The JobSet replicated Job and completion index of the v2 pod a v1 pod becomes (default: `node`, nodeIndex).
   * MPIJob: the Launcher is the `launcher` Job's pod.
   */
  v2Slot?(replicaType: string, index: number, replicas: ReadonlyMap<string, number>): V2Slot;
  /**
   * The runtime starts some replicated Jobs only once the `node` pods are Ready (MPI on Trainer v2.3: the launcher
   * `dependsOn` ready nodes). The harness runs no kubelet, so it marks those pods Ready itself, as a kubelet would
   * once their containers run.
   */
  startsAfterReadyNodes?: boolean;
  /** v1 container name -> v2 name for one role's pods, when it depends on the job (MPIJob: first container, mainContainer); default: the allow-list's renameContainers. */
  containerRenames?(job: V1Job, replicaType: string): Record<string, string>;
  /** v1 -> v2 translations of names and ports the pods see (host names of each replica, rendezvous port). */
  translations(job: V1Job, trainJobName: string, replicas: ReadonlyMap<string, number>, ns?: PairNamespaces): [string, string][];
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

/** v2 host name of node `i` of a TrainJob (JobSet: hostname `<jobset>-<rjob>-<job index>-<pod index>`, subdomain `<jobset>`). */
export function trainerNodeHost(trainJobName: string, index: number): string {
  return `${trainJobName}-node-0-${index}.${trainJobName}`;
}

/** The replica specs of a v1 job under `field`, keyed by lower-case replica type (v1 keys are case-insensitive). */
function replicaSpecs(job: V1Job, field: string): Map<string, Record<string, any>> {
  return new Map(Object.entries((job.spec[field] ?? {}) as Record<string, Record<string, any>>).map(([k, v]) => [k.toLowerCase(), v ?? {}]));
}

/** Replica counts after v1 defaulting (`setDefaultReplicas`: 1 when unset), every kind of the Training Operator. */
function replicaCounts(field: string): (job: V1Job) => Map<string, number> {
  return (job) => new Map([...replicaSpecs(job, field)].map(([type, spec]) => [type, spec.replicas ?? 1]));
}

/** The containerPort named `portName` of a role's `container`, else v1's default for it. */
function v1Port(job: V1Job, field: string, role: string, container: string, portName: string, fallback: number): number {
  const spec = replicaSpecs(job, field).get(role);
  const ports = (spec?.template?.spec?.containers ?? []).find((c: any) => c.name === container)?.ports ?? [];
  return ports.find((p: any) => p.name === portName)?.containerPort ?? fallback;
}

/** Master (when present) is node 0 and Worker i node i + 1; without a Master, Worker i is node i. */
function masterFirst(type: string, index: number, replicas: ReadonlyMap<string, number>): number {
  return replicas.has('master') ? (type === 'master' ? 0 : index + 1) : index;
}

/** v1 Service host `<job>-<type>-<i>` -> v2 node host for every pod; the job name -> the TrainJob name. */
function hostTranslations(kind: ParityKind, job: V1Job, trainJobName: string, replicas: ReadonlyMap<string, number>): [string, string][] {
  const out: [string, string][] = [];
  for (const [type, count] of replicas) {
    for (let i = 0; i < count; i++) out.push([`${job.metadata.name}-${type}-${i}`, trainerNodeHost(trainJobName, kind.nodeIndex(type, i, replicas))]);
  }
  if (trainJobName !== job.metadata.name) out.push([job.metadata.name, trainJobName]);
  return out;
}

function suspendRunPolicy(job: V1Job, suspended: boolean): void {
  job.spec.runPolicy = { ...job.spec.runPolicy, suspend: suspended };
}

const pytorchJob: ParityKind = {
  scheme: 'pytorchjob',
  plural: 'pytorchjobs',
  apiVersion: 'kubeflow.org/v1',
  container: 'pytorch',
  contractEnv: ['MASTER_ADDR', 'MASTER_PORT', 'RANK', 'WORLD_SIZE', 'PET_NNODES', 'PET_NODE_RANK', 'PET_MASTER_ADDR', 'PET_MASTER_PORT'],
  replicas: replicaCounts('pytorchReplicaSpecs'),
  nodeIndex: masterFirst,
  hasMaster: (replicas) => replicas.has('master'),
  translations(job, trainJobName, replicas) {
    // The rendezvous port v1 injected: the `pytorchjob-port` of the Master's pytorch container (default 23456).
    const port = v1Port(job, 'pytorchReplicaSpecs', 'master', 'pytorch', 'pytorchjob-port', 23456);
    return [...hostTranslations(this, job, trainJobName, replicas), [String(port), TRAINER_MASTER_PORT]];
  },
  suspend: suspendRunPolicy,
};

/**
 * XGBoostJob (pkg/controller.v1/xgboost/xgboost.go SetPodEnv): Master + Workers like PyTorchJob. The
 * env shim keeps v1's port numbers in MASTER_PORT/WORKER_PORT (the rabit tracker listens where the
 * user's code puts it), so only host names are translated.
 */
const xgboostJob: ParityKind = {
  scheme: 'xgboostjob',
  plural: 'xgboostjobs',
  apiVersion: 'kubeflow.org/v1',
  container: 'xgboost',
  cases: ['example-kubeflow-xgboost-rabit-test', 'example-kubeflow-xgboost-iris-train'],
  needsTrainer: 'v2.2',
  contractEnv: ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'WORKER_PORT', 'WORKER_ADDRS'],
  replicas: replicaCounts('xgbReplicaSpecs'),
  nodeIndex: masterFirst,
  hasMaster: (replicas) => replicas.has('master'),
  translations(job, trainJobName, replicas) {
    return hostTranslations(this, job, trainJobName, replicas);
  },
  suspend: suspendRunPolicy,
};

/**
 * JAXJob (pkg/controller.v1/jax/envvar.go setPodEnv): Workers only, Worker i is node i; the
 * coordinator port (`jaxjob-port`, default 6666) becomes Trainer's 29500, as the env shim sets it.
 */
const jaxJob: ParityKind = {
  scheme: 'jaxjob',
  plural: 'jaxjobs',
  apiVersion: 'kubeflow.org/v1',
  container: 'jax',
  cases: ['example-kubeflow-jax-cpu-demo'],
  needsTrainer: 'v2.2',
  contractEnv: ['COORDINATOR_ADDRESS', 'COORDINATOR_PORT', 'NUM_PROCESSES', 'PROCESS_ID'],
  replicas: replicaCounts('jaxReplicaSpecs'),
  nodeIndex: (_type, index) => index,
  hasMaster: () => false,
  translations(job, trainJobName, replicas) {
    const port = v1Port(job, 'jaxReplicaSpecs', 'worker', 'jax', 'jaxjob-port', 6666);
    return [...hostTranslations(this, job, trainJobName, replicas), [String(port), TRAINER_MASTER_PORT]];
  },
  suspend: suspendRunPolicy,
};

/**
 * TFJob (pkg/controller.v1/tensorflow/tensorflow.go genTFConfigJSONStr), Workers only (the layout the converter
 * converts): Worker i is node i. TF_CONFIG lists `<job>-worker-<i>.<namespace>.svc:<tfjob-port>`, which
 * translates to the JobSet host `<tj>-node-0-<i>.<tj>` (the port number is kept); compared as parsed JSON.
 */
const tfJob: ParityKind = {
  scheme: 'tfjob',
  plural: 'tfjobs',
  apiVersion: 'kubeflow.org/v1',
  container: 'tensorflow',
  cases: ['example-kubeflow-tf-multi-worker', 'map-tf-dynamic-worker'],
  contractEnv: ['TF_CONFIG'],
  jsonEnv: ['TF_CONFIG'],
  replicas: replicaCounts('tfReplicaSpecs'),
  nodeIndex: (_type, index) => index,
  hasMaster: () => false,
  translations(job, trainJobName, replicas, ns) {
    const hosts = hostTranslations(this, job, trainJobName, replicas);
    // The Service name v1 put in TF_CONFIG: <host>.<namespace>.svc (no CUSTOM_CLUSTER_DOMAIN in the harness).
    const services = ns ? hosts.filter(([from]) => from !== job.metadata.name).map(([from, to]): [string, string] => [`${from}.${ns.v1}.svc`, to]) : [];
    return [...services, ...hosts];
  },
  suspend: suspendRunPolicy,
};

/**
 * PaddleJob (pkg/controller.v1/paddlepaddle/envvar.go setPodEnv), collective mode with one Worker (what the
 * converter converts): PADDLE_MASTER is `$(POD_IP_DUMMY):<port>` on worker 0, PADDLE_JOB_ID the job name.
 */
const paddleJob: ParityKind = {
  scheme: 'paddlejob',
  plural: 'paddlejobs',
  apiVersion: 'kubeflow.org/v1',
  container: 'paddle',
  cases: ['map-paddle-single-worker'],
  contractEnv: ['PYTHONUNBUFFERED', 'PADDLE_JOB_ID', 'PADDLE_NNODES', 'POD_IP_DUMMY', 'PADDLE_MASTER'],
  replicas: replicaCounts('paddleReplicaSpecs'),
  nodeIndex: masterFirst,
  hasMaster: (replicas) => replicas.has('master'),
  translations(job, trainJobName, replicas) {
    return hostTranslations(this, job, trainJobName, replicas);
  },
  suspend: suspendRunPolicy,
};

/** v2 host name of the MPI launcher pod (replicated Job `launcher`). */
function trainerLauncherHost(trainJobName: string): string {
  return `${trainJobName}-launcher-0-0.${trainJobName}`;
}

/**
 * MPIJob kubeflow.org/v1 (pkg/controller.v1/mpi/mpijob_controller.go newLauncher/newWorker): the Launcher pod
 * `<job>-launcher` (no replica-index label) is the pod of Trainer's `launcher` Job, Worker i the `node` Job's pod
 * i (also with runLauncherAsNode: the launcher is then a node, but still the `launcher` Job's pod). The training
 * container is the Launcher's first container and the Worker's `mainContainer` (else its first).
 */
const mpiJob: ParityKind = {
  scheme: 'mpijob',
  plural: 'mpijobs',
  apiVersion: 'kubeflow.org/v1',
  container: 'mpi',
  cases: ['example-kubeflow-mpi-tensorflow-mnist', 'map-mpijob-v1-env-maincontainer-gpu-launcher'],
  contractEnv: ['NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES'],
  // v1 defaulting: Launcher replicas 1, Worker replicas 0.
  replicas: (job) => new Map([...replicaSpecs(job, 'mpiReplicaSpecs')].map(([type, spec]) => [type, spec.replicas ?? (type === 'launcher' ? 1 : 0)])),
  nodeIndex: (type, index) => (type === 'launcher' ? -1 : index),
  v2Slot: (type, index) => (type === 'launcher' ? { job: 'launcher', index: 0 } : { job: 'node', index }),
  startsAfterReadyNodes: true,
  containerRenames(job, replicaType) {
    const spec = replicaSpecs(job, 'mpiReplicaSpecs').get(replicaType);
    const names: string[] = (spec?.template?.spec?.containers ?? []).map((c: any) => c.name);
    const main = replicaType === 'worker' && typeof job.spec.mainContainer === 'string' && names.includes(job.spec.mainContainer) ? job.spec.mainContainer : names[0];
    return main ? { [main]: 'node' } : {};
  },
  hasMaster: () => false,
  translations(job, trainJobName, replicas) {
    const out: [string, string][] = [[`${job.metadata.name}-launcher`, trainerLauncherHost(trainJobName)]];
    for (let i = 0; i < (replicas.get('worker') ?? 0); i++) out.push([`${job.metadata.name}-worker-${i}`, trainerNodeHost(trainJobName, i)]);
    if (trainJobName !== job.metadata.name) out.push([job.metadata.name, trainJobName]);
    return out;
  },
  suspend: suspendRunPolicy,
};

/** Kinds the parity tests know, by v1 kind name. */
export const PARITY_KINDS: Record<string, ParityKind> = {
  PyTorchJob: pytorchJob,
  XGBoostJob: xgboostJob,
  JAXJob: jaxJob,
  TFJob: tfJob,
  PaddleJob: paddleJob,
  MPIJob: mpiJob,
};

/** Trainer releases in order, to compare a harness version with a kind's `needsTrainer`. */
const TRAINER_ORDER = ['v2.0', 'v2.1', 'v2.2', 'v2.3'];

/** Whether Trainer `version` ships what `kind` needs (its runtime and ML policy). */
export function trainerServes(kind: ParityKind, version: string): boolean {
  return !kind.needsTrainer || TRAINER_ORDER.indexOf(version) >= TRAINER_ORDER.indexOf(kind.needsTrainer);
}
