import type { Cluster, KubeObject } from './client.js';
import { isForbidden, KubeApiError } from './errors.js';
import { Resources } from './resources.js';

/** The TrainJob schema generations this tool can target (all are trainer.kubeflow.org/v1alpha1). */
export type TrainerSchema = 'v2.0' | 'v2.1' | 'v2.2' | 'v2.3';

/** What the cluster's Trainer looks like: the schema decides; the reported version is information only. */
export interface TrainerDiscovery {
  /** The schema generation read from the installed CRDs; undefined when Trainer v2 is not installed or unreadable. */
  schema: TrainerSchema | undefined;
  /** One line per observation that led to the answer, for `readiness` and `-v` output. */
  evidence: string[];
  /** `data.kubeflow_trainer_version` of ConfigMap kubeflow-trainer-public (v2.2+), if readable. */
  reportedVersion?: string;
  /** The namespace the reported version was read from. */
  reportedNamespace?: string;
  /** True when the pre-release `trainjobs.kubeflow.org` (v2alpha1) CRD is installed. */
  legacyTrainJobs?: boolean;
}

/** Loose JSON-schema node: only `properties` and `$ref` matter here. */
interface SchemaNode {
  properties?: Record<string, SchemaNode>;
  $ref?: string;
  allOf?: SchemaNode[];
}

const TRAINJOB_CRD = 'trainjobs.trainer.kubeflow.org';
const TRAININGRUNTIME_CRD = 'trainingruntimes.trainer.kubeflow.org';
const LEGACY_TRAINJOB_CRD = 'trainjobs.kubeflow.org';
const PUBLIC_CONFIGMAP = 'kubeflow-trainer-public';
const TRAINER_VWC = 'validator.trainer.kubeflow.org';
/** Where Trainer is installed by upstream overlays and by ODH/RHOAI, tried after the webhook's own namespace. */
const TRAINER_NAMESPACES = ['kubeflow-system', 'kubeflow', 'opendatahub', 'redhat-ods-applications'];

/** Follows a path of property names through a schema, resolving local `$ref`s through `components`. */
export function schemaAt(root: SchemaNode | undefined, path: string[], components: Record<string, SchemaNode> = {}): SchemaNode | undefined {
  let cur = root;
  for (const key of path) {
    cur = deref(cur, components);
    cur = cur?.properties?.[key] ?? cur?.allOf?.map((s) => deref(s, components)?.properties?.[key]).find(Boolean);
    if (!cur) return undefined;
  }
  return deref(cur, components);
}

function deref(node: SchemaNode | undefined, components: Record<string, SchemaNode>): SchemaNode | undefined {
  if (!node?.$ref) return node;
  const name = node.$ref.split('/').pop() ?? '';
  return components[name];
}

/** The openAPIV3Schema of a CRD's served version (v1alpha1 for Trainer), or undefined. */
export function crdVersionSchema(crd: KubeObject | undefined, version = 'v1alpha1'): SchemaNode | undefined {
  const versions = (crd?.spec as { versions?: Array<{ name?: string; schema?: { openAPIV3Schema?: SchemaNode } }> } | undefined)?.versions ?? [];
  return versions.find((v) => v.name === version)?.schema?.openAPIV3Schema;
}

/**
 * Decides the TrainJob schema generation from schemas (pure): runtimePatches + activeDeadlineSeconds ⇒ v2.2,
 * and then mlPolicy.torch.envInjection in the runtime schema ⇒ v2.3; podTemplateOverrides ⇒ v2.1; podSpecOverrides ⇒ v2.0.
 */
export function trainerSchemaFrom(
  trainJob: SchemaNode | undefined,
  runtime: SchemaNode | undefined,
  components: Record<string, SchemaNode> = {},
): { schema: TrainerSchema | undefined; evidence: string[] } {
  const evidence: string[] = [];
  const spec = schemaAt(trainJob, ['spec'], components);
  if (!spec) return { schema: undefined, evidence: ['TrainJob schema has no spec properties'] };
  const has = (field: string): boolean => schemaAt(spec, [field], components) !== undefined;
  if (has('runtimePatches') && has('activeDeadlineSeconds')) {
    evidence.push('TrainJob schema has spec.runtimePatches and spec.activeDeadlineSeconds (v2.2+)');
    if (runtime === undefined) {
      evidence.push('TrainingRuntime schema not readable; cannot tell v2.3 from v2.2, assuming v2.2');
      return { schema: 'v2.2', evidence };
    }
    if (schemaAt(runtime, ['spec', 'mlPolicy', 'torch', 'envInjection'], components)) {
      evidence.push('TrainingRuntime schema has spec.mlPolicy.torch.envInjection (v2.3+)');
      return { schema: 'v2.3', evidence };
    }
    evidence.push('TrainingRuntime schema has no spec.mlPolicy.torch.envInjection (not v2.3)');
    return { schema: 'v2.2', evidence };
  }
  if (has('podTemplateOverrides')) {
    evidence.push('TrainJob schema has spec.podTemplateOverrides (v2.1)');
    return { schema: 'v2.1', evidence };
  }
  if (has('podSpecOverrides')) {
    evidence.push('TrainJob schema has spec.podSpecOverrides (v2.0)');
    return { schema: 'v2.0', evidence };
  }
  evidence.push('TrainJob schema has none of runtimePatches, podTemplateOverrides, podSpecOverrides: unknown generation');
  return { schema: undefined, evidence };
}

