// Reads the facts behind the readiness checks from the cluster. Every read that may be forbidden goes
// through `guard`, so a 403 becomes a Denied fact (reported as "not permitted to check") instead of
// an error: a namespace-scoped user gets every check it may run and never a crash.
import { isForbidden, isNotFound, KubeApiError, mapConcurrent, Resources, type Cluster, type KubeObject, type ResourceRef } from '../cluster/index.js';
import type { BindingFact, CrdFact, Denied, DeploymentFact, DeploymentSearch, KueueFact, PermissionFact, RuntimeFact, RuntimeUsage, WebhookFact, WebhookOwner } from './facts.js';
import { isDenied } from './facts.js';

/** The `kubectl auth can-i` line of a Forbidden error (the cluster layer puts it in the hint). */
export function canILine(e: KubeApiError): string {
  return /kubectl auth can-i .*/.exec(e.hint ?? '')?.[0] ?? e.message;
}

/** Runs a read; a 403 becomes a Denied fact carrying the can-i line, anything else propagates. */
export async function guard<T>(fn: () => Promise<T>): Promise<T | Denied> {
  try {
    return await fn();
  } catch (e) {
    if (isForbidden(e)) return { denied: canILine(e) };
    throw e;
  }
}

/** Reads a CRD; when CRDs are not readable (most non-admins) falls back to API discovery, which every authenticated user may read. */
export async function readCrd(cluster: Cluster, name: string, group: string, version: string, plural: string): Promise<CrdFact | Denied> {
  const crd = await guard(() => cluster.getCRD(name));
  if (!isDenied(crd)) {
    if (!crd) return { name, present: false, servedVersions: [], via: 'crd' };
    const versions = ((crd.spec as { versions?: Array<{ name: string; served?: boolean; storage?: boolean }> } | undefined)?.versions ?? []);
    const storage = versions.find((v) => v.storage)?.name;
    return { name, present: true, servedVersions: versions.filter((v) => v.served).map((v) => v.name), ...(storage ? { storageVersion: storage } : {}), via: 'crd' };
  }
  const found = await guard(() => cluster.discoverResource(group, version, plural));
  if (isDenied(found)) return crd;
  return { name, present: found !== undefined, servedVersions: found ? [version] : [], via: 'discovery' };
}

const WEBHOOK_GROUPS: Record<string, WebhookOwner> = { 'kubeflow.org': 'v1', 'trainer.kubeflow.org': 'v2', 'jobset.x-k8s.io': 'jobset' };
const WEBHOOK_CONFIG_NAMES: Record<string, WebhookOwner> = {
  'validator.training-operator.kubeflow.org': 'v1',
  'kubeflow-validator.training-operator.kubeflow.org': 'v1',
  'validator.trainer.kubeflow.org': 'v2',
  'defaulter.trainer.kubeflow.org': 'v2',
  'jobset-validating-webhook-configuration': 'jobset',
  'jobset-mutating-webhook-configuration': 'jobset',
};

interface RawWebhook {
  name?: string;
  failurePolicy?: string;
  clientConfig?: { caBundle?: string; url?: string; service?: { namespace?: string; name?: string } };
  rules?: Array<{ apiGroups?: string[] }>;
}

/** Which operator a webhook belongs to: by the API groups its rules cover, else by its configuration's known name. */
export function webhookOwner(configName: string, w: RawWebhook): WebhookOwner | undefined {
  for (const r of w.rules ?? []) for (const g of r.apiGroups ?? []) if (WEBHOOK_GROUPS[g]) return WEBHOOK_GROUPS[g];
  return WEBHOOK_CONFIG_NAMES[configName];
}

