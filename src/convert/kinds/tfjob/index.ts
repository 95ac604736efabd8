import { assemble, finish, mapReplicaRestartPolicy, mapRestartPolicy, newPlan, type ConversionResult } from '../../build.js';
import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, isObject, joinPath, type JsonObject, type ReplicaSpec } from '../../model.js';
import type { ConversionPlan, ConvertOptions, RoleJob } from '../../plan.js';
import { fitNameToJobSet } from '../../rules/metadata.js';
import { carryPodTemplate, type TrainingContainer } from '../../rules/pod.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import { checkV1HostNames, COMPLETION_INDEX_FIELD, nodeHost } from '../../rules/v1-env.js';
import { readReplicaJob, type ReplicaJob, type ReplicaLayout } from '../replicas.js';
import { rolePodTemplate, selectPlainRuntime } from '../shared.js';
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

/** Where the pods of each declared role run under Trainer v2: the replicated Job, its pod count and TF port. */
export interface TFCluster {
  /** The TrainJob name (the JobSet name and the pods' subdomain). */
  trainJobName: string;
  /** By lower-case v1 replica type (`worker`, `ps`, ...), every type the job declares (0 replicas included, as v1 listed them). */
  roles: Record<string, { job: string; pods: number; port: number }>;
}

/** The address of pod `index` of a role: JobSet's stable host name `<trainjob>-<job>-0-<index>.<trainjob>`, and the role's port. */
function address(c: TFCluster, role: string, index: number | string): string {
  const r = c.roles[role]!;
  return `${c.trainJobName}-${r.job}-0-${index}.${c.trainJobName}:${r.port}`;
}

/**
 * The TF_CONFIG value of the pods of one role, as v1's `genTFConfigJSONStr` builds it (Go's json.Marshal: compact,
 * cluster keys sorted, every declared replica type listed, Evaluator included, `"environment":"cloud"`), with the
 * v1 Service names replaced by the JobSet pod host names and the task index left to Kubernetes' dependent-variable
 * expansion of $(JOB_COMPLETION_INDEX). With enableDynamicWorker, v1's sparse form: a worker lists its own address
 * keyed by its index and every PS (`ps` null when the job declares no PS), a PS its own address only, other roles none.
 */
