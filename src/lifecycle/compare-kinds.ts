// What `compare` needs to know about each Training Operator v1 kind to line it up with its TrainJob: where
// its replica specs are, which roles became TrainJob nodes, which container trains, where rank 0 logs, and
// the env contract (what the v1 operator injected, what Trainer v2 injects instead), so that the injected
// variables are reported as the contract and never as differences. Pure data and functions.

/** The label Training Operator v1 (and mpi-operator) put on every pod of a job. */
export const V1_JOB_NAME_LABEL = 'training.kubeflow.org/job-name';
/** Training Operator v1's role label (lower-case role: master, worker, launcher). */
export const V1_REPLICA_TYPE_LABEL = 'training.kubeflow.org/replica-type';
/** The replica index label (Training Operator v1 and mpi-operator workers). */
export const V1_REPLICA_INDEX_LABEL = 'training.kubeflow.org/replica-index';
/** mpi-operator's (kubeflow.org/v2beta1) role label: launcher or worker. */
export const V1_JOB_ROLE_LABEL = 'training.kubeflow.org/job-role';

/** How `compare` reads one v1 kind. */
export interface CompareKind {
  kind: string;
  /** The spec field holding the replica specs (`xgbReplicaSpecs`). */
  specsField: string;
  /** The training container's name; undefined: the first container trains (MPIJob: any name). */
  container?: string;
  /** Roles whose replicas are TrainJob nodes (numNodes is their sum). */
  nodeRoles: readonly string[];
  /** Roles whose training container became the TrainJob's node container, first present wins (image, resources). */
  nodeContainerRoles: readonly string[];
  /**
   * The role whose container became the trainer step (trainer.image, command, env land there): the node role,
   * except for MPIJob, whose trainer step is the launcher.
   */
  trainerRoles: readonly string[];
  /** Roles that hold rank 0, first present wins (its logs are the ones to read). */
  rank0Roles: readonly string[];
  /** Variables the v1 operator injected (names, or prefixes ending in `*`). */
  v1Injected: readonly string[];
  /** Variables Trainer v2 injects for this kind's runtime (names, or prefixes ending in `*`). */
  v2Injected: readonly string[];
  /** Variables the converter adds to rebuild the v1 contract that v1 did not inject under that name (helpers). */
  converterAdds: readonly string[];
}

const PET = 'PET_*';