/** Counts ready endpoint addresses behind a Service: EndpointSlices first, then the legacy Endpoints object. */
async function readyEndpoints(cluster: Cluster, namespace: string, service: string): Promise<number | Denied> {
  const slices = await guard(() => cluster.listAll(Resources.endpointslices, { namespace, labelSelector: `kubernetes.io/service-name=${service}` }));
  if (!isDenied(slices) && slices.length > 0) {
    let n = 0;
    for (const s of slices) for (const ep of (s.endpoints as Array<{ addresses?: string[]; conditions?: { ready?: boolean } }> | undefined) ?? []) if (ep.conditions?.ready !== false) n += ep.addresses?.length ?? 1;
    return n;
  }
  const eps = await guard(() => cluster.tryGet(Resources.endpoints, service, namespace));
  if (isDenied(eps)) return isDenied(slices) ? slices : eps;
  let n = 0;
  for (const s of (eps?.subsets as Array<{ addresses?: unknown[] }> | undefined) ?? []) n += s.addresses?.length ?? 0;
  return n;
}

/** Lists every Validating/MutatingWebhookConfiguration and describes the webhooks of the three operators with their backends. */
export async function readWebhooks(cluster: Cluster): Promise<WebhookFact[] | Denied> {
  const facts: WebhookFact[] = [];
  for (const [ref, configKind] of [
    [Resources.validatingwebhookconfigurations, 'ValidatingWebhookConfiguration'],
    [Resources.mutatingwebhookconfigurations, 'MutatingWebhookConfiguration'],
  ] as const) {
    const configs = await guard(() => cluster.listAll(ref));
    if (isDenied(configs)) return configs;
    for (const cfg of configs) {
      const config = cfg.metadata?.name ?? '';
      for (const w of (cfg.webhooks as RawWebhook[] | undefined) ?? []) {
        const owner = webhookOwner(config, w);
        if (!owner) continue;
        const svc = w.clientConfig?.service;
        facts.push({
          owner,
          configKind,
          config,
          webhook: w.name ?? '',
          // failurePolicy defaults to Fail in admissionregistration/v1.
          failurePolicy: w.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
          caBundleSet: Boolean(w.clientConfig?.caBundle),
          ...(w.clientConfig?.url ? { url: w.clientConfig.url } : {}),
          ...(svc?.name ? { service: { namespace: svc.namespace ?? 'default', name: svc.name } } : {}),
        });
      }
    }
  }
  // One lookup per distinct Service, however many webhooks share it.
  const services = new Map<string, { exists: boolean | Denied; namespaceExists?: boolean; ready?: number | Denied }>();
  for (const f of facts) {
    if (!f.service) continue;
    const key = `${f.service.namespace}/${f.service.name}`;
    let s = services.get(key);
    if (!s) {
      const { namespace, name } = f.service;
      const got = await guard(() => cluster.tryGet(Resources.services, name, namespace));
      s = { exists: isDenied(got) ? got : got !== undefined };
      if (s.exists === false) {
        const ns = await guard(() => cluster.tryGet(Resources.namespaces, namespace));
        if (!isDenied(ns)) s.namespaceExists = ns !== undefined;
      } else if (s.exists === true) s.ready = await readyEndpoints(cluster, namespace, name);
      services.set(key, s);
    }
    f.serviceExists = s.exists;
    if (s.namespaceExists !== undefined) f.namespaceExists = s.namespaceExists;
    if (s.ready !== undefined) f.readyEndpoints = s.ready;
  }
  return facts;
}

/** Where each operator is installed by upstream overlays and by ODH/RHOAI (kubeflow-api.md §6), tried after the webhook's own Service. */
const KNOWN_DEPLOYMENTS: Record<WebhookOwner, Array<[string, string]>> = {
  v1: [
    ['kubeflow', 'training-operator'],
    ['redhat-ods-applications', 'kubeflow-training-operator'],
    ['opendatahub', 'kubeflow-training-operator'],
  ],
  v2: [
    ['kubeflow-system', 'kubeflow-trainer-controller-manager'],
    ['kubeflow', 'kubeflow-trainer-controller-manager'],
    ['redhat-ods-applications', 'kubeflow-trainer-controller-manager'],
    ['opendatahub', 'kubeflow-trainer-controller-manager'],
  ],
  jobset: [
    ['kubeflow-system', 'jobset-controller-manager'],
    ['jobset-system', 'jobset-controller-manager'],
    ['openshift-jobset-operator', 'jobset-controller-manager'],
  ],
};
/** Labels the upstream manifests put on each controller Deployment, for the search across namespaces. */
const DEPLOYMENT_LABELS: Record<WebhookOwner, string> = {
  v1: 'control-plane=kubeflow-training-operator',
  v2: 'app.kubernetes.io/name=trainer',
  jobset: 'app.kubernetes.io/name=jobset',
};