/** Returns the CRD, undefined when absent, or 'forbidden' when the caller may not read CRDs (common for non-admins). */
async function readCRD(cluster: Cluster, name: string): Promise<KubeObject | undefined | 'forbidden'> {
  try {
    return await cluster.getCRD(name);
  } catch (e) {
    if (isForbidden(e)) return 'forbidden';
    throw e;
  }
}

/** Reads the TrainJob and TrainingRuntime schemas from the published OpenAPI v3 document (readable by any authenticated user). */
async function schemasFromOpenAPI(cluster: Cluster): Promise<{ trainJob?: SchemaNode; runtime?: SchemaNode; components: Record<string, SchemaNode> } | undefined> {
  try {
    const doc = await cluster.getPath<{ components?: { schemas?: Record<string, SchemaNode> } }>('/openapi/v3/apis/trainer.kubeflow.org/v1alpha1');
    const components = doc.components?.schemas ?? {};
    const find = (kind: string): SchemaNode | undefined => Object.entries(components).find(([k]) => k.endsWith(`.v1alpha1.${kind}`))?.[1];
    const trainJob = find('TrainJob');
    const runtime = find('TrainingRuntime');
    return { ...(trainJob ? { trainJob } : {}), ...(runtime ? { runtime } : {}), components };
  } catch (e) {
    if ((e instanceof KubeApiError && e.statusCode === 404) || isForbidden(e)) return undefined;
    throw e;
  }
}

/**
 * Discovers the installed Trainer v2 from its CRD schemas (falling back to the published OpenAPI when CRDs are not
 * readable), reads the self-reported version ConfigMap where permitted, and notes the legacy trainjobs.kubeflow.org CRD.
 */
export async function discoverTrainer(cluster: Cluster): Promise<TrainerDiscovery> {
  const evidence: string[] = [];
  const result: TrainerDiscovery = { schema: undefined, evidence };

  const legacy = await readCRD(cluster, LEGACY_TRAINJOB_CRD);
  const legacyPresent = legacy === 'forbidden' ? (await cluster.discoverResource('kubeflow.org', 'v2alpha1', 'trainjobs')) !== undefined : legacy !== undefined;
  if (legacyPresent) {
    result.legacyTrainJobs = true;
    evidence.push(`legacy ${LEGACY_TRAINJOB_CRD} (v2alpha1, Training Operator v1.9.0-v1.9.2 pre-release) is installed: "kubectl get trainjob" is ambiguous`);
  }

  const crd = await readCRD(cluster, TRAINJOB_CRD);
  if (crd === undefined) {
    evidence.push(`${TRAINJOB_CRD} not installed`);
    return result;
  }
  if (crd === 'forbidden') {
    evidence.push(`not allowed to read CRD ${TRAINJOB_CRD}; using the server's OpenAPI v3 document`);
    const api = await schemasFromOpenAPI(cluster);
    if (!api?.trainJob) {
      evidence.push(`${TRAINJOB_CRD} not served (no TrainJob in /openapi/v3/apis/trainer.kubeflow.org/v1alpha1)`);
      return result;
    }
    const decided = trainerSchemaFrom(api.trainJob, api.runtime, api.components);
    result.schema = decided.schema;
    evidence.push(...decided.evidence);
  } else {
    const runtimeCrd = await readCRD(cluster, TRAININGRUNTIME_CRD);
    const runtime = runtimeCrd === 'forbidden' || runtimeCrd === undefined ? undefined : crdVersionSchema(runtimeCrd);
    if (runtimeCrd === undefined) evidence.push(`${TRAININGRUNTIME_CRD} not installed`);
    const decided = trainerSchemaFrom(crdVersionSchema(crd), runtime);
    result.schema = decided.schema;
    evidence.push(...decided.evidence);
  }

  await readReportedVersion(cluster, result);
  return result;
}

/** Reads kubeflow-trainer-public from the webhook's namespace first, then the usual install namespaces; unreadable ones are skipped. */
async function readReportedVersion(cluster: Cluster, result: TrainerDiscovery): Promise<void> {
  const namespaces: string[] = [];
  try {
    const vwc = await cluster.tryGet(Resources.validatingwebhookconfigurations, TRAINER_VWC);
    const webhooks = (vwc?.webhooks as Array<{ clientConfig?: { service?: { namespace?: string } } }> | undefined) ?? [];
    const ns = webhooks.map((w) => w.clientConfig?.service?.namespace).find((n): n is string => typeof n === 'string');
    if (ns) namespaces.push(ns);
  } catch (e) {
    if (!isForbidden(e)) throw e;
  }
  for (const ns of TRAINER_NAMESPACES) if (!namespaces.includes(ns)) namespaces.push(ns);

  for (const ns of namespaces) {
    try {
      const cm = await cluster.tryGet(Resources.configmaps, PUBLIC_CONFIGMAP, ns);
      const version = (cm?.data as Record<string, string> | undefined)?.kubeflow_trainer_version;
      if (version) {
        result.reportedVersion = version;
        result.reportedNamespace = ns;
        result.evidence.push(`ConfigMap ${ns}/${PUBLIC_CONFIGMAP} reports ${version} (information only; the schema decides)`);
        return;
      }
    } catch (e) {
      if (!isForbidden(e)) throw e;
    }
  }
}
