import { finding } from './codes.js';
import { compareFindings, type Finding } from './findings.js';
import { clone, isObject, type JsonObject, type KubeObject, type ReplicaSpec } from './model.js';
import { ANNOTATION_PREFIX, buildGeneratedRuntime, decidePlacement } from './placement.js';
import type { ConversionPlan, ConvertOptions, RuntimeSelection } from './plan.js';
import { checkKueue, checkName, fitNameToJobSet } from './rules/metadata.js';
import type { SourceJob } from './source.js';

/** The outcome of converting one v1 job. */
export interface ConversionResult {
  /** Objects to create, in apply order: a generated TrainingRuntime first, then the TrainJob. Empty when refused. */
  objects: KubeObject[];
  findings: Finding[];
  /** True when the job was not converted (error findings, unless forced, or an unreadable job). */
  refused: boolean;
  /** Name of the TrainJob (also when refused, when known). */
  name?: string;
  /**
   * SHA-256 of the generated TrainingRuntime's content (runtimeContentDigest) when one was generated: the
   * shared-runtime registry compares it instead of hashing the runtime again.
   */
  runtimeDigest?: string;
}

/** Annotation keys written on every TrainJob (provenance) and on jobs with settings kept for rollback. */
export const ANNOTATIONS = {
  sourceKind: `${ANNOTATION_PREFIX}source-kind`,
  sourceApiVersion: `${ANNOTATION_PREFIX}source-api-version`,
  sourceNamespace: `${ANNOTATION_PREFIX}source-namespace`,
  sourceName: `${ANNOTATION_PREFIX}source-name`,
  sourceUid: `${ANNOTATION_PREFIX}source-uid`,
  sourceResourceVersion: `${ANNOTATION_PREFIX}source-resource-version`,
  toolVersion: `${ANNOTATION_PREFIX}tool-version`,
  targetVersion: `${ANNOTATION_PREFIX}target-version`,
  runtime: `${ANNOTATION_PREFIX}generated-runtime`,
  v1Settings: `${ANNOTATION_PREFIX}v1-settings`,
  backup: `${ANNOTATION_PREFIX}backup`, backupSha256: `${ANNOTATION_PREFIX}backup-sha256`, v1Manifest: `${ANNOTATION_PREFIX}v1-manifest`, v1ManifestOmitted: `${ANNOTATION_PREFIX}v1-manifest-omitted`,
} as const;

/**
 * Starts the version-neutral plan of one v1 job: the TrainJob's name (with the suffix), namespace,
 * labels and annotations; the kind's rules fill in the rest.
 */
export function newPlan(job: SourceJob, opts: ConvertOptions, replicaSpecsPath: string, runtime: RuntimeSelection, findings: Finding[]): ConversionPlan {
  const name = job.name !== undefined ? `${job.name}${opts.suffix ?? ''}` : undefined;
  return {
    job,
    replicaSpecsPath,
    runtime,
    ...(name !== undefined ? { name } : {}),
    ...(job.name === undefined && job.generateName !== undefined ? { generateName: job.generateName } : {}),
    ...((job.namespace ?? opts.defaultNamespace) ? { namespace: (job.namespace ?? opts.defaultNamespace)! } : {}),
    labels: { ...job.labels },
    annotations: { ...job.annotations },
    numNodes: 0,
    trainer: { image: '', env: [] },
    podMetadata: {},
    podSpec: {},
    nodeContainer: {},
    clearRuntimeEntrypoint: { command: false, args: false },
    sidecars: [],
    jobSpec: {},
    jobSetAnnotations: {},
    runtimeReasons: [],
    v1Settings: {},
    findings,
  };
}

/**
 * The runtime a job of a kind references: the one named with --runtime (its content read from the
 * cluster when known), else the kind's stock runtime `stockName` of the target.
 */
export function selectRuntime(opts: ConvertOptions, stockName: string, stock: JsonObject): RuntimeSelection {
  if (opts.runtime.defaulted && opts.runtime.name !== stockName) {
    return { choice: { name: stockName, kind: 'ClusterTrainingRuntime' }, base: opts.baseRuntime ?? stock, derivedFromStock: opts.baseRuntime === undefined, stockName };
  }
  return { choice: { name: opts.runtime.name, kind: opts.runtime.kind }, base: opts.baseRuntime ?? stock, derivedFromStock: opts.baseRuntime === undefined, stockName };
}