function deploymentFact(d: KubeObject, via: string): DeploymentFact {
  const status = (d.status ?? {}) as { replicas?: number; readyReplicas?: number; conditions?: Array<{ type?: string; status?: string; message?: string }> };
  const available = status.conditions?.find((c) => c.type === 'Available');
  const spec = d.spec as { replicas?: number; template?: { spec?: { serviceAccountName?: string } } } | undefined;
  return {
    namespace: d.metadata?.namespace ?? '',
    name: d.metadata?.name ?? '',
    available: available?.status === 'True',
    replicas: spec?.replicas ?? status.replicas ?? 1,
    readyReplicas: status.readyReplicas ?? 0,
    ...(available ? (available.message ? { detail: `Available=${available.status}: ${available.message}` } : available.status !== 'True' ? { detail: `Available=${available.status}` } : {}) : { detail: 'no Available condition (is the controller running?)' }),
    serviceAccount: spec?.template?.spec?.serviceAccountName ?? 'default',
    via,
  };
}

/** Finds an operator's Deployment: behind its webhook Service first, then by known names, then by label across namespaces. */
export async function findDeployment(cluster: Cluster, owner: WebhookOwner, webhooks: WebhookFact[] | Denied, extraNamespaces: string[] = []): Promise<DeploymentSearch> {
  const search: DeploymentSearch = { searched: [], denied: [] };
  const candidates: Array<[string, string, string]> = [];
  const add = (ns: string, name: string, via: string) => {
    if (!candidates.some(([n, m]) => n === ns && m === name)) candidates.push([ns, name, via]);
  };
  if (!isDenied(webhooks)) {
    for (const w of webhooks) {
      if (w.owner !== owner || !w.service) continue;
      // JobSet's webhook Service is jobset-webhook-service; its Deployment keeps the controller-manager name.
      add(w.service.namespace, owner === 'jobset' ? 'jobset-controller-manager' : w.service.name, `webhook ${w.config}`);
    }
  }
  for (const ns of extraNamespaces) if (owner === 'jobset') add(ns, 'jobset-controller-manager', 'Trainer namespace');
  for (const [ns, name] of KNOWN_DEPLOYMENTS[owner]) add(ns, name, 'known name');
  for (const [ns, name, via] of candidates) {
    search.searched.push(`${ns}/${name}`);
    const d = await guard(() => cluster.tryGet(Resources.deployments, name, ns));
    if (isDenied(d)) search.denied.push(d.denied);
    else if (d) {
      search.found = deploymentFact(d, via);
      return search;
    }
  }
  const label = DEPLOYMENT_LABELS[owner];
  search.searched.push(`label ${label} in all namespaces`);
  const page = await guard(async () => {
    for await (const p of cluster.list(Resources.deployments, { allNamespaces: true, labelSelector: label, limit: 10 })) return p.items;
    return [];
  });
  if (isDenied(page)) search.denied.push(page.denied);
  else if (page[0]) search.found = deploymentFact(page[0], `label ${label}`);
  return search;
}

/** Names of ClusterRoleBindings (and their ClusterRoles) of each operator: upstream, Helm-prefixed and RHOAI names. */
export function bindingOwner(b: KubeObject, serviceAccounts: Partial<Record<WebhookOwner, string>>): WebhookOwner | undefined {
  const names = [b.metadata?.name ?? '', (b.roleRef as { name?: string } | undefined)?.name ?? ''];
  if (names.some((n) => n === 'training-operator' || n.endsWith('-training-operator'))) return 'v1';
  if (names.some((n) => n.endsWith('trainer-controller-manager'))) return 'v2';
  const subjects = (b.subjects as Array<{ kind?: string; name?: string }> | undefined) ?? [];
  for (const owner of ['v1', 'v2'] as const) {
    const sa = serviceAccounts[owner];
    if (sa && sa !== 'default' && subjects.some((s) => s.kind === 'ServiceAccount' && s.name === sa)) return owner;
  }
  return undefined;
}

