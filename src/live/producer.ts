// Who creates a live v1 job, read from what the cluster records on the object itself: its controlling
// owner, GitOps and release markers, and the field managers that wrote its spec. Pure and kind-agnostic
// (it reads only metadata), so every v1 kind (PyTorchJob, MPIJob, TFJob, ...) gets the same answer.
//
// Why it matters: a job whose producer still exists comes back after it is deleted (Argo CD/Flux sync,
// Helm upgrade, Katib's next trial) or is fought over; migrate --strategy replace and cleanup
// --delete-migrated refuse to delete such a job unless --force is given.

/** What kind of thing creates the job. `owner`, `gitops` and `release` producers recreate it; `client` ones do not. */
export type ProducerCategory = 'owner' | 'gitops' | 'release' | 'marker' | 'client' | 'unknown';

/** The producer of one live object. */
export interface Producer {
  /** What creates it, e.g. `Trial`, `Argo CD Application`, `Flux Kustomization`, `Helm release`, `Python SDK`. */
  kind: string;
  /** Which one: `namespace/name` of the owner/Application/Kustomization/release, or the field manager. */
  name: string;
  category: ProducerCategory;
  /** Where we read it: `ownerReferences (controller)`, `label kustomize.toolkit.fluxcd.io/name`, `managedFields manager ...`. */
  evidence: string;
  /** Whether it would recreate (or fight the deletion of) the job: replace and cleanup refuse to delete unless --force. */
  recreates: boolean;
  /** What to change so it stops creating v1 jobs. */
  action: string;
}

/** The metadata fields producer detection reads (a subset of ObjectMeta). */
export interface ProducerMeta {
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: Array<{ apiVersion?: string; kind?: string; name?: string; uid?: string; controller?: boolean }>;
  managedFields?: Array<{ manager?: string; operation?: string; subresource?: string; time?: string; fieldsV1?: unknown }>;
}

/** Label and annotation keys the detection reads (documented in docs/readiness.md). */
export const PRODUCER_KEYS = {
  argoTrackingId: 'argocd.argoproj.io/tracking-id',
  argoInstanceLabel: 'argocd.argoproj.io/instance',
  appInstance: 'app.kubernetes.io/instance',
  managedBy: 'app.kubernetes.io/managed-by',
  fluxKustomizationName: 'kustomize.toolkit.fluxcd.io/name',
  fluxKustomizationNamespace: 'kustomize.toolkit.fluxcd.io/namespace',
  fluxHelmName: 'helm.toolkit.fluxcd.io/name',
  fluxHelmNamespace: 'helm.toolkit.fluxcd.io/namespace',
  helmReleaseName: 'meta.helm.sh/release-name',
  helmReleaseNamespace: 'meta.helm.sh/release-namespace',
} as const;

const GIT_ACTION = 'Change the manifest in the Git source to a TrainJob (kubectl trainjob convert -f FILE), commit it, and let the controller sync; deleting the v1 job by hand is undone at the next sync.';

/** Actions for the controlling owners we know; any other owner gets a generic one. */
function ownerAction(kind: string, group: string, jobKind: string): string {
  if (kind === 'Trial' && group.startsWith('kubeflow.org')) return `Katib creates a ${jobKind} per trial from the Experiment's trialTemplate: switch the trialTemplate to a TrainJob (needs a Katib release with TrainJob trial support), or let the Experiment finish first.`;
  if (kind === 'AppWrapper') return `The AppWrapper wraps the ${jobKind}: replace the wrapped component by a TrainJob (kubectl trainjob convert reads AppWrappers) and re-create the AppWrapper.`;
  if (kind === 'Workflow' || kind === 'WorkflowRun' || kind === 'PipelineRun') return `A pipeline step creates the ${jobKind}: change the step (or pipeline component) to create a TrainJob; the next run would create a v1 job again.`;
  if (kind === 'Notebook') return `Code in the notebook creates the ${jobKind}: change it to the Kubeflow Trainer SDK (TrainerClient).`;
  return `${kind} controls the ${jobKind} and may re-create it: change what ${kind} creates to a TrainJob, or stop it, before deleting the v1 job.`;
}

