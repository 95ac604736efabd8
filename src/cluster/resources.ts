/** Where a kind lives in the API: group, version, plural and scope (the inputs to every URL). */
export interface ResourceRef {
  /** API group; "" for the core group. */
  group: string;
  version: string;
  plural: string;
  kind: string;
  namespaced: boolean;
  /** Shown when the server does not serve the type (404 on the collection). */
  missingHint?: string;
}

const TRAINER_HINT = 'Is Trainer v2 installed? (kubectl get crd trainjobs.trainer.kubeflow.org)';
const TRAINING_OPERATOR_HINT = 'Is Training Operator v1 installed? (kubectl get crd pytorchjobs.kubeflow.org)';
const JOBSET_HINT = 'Is JobSet installed? Trainer v2 needs it (kubectl get crd jobsets.jobset.x-k8s.io)';

const v1Job = (kind: string, plural: string): ResourceRef => ({ group: 'kubeflow.org', version: 'v1', plural, kind, namespaced: true, missingHint: TRAINING_OPERATOR_HINT });

/** The kinds kubectl-trainjob reads or writes, keyed by a short stable name. */
export const Resources = {
  pytorchjobs: v1Job('PyTorchJob', 'pytorchjobs'),
  tfjobs: v1Job('TFJob', 'tfjobs'),
  mpijobs: v1Job('MPIJob', 'mpijobs'),
  xgboostjobs: v1Job('XGBoostJob', 'xgboostjobs'),
  paddlejobs: v1Job('PaddleJob', 'paddlejobs'),
  jaxjobs: v1Job('JAXJob', 'jaxjobs'),
  trainjobs: { group: 'trainer.kubeflow.org', version: 'v1alpha1', plural: 'trainjobs', kind: 'TrainJob', namespaced: true, missingHint: TRAINER_HINT },
  trainingruntimes: { group: 'trainer.kubeflow.org', version: 'v1alpha1', plural: 'trainingruntimes', kind: 'TrainingRuntime', namespaced: true, missingHint: TRAINER_HINT },
  clustertrainingruntimes: { group: 'trainer.kubeflow.org', version: 'v1alpha1', plural: 'clustertrainingruntimes', kind: 'ClusterTrainingRuntime', namespaced: false, missingHint: TRAINER_HINT },
  jobsets: { group: 'jobset.x-k8s.io', version: 'v1alpha2', plural: 'jobsets', kind: 'JobSet', namespaced: true, missingHint: JOBSET_HINT },
  deployments: { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true },
  services: { group: '', version: 'v1', plural: 'services', kind: 'Service', namespaced: true },
  endpoints: { group: '', version: 'v1', plural: 'endpoints', kind: 'Endpoints', namespaced: true },
  configmaps: { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap', namespaced: true },
  serviceaccounts: { group: '', version: 'v1', plural: 'serviceaccounts', kind: 'ServiceAccount', namespaced: true },
  namespaces: { group: '', version: 'v1', plural: 'namespaces', kind: 'Namespace', namespaced: false },
  endpointslices: { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', kind: 'EndpointSlice', namespaced: true },
  validatingwebhookconfigurations: { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false },
  mutatingwebhookconfigurations: { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false },
  customresourcedefinitions: { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false },
  clusterrolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false },
  rolebindings: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'rolebindings', kind: 'RoleBinding', namespaced: true },
} as const satisfies Record<string, ResourceRef>;

/** The short names of the kinds in the Resources table. */
export type ResourceName = keyof typeof Resources;

/** The `apiVersion` string of a resource (`v1` for core, `group/version` otherwise). */
export function apiVersionOf(ref: ResourceRef): string {
  return ref.group === '' ? ref.version : `${ref.group}/${ref.version}`;
}

/** The URL path of a collection or object: `/api/v1/namespaces/ns/configmaps[/name]`. */
export function resourcePath(ref: ResourceRef, namespace: string | undefined, name?: string): string {
  const base = ref.group === '' ? `/api/${ref.version}` : `/apis/${ref.group}/${ref.version}`;
  const ns = ref.namespaced && namespace !== undefined ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  const n = name !== undefined ? `/${encodeURIComponent(name)}` : '';
  return `${base}${ns}/${ref.plural}${n}`;
}