/** Lists ClusterRoleBindings and checks that every ServiceAccount subject of the operators' bindings exists. */
export async function readBindings(cluster: Cluster, serviceAccounts: Partial<Record<WebhookOwner, string>>): Promise<Record<'v1' | 'v2', BindingFact[]> | Denied> {
  const all = await guard(() => cluster.listAll(Resources.clusterrolebindings));
  if (isDenied(all)) return all;
  const out: Record<'v1' | 'v2', BindingFact[]> = { v1: [], v2: [] };
  for (const b of all) {
    const owner = bindingOwner(b, serviceAccounts);
    if (owner !== 'v1' && owner !== 'v2') continue;
    const subjects: BindingFact['subjects'] = [];
    for (const s of (b.subjects as Array<{ kind?: string; name?: string; namespace?: string }> | undefined) ?? []) {
      if (s.kind !== 'ServiceAccount' || !s.name) continue;
      const name = s.name;
      const ns = s.namespace;
      const exists = ns ? await guard(async () => (await cluster.tryGet(Resources.serviceaccounts, name, ns)) !== undefined) : false;
      subjects.push({ name, ...(ns ? { namespace: ns } : {}), exists });
    }
    out[owner].push({ binding: b.metadata?.name ?? '', roleRef: (b.roleRef as { name?: string } | undefined)?.name ?? '', subjects });
  }
  return out;
}

/** Lists ClusterTrainingRuntimes with their framework label. */
export async function readRuntimes(cluster: Cluster): Promise<RuntimeFact[] | Denied> {
  const all = await guard(() => cluster.listAll(Resources.clustertrainingruntimes));
  if (isDenied(all)) return all;
  return all.map((r) => {
    const framework = r.metadata?.labels?.['trainer.kubeflow.org/framework'];
    return { name: r.metadata?.name ?? '', ...(framework ? { framework } : {}) };
  });
}

/** Fills in `exists` for each runtime the converted jobs would reference (or derive their generated TrainingRuntimes from). */
export async function checkRuntimeUsage(cluster: Cluster, usage: RuntimeUsage[], runtimes: RuntimeFact[] | Denied, concurrency: number): Promise<void> {
  await mapConcurrent(usage, concurrency, async (u) => {
    if (u.kind === 'ClusterTrainingRuntime' && !isDenied(runtimes)) {
      u.exists = runtimes.some((r) => r.name === u.name);
      return;
    }
    const ref = u.kind === 'ClusterTrainingRuntime' ? Resources.clustertrainingruntimes : Resources.trainingruntimes;
    u.exists = await guard(async () => (await cluster.tryGet(ref, u.name, u.namespace)) !== undefined);
  });
}

/**
 * The permissions the migration of jobs of `kinds` needs in each namespace (required ones block, the rest are
 * advisory): list, get and (replace strategy) delete of each kind's resource, then the TrainJob writes.
 */
export function migrationPermissions(kinds: ReadonlyArray<{ plural: string }>): Array<Omit<PermissionFact, 'deniedIn' | 'checked'>> {
  const read = kinds.flatMap((k) => [
    { verb: 'list', resource: k.plural, group: 'kubeflow.org', required: true },
    { verb: 'get', resource: k.plural, group: 'kubeflow.org', required: true },
  ]);
  return [
    ...read,
    { verb: 'create', resource: 'trainjobs', group: 'trainer.kubeflow.org', required: true },
    { verb: 'patch', resource: 'trainjobs', group: 'trainer.kubeflow.org', required: true },
    { verb: 'create', resource: 'trainingruntimes', group: 'trainer.kubeflow.org', required: false },
    ...kinds.map((k) => ({ verb: 'delete', resource: k.plural, group: 'kubeflow.org', required: false })),
  ];
}