/**
 * Turns a filled-in plan into objects, the same way for every v1 kind: checks the name and Kueue
 * labels, decides what the TrainJob carries and what needs a generated TrainingRuntime, and builds
 * both for the target. Refuses (no objects) on error findings unless forced.
 */
export function assemble(plan: ConversionPlan, opts: ConvertOptions): ConversionResult {
  const findings = plan.findings;
  const target = opts.target;
  const caps = target.capabilities;
  fitNameToJobSet(plan, opts.force);
  checkName(plan);
  checkKueue(plan, caps);
  if (caps.requestsFromLimits) copyRequestsFromLimits(plan);

  const { choice, base: baseRuntime, derivedFromStock, stockName, synthetic } = plan.runtime;
  const placement = decidePlacement(plan, caps, baseRuntime);
  const objects: KubeObject[] = [];
  let runtimeRef: JsonObject = { name: choice.name, kind: choice.kind };
  let runtimeDigest: string | undefined;
  if (placement.runtimeReasons.length) {
    const { runtime, digest } = buildGeneratedRuntime(plan, placement.runtimeReasons);
    runtimeDigest = digest;
    const runtimeName = runtime.metadata.name!;
    if (derivedFromStock && choice.name !== stockName && !synthetic) {
      findings.push(
        finding(
          'KTJ-RT-002',
          'spec',
          `The generated TrainingRuntime ${runtimeName} is derived from the stock ${stockName} runtime of Trainer ${target.version}, because the content of ${choice.kind} ${choice.name} is unknown offline.`,
          'Run kubectl trainjob preview against the cluster to derive it from the real runtime, or compare the two by hand.',
        ),
      );
    }
    findings.push(
      finding(
        'KTJ-RT-001',
        plan.replicaSpecsPath,
        `TrainingRuntime ${runtimeName} is generated (derived from ${synthetic ?? `${choice.kind} ${choice.name}`}) because the TrainJob cannot express: ${placement.runtimeReasons.join('; ')}. It is named by its content, so every job of the namespace that needs the same runtime shares it.`,
        'Apply it together with the TrainJob (it comes first in the output); rollback deletes it when no TrainJob uses it any more.',
      ),
    );
    objects.push(runtime);
    runtimeRef = { name: runtimeName, kind: 'TrainingRuntime' };
    plan.annotations[ANNOTATIONS.runtime] = runtimeName;
  }
  objects.push(buildTrainJob(plan, opts, runtimeRef, target.customization(placement.overrides)));
  const refused = findings.some((f) => f.severity === 'error') && !opts.force;
  return finish({ objects: refused ? [] : objects, findings, refused, ...(plan.name ? { name: plan.name } : {}), ...(runtimeDigest && !refused ? { runtimeDigest } : {}) });
}

/** Sorts the findings of a result into their stable report order. */
export function finish(r: ConversionResult): ConversionResult {
  r.findings.sort(compareFindings);
  return r;
}

/**
 * Maps a replica's restartPolicy where the kind's v1 default is Never (JAXJob, XGBoostJob, ...): a
 * written value maps as usual; the unwritten default becomes the Trainer default OnFailure, reported,
 * rather than forcing a generated TrainingRuntime onto every job. Returns the policy the pods get.
 */
export function mapReplicaRestartPolicy(replica: ReplicaSpec, path: string, plan: ConversionPlan, kind: string): string {
  if (replica.restartPolicyDefaulted && replica.restartPolicy === 'Never') {
    plan.findings.push(
      finding(
        'KTJ-POD-011',
        path,
        `restartPolicy is not set, so v1 used the ${kind} default Never; Trainer v2 pods use OnFailure: a failed container restarts in place, counted against the Job backoffLimit.`,
        'Set restartPolicy: Never on the replica to keep the v1 behaviour (a generated TrainingRuntime then carries it).',
      ),
    );
    return 'OnFailure';
  }
  mapRestartPolicy(replica.restartPolicy, path, plan);
  return plan.restartPolicy ?? replica.restartPolicy;
}

