import type { Finding, Severity } from './findings.js';

/** A documented finding code: its default severity and a one-line title (docs/findings.md lists them all). */
export interface FindingCodeInfo {
  severity: Severity;
  title: string;
}

/**
 * Every finding code the converter can emit. Codes are stable: they are part of the CLI's
 * machine-readable contract (`--report json`), so never renumber; retire instead.
 */
export const FINDING_CODES = {
  // Input: what was read and what was left out.
  'KTJ-IN-001': { severity: 'error', title: 'Document is not a Kubernetes object' },
  'KTJ-IN-002': { severity: 'info', title: 'Object of another kind left out of the output' },
  'KTJ-IN-003': { severity: 'warning', title: 'Other Kubeflow v1 training kind left out (not converted by this tool)' },
  'KTJ-IN-004': { severity: 'info', title: 'Trainer v2 object left out (already v2)' },
  'KTJ-IN-005': { severity: 'error', title: 'Unsupported apiVersion of a v1 training kind' },
  'KTJ-IN-006': { severity: 'warning', title: 'v1 job embedded in an AppWrapper: the wrapper is not carried over' },
  'KTJ-IN-007': { severity: 'warning', title: 'No Training Operator v1 job found in the input' },
  'KTJ-IN-008': { severity: 'warning', title: 'Katib Experiment trial template not converted' },
  // Two objects with one identity (kind, namespace, name) in one run.
  'KTJ-DUP-001': { severity: 'info', title: 'Identical object given twice: emitted once' },
  'KTJ-DUP-002': { severity: 'error', title: 'Two different objects with the same kind, namespace and name: the second is not emitted' },
  // YAML read as kubectl reads it.
  'KTJ-YAML-001': { severity: 'warning', title: 'Plain scalar read the YAML 1.1 way, as kubectl does (012 is 10, 0b11 is 3; yes/no/on/off are booleans, info)' },
  // Shape of the input against the kind's v1 API.
  'KTJ-SCHEMA-001': { severity: 'error', title: 'Field has a value the kind\'s v1 CRD schema rejects' },
  'KTJ-SCHEMA-002': { severity: 'warning', title: 'Unknown field: not part of the kind\'s v1 CRD (the API server drops it), not converted' },
  'KTJ-V1-001': { severity: 'error', title: 'Invalid v1 job: the v1 operator would reject it' },
  'KTJ-META-001': { severity: 'warning', title: 'Lifecycle metadata (ownerReferences, finalizers) not carried' },
  'KTJ-V1-002': { severity: 'info', title: 'Replica type key normalized (master → Master), as the v1 operator does' },
  // Rewriting manifest files in place (convert --in-place / --diff).
  'KTJ-INPLACE-001': { severity: 'error', title: 'v1 job inside a List or AppWrapper: its file cannot be rewritten in place and is left unchanged' },
  'KTJ-INPLACE-002': { severity: 'info', title: 'Comments that have no single home in the TrainJob are not carried over' },
  'KTJ-KUSTOMIZE-001': { severity: 'warning', title: 'Kustomization patch targets a converted v1 job: it no longer applies' },
  'KTJ-KUSTOMIZE-002': { severity: 'warning', title: 'Kustomization renames objects: the TrainJob no longer finds its generated TrainingRuntime' },
  // Names.
  'KTJ-NAME-001': { severity: 'error', title: 'Name too long: JobSet will reject the pod names Trainer v2 generates' },
  'KTJ-NAME-002': { severity: 'error', title: 'Name is not a valid TrainJob name' },
  'KTJ-NAME-003': { severity: 'warning', title: 'Object has generateName only: length limits cannot be checked' },
  'KTJ-NAME-004': { severity: 'error', title: 'Object has no name' },
  // Master and Worker.
  'KTJ-ROLE-001': { severity: 'info', title: 'Success semantics change: v2 needs every node to succeed' },
  'KTJ-ROLE-002': { severity: 'error', title: 'Master and Worker pods differ: Trainer v2 runs one pod template on every node' },
  'KTJ-ROLE-003': { severity: 'warning', title: 'Master and Worker resources differ: the larger value is used on every node' },
  'KTJ-ROLE-004': { severity: 'warning', title: 'Master and Worker restart policies differ' },
  'KTJ-ROLE-005': { severity: 'warning', title: 'Master and Worker pod labels or annotations differ: merged' },
  'KTJ-ROLE-006': { severity: 'info', title: 'Worker-only job: v2 now injects rank and master address' },
  // Containers.
  'KTJ-CTR-001': { severity: 'info', title: 'The training container (pytorch, jax, xgboost, ...) becomes container node' },
  'KTJ-CTR-002': { severity: 'info', title: 'v1 default port dropped: Trainer v2 uses port 29500' },
  'KTJ-CTR-003': { severity: 'info', title: 'Container setting carried in the generated TrainingRuntime' },
  'KTJ-CTR-004': { severity: 'warning', title: 'Extra container no longer receives the distributed environment' },
  'KTJ-CTR-005': { severity: 'info', title: 'Resource requests copied from limits (Trainer v2.0 numProcPerNode quirk)' },
  'KTJ-CTR-006': { severity: 'info', title: 'Custom container port carried in the generated TrainingRuntime' },
  'KTJ-CTR-007': { severity: 'info', title: 'Settings equal to the Kubernetes defaults dropped' },
  // Pod spec.
  'KTJ-POD-001': { severity: 'info', title: 'Pod setting carried through the TrainJob overrides or patches' },
  'KTJ-POD-002': { severity: 'info', title: 'Pod setting carried in the generated TrainingRuntime' },
  'KTJ-POD-003': { severity: 'warning', title: 'hostNetwork breaks the DNS name Trainer v2 uses for the master' },
  'KTJ-POD-004': { severity: 'warning', title: 'restartPolicy Always is not allowed for Job pods: OnFailure used' },
  'KTJ-POD-005': { severity: 'warning', title: 'restartPolicy ExitCode has no v2 equivalent: Never used' },
  'KTJ-POD-006': { severity: 'info', title: 'Pod template restartPolicy ignored: v1 let the replica restartPolicy override it' },
  'KTJ-POD-007': { severity: 'warning', title: 'Pod setting conflicts with how JobSet names and places pods' },
  'KTJ-POD-008': { severity: 'info', title: 'Pod template metadata field has no effect and is not carried' },
  'KTJ-POD-009': { severity: 'info', title: 'Pod selector on the v1 job-name label rewritten to the JobSet name label' },
  'KTJ-POD-010': { severity: 'warning', title: 'Pod selector term on a v1 replica label dropped: Trainer v2 pods have no replica labels' },
  // Runtime.
  'KTJ-RT-001': { severity: 'info', title: 'A TrainingRuntime is generated to carry what the TrainJob cannot express' },
  'KTJ-RT-002': { severity: 'warning', title: 'Runtime content unknown offline: the generated runtime is derived from the stock torch-distributed' },
  'KTJ-RT-003': { severity: 'info', title: 'Image entrypoint kept: the runtime command is removed in the generated runtime' },
  'KTJ-RT-004': { severity: 'error', title: 'Two generated runtimes with one name and different content in one stream' },
  // Run policy and scheduling.
  'KTJ-RUN-001': { severity: 'warning', title: 'cleanPodPolicy has no Trainer v2 equivalent' },
  'KTJ-RUN-002': { severity: 'warning', title: 'ttlSecondsAfterFinished has no Trainer v2 equivalent' },
  'KTJ-RUN-003': { severity: 'info', title: 'activeDeadlineSeconds mapped' },
  'KTJ-RUN-004': { severity: 'warning', title: 'backoffLimit mapped to the Job backoffLimit: it counts differently' },
  'KTJ-RUN-005': { severity: 'info', title: 'No backoffLimit: v1 retried without limit, a v2 Job fails after 6 retries' },
  'KTJ-RUN-006': { severity: 'info', title: 'managedBy mapped' },
  'KTJ-RUN-007': { severity: 'error', title: 'managedBy value has no Trainer v2 equivalent' },
  'KTJ-RUN-008': { severity: 'warning', title: 'activeDeadlineSeconds applies per child Job on this Trainer version' },
  'KTJ-SCHED-001': { severity: 'warning', title: 'Gang-scheduling setting has no Trainer v2 equivalent' },
  'KTJ-SCHED-002': { severity: 'info', title: 'Volcano queue carried in the generated TrainingRuntime' },
  'KTJ-SCHED-003': { severity: 'info', title: 'priorityClass carried as the pod priorityClassName' },
  'KTJ-SCHED-004': { severity: 'warning', title: 'Volcano queue cannot be expressed on this Trainer version' },
  'KTJ-KUEUE-001': { severity: 'info', title: 'Kueue labels carried on the TrainJob' },
  'KTJ-KUEUE-002': { severity: 'warning', title: 'Kueue 0.17+ does not admit TrainJobs of this Trainer version' },
  // Elastic training.
  'KTJ-ELASTIC-001': { severity: 'error', title: 'Elastic training (a node count that can change) is not supported by Trainer v2' },
  'KTJ-ELASTIC-002': { severity: 'warning', title: 'Elastic HPA metrics dropped' },
  'KTJ-ELASTIC-003': { severity: 'info', title: 'Fixed-size elasticPolicy (min = max, no metrics) converted to a fixed numNodes' },
  'KTJ-ELASTIC-004': { severity: 'info', title: 'Elastic rendezvous settings replaced by Trainer v2 static rendezvous' },
  'KTJ-ELASTIC-005': { severity: 'info', title: 'elasticPolicy.maxRestarts carried as PET_MAX_RESTARTS (torchrun), or not carried without torchrun' },
  'KTJ-ELASTIC-006': { severity: 'warning', title: 'Fixed elastic size differs from the replicas the job declares' },
  // Processes per node.
  'KTJ-NPROC-001': { severity: 'info', title: 'nprocPerNode mapped to numProcPerNode' },
  'KTJ-NPROC-002': { severity: 'warning', title: 'nprocPerNode "cpu" cannot be expressed: auto is used' },
  'KTJ-NPROC-003': { severity: 'info', title: 'nprocPerNode "gpu" becomes auto (the same on GPU nodes)' },
  'KTJ-NPROC-004': { severity: 'info', title: 'auto without GPUs now means the CPU request, not the host CPU count' },
  'KTJ-NPROC-005': { severity: 'warning', title: 'Deprecated elasticPolicy.nProcPerNode mapped to numProcPerNode' },
  // The environment contract.
  'KTJ-ENV-001': { severity: 'warning', title: 'Entrypoint relied on v1 env (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT): compatibility env added' },
  'KTJ-ENV-002': { severity: 'warning', title: 'Command or args expand v1-only variables: compatibility env added' },
  'KTJ-ENV-003': { severity: 'warning', title: 'Hard-coded v1 rendezvous port: Trainer v2 uses 29500' },
  'KTJ-ENV-004': { severity: 'warning', title: 'User-set PET_* variable removed: reserved by Trainer v2, or a rendezvous setting its static rendezvous replaces' },
  'KTJ-ENV-005': { severity: 'info', title: 'PYTHONUNBUFFERED=1 added, as v1 injected it' },
  'KTJ-ENV-006': { severity: 'warning', title: 'torchrun rendezvous backend without endpoint: v1 supplied PET_RDZV_ENDPOINT' },
  'KTJ-ENV-007': { severity: 'warning', title: 'Reference to a v1 pod or Service name that does not exist under Trainer v2' },
  'KTJ-ENV-008': { severity: 'warning', title: 'Entrypoint relied on v1 env but the compatibility env is disabled' },
  'KTJ-ENV-009': { severity: 'info', title: 'PET_NPROC_PER_NODE set by the user mapped to numProcPerNode' },
  'KTJ-ENV-010': { severity: 'warning', title: 'User-set RANK, WORLD_SIZE, MASTER_ADDR or MASTER_PORT removed: v1 overrode it with its own value' },
  'KTJ-ENV-011': { severity: 'info', title: 'Env fieldRef on a v1 pod label rewritten to the Trainer v2 equivalent' },
  'KTJ-ENV-012': { severity: 'warning', title: 'Env fieldRef on a v1 pod label with no Trainer v2 equivalent resolves to ""' },
  'KTJ-ENV-013': { severity: 'warning', title: 'User-set variable removed: the kind\'s Trainer v2 runtime sets it' },
  'KTJ-ENV-014': { severity: 'info', title: 'Variables v1 injected rebuilt with their Trainer v2 values (env shim)' },
  // Other v1 kinds.
  'KTJ-KIND-001': { severity: 'error', title: 'The target Trainer version lacks the runtime or API this v1 kind needs' },
  'KTJ-POD-011': { severity: 'info', title: 'The kind\'s v1 default restartPolicy Never becomes the Trainer default OnFailure' },
  // MPIJob (kubeflow.org/v1 and mpi-operator's kubeflow.org/v2beta1).
  'KTJ-MPI-001': { severity: 'error', title: 'MPI implementation Trainer v2 does not run (only OpenMPI)' },
  'KTJ-MPI-002': { severity: 'warning', title: 'v1 reached the workers with kubectl exec; Trainer v2 uses SSH, so the worker must run an SSH server' },
  'KTJ-MPI-003': { severity: 'info', title: 'slotsPerWorker becomes numProcPerNode (hostfile slots)' },
  'KTJ-MPI-004': { severity: 'warning', title: 'Variable set by Trainer v2\'s MPI plugin (reserved) or by the v1 operator removed from the launcher' },
  'KTJ-MPI-005': { severity: 'info', title: 'Launcher kept as an MPI node (runLauncherAsNode)' },
  'KTJ-MPI-006': { severity: 'warning', title: 'launcherCreationPolicy: when the launcher starts changes' },
  'KTJ-MPI-007': { severity: 'info', title: 'Launcher and worker pod templates kept apart in the generated runtime' },
  'KTJ-MPI-008': { severity: 'info', title: 'mainContainer names the worker container that becomes node' },
  'KTJ-MPI-009': { severity: 'warning', title: 'No workers: Trainer v2 still starts one node pod' },
  'KTJ-MPI-010': { severity: 'info', title: 'Variable the v1 operator injected set again in the generated runtime' },
  'KTJ-MPI-011': { severity: 'info', title: 'Deprecated spec.cleanPodPolicy read as runPolicy.cleanPodPolicy' },
  'KTJ-MPI-012': { severity: 'info', title: 'The job fits the stock MPI runtime as it is: no generated runtime' },
  'KTJ-XGB-001': { severity: 'warning', title: 'XGBoost workers per node follow the GPU count in Trainer v2' },
  // TFJob (no stock runtime: TF_CONFIG is rebuilt per pod from the completion index).
  'KTJ-TF-001': { severity: 'error', title: 'TFJob role layout not converted: Chief, Master, PS or Evaluator pods without Workers' },
  'KTJ-TF-002': { severity: 'info', title: 'TF_CONFIG rebuilt for the Trainer v2 pods (cluster spec from JobSet host names, task index from the completion index)' },
  'KTJ-TF-003': { severity: 'warning', title: 'enableDynamicWorker: a failed worker now fails the TrainJob' },
  'KTJ-TF-004': { severity: 'info', title: 'Single-pod TFJob: no TF_CONFIG, as in v1' },
  'KTJ-TF-005': { severity: 'warning', title: 'JOB_COMPLETION_INDEX set by the user: TF_CONFIG reads the task index from it' },
  'KTJ-TF-006': { severity: 'info', title: 'Replica type with 0 replicas: its pod template is not carried' },
  'KTJ-TF-007': { severity: 'info', title: 'Chief/Master, PS or Evaluator pods: the JobSet successPolicy ends the TrainJob as v1 ended the TFJob' },
  // PaddleJob (no stock runtime: the PADDLE_* variables v1 injected are set on the TrainJob).
  'KTJ-PADDLE-001': { severity: 'error', title: 'Parameter-server PaddleJob not converted: Master replicas other than 1, or no Worker' },
  'KTJ-PADDLE-002': { severity: 'info', title: 'Collective PaddleJob with several Workers: worker 0 (the rendezvous server) runs in a replicated Job of its own' },
  'KTJ-PADDLE-003': { severity: 'info', title: 'PADDLE_* variables v1 injected set on the TrainJob' },
  'KTJ-PADDLE-004': { severity: 'error', title: 'Elastic PaddleJob: Trainer v2 has no elastic training' },
  'KTJ-PADDLE-005': { severity: 'info', title: 'Parameter-server PaddleJob: the Master runs in a replicated Job of its own and ends the job' },
} as const satisfies Record<string, FindingCodeInfo>;

/** A known finding code. */
export type FindingCode = keyof typeof FINDING_CODES;

/** Builds a finding with the code's default severity (or the one given). */
export function finding(code: FindingCode, path: string, message: string, hint?: string, severity?: Severity): Finding {
  const f: Finding = { code, severity: severity ?? FINDING_CODES[code].severity, path, message };
  if (hint !== undefined) f.hint = hint;
  return f;
}