export function tfConfig(c: TFCluster, type: string, dynamic: boolean): string {
  const index = `$(${INDEX_VAR})`;
  const task = `"task":{"type":${JSON.stringify(type)},"index":${index}}`;
  const all = (role: string) => Array.from({ length: c.roles[role]?.pods ?? 0 }, (_, i) => address(c, role, i));
  if (dynamic) {
    let worker = '{}';
    let ps = '[]';
    if (type === 'worker') {
      worker = `{"${index}":${JSON.stringify(address(c, 'worker', index))}}`;
      ps = c.roles.ps ? JSON.stringify(all('ps')) : 'null';
    } else if (type === 'ps') {
      ps = JSON.stringify([address(c, 'ps', index)]);
    }
    return `{"cluster":{"worker":${worker},"ps":${ps}},${task}}`;
  }
  const keys = Object.keys(c.roles).sort();
  return `{"cluster":{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(all(k))}`).join(',')}},${task},"environment":"cloud"}`;
}

/** The TF_CONFIG of every Worker pod of a Worker-only job (tfConfig with the Workers on the `node` Job). */
export function workerTFConfig(job: ReplicaJob, trainJobName: string, workers: number, port: number, dynamic: boolean): string {
  const roles: TFCluster['roles'] = {};
  for (const role of Object.keys(job.replicas)) roles[role.toLowerCase()] = { job: role.toLowerCase(), pods: 0, port };
  roles.worker = { job: 'node', pods: workers, port };
  return tfConfig({ trainJobName, roles }, 'worker', dynamic);
}

/** The user's env of a role's training container, TF_CONFIG taken out when v1 replaced it (reported); whether it sets the index itself. */
function userEnv(rawEnv: unknown, envPath: string, plan: ConversionPlan, distributed: boolean): { env: JsonObject[]; userIndex: boolean } {
  const env: JsonObject[] = [];
  let userIndex = false;
  if (Array.isArray(rawEnv)) {
    rawEnv.forEach((e, i) => {
      if (!isObject(e)) return;
      if (e.name === 'TF_CONFIG' && distributed) {
        plan.v1Settings.droppedEnv = [...((plan.v1Settings.droppedEnv as JsonObject[] | undefined) ?? []), e];
        plan.findings.push(finding('KTJ-ENV-013', `${envPath}[${i}]`, 'TF_CONFIG is replaced: v1 appended its own TF_CONFIG after it (the later value wins), and so does the TrainJob.'));
        return;
      }
      if (e.name === INDEX_VAR) userIndex = true;
      env.push(e);
    });
  }
  return { env, userIndex };
}

/** Appends the completion index (unless the user set it, reported) and TF_CONFIG to a role's env. */
function appendTFConfig(env: JsonObject[], userIndex: boolean, envPath: string, plan: ConversionPlan, value: string): void {
  if (userIndex) {
    plan.findings.push(
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
  env.push({ name: 'TF_CONFIG', value });
}

/** The training container's env of a Worker-only job: user values kept (TF_CONFIG replaced, as v1's value won), then the index and TF_CONFIG. */
function tfEnv(job: ReplicaJob, rawEnv: unknown, envPath: string, plan: ConversionPlan & { name?: string }, port: number, distributed: boolean): void {
  const findings = plan.findings;
  const { env, userIndex } = userEnv(rawEnv, envPath, plan, distributed);
  plan.trainer.env = env;
  checkV1HostNames(plan, LAYOUT.roles, envPath, 'the addresses in TF_CONFIG');
  if (!distributed) {
    findings.push(finding('KTJ-TF-004', job.specsPath, 'The TFJob runs one pod, so v1 set no TF_CONFIG (isDistributed) and the TrainJob sets none either.'));
    return;
  }
  if (plan.name === undefined) {
    findings.push(finding('KTJ-ENV-008', envPath, 'v1 injected TF_CONFIG; building it needs the TrainJob name (the pod host names), which generateName leaves open.', 'Give the job a fixed name.', 'error'));
    return;
  }
  const dynamic = job.spec.enableDynamicWorker === true;
  appendTFConfig(env, userIndex, envPath, plan, workerTFConfig(job, plan.name, plan.numNodes, port, dynamic));
  findings.push(
    finding(
      'KTJ-TF-002',
      envPath,
      `TF_CONFIG is set as v1 built it${dynamic ? ' (the sparse form of enableDynamicWorker)' : ''}, with the ${plan.numNodes} Worker addresses ${nodeHost(plan.name, 0)}:${port} .. ${nodeHost(plan.name, plan.numNodes - 1)}:${port} (JobSet pod host names; v1 used the Services <job>-worker-<i>.<namespace>.svc) and the task index from ${INDEX_VAR}, the completion index Kubernetes expands into the value.`,
      'Verify on the cluster (kubectl trainjob preview, then the TF_CONFIG of a running pod).',
    ),
  );
}

/** The v1 roles that run in replicated Jobs of their own next to the Workers (`node`), in v1's order, by Job name. */
const ROLE_JOBS: Readonly<Record<string, string>> = { Chief: 'chief', Master: 'master', PS: 'ps', Evaluator: 'evaluator' };

/**
 * One non-Worker role's pod template in the generated runtime: the v1 template through the shared pod rules (each
 * field reported where it goes), the `tensorflow` container renamed `node` as on the Workers, the role's own
 * restartPolicy kept exactly (the runtime is generated anyway), TF_CONFIG with the role's task type appended.
 */
function rolePod(job: ReplicaJob, role: string, plan: ConversionPlan, opts: ConvertOptions, cluster: TFCluster, dynamic: boolean): JsonObject {
  const replica = job.replicas[role]!;
  const rolePath = `${job.specsPath}.${replica.inputKey}`;
  const sub = newPlan(job, opts, job.specsPath, plan.runtime, plan.findings);
  sub.name = plan.name;
  const template = clone(replica.template);
  carryPodTemplate(template, `${rolePath}.template`, sub, CONTAINER);
  mapRestartPolicy(replica.restartPolicy, `${rolePath}.restartPolicy`, sub);
  const containers = (template.spec as JsonObject).containers as JsonObject[];
  const index = containers.findIndex((c) => c.name === CONTAINER.name);
  const envPath = `${rolePath}.template.spec.containers[${index}].env`;
  const { env, userIndex } = userEnv(containers[index]!.env, envPath, sub, true);
  sub.trainer.env = env;
  checkV1HostNames(sub, LAYOUT.roles, envPath, 'the addresses in TF_CONFIG');
  appendTFConfig(env, userIndex, envPath, sub, tfConfig(cluster, role.toLowerCase(), dynamic));
  for (const [k, v] of Object.entries(sub.v1Settings)) plan.v1Settings[`${role}.${k}`] = v;
  return rolePodTemplate(sub, env);
}

/** A layout of Chief/Master/PS/Evaluator pods with no Worker to run as the TrainJob's nodes: refused, naming it. */
function refuseNoWorkers(job: ReplicaJob, others: string[], findings: Finding[]): ConversionResult {
  const layout = LAYOUT.roles.filter((r) => job.replicas[r]).map((r) => `${r} ${job.replicas[r]!.replicas}`).join(' + ');
  findings.push(
    finding(
      'KTJ-TF-001',
      job.specsPath,
      `The layout ${layout} is not converted: it has no Worker pods. The generated runtime runs the Workers as the TrainJob's nodes (the replicated Job Trainer scales by numNodes and gives the trainer image and env) and ${others.join(' and ')} in replicated Jobs of their own; without a Worker no role fills the node Job.`,
      `Keep this TFJob on Training Operator v1, or declare the training pods as Worker replicas (with TF_CONFIG task type "worker").`,
    ),
  );
  return finish({ objects: [], findings, refused: true });
}

