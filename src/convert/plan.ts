import type { Finding } from './findings.js';
import type { Container, JsonObject } from './model.js';
import type { SourceJob } from './source.js';
import type { Target } from './targets/types.js';

/** Which runtime the TrainJob references, as chosen with --runtime and --runtime-kind. */
export interface RuntimeChoice {
  name: string;
  kind: 'ClusterTrainingRuntime' | 'TrainingRuntime';
  /** Set when no --runtime was given: then each v1 kind references its own stock runtime (torch-distributed for PyTorchJobs). */
  defaulted?: boolean;
}

/** The runtime one job references and what a generated TrainingRuntime is derived from. */
export interface RuntimeSelection {
  choice: RuntimeChoice;
  /** The content of `choice`: read from the cluster, else the target's stock runtime `stockName`. */
  base: JsonObject;
  /** Whether `base` is the tool's stock copy rather than the cluster's runtime. */
  derivedFromStock: boolean;
  /** The stock runtime of the kind (`torch-distributed`, `jax-distributed`, ...). */
  stockName: string;
  /**
   * Set for kinds Trainer ships no runtime for (TFJob, PaddleJob): `base` is kubectl-trainjob's plain
   * runtime (mlPolicy without a framework) and this says so, in the generated runtime's derived-from annotation.
   */
  synthetic?: string;
  /**
   * The base of a generated runtime's name when it is not `choice.name`: a runtime generated for MPIJobs from the
   * layout of the stock deepspeed-distributed runs the job's own MPI program, so it is named mpi-distributed-<hash>.
   */
  generatedName?: string;
}

/** One replicated Job of a generated runtime besides the trainer's (ConversionPlan.roleJobs). */
export interface RoleJob {
  /** The replicated Job's name: its pods are `<trainjob>-<name>-0-<index>.<trainjob>`. */
  name: string;
  /** Pods it runs (parallelism and completions of its Indexed Job). */
  pods: number;
  /** Its pod template (filled in once the TrainJob name is final). */
  pod: JsonObject;
}

/** Options of one conversion. Everything the core needs arrives here: it reads no file, env or clock. */
export interface ConvertOptions {
  target: Target;
  runtime: RuntimeChoice;
  /**
   * The content of the runtime the job references when known (read from a cluster): the chosen one, or
   * with a defaulted --runtime the job kind's stock runtime (SourceKind.defaultRuntime) as the cluster
   * has it. The target's stock copy is used otherwise. A generated TrainingRuntime is derived from it.
   */
  baseRuntime?: JsonObject;
  /** Appended to the v1 job's name to form the TrainJob's name. */
  suffix?: string;
  /** Namespace for objects that have none (from -n). */
  defaultNamespace?: string;
  /** Add the v1 environment compatibility variables where the entrypoint relied on them (default true). */
  envShim: boolean;
  /** Emit the TrainJob even when error findings say the result may behave differently. */
  force: boolean;
  /** The tool version stamped into provenance annotations. */
  toolVersion: string;
  /** Where the object came from, for provenance and findings (`file.yaml#2`). */
  source?: string;
}

/** The version-neutral description of the TrainJob to build, filled in by the rules. */
export interface ConversionPlan {
  job: SourceJob;
  /** Where the v1 replica specs are (`spec.pytorchReplicaSpecs`): the path of findings about all roles at once. */
  replicaSpecsPath: string;
  /** The runtime the TrainJob references (or a generated one is derived from). */
  runtime: RuntimeSelection;
  /** Final TrainJob name (PyTorchJob name plus suffix), or undefined when only generateName is set. */
  name?: string;
  generateName?: string;
  namespace?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  suspend?: boolean;
  managedBy?: string;
  activeDeadlineSeconds?: number;
  numNodes: number;
  trainer: {
    image: string;
    command?: unknown[];
    args?: unknown[];
    env: JsonObject[];
    numProcPerNode?: number | string;
    resourcesPerNode?: JsonObject;
  };
  /** Pod template metadata to carry (labels and annotations). */
  podMetadata: { labels?: Record<string, string>; annotations?: Record<string, string> };
  /** Pod spec fields to carry, except containers (the node container and sidecars are below). */
  podSpec: JsonObject;
  /** Fields of the `node` container not carried by `trainer` (volumeMounts, securityContext, probes, ...). */
  nodeContainer: JsonObject;
  /** Whether the node container must not inherit the runtime's command/args (image entrypoint kept). */
  clearRuntimeEntrypoint: { command: boolean; args: boolean };
  /** Containers other than the training container. */
  sidecars: Container[];
  /** Pod restartPolicy when it is not the JobSet default OnFailure. */
  restartPolicy?: string;
  /** Fields of the child Job spec (backoffLimit, activeDeadlineSeconds). */
  jobSpec: JsonObject;
  /** Annotations on the JobSet template (for example the Volcano queue). */
  jobSetAnnotations: Record<string, string>;
  /** podGroupPolicy for the generated runtime. */
  podGroupPolicy?: JsonObject;
  /** Why a generated TrainingRuntime is required whatever the target (sidecars, init containers, ...). */
  runtimeReasons: string[];
  /**
   * Whole pod templates of replicated Jobs by name (and Job settings for Jobs other than the trainer one), set as
   * they are in the generated TrainingRuntime in place of the base runtime's: for kinds whose roles keep pods of
   * their own (MPIJob's `launcher` and `node`).
   */
  podTemplates?: Record<string, { pod: JsonObject; jobSpec?: JsonObject }>;
  /**
   * Replicated Jobs the generated TrainingRuntime runs next to the trainer's, for kinds whose other roles have pods of
   * their own (TFJob's chief, ps, evaluator): each with its pod template and fixed pod count (Trainer scales only the
   * trainer Job by numNodes and leaves these as written). They get the trainer Job's Job settings (backoffLimit, ...).
   */
  roleJobs?: RoleJob[];
  /** The JobSet successPolicy of the generated runtime, where v1 finished the job on one role's success (TFJob's Chief). */
  successPolicy?: JsonObject;
  /** v1 settings with no v2 home, kept as an annotation so a rollback can restore them. */
  v1Settings: JsonObject;
  findings: Finding[];
}
