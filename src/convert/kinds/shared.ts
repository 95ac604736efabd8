import { finding } from '../codes.js';
import type { Finding } from '../findings.js';
import type { JsonObject } from '../model.js';
import type { ConversionPlan, ConvertOptions, RuntimeSelection } from '../plan.js';
import { aKind, type SourceJob } from '../source.js';

/**
 * The target's stock runtime a kind moves to, or undefined with an error finding naming the Trainer
 * version that introduced it (the target lacks the runtime and the mlPolicy the kind needs).
 */
export function requireStockRuntime(job: SourceJob & { specsPath: string }, opts: ConvertOptions, runtime: string, since: string, policy: string, findings: Finding[]): JsonObject | undefined {
  const stock = opts.target.stockRuntimes[runtime];
  if (stock) return stock as unknown as JsonObject;
  findings.push(
    finding(
      'KTJ-KIND-001',
      job.specsPath,
      `${aKind(job.kind).replace(/^a/, 'A')} needs Trainer ${since} or later (${policy} and the stock ${runtime} runtime); Trainer ${opts.target.version} has neither.`,
      `Upgrade Trainer to ${since} or later and convert for it (--target-version ${since}, or preview against the upgraded cluster), or keep this ${job.kind} on Training Operator v1 until then.`,
    ),
  );
  return undefined;
}

/**
 * The port handler for a kind's v1 default port (`jaxjob-port` 6666): dropped, since Trainer v2 adds
 * its own port 29500; a changed number is kept in the v1-settings annotation for rollback.
 */
export function v1DefaultPort(port: { name: string; port: number }, v2Var: string, settingsKey: string): (p: JsonObject, path: string, plan: ConversionPlan) => boolean {
  return (p, path, plan) => {
    if (p.name !== port.name) return false;
    if (p.containerPort !== port.port) plan.v1Settings[settingsKey] = p.containerPort;
    plan.findings.push(
      finding(
        'KTJ-CTR-002',
        path,
        `Port ${port.name} (${String(p.containerPort)}) is dropped: Trainer v2 adds its own port 29500 to the node container and points ${v2Var} at it.`,
      ),
    );
    return true;
  };
}

/** The label Trainer puts on the replicated Job that trains (its `node` container gets trainer.image, env, numNodes). */
const ANCESTOR_LABEL = 'trainer.kubeflow.org/trainjob-ancestor-step';

/**
 * The runtime selection of a kind Trainer ships no runtime for (TFJob, PaddleJob). Without --runtime the
 * job gets a generated TrainingRuntime named `<baseName>-<hash>`, derived from a plain runtime: one
 * replicated Job `node` (the trainer step) and an mlPolicy with no framework, so Trainer injects no
 * variables of its own and sets only the node count, image, command and env of the TrainJob. With
 * --runtime the TrainJob references the runtime named (its content read from the cluster when known).
 * Returns whether a runtime must be generated (the caller adds the reason to the plan).
 */
export function selectPlainRuntime(opts: ConvertOptions, baseName: string, framework: string): { selection: RuntimeSelection; generate: boolean } {
  const plain: JsonObject = {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'ClusterTrainingRuntime',
    metadata: { name: baseName },
    spec: {
      mlPolicy: { numNodes: 1 },
      template: {
        spec: {
          replicatedJobs: [{ name: 'node', template: { metadata: { labels: { [ANCESTOR_LABEL]: 'trainer' } }, spec: { template: { spec: { containers: [{ name: 'node' }] } } } } }],
        },
      },
    },
  };
  if (opts.runtime.defaulted) {
    // Migrate and preview pass the default runtime's content (torch-distributed) as baseRuntime: never derive from it.
    const synthetic = `kubectl-trainjob plain runtime (Trainer ships no ${framework} runtime)`;
    return { selection: { choice: { name: baseName, kind: 'TrainingRuntime' }, base: plain, derivedFromStock: false, stockName: baseName, synthetic }, generate: true };
  }
  return {
    selection: {
      choice: { name: opts.runtime.name, kind: opts.runtime.kind },
      base: opts.baseRuntime ?? plain,
      derivedFromStock: opts.baseRuntime === undefined,
      stockName: baseName,
      ...(opts.baseRuntime ? {} : { synthetic: `kubectl-trainjob plain runtime (the content of ${opts.runtime.kind} ${opts.runtime.name} is unknown offline)` }),
    },
    generate: false,
  };
}

/**
 * The pod template of a role whose pods the generated runtime builds from a sub-plan (MPI launcher, TF Chief/PS/
 * Evaluator, Paddle worker 0 or Master): the training container renamed `node` with the sub-plan's image, command,
 * args, `env` (left out when undefined), resources and other container fields, the sidecars after it, the role's
 * restartPolicy (OnFailure when v1 left it unset) and the pod labels and annotations.
 */
export function rolePodTemplate(sub: ConversionPlan, env: JsonObject[] | undefined): JsonObject {
  const node: JsonObject = { name: 'node', image: sub.trainer.image };
  if (sub.trainer.command) node.command = sub.trainer.command;
  if (sub.trainer.args) node.args = sub.trainer.args;
  if (env) node.env = env;
  if (sub.trainer.resourcesPerNode) node.resources = sub.trainer.resourcesPerNode;
  Object.assign(node, sub.nodeContainer);
  const pod: JsonObject = {};
  const meta: JsonObject = {};
  if (sub.podMetadata.labels) meta.labels = sub.podMetadata.labels;
  if (sub.podMetadata.annotations) meta.annotations = sub.podMetadata.annotations;
  if (Object.keys(meta).length) pod.metadata = meta;
  pod.spec = { ...sub.podSpec, restartPolicy: sub.restartPolicy ?? 'OnFailure', containers: [node, ...sub.sidecars] };
  return pod;
}