/** Field managers we can name; anything else is reported by its manager name. */
function describeManager(manager: string, jobKind: string): Omit<Producer, 'name' | 'evidence'> {
  const m = manager.toLowerCase();
  if (m.startsWith('kubectl')) return { kind: 'kubectl', category: 'client', recreates: false, action: `Someone applied the ${jobKind} by hand: update the manifest they apply (kubectl trainjob convert -f FILE) and the runbooks that reference it.` };
  if (m.startsWith('openapi-generator') || m.includes('python') || m.startsWith('kubeflow-training') || m.startsWith('kubeflow-sdk')) {
    return { kind: 'Python SDK', category: 'client', recreates: false, action: 'Created through the Kubernetes Python client (the kubeflow-training SDK\'s TrainingClient): move that code to the Kubeflow Trainer SDK (kubeflow.trainer TrainerClient).' };
  }
  if (m === 'argocd-controller' || m === 'argocd-application-controller') return { kind: 'Argo CD', category: 'gitops', recreates: true, action: GIT_ACTION };
  if (m === 'kustomize-controller') return { kind: 'Flux', category: 'gitops', recreates: true, action: GIT_ACTION };
  if (m === 'helm-controller' || m === 'helm') return { kind: 'Helm', category: 'release', recreates: true, action: `Change the chart to render a TrainJob instead of the ${jobKind}, and upgrade the release.` };
  if (m.includes('katib')) return { kind: 'Katib', category: 'owner', recreates: true, action: ownerAction('Trial', 'kubeflow.org', jobKind) };
  if (m.startsWith('workflow-controller') || m.startsWith('argo') || m.includes('pipeline')) return { kind: 'pipeline', category: 'client', recreates: false, action: ownerAction('Workflow', '', jobKind) };
  if (m.startsWith('go-http-client') || m.startsWith('curl')) return { kind: 'HTTP client', category: 'client', recreates: false, action: `A program (${manager}) created the ${jobKind} through the API: change it to create TrainJobs.` };
  return { kind: 'client', category: 'client', recreates: false, action: `The client "${manager}" created the ${jobKind}: change it to create TrainJobs.` };
}

/**
 * Managers that only keep status or metadata up to date (the v1 operator, the garbage collector), and
 * `unknown` (the API server's name for a client that sent no User-Agent): never a usable creator.
 */
const BOOKKEEPING_MANAGERS = new Set(['training-operator', 'kube-controller-manager', 'kubectl-trainjob', 'unknown']);

/** The field manager that wrote the job's spec first (creation); status-subresource and bookkeeping managers are ignored. */
export function creatingManager(meta: ProducerMeta): string | undefined {
  const writers = (meta.managedFields ?? []).filter((f) => f.manager && !f.subresource && !BOOKKEEPING_MANAGERS.has(f.manager) && writesSpec(f.fieldsV1));
  if (writers.length === 0) return undefined;
  // Entries carry the time of their last change; the earliest is the closest we get to "who created it".
  writers.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
  return writers[0]!.manager;
}

function writesSpec(fields: unknown): boolean {
  // No fieldsV1 (older servers, trimmed objects): count the manager, we cannot tell more.
  return fields === undefined || (typeof fields === 'object' && fields !== null && 'f:spec' in fields);
}

