import { assemble, finish, mapReplicaRestartPolicy, newPlan, type ConversionResult } from '../../build.js';
import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, isObject, joinPath, type JsonObject, type ReplicaSpec } from '../../model.js';
import type { ConversionPlan, ConvertOptions } from '../../plan.js';
import { carryPodTemplate, type TrainingContainer } from '../../rules/pod.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import { checkV1HostNames, COMPLETION_INDEX_FIELD, nodeHost } from '../../rules/v1-env.js';
import { readReplicaJob, type ReplicaJob, type ReplicaLayout } from '../replicas.js';
import { selectPlainRuntime } from '../shared.js';
import type { SourceKind } from '../types.js';
import schemas from './schema.json' with { type: 'json' };

/**
 * TFJob kubeflow.org/v1 (`tensorflow_types.go`, `tensorflow_defaults.go`, the v1.9 webhook): Chief,
 * Master, PS, Worker and Evaluator replicas, container `tensorflow`, default restartPolicy Never.
 */
const LAYOUT: ReplicaLayout = {
  kind: 'TFJob',
  specsField: 'tfReplicaSpecs',
  roles: ['Chief', 'Master', 'PS', 'Worker', 'Evaluator'],
  container: 'tensorflow',
  defaultRestartPolicy: 'Never',
};
/** The base name of the generated runtimes of TFJobs (`tensorflow-<content hash>`). */
const RUNTIME_BASE = 'tensorflow';
/** v1's port for the TF servers (`TFJobDefaultPortName`/`TFJobDefaultPort`): the port in every TF_CONFIG address. */
const V1_PORT = { name: 'tfjob-port', port: 2222 };
/**
 * The variable TF_CONFIG takes its task index from: the name the Job controller itself gives the completion
 * index of an Indexed Job pod (it adds the variable only when the container does not define it).
 */
export const INDEX_VAR = 'JOB_COMPLETION_INDEX';

const CONTAINER: TrainingContainer = {
  name: 'tensorflow',
  // v1 set TF_CONFIG in the tensorflow container only: other containers lose nothing.
  v1Env: '',
  masterAddrVar: 'TF_CONFIG',
  sidecarHint: '',
};

/** The port of a role's `tensorflow` container named tfjob-port (`GetPortFromTFJob`), else 2222. */
function tfPort(replica: ReplicaSpec): number {
  const containers = (replica.template.spec as JsonObject | undefined)?.containers;
  const c = Array.isArray(containers) ? containers.find((x) => isObject(x) && x.name === CONTAINER.name) : undefined;
  const p = isObject(c) && Array.isArray(c.ports) ? c.ports.find((x) => isObject(x) && x.name === V1_PORT.name) : undefined;
  return isObject(p) && typeof p.containerPort === 'number' ? p.containerPort : V1_PORT.port;
}

/**
 * The TF_CONFIG value of every Worker pod, as v1's `genTFConfigJSONStr` builds it (Go's json.Marshal:
 * compact, cluster keys sorted, every declared replica type listed, `"environment":"cloud"`), with the
 * v1 Service names replaced by the JobSet pod host names and the task index left to Kubernetes'
 * dependent-variable expansion of $(JOB_COMPLETION_INDEX). With enableDynamicWorker, v1's sparse form:
 * the worker's own address keyed by its index, `ps` null when the job declares no PS.
 */