/**
 * Converts one TFJob into a TrainJob on a generated TrainingRuntime (Trainer ships no TensorFlow runtime). The
 * Workers are the TrainJob's nodes (numNodes, trainer image and env); Chief, Master, PS and Evaluator pods, when the
 * job has them, run in replicated Jobs of their own in the runtime (`chief`, `master`, `ps`, `evaluator`), each with
 * its own pod template, and every pod gets the TF_CONFIG v1 gave it. Verified through the real Trainer v2.1 and v2.3
 * webhooks and controllers (test/integration/controllers). Layouts with no Worker are refused (KTJ-TF-001). Pure.
 */
export function convertTFJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const job = readReplicaJob(raw, LAYOUT, findings);
  if (!job) return finish({ objects: [], findings, refused: true });
  const others = LAYOUT.roles.filter((r) => r !== 'Worker' && (job.replicas[r]?.replicas ?? 0) > 0);
  const worker = job.replicas.Worker;
  if (others.length && (!worker || worker.replicas < 1)) return refuseNoWorkers(job, others, findings);
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
  if (others.length) return convertRoles(job, others, plan, opts, envPath, containers[index]!.env);
  const restartPolicy = mapReplicaRestartPolicy(worker, `${workerPath}.restartPolicy`, plan, 'TFJob');
  const distributed = Object.values(job.replicas).reduce((n, r) => n + r.replicas, 0) !== 1;
  fitNameToJobSet(plan, opts.force); // before TF_CONFIG names the hosts
  tfEnv(job, containers[index]!.env, envPath, plan, tfPort(worker), distributed);
  mapTFJobPolicies(job, plan);
  mapRunPolicy(job, plan, opts.target.capabilities, restartPolicy);
  return assemble(plan, opts);
}

/** The TFJob's cleanPodPolicy after v1 defaulting (`None` for TFJobs, tensorflow_defaults.go). */
function cleanPolicy(job: ReplicaJob): string {
  const p = job.runPolicy.cleanPodPolicy;
  return typeof p === 'string' && p !== '' ? p : 'None';
}

/**
 * The multi-role layouts (Chief/Master + Workers for MultiWorkerMirroredStrategy, PS + Workers (+ Chief) for
 * ParameterServerStrategy, an Evaluator): one replicated Job per role in the generated runtime, each pod with v1's
 * TF_CONFIG (every declared role in the cluster spec, Evaluator included as v1 did), and v1's completion rule as the
 * JobSet successPolicy: the Chief/Master's success ends the TrainJob; without one, the Workers' (PS and Evaluator
 * pods never exit by themselves). JobSet then deletes the Jobs still running, as v1's cleanPodPolicy Running did.
 */