function nsName(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** Parses Argo CD's tracking id `<app>:<group>/<kind>:<namespace>/<name>` into the Application name. */
function argoApp(trackingId: string): string {
  return trackingId.split(':')[0] ?? trackingId;
}

/**
 * Finds the producer of a live object. Order: the controlling owner, Flux (HelmRelease, then Kustomization),
 * Argo CD, Helm, `app.kubernetes.io/managed-by`, then the field manager that wrote its spec; `undefined`
 * when nothing is recorded. `jobKind` only words the action (`PyTorchJob`, `MPIJob`, ...).
 */
export function detectProducer(meta: ProducerMeta | undefined, jobKind = 'PyTorchJob'): Producer | undefined {
  if (!meta) return undefined;
  const labels = meta.labels ?? {};
  const ann = meta.annotations ?? {};
  const K = PRODUCER_KEYS;

  const owner = (meta.ownerReferences ?? []).find((o) => o.controller === true);
  if (owner?.kind && owner.name) {
    const group = (owner.apiVersion ?? '').split('/').length > 1 ? owner.apiVersion!.split('/')[0]! : '';
    return { kind: owner.kind, name: nsName(meta.namespace, owner.name), category: 'owner', evidence: `ownerReferences: controller ${owner.kind}${group ? `.${group}` : ''} ${owner.name}`, recreates: true, action: ownerAction(owner.kind, group, jobKind) };
  }
  const fluxHelm = labels[K.fluxHelmName];
  const fluxKs = labels[K.fluxKustomizationName];
  const argoId = ann[K.argoTrackingId];
  const argoLabel = labels[K.argoInstanceLabel];
  const instance = labels[K.appInstance];
  if (fluxHelm) {
    return { kind: 'Flux HelmRelease', name: nsName(labels[K.fluxHelmNamespace], fluxHelm), category: 'release', evidence: `label ${K.fluxHelmName}`, recreates: true, action: `Change the chart the HelmRelease installs to render a TrainJob instead of the ${jobKind} (kubectl trainjob convert the rendered manifest), then let Flux upgrade it.` };
  }
  if (fluxKs) {
    return { kind: 'Flux Kustomization', name: nsName(labels[K.fluxKustomizationNamespace], fluxKs), category: 'gitops', evidence: `label ${K.fluxKustomizationName}`, recreates: true, action: GIT_ACTION };
  }
  if (argoId) {
    return { kind: 'Argo CD Application', name: argoApp(argoId), category: 'gitops', evidence: `annotation ${K.argoTrackingId}`, recreates: true, action: GIT_ACTION };
  }
  if (argoLabel) {
    return { kind: 'Argo CD Application', name: argoLabel, category: 'gitops', evidence: `label ${K.argoInstanceLabel}`, recreates: true, action: GIT_ACTION };
  }
  const managedBy = labels[K.managedBy];
  if (ann[K.helmReleaseName] || managedBy?.toLowerCase() === 'helm') {
    const release = ann[K.helmReleaseName] ?? labels[K.appInstance] ?? 'unknown';
    return {
      kind: 'Helm release',
      name: nsName(ann[K.helmReleaseNamespace] ?? meta.namespace, release),
      category: 'release',
      evidence: ann[K.helmReleaseName] ? `annotation ${K.helmReleaseName}` : `label ${K.managedBy}=${managedBy}`,
      recreates: true,
      action: `Change the chart to render a TrainJob instead of the ${jobKind} and run helm upgrade; a helm upgrade of the old chart re-creates the v1 job.`,
    };
  }
  // Argo CD's default (label) tracking: app.kubernetes.io/instance without Helm's markers.
  if (instance && managedByRecorded(meta, 'argocd')) {
    return { kind: 'Argo CD Application', name: instance, category: 'gitops', evidence: `label ${K.appInstance} (Argo CD label tracking)`, recreates: true, action: GIT_ACTION };
  }
  if (managedBy) {
    return { kind: `managed-by ${managedBy}`, name: managedBy, category: 'marker', evidence: `label ${K.managedBy}=${managedBy}`, recreates: true, action: `The label says ${managedBy} manages this ${jobKind}: change what ${managedBy} creates to a TrainJob before deleting the v1 job (or --force if it no longer reconciles).` };
  }
  const manager = creatingManager(meta);
  if (manager) {
    const d = describeManager(manager, jobKind);
    return { ...d, name: manager, evidence: `managedFields manager ${manager}` };
  }
  return undefined;
}

function managedByRecorded(meta: ProducerMeta, prefix: string): boolean {
  return (meta.managedFields ?? []).some((f) => f.manager?.toLowerCase().startsWith(prefix));
}

/** The one-line key of a producer (`Argo CD Application ml-jobs`), for tables and grouping. */
export function producerLabel(p: Producer): string {
  return `${p.kind} ${p.name}`;
}

/** The refusal a destructive step gives for a job whose producer recreates it: names the producer, the fix and --force. */
export function producerRefusal(p: Producer, jobKind = 'PyTorchJob'): string {
  return `created by ${producerLabel(p)} (${p.evidence}), which would re-create or fight over the deleted ${jobKind}: ${p.action} Or pass --force to delete it anyway.`;
}