/** The permissions of migrating PyTorchJobs (what readiness asks when no job of another kind is in scope). */
export const MIGRATION_PERMISSIONS: ReadonlyArray<Omit<PermissionFact, 'deniedIn' | 'checked'>> = migrationPermissions([{ plural: 'pytorchjobs' }]);

/**
 * Runs the SelfSubjectAccessReviews of the migration. With -A one cluster-wide review per permission comes
 * first; only permissions not granted cluster-wide are asked per namespace (bounded concurrency), so an
 * admin costs one request per permission (6 for PyTorchJobs alone) however many namespaces hold jobs.
 */
export async function readPermissions(cluster: Cluster, namespaces: string[], allNamespaces: boolean, concurrency: number, permissions: ReadonlyArray<Omit<PermissionFact, 'deniedIn' | 'checked'>> = MIGRATION_PERMISSIONS): Promise<PermissionFact[]> {
  return Promise.all(
    permissions.map(async (p) => {
      const ask = async (namespace?: string) => {
        const r = await guard(() => cluster.selfSubjectAccessReview({ verb: p.verb, group: p.group, resource: p.resource, ...(namespace ? { namespace } : {}) }));
        return !isDenied(r) && r.allowed;
      };
      if (allNamespaces && (await ask())) return { ...p, deniedIn: [], checked: namespaces.length };
      if (allNamespaces && namespaces.length === 0) return { ...p, deniedIn: ['*'], checked: 0 };
      const allowed = await mapConcurrent(namespaces, concurrency, (ns) => ask(ns));
      return { ...p, deniedIn: namespaces.filter((_, i) => !allowed[i]), checked: namespaces.length };
    }),
  );
}

/** Whether Kueue's LocalQueue API is served (v1beta2 or v1beta1); undefined when discovery was forbidden. */
export async function kueueServed(cluster: Cluster): Promise<boolean | undefined> {
  let denied = false;
  for (const v of ['v1beta2', 'v1beta1']) {
    const r = await guard(() => cluster.discoverResource('kueue.x-k8s.io', v, 'localqueues'));
    if (isDenied(r)) denied = true;
    else if (r) return true;
  }
  return denied ? undefined : false;
}

/** Reads what Kueue needs for the queue labels found: its API, the LocalQueues, and the trainjob integration. */
export async function readKueue(cluster: Cluster, queues: Record<string, number>, trainerSchema: string | undefined, concurrency: number): Promise<KueueFact> {
  const fact: KueueFact = { queues, installed: false, localQueues: {}, ...(trainerSchema ? { trainerSchema } : {}) };
  if (Object.keys(queues).length === 0) return fact;
  let version: string | undefined;
  for (const v of ['v1beta2', 'v1beta1']) {
    const r = await guard(() => cluster.discoverResource('kueue.x-k8s.io', v, 'localqueues'));
    if (!isDenied(r) && r) {
      version = v;
      break;
    }
  }
  if (!version) return fact;
  fact.installed = true;
  const ref: ResourceRef = { group: 'kueue.x-k8s.io', version, plural: 'localqueues', kind: 'LocalQueue', namespaced: true };
  const keys = Object.keys(queues);
  const found = await mapConcurrent(keys, concurrency, async (key) => {
    const [ns, name] = key.split('/') as [string, string];
    return guard(async () => (await cluster.tryGet(ref, name, ns)) !== undefined);
  });
  keys.forEach((k, i) => (fact.localQueues[k] = found[i]!));
  const cm = await guard(() => cluster.tryGet(Resources.configmaps, 'kueue-manager-config', 'kueue-system'));
  if (!isDenied(cm) && cm) {
    const text = Object.values((cm.data as Record<string, string> | undefined) ?? {}).join('\n');
    if (text.includes('frameworks')) fact.trainJobFramework = text.includes('trainer.kubeflow.org/trainjob');
  }
  return fact;
}

/** True for "the resource type is not served" and for object 404s, which both mean "absent" to a check. */
export function isAbsent(e: unknown): boolean {
  return isNotFound(e) || (e instanceof KubeApiError && e.statusCode === 404);
}