function convertRoles(job: ReplicaJob, others: string[], plan: ConversionPlan, opts: ConvertOptions, envPath: string, rawEnv: unknown): ConversionResult {
  const findings = plan.findings;
  const worker = job.replicas.Worker!;
  const workerPath = `${job.specsPath}.${worker.inputKey}`;
  plan.runtimeReasons.push(`pods of their own for ${others.join(', ')} (replicated Jobs ${others.map((r) => ROLE_JOBS[r]).join(', ')} next to the Workers' node Job)`);
  // The runtime is generated anyway: every role keeps its v1 restartPolicy exactly (no OnFailure default for the Workers).
  mapRestartPolicy(worker.restartPolicy, `${workerPath}.restartPolicy`, plan);
  const restartPolicy = plan.restartPolicy ?? worker.restartPolicy;
  plan.roleJobs = others.map((r): RoleJob => ({ name: ROLE_JOBS[r]!, pods: job.replicas[r]!.replicas, pod: {} }));
  fitNameToJobSet(plan, opts.force);
  const { env, userIndex } = userEnv(rawEnv, envPath, plan, true);
  plan.trainer.env = env;
  checkV1HostNames(plan, LAYOUT.roles, envPath, 'the addresses in TF_CONFIG');
  if (plan.name === undefined) {
    findings.push(finding('KTJ-ENV-008', envPath, 'v1 injected TF_CONFIG; building it needs the TrainJob name (the pod host names), which generateName leaves open.', 'Give the job a fixed name.', 'error'));
    return finish({ objects: [], findings, refused: true });
  }
  const cluster: TFCluster = { trainJobName: plan.name, roles: {} };
  for (const role of LAYOUT.roles) {
    const r = job.replicas[role];
    if (r) cluster.roles[role.toLowerCase()] = { job: role === 'Worker' ? 'node' : ROLE_JOBS[role]!, pods: r.replicas, port: tfPort(r) };
  }
  const dynamic = job.spec.enableDynamicWorker === true;
  appendTFConfig(env, userIndex, envPath, plan, tfConfig(cluster, 'worker', dynamic));
  for (const r of plan.roleJobs) r.pod = rolePod(job, others.find((o) => ROLE_JOBS[o] === r.name)!, plan, opts, cluster, dynamic);
  const hosts = LAYOUT.roles
    .filter((r) => (job.replicas[r]?.replicas ?? 0) > 0)
    .map((r) => {
      const c = cluster.roles[r.toLowerCase()]!;
      return `${r} ${c.pods} at ${address(cluster, r.toLowerCase(), 0)}${c.pods > 1 ? ` .. ${address(cluster, r.toLowerCase(), c.pods - 1)}` : ''}`;
    });
  findings.push(
    finding(
      'KTJ-TF-002',
      job.specsPath,
      `Every pod gets the TF_CONFIG v1 gave it${dynamic ? ' (the sparse form of enableDynamicWorker)' : ''}: the Workers run as the TrainJob's ${plan.numNodes} node(s) and ${others.join(', ')} in replicated Jobs of their own in the generated runtime; cluster spec ${hosts.join('; ')} (JobSet pod host names; v1 used the Services <job>-<role>-<i>.<namespace>.svc), task type per role, task index from ${INDEX_VAR}, the completion index Kubernetes expands into the value.`,
      'Verify on the cluster (kubectl trainjob preview, then the TF_CONFIG of a running pod of each role).',
    ),
  );
  const chief = (['Chief', 'Master'] as const).find((r) => (job.replicas[r]?.replicas ?? 0) > 0);
  const success = job.spec.successPolicy;
  if (success !== undefined && success !== null && success !== '') plan.v1Settings.successPolicy = success;
  if (chief) {
    plan.successPolicy = { operator: 'Any', targetReplicatedJobs: [ROLE_JOBS[chief]!] };
    findings.push(
      finding(
        'KTJ-TF-007',
        job.specsPath,
        `v1 marked the TFJob succeeded when the ${chief} succeeded; the generated runtime's JobSet successPolicy (operator Any, targetReplicatedJobs [${ROLE_JOBS[chief]}]) does the same. JobSet then deletes the Jobs still running (Workers${others.filter((r) => r !== chief).map((r) => `, ${r}`).join('')}), where v1 (cleanPodPolicy ${cleanPolicy(job)}) ${cleanPolicy(job) === 'None' ? 'left their pods running until the TFJob was deleted' : 'deleted them too'}.`,
      ),
    );
  } else {
    plan.successPolicy = { operator: 'All', targetReplicatedJobs: ['node'] };
    findings.push(
      finding(
        'KTJ-TF-007',
        job.specsPath,
        `${others.join(' and ')} pods never finish by themselves; the generated runtime's JobSet successPolicy (operator All, targetReplicatedJobs [node]) ends the TrainJob when the Workers have succeeded. JobSet then deletes the ${others.join(' and ')} Job(s) still running, where v1 (cleanPodPolicy ${cleanPolicy(job)}) ${cleanPolicy(job) === 'None' ? 'left their pods running until the TFJob was deleted' : 'deleted them too'}.`,
      ),
    );
  }
  mapTFJobPolicies(job, plan, !chief);
  mapRunPolicy(job, plan, opts.target.capabilities, restartPolicy);
  return assemble(plan, opts);
}

/** successPolicy and enableDynamicWorker: what v1's status logic did against JobSet's (every Job must succeed). */
function mapTFJobPolicies(job: ReplicaJob, plan: ConversionPlan, workersEnd = true): void {
  const success = job.spec.successPolicy;
  if (success !== undefined && success !== null && success !== '') plan.v1Settings.successPolicy = success;
  if (workersEnd && plan.numNodes > 1 && success !== 'AllWorkers') {
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

/** TFJob kubeflow.org/v1 (Training Operator v1.9): onto a generated TensorFlow runtime, one replicated Job per role. */
export const tfJobKind: SourceKind = {
  kind: 'TFJob',
  apiVersions: ['kubeflow.org/v1'],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.9)',
  resource: 'tfjobs',
  defaultRuntime: undefined,
  inputSchema: () => (schemas as unknown as { tfjob: object }).tfjob,
  convert: convertTFJob,
};
