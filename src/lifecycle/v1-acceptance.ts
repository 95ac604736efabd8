// Can the v1 side take the jobs back? Rollback asks this before it deletes anything: each kind's CRD
// (PyTorchJob, XGBoostJob, ... at the version the job was read at) must be served, and no admission webhook
// for those resources may be dead with failurePolicy Fail (kubeflow-api.md §6.4: then every CREATE fails).
// A server-side dry-run create of each manifest is the final proof, since it runs the real admission chain.
import type { Cluster, KubeObject } from '../cluster/client.js';
import { isForbidden, isNotFound } from '../cluster/errors.js';
import { Resources, type ResourceRef } from '../cluster/resources.js';
import { CliError } from '../errors.js';
import { crdName, kindPlural, kindRef, V1_GROUP, v1JobKind } from '../live/kinds.js';

/** The parts of an admission webhook (validating or mutating) the diagnosis reads. */
export interface WebhookSpec {
  name?: string;
  failurePolicy?: string;
  clientConfig?: { service?: { namespace?: string; name?: string; port?: number }; url?: string };
  rules?: Array<{ apiGroups?: string[]; apiVersions?: string[]; resources?: string[]; operations?: string[] }>;
}

/** A webhook that intercepts v1 job creates, with where it lives. */
export interface MatchingWebhook {
  configuration: string;
  configurationKind: 'ValidatingWebhookConfiguration' | 'MutatingWebhookConfiguration';
  webhook: WebhookSpec;
}

/** What is known about the backend of a service-backed webhook. */
export interface BackendFacts {
  serviceExists: boolean;
  /** Ready endpoint addresses behind the service; undefined when they could not be read. */
  readyEndpoints?: number;
}

/** True when a webhook's rules cover CREATE of kubeflow.org/`version` `plural` (pytorchjobs at v1 unless told). */
export function matchesV1JobCreate(w: WebhookSpec, plural = 'pytorchjobs', version = 'v1'): boolean {
  const any = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);
  return (w.rules ?? []).some(
    (r) => any(r.apiGroups, V1_GROUP) && any(r.apiVersions, version) && ((r.resources ?? []).some((x) => x === '*' || x === '*/*' || x === plural)) && any(r.operations, 'CREATE'),
  );
}

/**
 * Judges one matching webhook: a problem sentence when it will reject every create (its service is
 * missing or has no ready endpoints and failurePolicy is Fail, the API default), else undefined.
 */
export function judgeWebhook(m: MatchingWebhook, backend: BackendFacts | undefined, kinds: readonly string[] = ['PyTorchJob']): string | undefined {
  const policy = m.webhook.failurePolicy ?? 'Fail';
  if (policy !== 'Fail') return undefined;
  const svc = m.webhook.clientConfig?.service;
  if (!svc || !backend) return undefined;
  const where = `service ${svc.namespace}/${svc.name}`;
  const who = `${m.configurationKind} ${m.configuration}, webhook ${m.webhook.name ?? '(unnamed)'} (failurePolicy: Fail)`;
  const what = `every ${kinds.join(' and ')} create will be rejected`;
  if (!backend.serviceExists) return `${who} calls ${where}, which does not exist: ${what}`;
  if (backend.readyEndpoints === 0) return `${who} calls ${where}, which has no ready endpoints (is Training Operator v1 scaled to 0?): ${what}`;
  return undefined;
}

/** The outcome of the acceptance check. */
export interface AcceptanceReport {
  ok: boolean;
  /** Reasons the v1 side cannot accept the jobs (each a sentence). */
  problems: string[];
  /** Things that could not be checked (e.g. webhook configurations not readable by this user). */
  notes: string[];
  /** The kinds checked (PyTorchJob when absent), for the refusal's wording. */
  kinds?: string[];
}

/** Thrown when rollback refuses because the v1 side cannot accept the jobs; exit code 4. */
export class V1NotAcceptingError extends CliError {
  /** `what` replaces the v1 side's wording (e.g. "cannot roll back" for jobs refused by their own plans). */
  constructor(report: AcceptanceReport, what?: string) {
    super(
      `${what ?? `the v1 side cannot accept ${(report.kinds ?? ['PyTorchJob']).map(kindPlural).join(', ')}`}, so nothing was changed:\n${report.problems.map((p) => `  - ${p}`).join('\n')}`,
      4,
      what === undefined
        ? 'Restore Training Operator v1 (its CRDs, and its controller behind the webhook), check with "kubectl trainjob readiness", then run rollback again. The TrainJobs were left in place.'
        : 'Fix the listed jobs (e.g. pass --backup-dir), or roll back the others by name.',
    );
  }
}

/** Where a manifest of a v1 kind is created: its kind at the version of its apiVersion; undefined for anything else. */
export function v1RefOf(manifest: KubeObject): ResourceRef | undefined {
  const k = v1JobKind(manifest.kind ?? '');
  if (!k) return undefined;
  const [group, version] = (manifest.apiVersion ?? '').split('/');
  if (group !== V1_GROUP || !version || !k.versions.includes(version)) return undefined;
  return kindRef(k, version);
}

/**
 * Checks that the cluster will accept the manifests' creates: each kind is served at its version, no webhook
 * for those resources with failurePolicy Fail lacks a backend, and a server-side dry-run create of each succeeds.
 */
