// What the collectors read from the cluster, as plain data. The evaluators (evaluate.ts) turn these
// facts into check results without any I/O, so every decision is unit-testable.

/** A read the identity was not allowed to do; carries the `kubectl auth can-i ...` line to check it. */
export interface Denied {
  denied: string;
}

/** True when a fact is a denied read. */
export function isDenied(x: unknown): x is Denied {
  return typeof x === 'object' && x !== null && 'denied' in x && typeof (x as Denied).denied === 'string';
}

/** A CustomResourceDefinition as seen through the CRD itself or, for non-admins, API discovery. */
export interface CrdFact {
  name: string;
  present: boolean;
  servedVersions: string[];
  storageVersion?: string;
  /** `crd` when the CRD object was read, `discovery` when only API discovery was (no CRD read permission). */
  via: 'crd' | 'discovery';
}

/** An operator Deployment that was found, with its availability. */
export interface DeploymentFact {
  namespace: string;
  name: string;
  available: boolean;
  replicas?: number;
  readyReplicas?: number;
  /** Message of the Available condition, or why availability is unknown. */
  detail?: string;
  serviceAccount: string;
  /** How it was found: `webhook service`, `known name`, `label ...`. */
  via: string;
}

/** The search for an operator Deployment: what was found, where we looked, and what we could not look at. */
export interface DeploymentSearch {
  found?: DeploymentFact;
  /** `namespace/name` or `label ... in all namespaces`, in search order. */
  searched: string[];
  /** can-i lines of the reads that were forbidden. */
  denied: string[];
}

/** Which operator an admission webhook belongs to. */
export type WebhookOwner = 'v1' | 'v2' | 'jobset';

/** One webhook entry of a Validating/MutatingWebhookConfiguration, with what stands behind it. */
export interface WebhookFact {
  owner: WebhookOwner;
  configKind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  config: string;
  webhook: string;
  failurePolicy: 'Fail' | 'Ignore';
  caBundleSet: boolean;
  /** clientConfig.url, when the webhook is not backed by a Service. */
  url?: string;
  service?: { namespace: string; name: string };
  /** Whether the Service exists (a Denied when it could not be read). */
  serviceExists?: boolean | Denied;
  /** Whether the Service's namespace exists; only looked up when the Service is missing. */
  namespaceExists?: boolean;
  /** Ready endpoint addresses behind the Service (EndpointSlices, else Endpoints). */
  readyEndpoints?: number | Denied;
}

/** A ClusterRoleBinding of an operator and whether each ServiceAccount subject exists. */
export interface BindingFact {
  binding: string;
  roleRef: string;
  subjects: Array<{ name: string; namespace?: string; exists: boolean | Denied }>;
}

/** A ClusterTrainingRuntime and its framework label. */
export interface RuntimeFact {
  name: string;
  framework?: string;
}

/** How many jobs would reference one runtime after conversion. */
export interface RuntimeUsage {
  kind: 'ClusterTrainingRuntime' | 'TrainingRuntime';
  name: string;
  /** Namespace for TrainingRuntimes. */
  namespace?: string;
  /** Jobs in `jobs` that get a TrainingRuntime generated from this one (it must still exist: preview derives from it). */
  generated: number;
  jobs: number;
  /** Whether the runtime exists (undefined when not looked up, Denied when not readable). */
  exists?: boolean | Denied;
}

/** One permission the migration needs, and where it is denied. */
export interface PermissionFact {
  verb: string;
  resource: string;
  group: string;
  /** Needed for every migration (blocking) or only for some jobs/steps (advisory). */
  required: boolean;
  /** Namespaces in scope where it is denied (empty = allowed everywhere checked). */
  deniedIn: string[];
  /** Namespaces checked. */
  checked: number;
}

/** Jobs carrying a Kueue queue name, per namespace and queue, and what Kueue looks like. */
export interface KueueFact {
  /** `namespace/queue` → number of PyTorchJobs. */
  queues: Record<string, number>;
  /** Kueue's LocalQueue API is served (undefined when discovery failed). */
  installed: boolean;
  /** `namespace/queue` → whether the LocalQueue exists (Denied when not readable). */
  localQueues: Record<string, boolean | Denied>;
  /** Kueue's manager config enables trainer.kubeflow.org/trainjob (undefined when the config was not readable). */
  trainJobFramework?: boolean;
  trainerSchema?: string;
}

/** Streaming inventory counters of PyTorchJobs: states and dry-conversion outcomes. */
export interface InventoryFact {
  total: number;
  namespaces: Record<string, { total: number; running: number; suspended: number; finished: number; created: number; clean: number; warnings: number; refused: number }>;
  states: { running: number; suspended: number; finished: number; created: number };
  conversion: { clean: number; warnings: number; refused: number };
  /** A bounded sample of refused jobs with their first error. */
  refusedSample: Array<{ namespace: string; name: string; code: string; message: string }>;
  /** Pages requested (the request count grows with pages, not jobs). */
  pages: number;
  target: string;
}

/** One producer of PyTorchJobs in scope ("who creates your PyTorchJobs"), from src/live/producer.ts. */
export interface ProducerRow {
  kind: string;
  name: string;
  category: 'owner' | 'gitops' | 'release' | 'marker' | 'client' | 'unknown';
  /** Whether it would re-create deleted jobs (migrate --strategy replace and cleanup refuse without --force). */
  recreates: boolean;
  evidence: string;
  action: string;
  jobs: number;
  /** Jobs not finished or suspended (created, running, restarting). */
  active: number;
  namespaces: string[];
}
