// Generic object helpers for the harness: discovery-based paths, server-side apply, CRD waits.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseAllDocuments } from 'yaml';
import { KubeApiError, type KubeClient } from './kube-client.js';

/** A Kubernetes object as plain JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name?: string; namespace?: string; [k: string]: unknown };
  [k: string]: unknown;
}

/** Field manager the harness applies with, so tests can tell harness-owned fields apart. */
export const HARNESS_FIELD_MANAGER = 'ktj-test-harness';

/** Parses a (multi-document) YAML string into objects, skipping empty documents. */
export function parseYamlObjects(text: string): KubeObject[] {
  const objs: KubeObject[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
    const value = doc.toJS() as KubeObject | null;
    if (value) objs.push(value);
  }
  return objs;
}

/** Reads a YAML file of one or more objects. */
export function readYamlObjects(file: string): KubeObject[] {
  return parseYamlObjects(readFileSync(file, 'utf8'));
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

function groupVersionPath(apiVersion: string): string {
  return apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
}

/** Finds the plural resource and scope for a kind through discovery (uncached: CRDs come and go during a run). */
export async function resolveResource(client: KubeClient, apiVersion: string, kind: string): Promise<ApiResource> {
  const gvPath = groupVersionPath(apiVersion);
  const res = await client.request<{ resources?: ApiResource[] }>('GET', gvPath);
  const found = res.status === 200 ? res.body.resources?.find((r) => r.kind === kind && !r.name.includes('/')) : undefined;
  if (!found) throw new Error(`the server does not serve kind ${kind} in ${apiVersion} (GET ${gvPath} -> ${res.status}); is its CRD installed?`);
  return found;
}

/** API path of an object (collection path when it has no name). */
export async function objectPath(client: KubeClient, obj: KubeObject, namespace?: string): Promise<string> {
  const r = await resolveResource(client, obj.apiVersion, obj.kind);
  const ns = obj.metadata.namespace ?? namespace;
  if (r.namespaced && !ns) throw new Error(`${obj.kind}/${obj.metadata.name}: namespaced kind needs a namespace`);
  const base = `${groupVersionPath(obj.apiVersion)}${r.namespaced ? `/namespaces/${ns}` : ''}/${r.name}`;
  return obj.metadata.name ? `${base}/${obj.metadata.name}` : base;
}

/** Server-side applies one object (force, harness field manager) and returns what the server stored. */
export async function serverSideApply(client: KubeClient, obj: KubeObject, opts: { namespace?: string; dryRun?: boolean } = {}): Promise<KubeObject> {
  const namespaced = { ...obj, metadata: { ...obj.metadata } };
  const r = await resolveResource(client, obj.apiVersion, obj.kind);
  if (r.namespaced && !namespaced.metadata.namespace && opts.namespace) namespaced.metadata.namespace = opts.namespace;
  const path = await objectPath(client, namespaced);
  return client.ok<KubeObject>('PATCH', path, {
    body: namespaced,
    contentType: 'application/apply-patch+yaml',
    query: { fieldManager: HARNESS_FIELD_MANAGER, force: 'true', dryRun: opts.dryRun ? 'All' : undefined },
  });
}

/**
 * Creates or fully replaces an object (PUT with the current resourceVersion). Used for CRDs, where
 * replacing one Trainer version's schema with another's must not merge the two.
 */
export async function createOrReplace(client: KubeClient, obj: KubeObject): Promise<KubeObject> {
  const path = await objectPath(client, obj);
  const current = await client.request<KubeObject>('GET', path);
  if (current.status === 404) {
    const collection = path.slice(0, path.lastIndexOf('/'));
    return client.ok<KubeObject>('POST', collection, { body: obj });
  }
  if (current.status !== 200) throw new KubeApiError('GET', path, current);
  const body = { ...obj, metadata: { ...obj.metadata, resourceVersion: current.body.metadata.resourceVersion } };
  const res = await client.request<KubeObject>('PUT', path, { body });
  if (res.status === 409) return createOrReplace(client, obj); // someone else updated it meanwhile
  if (res.status < 200 || res.status >= 300) throw new KubeApiError('PUT', path, res);
  return res.body;
}

/** Polls `check` every 100 ms until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function pollUntil<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    }
    await sleep(100);
  }
}

/**
 * Waits until a CRD is Established and its resource appears in discovery (envtest crd.go
 * WaitForCRDs); only then do creates of its kind stop failing with 404.
 */
export async function waitForCrd(client: KubeClient, crd: KubeObject, timeoutMs = 30_000): Promise<void> {
  const spec = crd.spec as { group: string; names: { plural: string }; versions: { name: string; served: boolean }[] };
  await pollUntil(`CRD ${crd.metadata.name} Established`, timeoutMs, async () => {
    const cur = await client.ok<{ status?: { conditions?: { type: string; status: string }[] } }>(
      'GET', `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
    return cur.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True') ? true : undefined;
  });
  for (const v of spec.versions.filter((x) => x.served)) {
    await pollUntil(`discovery of ${spec.group}/${v.name} ${spec.names.plural}`, timeoutMs, async () => {
      const res = await client.request<{ resources?: { name: string }[] }>('GET', `/apis/${spec.group}/${v.name}`);
      return res.status === 200 && res.body.resources?.some((r) => r.name === spec.names.plural) ? true : undefined;
    });
  }
}