export async function checkV1Acceptance(cluster: Cluster, manifests: readonly KubeObject[]): Promise<AcceptanceReport> {
  const problems: string[] = [];
  const notes: string[] = [];
  const refs = new Map<string, ResourceRef>();
  for (const m of manifests) {
    const ref = v1RefOf(m);
    if (ref) refs.set(`${ref.version}/${ref.plural}`, ref);
    else problems.push(`${m.metadata?.namespace}/${m.metadata?.name}: ${m.apiVersion ?? '?'} ${m.kind ?? '?'} is not a Training Operator v1 job kind this tool restores`);
  }
  const kinds = [...new Set([...refs.values()].map((r) => r.kind))];
  const report = (): AcceptanceReport => ({ ok: problems.length === 0, problems, notes, kinds });
  if (problems.length) return report();
  // Discovery rather than the CRD object: a namespace-scoped user may not read CRDs but can read discovery.
  for (const ref of refs.values()) {
    if (!(await cluster.discoverResource(ref.group, ref.version, ref.plural))) {
      problems.push(`the server does not serve ${ref.group}/${ref.version} ${ref.plural}: the ${ref.kind} CRD (${crdName(v1JobKind(ref.kind)!)}) is not installed`);
    }
  }
  if (problems.length) return report();
  for (const m of await matchingWebhooks(cluster, notes, [...refs.values()])) {
    const backend = await backendOf(cluster, m.webhook, notes);
    const problem = judgeWebhook(m, backend, m.kinds);
    if (problem) problems.push(problem);
  }
  // The dry run would fail for the same reason as a dead webhook; the diagnosis above says why, so skip it then.
  if (problems.length === 0) {
    for (const manifest of manifests) {
      try {
        await cluster.create(v1RefOf(manifest)!, manifest, { dryRun: true });
      } catch (e) {
        if (e instanceof CliError && (e as { reason?: string }).reason === 'AlreadyExists') continue;
        const meta = manifest.metadata ?? {};
        problems.push(`a server-side dry-run create of ${manifest.kind} ${meta.namespace}/${meta.name} failed: ${(e as Error).message}`);
      }
    }
  }
  return report();
}

async function matchingWebhooks(cluster: Cluster, notes: string[], refs: readonly ResourceRef[]): Promise<Array<MatchingWebhook & { kinds: string[] }>> {
  const out: Array<MatchingWebhook & { kinds: string[] }> = [];
  const what = [...new Set(refs.map((r) => kindPlural(r.kind)))].join(', ');
  const kinds: Array<[ResourceRef, MatchingWebhook['configurationKind']]> = [
    [Resources.validatingwebhookconfigurations, 'ValidatingWebhookConfiguration'],
    [Resources.mutatingwebhookconfigurations, 'MutatingWebhookConfiguration'],
  ];
  for (const [ref, kind] of kinds) {
    let configs: KubeObject[];
    try {
      configs = await cluster.listAll(ref);
    } catch (e) {
      if (!isForbidden(e)) throw e;
      notes.push(`cannot list ${kind}s (forbidden); relying on the server-side dry-run to prove that ${what} are accepted`);
      continue;
    }
    for (const c of configs) {
      for (const w of ((c as { webhooks?: WebhookSpec[] }).webhooks ?? [])) {
        const kinds = [...new Set(refs.filter((r) => matchesV1JobCreate(w, r.plural, r.version)).map((r) => r.kind))];
        if (kinds.length) out.push({ configuration: c.metadata?.name ?? '', configurationKind: kind, webhook: w, kinds });
      }
    }
  }
  return out;
}

async function backendOf(cluster: Cluster, w: WebhookSpec, notes: string[]): Promise<BackendFacts | undefined> {
  const svc = w.clientConfig?.service;
  if (!svc?.name || !svc.namespace) return undefined;
  try {
    const service = await cluster.tryGet(Resources.services, svc.name, svc.namespace);
    if (!service) return { serviceExists: false };
    // EndpointSlices are what the apiserver's webhook resolver uses since 1.33; Endpoints are the fallback for older servers.
    const slices = await cluster.listAll(Resources.endpointslices, { namespace: svc.namespace, labelSelector: `kubernetes.io/service-name=${svc.name}` });
    let ready = 0;
    for (const s of slices) for (const ep of ((s as { endpoints?: Array<{ addresses?: string[]; conditions?: { ready?: boolean } }> }).endpoints ?? [])) if (ep.conditions?.ready !== false) ready += ep.addresses?.length ?? 0;
    if (ready === 0 && slices.length === 0) {
      const eps = await cluster.tryGet(Resources.endpoints, svc.name, svc.namespace);
      for (const sub of ((eps as { subsets?: Array<{ addresses?: unknown[] }> } | undefined)?.subsets ?? [])) ready += sub.addresses?.length ?? 0;
    }
    return { serviceExists: true, readyEndpoints: ready };
  } catch (e) {
    if (isForbidden(e) || isNotFound(e)) {
      notes.push(`cannot read service ${svc.namespace}/${svc.name} behind webhook ${w.name}; relying on the server-side dry-run`);
      return undefined;
    }
    throw e;
  }
}
