import { assemble, finish, mapReplicaRestartPolicy, newPlan, selectRuntime, type ConversionResult } from '../../build.js';
import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, type JsonObject } from '../../model.js';
import type { ConvertOptions } from '../../plan.js';
import { carryPodTemplate, type TrainingContainer } from '../../rules/pod.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import { applyV1EnvContract, checkV1HostNames, COMPLETION_INDEX_FIELD, nodeHost, type V1EnvContract } from '../../rules/v1-env.js';
import { readReplicaJob, type ReplicaLayout } from '../replicas.js';
import { requireStockRuntime, v1DefaultPort } from '../shared.js';
import type { SourceKind } from '../types.js';
import schemas from './schema.json' with { type: 'json' };

/** JAXJob kubeflow.org/v1 (`jax_types.go`, `jax_defaults.go`, the v1.9.2 webhook): Workers only, container `jax`. */
const LAYOUT: ReplicaLayout = { kind: 'JAXJob', specsField: 'jaxReplicaSpecs', roles: ['Worker'], container: 'jax', defaultRestartPolicy: 'Never' };
/** The Trainer runtime JAXJobs move to (mlPolicy.jax, Trainer v2.2+). */
const RUNTIME = 'jax-distributed';
/** The port v1 adds to the `jax` container and points COORDINATOR_PORT at. */
const V1_PORT = { name: 'jaxjob-port', port: 6666 };
/** Trainer v2's coordinator port (`ContainerTrainerPort`, in JAX_COORDINATOR_ADDRESS). */
const V2_PORT = 29500;

const CONTAINER: TrainingContainer = {
  name: 'jax',
  v1Port: v1DefaultPort(V1_PORT, 'JAX_COORDINATOR_ADDRESS', 'coordinatorPort'),
  v1Env: 'COORDINATOR_ADDRESS, COORDINATOR_PORT, NUM_PROCESSES, PROCESS_ID',
  masterAddrVar: 'JAX_COORDINATOR_ADDRESS',
  sidecarHint: 'If a sidecar needs the process id or coordinator address, derive them itself (the coordinator is <trainjob>-node-0-0.<trainjob>:29500).',
};

/** v1's `setPodEnv` (pkg/controller.v1/jax/envvar.go) against Trainer's jax plugin (JAX_* variables). */
const ENV: V1EnvContract = {
  runtime: RUNTIME,
  v2Vars: ['JAX_NUM_PROCESSES', 'JAX_PROCESS_ID', 'JAX_COORDINATOR_ADDRESS'],
  reserved: false,
  v1Vars: ['COORDINATOR_ADDRESS', 'COORDINATOR_PORT', 'NUM_PROCESSES', 'PROCESS_ID'],
  compatibility: (plan) => [
    { name: 'COORDINATOR_ADDRESS', value: nodeHost(plan.name, 0) },
    { name: 'COORDINATOR_PORT', value: String(V2_PORT) },
    { name: 'NUM_PROCESSES', value: String(plan.numNodes) },
    // Workers only: v1's PROCESS_ID was the Worker index, which is the node's completion index.
    { name: 'PROCESS_ID', valueFrom: { fieldRef: { fieldPath: COMPLETION_INDEX_FIELD } } },
  ],
  describeCompatibility: (plan) => `COORDINATOR_ADDRESS ${nodeHost(plan.name, 0)}, COORDINATOR_PORT ${V2_PORT}, NUM_PROCESSES ${plan.numNodes}, PROCESS_ID from the Job completion index`,
};

/**
 * Converts one JAXJob into a TrainJob on the jax-distributed runtime (Trainer v2.2+): the Workers
 * become the nodes, the v1 coordinator variables are rebuilt from Trainer's. Pure.
 */
export function convertJAXJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const job = readReplicaJob(raw, LAYOUT, findings);
  if (!job) return finish({ objects: [], findings, refused: true });
  const worker = job.replicas.Worker!;
  const workerPath = `${job.specsPath}.${worker.inputKey}`;
  if (worker.replicas < 1) {
    findings.push(finding('KTJ-V1-001', `${workerPath}.replicas`, 'Worker replicas is 0: the JAXJob runs nothing.', 'Set Worker replicas to at least 1.'));
    return finish({ objects: [], findings, refused: true });
  }
  const stock = requireStockRuntime(job, opts, RUNTIME, 'v2.2', 'mlPolicy.jax', findings);
  if (!stock) return finish({ objects: [], findings, refused: true });

  const plan = newPlan(job, opts, job.specsPath, selectRuntime(opts, RUNTIME, stock), findings);
  plan.numNodes = worker.replicas;
  const template = clone(worker.template);
  const templatePath = `${workerPath}.template`;
  carryPodTemplate(template, templatePath, plan, CONTAINER);
  const containers = (template.spec as JsonObject).containers as JsonObject[];
  const index = containers.findIndex((c) => c.name === CONTAINER.name);
  const envPath = `${templatePath}.spec.containers[${index}].env`;
  const restartPolicy = mapReplicaRestartPolicy(worker, `${workerPath}.restartPolicy`, plan, 'JAXJob');
  applyV1EnvContract(ENV, envPath, containers[index]!.env, plan, opts.envShim);
  checkV1HostNames(plan, LAYOUT.roles, envPath, 'the COORDINATOR_ADDRESS compatibility variable or JAX_COORDINATOR_ADDRESS');
  mapRunPolicy(job, plan, opts.target.capabilities, restartPolicy);
  return assemble(plan, opts);
}

/** JAXJob kubeflow.org/v1 (Training Operator v1.9): Workers onto the jax-distributed runtime. */
export const jaxJobKind: SourceKind = {
  kind: 'JAXJob',
  apiVersions: ['kubeflow.org/v1'],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.9)',
  resource: 'jaxjobs',
  defaultRuntime: 'jax-distributed',
  inputSchema: () => (schemas as unknown as { jaxjob: object }).jaxjob,
  convert: convertJAXJob,
};
