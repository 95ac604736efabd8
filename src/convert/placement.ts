import { finding } from './codes.js';
import { canonicalJson, CONTENT_HASH_LENGTH, runtimeContentDigest, sha256Hex } from './content-hash.js';
import { clone, isObject, type JsonObject, type KubeObject } from './model.js';
import type { ConversionPlan } from './plan.js';
import type { Overrides, TargetCapabilities } from './targets/types.js';

export type { Overrides } from './targets/types.js';

/** Where the plan's pod settings go: TrainJob overrides, or a generated TrainingRuntime. */
export interface Placement {
  /** Why a TrainingRuntime must be generated; empty when the TrainJob can express everything. */
  runtimeReasons: string[];
  overrides: Overrides;
}

/** The replicated Job that trains: the one with the trainer ancestor label, else the one named `node`. */
function trainerReplicatedJob(jobSetTemplate: any): any {
  const rjobs = jobSetTemplate?.spec?.replicatedJobs;
  if (!Array.isArray(rjobs)) return undefined;
  return rjobs.find((j: any) => j?.template?.metadata?.labels?.['trainer.kubeflow.org/trainjob-ancestor-step'] === 'trainer') ?? rjobs.find((j: any) => j?.name === 'node');
}

/** The node container of a runtime: the container `node` of the replicated Job with the trainer ancestor label. */
export function runtimeNodeContainer(runtime: JsonObject): JsonObject | undefined {
  const rj = trainerReplicatedJob((runtime.spec as any)?.template);
  const containers = rj?.template?.spec?.template?.spec?.containers;
  return Array.isArray(containers) ? containers.find((c: any) => c?.name === 'node') : undefined;
}

/**
 * Decides, from the target's capabilities, whether the TrainJob can carry the pod settings itself
 * or a TrainingRuntime must be generated. When one is generated it carries the whole pod template,
 * so the TrainJob stays simple and no setting is split across two objects.
 */
export function decidePlacement(plan: ConversionPlan, caps: TargetCapabilities, baseRuntime: JsonObject): Placement {
  const reasons = [...plan.runtimeReasons];
  const notOverridable = Object.keys(plan.podSpec).filter((k) => !caps.podFields.has(k));
  const ctrNotOverridable = Object.keys(plan.nodeContainer).filter((k) => !caps.nodeContainerFields.has(k));
  if (notOverridable.length) reasons.push(`pod ${notOverridable.join(', ')}`);
  if (ctrNotOverridable.length) reasons.push(`container ${ctrNotOverridable.join(', ')}`);
  const hasPodMeta = Boolean(plan.podMetadata.labels || plan.podMetadata.annotations);
  if (hasPodMeta && !caps.podMetadata) reasons.push('pod labels/annotations');
  if (plan.restartPolicy) reasons.push(`restartPolicy ${plan.restartPolicy}`);
  if (Object.keys(plan.jobSpec).length && !reasons.some((r) => r === 'backoffLimit' || r === 'activeDeadlineSeconds')) reasons.push('Job settings');
  const base = runtimeNodeContainer(baseRuntime);
  if (plan.clearRuntimeEntrypoint.command && Array.isArray(base?.command) && base.command.length) {
    reasons.push('image entrypoint (the runtime sets a command)');
    plan.findings.push(
      finding(
        'KTJ-RT-003',
        plan.replicaSpecsPath,
        'The v1 container has no command (it runs the image entrypoint), but the runtime sets one; the generated TrainingRuntime removes it so the image entrypoint still runs.',
      ),
    );
  }
  if (plan.clearRuntimeEntrypoint.args && Array.isArray(base?.args) && base.args.length) reasons.push('image default args');

  const carried = Object.keys(plan.podSpec);
  if (reasons.length) {
    if (carried.length) plan.findings.push(finding('KTJ-POD-002', plan.replicaSpecsPath, `Pod settings carried in the generated TrainingRuntime: ${carried.join(', ')}.`));
    const ctr = Object.keys(plan.nodeContainer);
    if (ctr.length) plan.findings.push(finding('KTJ-CTR-003', plan.replicaSpecsPath, `Container settings carried in the generated TrainingRuntime: ${ctr.join(', ')}.`));
    return { runtimeReasons: reasons, overrides: { podMetadata: {}, podSpec: {}, nodeContainer: {} } };
  }
  const overridden = [...carried, ...Object.keys(plan.nodeContainer).map((k) => `container ${k}`), ...(hasPodMeta ? ['pod labels/annotations'] : [])];
  if (overridden.length) plan.findings.push(finding('KTJ-POD-001', plan.replicaSpecsPath, `Carried through the TrainJob's per-job customization: ${overridden.join(', ')}.`));
  return { runtimeReasons: [], overrides: { podMetadata: plan.podMetadata, podSpec: plan.podSpec, nodeContainer: plan.nodeContainer } };
}

/** Labels and annotation keys kubectl-trainjob writes. */
export const ANNOTATION_PREFIX = 'kubectl-trainjob.io/';

/** Longest generated runtime name: a DNS label, like the runtimes Trainer ships. */
const RUNTIME_NAME_MAX = 63;

/**
 * The name of a generated runtime: the runtime it derives from, `-`, and the content hash of everything it
 * carries (spec, labels, annotations; not its name or namespace). Equal content gives an equal name, so every
 * job of a namespace that needs the same runtime references ONE object; the base is cut so the name stays
 * within 63 characters.
 */
export function generatedRuntimeName(base: string, content: JsonObject): string {
  return runtimeNameFromDigest(base, sha256Hex(canonicalJson(content)));
}

