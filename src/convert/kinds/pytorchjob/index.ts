import { assemble, finish, mapRestartPolicy, newPlan, selectRuntime, type ConversionResult } from '../../build.js';
import type { Finding } from '../../findings.js';
import type { JsonObject } from '../../model.js';
import type { ConvertOptions } from '../../plan.js';
import { fitNameToJobSet } from '../../rules/metadata.js';
import { carryPodTemplate } from '../../rules/pod.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import type { SourceKind } from '../types.js';
import { applyEnvContract } from './env.js';
import { rewriteV1LabelReferences } from './labels.js';
import { carryElasticRestarts, mapElastic, mapProcessesPerNode } from './processes.js';
import { readPyTorchJob, TRAINING_CONTAINER } from './reader.js';
import { unifyRoles } from './roles.js';
import schemas from './schema.json' with { type: 'json' };

/**
 * Converts one PyTorchJob (kubeflow.org/v1) into a TrainJob for the chosen Trainer schema, plus a
 * generated TrainingRuntime where the TrainJob cannot carry a setting. Pure: reads nothing but
 * its arguments. Every input field is either carried over or reported as a finding.
 */
export function convertPyTorchJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const job = readPyTorchJob(raw, findings);
  if (!job) return finish({ objects: [], findings, refused: true });

  const caps = opts.target.capabilities;
  const plan = newPlan(job, opts, 'spec.pytorchReplicaSpecs', selectRuntime(opts, 'torch-distributed', opts.target.stockRuntime), findings);
  const roles = unifyRoles(job, findings);
  plan.numNodes = roles.numNodes;
  carryPodTemplate(roles.template, roles.templatePath, plan, TRAINING_CONTAINER);
  const trainingContainer = ((roles.template.spec as JsonObject).containers as JsonObject[]).find((c) => c.name === TRAINING_CONTAINER.name)!;
  const containerIndex = ((roles.template.spec as JsonObject).containers as JsonObject[]).indexOf(trainingContainer);
  mapRestartPolicy(roles.restartPolicy, `${roles.templatePath.replace(/\.template$/, '')}.restartPolicy`, plan);
  mapElastic(job, plan);
  // The node count is final: a name JobSet would reject is shortened now (under --force), before the env derives from it.
  fitNameToJobSet(plan, opts.force);
  mapProcessesPerNode(job, plan, caps);
  applyEnvContract(job, `${roles.templatePath}.spec.containers[${containerIndex}].env`, trainingContainer.env, plan, opts.envShim);
  carryElasticRestarts(job, plan);
  rewriteV1LabelReferences(job, plan, roles.templatePath);
  mapRunPolicy(job, plan, caps, plan.restartPolicy ?? roles.restartPolicy);
  return assemble(plan, opts);
}

/** PyTorchJob kubeflow.org/v1 (Training Operator v1): Master/Worker onto the torch-distributed runtime. */
export const pytorchJobKind: SourceKind = {
  kind: 'PyTorchJob',
  apiVersions: ['kubeflow.org/v1'],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.x)',
  resource: 'pytorchjobs',
  defaultRuntime: 'torch-distributed',
  inputSchema: () => (schemas as unknown as { pytorchjob: object }).pytorchjob,
  convert: convertPyTorchJob,
};