export function workerTFConfig(job: ReplicaJob, trainJobName: string, workers: number, port: number, dynamic: boolean): string {
  const index = `$(${INDEX_VAR})`;
  const task = `"task":{"type":"worker","index":${index}}`;
  if (dynamic) {
    const ps = job.replicas.PS ? '[]' : 'null';
    return `{"cluster":{"worker":{"${index}":"${trainJobName}-node-0-${index}.${trainJobName}:${port}"},"ps":${ps}},${task}}`;
  }
  const cluster: Record<string, string[]> = {};
  for (const role of Object.keys(job.replicas)) cluster[role.toLowerCase()] = [];
  cluster.worker = Array.from({ length: workers }, (_, i) => `${nodeHost(trainJobName, i)}:${port}`);
  const keys = Object.keys(cluster).sort();
  return `{"cluster":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(cluster[k])}`).join(',')}},${task},"environment":"cloud"}`;
}

/** The training container's env: user values kept (TF_CONFIG replaced, as v1's value won), then the index and TF_CONFIG. */
function tfEnv(job: ReplicaJob, rawEnv: unknown, envPath: string, plan: ConversionPlan & { name?: string }, port: number, distributed: boolean): void {
  const findings = plan.findings;
  const env: JsonObject[] = [];
  let userIndex = false;
  if (Array.isArray(rawEnv)) {
    rawEnv.forEach((e, i) => {
      if (!isObject(e)) return;
      if (e.name === 'TF_CONFIG' && distributed) {
        plan.v1Settings.droppedEnv = [...((plan.v1Settings.droppedEnv as JsonObject[] | undefined) ?? []), e];
        findings.push(finding('KTJ-ENV-013', `${envPath}[${i}]`, 'TF_CONFIG is replaced: v1 appended its own TF_CONFIG after it (the later value wins), and so does the TrainJob.'));
        return;
      }
      if (e.name === INDEX_VAR) userIndex = true;
      env.push(e);
    });
  }
  plan.trainer.env = env;
  if (!distributed) {
    findings.push(finding('KTJ-TF-004', job.specsPath, 'The TFJob runs one pod, so v1 set no TF_CONFIG (isDistributed) and the TrainJob sets none either.'));
    return;
  }
  if (plan.name === undefined) {
    findings.push(finding('KTJ-ENV-008', envPath, 'v1 injected TF_CONFIG; building it needs the TrainJob name (the pod host names), which generateName leaves open.', 'Give the job a fixed name.', 'error'));
    return;
  }
  const dynamic = job.spec.enableDynamicWorker === true;
  if (userIndex) {
    findings.push(
      finding(
        'KTJ-TF-005',
        envPath,
        `The container sets ${INDEX_VAR} itself; TF_CONFIG takes the task index from it, and the Job controller then does not set it to the completion index.`,
        `Remove ${INDEX_VAR} from the env (Kubernetes sets it to the pod's completion index).`,
      ),
    );
  } else {
    env.push({ name: INDEX_VAR, valueFrom: { fieldRef: { fieldPath: COMPLETION_INDEX_FIELD } } });
  }
  env.push({ name: 'TF_CONFIG', value: workerTFConfig(job, plan.name, plan.numNodes, port, dynamic) });
  findings.push(
    finding(
      'KTJ-TF-002',
      envPath,
      `TF_CONFIG is set as v1 built it${dynamic ? ' (the sparse form of enableDynamicWorker)' : ''}, with the ${plan.numNodes} Worker addresses ${nodeHost(plan.name, 0)}:${port} .. ${nodeHost(plan.name, plan.numNodes - 1)}:${port} (JobSet pod host names; v1 used the Services <job>-worker-<i>.<namespace>.svc) and the task index from ${INDEX_VAR}, the completion index Kubernetes expands into the value.`,
      'Verify on the cluster (kubectl trainjob preview, then the TF_CONFIG of a running pod).',
    ),
  );
}

/**
 * Converts one TFJob into a TrainJob on a generated TrainingRuntime (Trainer ships no TensorFlow runtime):
 * Worker-only layouts (MultiWorkerMirroredStrategy and single-worker jobs) become numNodes Workers whose
 * TF_CONFIG matches v1's; layouts with Chief, Master, PS or Evaluator pods are refused (KTJ-TF-001). Pure.
 */