/** Every v1 kind `compare` reads (src/convert/kinds/<kind> is the source of each contract). */
export const COMPARE_KINDS: readonly CompareKind[] = [
  {
    kind: 'PyTorchJob',
    specsField: 'pytorchReplicaSpecs',
    container: 'pytorch',
    nodeRoles: ['Master', 'Worker'],
    nodeContainerRoles: ['Master', 'Worker'],
    trainerRoles: ['Master', 'Worker'],
    rank0Roles: ['Master', 'Worker'],
    v1Injected: ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'PYTHONUNBUFFERED', PET],
    v2Injected: ['PET_NNODES', 'PET_NPROC_PER_NODE', 'PET_NODE_RANK', 'PET_MASTER_ADDR', 'PET_MASTER_PORT'],
    converterAdds: [],
  },
  {
    kind: 'MPIJob',
    specsField: 'mpiReplicaSpecs',
    nodeRoles: ['Worker'],
    nodeContainerRoles: ['Worker'],
    trainerRoles: ['Launcher'],
    rank0Roles: ['Launcher'],
    v1Injected: ['OMPI_MCA_*', 'I_MPI_*', 'HYDRA_*', 'K_MPI_JOB_ROLE', 'NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES'],
    v2Injected: ['OMPI_MCA_orte_default_hostfile', 'OMPI_MCA_plm_rsh_args', 'OMPI_MCA_orte_keep_fqdn_hostnames', 'OMPI_MCA_orte_set_default_slots'],
    converterAdds: [],
  },
  {
    kind: 'XGBoostJob',
    specsField: 'xgbReplicaSpecs',
    container: 'xgboost',
    nodeRoles: ['Master', 'Worker'],
    nodeContainerRoles: ['Master', 'Worker'],
    trainerRoles: ['Master', 'Worker'],
    rank0Roles: ['Master'],
    v1Injected: ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'WORKER_PORT', 'WORKER_ADDRS', 'PYTHONUNBUFFERED'],
    v2Injected: ['DMLC_TRACKER_URI', 'DMLC_TRACKER_PORT', 'DMLC_TASK_ID', 'DMLC_NUM_WORKER'],
    converterAdds: [],
  },
  {
    kind: 'JAXJob',
    specsField: 'jaxReplicaSpecs',
    container: 'jax',
    nodeRoles: ['Worker'],
    nodeContainerRoles: ['Worker'],
    trainerRoles: ['Worker'],
    rank0Roles: ['Worker'],
    v1Injected: ['COORDINATOR_ADDRESS', 'COORDINATOR_PORT', 'NUM_PROCESSES', 'PROCESS_ID', 'PYTHONUNBUFFERED'],
    v2Injected: ['JAX_NUM_PROCESSES', 'JAX_PROCESS_ID', 'JAX_COORDINATOR_ADDRESS'],
    converterAdds: [],
  },
  {
    kind: 'TFJob',
    specsField: 'tfReplicaSpecs',
    container: 'tensorflow',
    nodeRoles: ['Chief', 'Master', 'PS', 'Worker', 'Evaluator'],
    nodeContainerRoles: ['Worker', 'Chief', 'Master'],
    trainerRoles: ['Worker', 'Chief', 'Master'],
    rank0Roles: ['Chief', 'Master', 'Worker'],
    v1Injected: ['TF_CONFIG', 'PYTHONUNBUFFERED'],
    v2Injected: [],
    converterAdds: ['JOB_COMPLETION_INDEX'],
  },
  {
    kind: 'PaddleJob',
    specsField: 'paddleReplicaSpecs',
    container: 'paddle',
    nodeRoles: ['Master', 'Worker'],
    nodeContainerRoles: ['Worker', 'Master'],
    trainerRoles: ['Worker', 'Master'],
    rank0Roles: ['Master', 'Worker'],
    v1Injected: ['PADDLE_*', 'POD_IP_DUMMY', 'PYTHONUNBUFFERED', 'TRAINING_ROLE', 'POD_IP', 'TRAINER_PORTS_NUM'],
    v2Injected: [],
    converterAdds: [],
  },
];

const byKind = new Map(COMPARE_KINDS.map((k) => [k.kind, k]));

/** The compare profile of a v1 kind; PyTorchJob's for an unknown kind (TrainJobs of early releases carry no source-kind). */
export function compareKind(kind: string): CompareKind {
  return byKind.get(kind) ?? byKind.get('PyTorchJob')!;
}

/** Whether `name` is one of `patterns` (exact names, or prefixes written `PREFIX_*`). */
export function matchesVar(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : name === p));
}

/** The replica specs of a v1 job by their canonical role name (keys are matched case-insensitively, as the v1 operator does). */
export function rolesOf(job: any, k: CompareKind): Record<string, any> {
  const specs = job?.spec?.[k.specsField];
  const out: Record<string, any> = {};
  if (!specs || typeof specs !== 'object') return out;
  const canonical = [...new Set([...k.nodeRoles, ...k.trainerRoles, ...k.rank0Roles, 'Launcher'])];
  for (const [key, value] of Object.entries(specs)) {
    const role = canonical.find((r) => r.toLowerCase() === key.toLowerCase()) ?? key;
    out[role] = value;
  }
  return out;
}

/** The replicas of a role as the v1 operator defaults them (1, except mpi-operator's Worker: 0). */
export function replicasOf(spec: any, role: string, kind: string): number {
  if (!spec) return 0;
  if (spec.replicas === undefined || spec.replicas === null) return kind === 'MPIJob' && role === 'Worker' ? 0 : 1;
  return Number(spec.replicas);
}

function firstPresent(roles: Record<string, any>, wanted: readonly string[]): string | undefined {
  return wanted.find((r) => roles[r] !== undefined);
}

/** The training container of a role's pod template: by name, else (MPIJob, or a name not found) the first. */
export function trainingContainer(spec: any, k: CompareKind, mainContainer?: string): any {
  const cs: any[] = spec?.template?.spec?.containers ?? [];
  const name = mainContainer ?? k.container;
  return (name ? cs.find((c) => c?.name === name) : undefined) ?? cs[0];
}