/** Maps a v1 replica restartPolicy (OnFailure, Never, Always, ExitCode) onto the Job pods of the TrainJob. */
export function mapRestartPolicy(policy: string, path: string, plan: ConversionPlan): void {
  switch (policy) {
    case 'OnFailure':
      return;
    case 'Never':
      plan.restartPolicy = 'Never';
      return;
    case 'Always':
      plan.findings.push(finding('KTJ-POD-004', path, 'restartPolicy Always is not allowed for Job pods; Trainer v2 pods use OnFailure (restart on failure only).'));
      return;
    case 'ExitCode':
      plan.restartPolicy = 'Never';
      plan.v1Settings.restartPolicy = 'ExitCode';
      plan.findings.push(
        finding(
          'KTJ-POD-005',
          path,
          'restartPolicy ExitCode (v1 recreated pods that exited with codes 128-255 and failed on others) has no v2 equivalent; the generated runtime uses Never, so any failure counts against the Job backoffLimit.',
          'Add a Job podFailurePolicy to the generated runtime to tell retryable exit codes apart.',
        ),
      );
      return;
    default:
      plan.findings.push(finding('KTJ-SCHEMA-001', path, `restartPolicy ${JSON.stringify(policy)} is not Always, OnFailure, Never or ExitCode.`));
  }
}

/** Trainer v2.0 computes PET_NPROC_PER_NODE=1 when limits are set without requests (kubeflow-api.md §2.2). */
function copyRequestsFromLimits(plan: ConversionPlan): void {
  const r = plan.trainer.resourcesPerNode;
  if (!r || !isObject(r.limits) || isObject(r.requests)) return;
  plan.trainer.resourcesPerNode = { ...r, requests: clone(r.limits) };
  plan.findings.push(
    finding('KTJ-CTR-005', plan.replicaSpecsPath, 'resourcesPerNode.requests copied from limits (Kubernetes defaults requests to limits anyway): Trainer v2.0 miscounts processes per node without requests.'),
  );
}

function buildTrainJob(plan: ConversionPlan, opts: ConvertOptions, runtimeRef: JsonObject, customization: JsonObject): KubeObject {
  const job = plan.job;
  const annotations: Record<string, string> = { ...plan.annotations };
  annotations[ANNOTATIONS.sourceKind] = job.kind;
  annotations[ANNOTATIONS.sourceApiVersion] = job.apiVersion;
  if (job.namespace) annotations[ANNOTATIONS.sourceNamespace] = job.namespace;
  if (job.name) annotations[ANNOTATIONS.sourceName] = job.name;
  if (job.uid) annotations[ANNOTATIONS.sourceUid] = job.uid;
  if (job.resourceVersion) annotations[ANNOTATIONS.sourceResourceVersion] = job.resourceVersion;
  annotations[ANNOTATIONS.toolVersion] = opts.toolVersion;
  annotations[ANNOTATIONS.targetVersion] = opts.target.version;
  if (Object.keys(plan.v1Settings).length) annotations[ANNOTATIONS.v1Settings] = JSON.stringify(plan.v1Settings);

  const metadata: JsonObject = {};
  if (plan.name) metadata.name = plan.name;
  else if (plan.generateName) metadata.generateName = plan.generateName;
  if (plan.namespace) metadata.namespace = plan.namespace;
  if (Object.keys(plan.labels).length) metadata.labels = plan.labels;
  metadata.annotations = annotations;

  const trainer: JsonObject = { image: plan.trainer.image };
  if (plan.trainer.command) trainer.command = plan.trainer.command;
  if (plan.trainer.args) trainer.args = plan.trainer.args;
  if (plan.trainer.env.length) trainer.env = plan.trainer.env;
  trainer.numNodes = plan.numNodes;
  if (plan.trainer.numProcPerNode !== undefined) {
    const n = opts.target.numProcPerNode(plan.trainer.numProcPerNode);
    if (n !== undefined) trainer.numProcPerNode = n;
  }
  if (plan.trainer.resourcesPerNode) trainer.resourcesPerNode = plan.trainer.resourcesPerNode;

  const spec: JsonObject = { runtimeRef };
  if (plan.suspend) spec.suspend = true;
  if (plan.managedBy) spec.managedBy = plan.managedBy;
  if (plan.activeDeadlineSeconds !== undefined) spec.activeDeadlineSeconds = plan.activeDeadlineSeconds;
  spec.trainer = trainer;
  Object.assign(spec, customization);
  return { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: metadata as KubeObject['metadata'], spec };
}