export function convertTFJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const job = readReplicaJob(raw, LAYOUT, findings);
  if (!job) return finish({ objects: [], findings, refused: true });
  const others = LAYOUT.roles.filter((r) => r !== 'Worker' && (job.replicas[r]?.replicas ?? 0) > 0);
  if (others.length) {
    const layout = LAYOUT.roles.filter((r) => job.replicas[r]).map((r) => `${r} ${job.replicas[r]!.replicas}`).join(' + ');
    findings.push(
      finding(
        'KTJ-TF-001',
        job.specsPath,
        `The layout ${layout} is not converted: a TrainJob runs one pod template (its node job), but ${others.join(' and ')} pods need their own template and TF_CONFIG task type, i.e. one replicated Job per role in the runtime, and v1 finished the job when the ${job.replicas.Master ? 'Master' : job.replicas.Chief ? 'Chief' : 'worker 0'} succeeded while PS pods never exit, which needs a JobSet success policy; kubectl-trainjob does not generate that runtime (not verified through the Trainer webhook).`,
        'Keep this TFJob on Training Operator v1, or move the training to MultiWorkerMirroredStrategy (Workers only), which converts; the job would also need a TrainingRuntime with one replicated Job per role.',
      ),
    );
    return finish({ objects: [], findings, refused: true });
  }
  const worker = job.replicas.Worker;
  if (!worker || worker.replicas < 1) {
    findings.push(finding('KTJ-V1-001', worker ? `${job.specsPath}.${worker.inputKey}.replicas` : job.specsPath, 'The TFJob runs no pods (no Worker replicas and no other role).', 'Set Worker replicas to at least 1.'));
    return finish({ objects: [], findings, refused: true });
  }
  for (const role of LAYOUT.roles) {
    const r = job.replicas[role];
    if (r && r.replicas === 0 && role !== 'Worker') {
      findings.push(finding('KTJ-TF-006', `${job.specsPath}.${r.inputKey}`, `${role} has 0 replicas: v1 ran no ${role} pod, so its pod template is not carried (TF_CONFIG still lists "${role.toLowerCase()}": [], as v1 did).`));
    }
  }
  const workerPath = `${job.specsPath}.${worker.inputKey}`;
  const { selection, generate } = selectPlainRuntime(opts, RUNTIME_BASE, 'TensorFlow');
  const plan = newPlan(job, opts, job.specsPath, selection, findings);
  if (generate) plan.runtimeReasons.push('a runtime for TensorFlow (Trainer ships none)');
  plan.numNodes = worker.replicas;
  const template = clone(worker.template);
  const templatePath = `${workerPath}.template`;
  carryPodTemplate(template, templatePath, plan, CONTAINER);
  const containers = (template.spec as JsonObject).containers as JsonObject[];
  const index = containers.findIndex((c) => c.name === CONTAINER.name);
  const envPath = `${templatePath}.spec.containers[${index}].env`;
  const restartPolicy = mapReplicaRestartPolicy(worker, `${workerPath}.restartPolicy`, plan, 'TFJob');
  const distributed = Object.values(job.replicas).reduce((n, r) => n + r.replicas, 0) !== 1;
  tfEnv(job, containers[index]!.env, envPath, plan, tfPort(worker), distributed);
  checkV1HostNames(plan, LAYOUT.roles, envPath, 'the addresses in TF_CONFIG');
  mapTFJobPolicies(job, plan);
  mapRunPolicy(job, plan, opts.target.capabilities, restartPolicy);
  return assemble(plan, opts);
}

/** successPolicy and enableDynamicWorker: what v1's status logic did against JobSet's (every Job must succeed). */
function mapTFJobPolicies(job: ReplicaJob, plan: ConversionPlan): void {
  const success = job.spec.successPolicy;
  if (success !== undefined && success !== null && success !== '') plan.v1Settings.successPolicy = success;
  if (plan.numNodes > 1 && success !== 'AllWorkers') {
    plan.findings.push(
      finding(
        'KTJ-ROLE-001',
        success === undefined || success === null ? job.specsPath : 'spec.successPolicy',
        `v1 marked the TFJob succeeded as soon as worker 0 succeeded (default successPolicy); the TrainJob succeeds only when all ${plan.numNodes} Workers exit 0.`,
        'Make sure every worker exits 0 at the end of training (set successPolicy: AllWorkers in v1 to test that first).',
      ),
    );
  }
  const dynamic = job.spec.enableDynamicWorker;
  if (dynamic !== undefined && dynamic !== null) plan.v1Settings.enableDynamicWorker = dynamic;
  if (dynamic === true) {
    plan.findings.push(
      finding(
        'KTJ-TF-003',
        joinPath('spec', 'enableDynamicWorker'),
        'enableDynamicWorker: v1 kept the TFJob running when a worker failed; under Trainer v2 a failed Worker pod counts against the Job backoffLimit and then fails the TrainJob.',
        'Raise spec.runPolicy.backoffLimit if workers may fail and be replaced.',
      ),
    );
  }
}

/** TFJob kubeflow.org/v1 (Training Operator v1.9): Worker-only jobs onto a generated TensorFlow runtime. */
export const tfJobKind: SourceKind = {
  kind: 'TFJob',
  apiVersions: ['kubeflow.org/v1'],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.9)',
  resource: 'tfjobs',
  defaultRuntime: undefined,
  inputSchema: () => (schemas as unknown as { tfjob: object }).tfjob,
  convert: convertTFJob,
};