/** Whether a pod template asks for a GPU (Training Operator's isGPULauncher: then the MPI launcher is also a node). */
function requestsGpu(spec: any): boolean {
  return (spec?.template?.spec?.containers ?? []).some((c: any) => Object.keys(c?.resources?.limits ?? {}).some((r) => r.includes('gpu')));
}

/** What the TrainJob's side should be measured against, read from a v1 job of any kind. */
export interface V1Shape {
  nodes: number;
  /** The node container (image, resources). */
  nodeContainer?: any;
  /** The container of the trainer step (env): the node container, or MPIJob's launcher. */
  trainerContainer?: any;
  /** MPIJob: the launcher container (mpirun). */
  launcherContainer?: any;
  /** The rank-0 role (lower case, as in the replica-type label) and whether it has several replicas. */
  rank0?: { role: string; indexed: boolean; container?: string };
}

/** Reads the shape of a v1 job of kind `k` (any apiVersion: MPIJob kubeflow.org/v2beta1 included). */
export function v1Shape(job: any, k: CompareKind): V1Shape {
  const roles = rolesOf(job, k);
  const v2beta1 = String(job?.apiVersion ?? '').endsWith('/v2beta1');
  let nodes = k.nodeRoles.reduce((n, r) => n + replicasOf(roles[r], r, k.kind), 0);
  if (k.kind === 'MPIJob' && roles.Launcher && (v2beta1 ? job?.spec?.runLauncherAsWorker === true : requestsGpu(roles.Launcher))) nodes += 1;
  const mainContainer = k.kind === 'MPIJob' && !v2beta1 && typeof job?.spec?.mainContainer === 'string' ? job.spec.mainContainer : undefined;
  const nodeRole = firstPresent(roles, k.nodeContainerRoles);
  const trainerRole = firstPresent(roles, k.trainerRoles);
  const rank0Role = firstPresent(roles, k.rank0Roles);
  const shape: V1Shape = { nodes };
  if (nodeRole) shape.nodeContainer = trainingContainer(roles[nodeRole], k, mainContainer);
  if (trainerRole) shape.trainerContainer = k.kind === 'MPIJob' ? trainingContainer(roles[trainerRole], k) : trainingContainer(roles[trainerRole], k, mainContainer);
  if (k.kind === 'MPIJob' && roles.Launcher) shape.launcherContainer = trainingContainer(roles.Launcher, k);
  if (rank0Role) {
    const c = trainingContainer(roles[rank0Role], k);
    shape.rank0 = { role: rank0Role.toLowerCase(), indexed: replicasOf(roles[rank0Role], rank0Role, k.kind) > 1 || rank0Role === 'Worker', ...(c?.name ? { container: String(c.name) } : {}) };
  }
  return shape;
}

/** The `kubectl logs` command for rank 0 of a v1 job of any kind (mpi-operator labels its launcher with job-role). */
export function v1Rank0LogsCommand(namespace: string, name: string, job: any, k: CompareKind): string {
  const shape = v1Shape(job, k);
  const rank0 = shape.rank0 ?? { role: k.rank0Roles[0]!.toLowerCase(), indexed: false, container: k.container };
  const v2beta1 = String(job?.apiVersion ?? '').endsWith('/v2beta1');
  let selector = `${V1_JOB_NAME_LABEL}=${name},`;
  selector += v2beta1 ? `${V1_JOB_ROLE_LABEL}=${rank0.role}` : `${V1_REPLICA_TYPE_LABEL}=${rank0.role}`;
  if (rank0.indexed) selector += `,${V1_REPLICA_INDEX_LABEL}=0`;
  return `kubectl logs -n ${namespace} -l ${selector}${rank0.container ? ` -c ${rank0.container}` : ''}`;
}

/** The env of a container as name -> shown value (a literal, or the valueFrom source as JSON); envFrom is not expanded. */
export function envMap(container: any): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of container?.env ?? []) {
    if (!e || typeof e.name !== 'string') continue;
    out[e.name] = e.valueFrom !== undefined ? `valueFrom ${JSON.stringify(e.valueFrom)}` : String(e.value ?? '');
  }
  return out;
}