/** generatedRuntimeName from the SHA-256 of the content (runtimeContentDigest), computed once per runtime. */
function runtimeNameFromDigest(base: string, digest: string): string {
  const room = RUNTIME_NAME_MAX - 1 - CONTENT_HASH_LENGTH;
  const prefix = base.slice(0, room).replace(/[-.]+$/, '') || 'runtime';
  return `${prefix}-${digest.slice(0, CONTENT_HASH_LENGTH)}`;
}

/** A generated runtime and the SHA-256 of its content (runtimeContentDigest), which its name abbreviates. */
export interface GeneratedRuntime {
  runtime: KubeObject;
  digest: string;
}

/**
 * Builds the namespaced TrainingRuntime that carries what the TrainJob cannot express, derived from the
 * chosen runtime (its mlPolicy, JobSet shape and the `node` container), named by its content
 * (generatedRuntimeName) so that jobs needing the same one share it. Nothing in it is specific to one job:
 * the TrainJob's trainer.image overrides the node image, so the base runtime's image is kept when it has one.
 * Returns the content digest too, so the content is hashed once per job (the registry compares the digest).
 */
export function buildGeneratedRuntime(plan: ConversionPlan, reasons: string[]): GeneratedRuntime {
  const { choice, derivedFromStock, stockName, synthetic } = plan.runtime;
  const base = clone(plan.runtime.base) as any;
  const spec: JsonObject = {};
  if (base.spec?.mlPolicy) spec.mlPolicy = base.spec.mlPolicy;
  const podGroupPolicy = { ...(base.spec?.podGroupPolicy ?? {}), ...(plan.podGroupPolicy ?? {}) };
  if (Object.keys(podGroupPolicy).length) spec.podGroupPolicy = podGroupPolicy;
  const template = base.spec?.template ?? { spec: { replicatedJobs: [] } };
  if (Object.keys(plan.jobSetAnnotations).length) {
    template.metadata = template.metadata ?? {};
    template.metadata.annotations = { ...(template.metadata.annotations ?? {}), ...plan.jobSetAnnotations };
  }
  const rj = trainerReplicatedJob(template);
  if (rj) {
    rj.template.spec = { ...(rj.template.spec ?? {}), ...plan.jobSpec };
    const pod = (rj.template.spec.template = rj.template.spec.template ?? {});
    const podMeta: JsonObject = pod.metadata ?? {};
    for (const key of ['labels', 'annotations'] as const) {
      if (plan.podMetadata[key]) podMeta[key] = { ...((podMeta[key] as JsonObject) ?? {}), ...plan.podMetadata[key] };
    }
    if (Object.keys(podMeta).length) pod.metadata = podMeta;
    const podSpec: JsonObject = (pod.spec = pod.spec ?? {});
    Object.assign(podSpec, clone(plan.podSpec));
    if (plan.restartPolicy) podSpec.restartPolicy = plan.restartPolicy;
    const containers: JsonObject[] = Array.isArray(podSpec.containers) ? (podSpec.containers as JsonObject[]) : [];
    let node = containers.find((c) => c.name === 'node');
    if (!node) {
      node = { name: 'node' };
      containers.unshift(node);
    }
    if (typeof node.image !== 'string' || node.image === '') node.image = plan.trainer.image;
    if (plan.clearRuntimeEntrypoint.command) delete node.command;
    if (plan.clearRuntimeEntrypoint.args) delete node.args;
    Object.assign(node, clone(plan.nodeContainer));
    containers.push(...clone(plan.sidecars));
    podSpec.containers = containers;
  }
  for (const j of Array.isArray(template.spec?.replicatedJobs) ? template.spec.replicatedJobs : []) {
    const entry = plan.podTemplates?.[j?.name];
    if (entry && j.template) j.template.spec = { ...(j.template.spec ?? {}), ...clone(entry.jobSpec ?? {}), template: clone(entry.pod) };
  }
  if (plan.roleJobs?.length) {
    template.spec = template.spec ?? {};
    const rjobs: any[] = (template.spec.replicatedJobs = Array.isArray(template.spec.replicatedJobs) ? template.spec.replicatedJobs : []);
    for (const r of plan.roleJobs) {
      const job = {
        name: r.name,
        replicas: 1,
        template: { spec: { ...clone(plan.jobSpec), parallelism: r.pods, completions: r.pods, completionMode: 'Indexed', template: clone(r.pod) } },
      };
      const at = rjobs.findIndex((j) => j?.name === r.name);
      if (at >= 0) rjobs[at] = job;
      else rjobs.push(job);
    }
  }
  if (plan.successPolicy) {
    template.spec = template.spec ?? {};
    template.spec.successPolicy = clone(plan.successPolicy);
  }
  spec.template = template;
  const labels: Record<string, string> = { ...(isObject(base.metadata?.labels) ? base.metadata.labels : {}) };
  labels['app.kubernetes.io/managed-by'] = 'kubectl-trainjob';
  const annotations = {
    [`${ANNOTATION_PREFIX}derived-from`]: synthetic ?? (derivedFromStock && choice.name !== stockName ? `stock ${stockName} (content of ${choice.kind}/${choice.name} unknown offline)` : `${choice.kind}/${choice.name}`),
    [`${ANNOTATION_PREFIX}reasons`]: reasons.join('; '),
  };
  const digest = runtimeContentDigest({ metadata: { labels, annotations }, spec });
  const name = runtimeNameFromDigest(plan.runtime.generatedName ?? choice.name, digest);
  const metadata: JsonObject = { name, ...(plan.namespace ? { namespace: plan.namespace } : {}), labels, annotations };
  return { runtime: { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainingRuntime', metadata, spec }, digest };
}
