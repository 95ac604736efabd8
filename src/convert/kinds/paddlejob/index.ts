import { assemble, finish, mapReplicaRestartPolicy, mapRestartPolicy, newPlan, type ConversionResult } from '../../build.js';
import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, isObject, type JsonObject, type ReplicaSpec } from '../../model.js';
import type { ConversionPlan, ConvertOptions } from '../../plan.js';
import { fitNameToJobSet } from '../../rules/metadata.js';
import { carryPodTemplate, type TrainingContainer } from '../../rules/pod.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import { checkV1HostNames } from '../../rules/v1-env.js';
import { readReplicaJob, type ReplicaJob, type ReplicaLayout } from '../replicas.js';
import { rolePodTemplate, selectPlainRuntime } from '../shared.js';
import type { SourceKind } from '../types.js';
import schemas from './schema.json' with { type: 'json' };

/** PaddleJob kubeflow.org/v1 (`paddlepaddle_types.go`, `paddlepaddle_defaults.go`, the v1.9 webhook): Master and Workers, container `paddle`. */
const LAYOUT: ReplicaLayout = { kind: 'PaddleJob', specsField: 'paddleReplicaSpecs', roles: ['Master', 'Worker'], container: 'paddle', defaultRestartPolicy: 'OnFailure' };
/** The base name of the generated runtimes of PaddleJobs (`paddle-<content hash>`). */
const RUNTIME_BASE = 'paddle';
/** v1's rendezvous port (`PaddleJobDefaultPortName`/`PaddleJobDefaultPort`), the port in PADDLE_MASTER. */
const V1_PORT = { name: 'master', port: 36543 };
/** The variables v1's `setPodEnv` (pkg/controller.v1/paddlepaddle/envvar.go) appended to every container, in its order. */
const V1_VARS = ['PYTHONUNBUFFERED', 'PADDLE_JOB_ID', 'PADDLE_NNODES', 'POD_IP_DUMMY', 'PADDLE_MASTER'];

const CONTAINER: TrainingContainer = {
  name: 'paddle',
  v1Env: 'PADDLE_JOB_ID, PADDLE_NNODES, PADDLE_MASTER, PYTHONUNBUFFERED',
  masterAddrVar: 'PADDLE_MASTER',
  sidecarHint: 'If a sidecar reads PADDLE_* variables, set them on it in the generated TrainingRuntime.',
};

/** The port of the `paddle` container named master (`getPortFromPaddleJob`), else 36543. */
function paddlePort(replica: ReplicaSpec): number {
  const containers = (replica.template.spec as JsonObject | undefined)?.containers;
  const c = Array.isArray(containers) ? containers.find((x) => isObject(x) && x.name === CONTAINER.name) : undefined;
  const p = isObject(c) && Array.isArray(c.ports) ? c.ports.find((x) => isObject(x) && x.name === V1_PORT.name) : undefined;
  return isObject(p) && typeof p.containerPort === 'number' ? p.containerPort : V1_PORT.port;
}

/** The replicated Job of the generated runtime that runs worker 0 of a collective PaddleJob (the rendezvous server). */
export const WORKER0_JOB = 'worker0';
/** The replicated Job that runs the Master (the parameter server) of a parameter-server PaddleJob. */
export const MASTER_JOB = 'master';

/** What v1's setPodEnv gave one pod (after the user's env), by the pod's place in the job. */
interface PaddlePodEnv {
  /** PADDLE_NNODES: every pod of the job. */
  nnodes: number;
  /** PADDLE_MASTER: the pod's own IP (the rendezvous server, via POD_IP_DUMMY) or this host:port. */
  master: { ownIp: true; port: number } | { ownIp: false; address: string };
  /** Parameter-server mode: PADDLE_SERVER_NUM=1 on the Master, PADDLE_TRAINER_NUM=1 on the Workers. */
  psRole?: 'server' | 'trainer';
}

/** v1's variables for one pod, in the order v1 appended them. */
function paddleVars(jobId: string, p: PaddlePodEnv): JsonObject[] {
  const env: JsonObject[] = [
    { name: 'PYTHONUNBUFFERED', value: '1' },
    { name: 'PADDLE_JOB_ID', value: jobId },
    { name: 'PADDLE_NNODES', value: String(p.nnodes) },
  ];
  if (p.master.ownIp) {
    env.push({ name: 'POD_IP_DUMMY', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }, { name: 'PADDLE_MASTER', value: `$(POD_IP_DUMMY):${p.master.port}` });
  } else {
    env.push({ name: 'PADDLE_MASTER', value: p.master.address });
  }
  if (p.psRole === 'server') env.push({ name: 'PADDLE_SERVER_NUM', value: '1' });
  if (p.psRole === 'trainer') env.push({ name: 'PADDLE_TRAINER_NUM', value: '1' });
  return env;
}

/** The user's env of a pod's paddle container with the names v1 set taken out (v1's appended values won), reported when `report`. */
function userEnv(rawEnv: unknown, envPath: string, plan: ConversionPlan, report: boolean, replaced: readonly string[] = V1_VARS): JsonObject[] {
  const env: JsonObject[] = [];
  if (Array.isArray(rawEnv)) {
    rawEnv.forEach((e, i) => {
      if (!isObject(e)) return;
      const name = String(e.name ?? '');
      if (replaced.includes(name)) {
        if (!report) return;
        plan.v1Settings.droppedEnv = [...((plan.v1Settings.droppedEnv as JsonObject[] | undefined) ?? []), e];
        plan.findings.push(finding('KTJ-ENV-013', `${envPath}[${i}]`, `${name} is replaced: v1 appended its own ${name} after it (the later value wins), and so does the TrainJob.`));
        return;
      }
      env.push(e);
    });
  }
  return env;
}

/**
 * The env v1 gave worker 0 of a one-Worker collective PaddleJob, after the user's: PYTHONUNBUFFERED, PADDLE_JOB_ID,
 * PADDLE_NNODES, and PADDLE_MASTER at the pod's own IP (so `paddle.distributed.launch` starts the
 * rendezvous server there). User values of these names are replaced, as v1's appended values won.
 */
function paddleEnv(rawEnv: unknown, envPath: string, plan: ConversionPlan, jobId: string, port: number): void {
  plan.trainer.env = [...userEnv(rawEnv, envPath, plan, true), ...paddleVars(jobId, { nnodes: plan.numNodes, master: { ownIp: true, port } })];
  plan.findings.push(
    finding(
      'KTJ-PADDLE-003',
      envPath,
      `Set on the TrainJob as v1 set them (Trainer v2 has no Paddle runtime and sets none): PYTHONUNBUFFERED=1, PADDLE_JOB_ID=${jobId}, PADDLE_NNODES=${plan.numNodes}, PADDLE_MASTER=$(POD_IP_DUMMY):${port} (the pod's own IP, where paddle.distributed.launch starts its rendezvous server).`,
    ),
  );
}

/**
 * The pod template of a role's replicated Job in the generated runtime (worker 0, or the Master): the v1 template
 * through the shared pod rules, the `paddle` container renamed `node`, the role's restartPolicy kept exactly, and
 * `env` (the user's, then v1's variables for that pod). `findings` false: the template is also the node Job's
 * (worker 0 is a Worker), whose findings already cover it.
 */
function rolePod(job: ReplicaJob, role: string, plan: ConversionPlan, opts: ConvertOptions, env: (sub: ConversionPlan, envPath: string) => JsonObject[], findings: boolean): JsonObject {
  const replica = job.replicas[role]!;
  const rolePath = `${job.specsPath}.${replica.inputKey}`;
  const sub = newPlan(job, opts, job.specsPath, plan.runtime, findings ? plan.findings : []);
  const template = clone(replica.template);
  carryPodTemplate(template, `${rolePath}.template`, sub, CONTAINER);
  mapRestartPolicy(replica.restartPolicy, `${rolePath}.restartPolicy`, sub);
  const containers = (template.spec as JsonObject).containers as JsonObject[];
  const index = containers.findIndex((c) => c.name === CONTAINER.name);
  const podEnv = env(sub, `${rolePath}.template.spec.containers[${index}].env`);
  if (findings) for (const [k, v] of Object.entries(sub.v1Settings)) plan.v1Settings[`${role}.${k}`] = v;
  return rolePodTemplate(sub, podEnv);
}

/** JobSet's host name of the one pod of a role's replicated Job, with the port: what the other pods' PADDLE_MASTER names. */
function roleHost(trainJobName: string, rjob: string, port: number): string {
  return `${trainJobName}-${rjob}-0-0.${trainJobName}:${port}`;
}

/**
 * Converts one PaddleJob into a TrainJob on a generated TrainingRuntime (Trainer ships no Paddle runtime), every pod
 * with the PADDLE_* variables v1 gave it. Collective mode: one Worker is the TrainJob's node; with several, worker 0
 * (the rendezvous server: PADDLE_MASTER at its own IP) runs in a replicated Job of its own, `worker0`, and workers
 * 1..N-1 are the nodes, pointed at it (KTJ-PADDLE-002). Parameter-server mode (a Master spec): one Master runs in a
 * replicated Job `master` and the Workers are the nodes (KTJ-PADDLE-005); other Master layouts are refused
 * (KTJ-PADDLE-001). Verified on the real Trainer v2.1 and v2.3 controllers (test/integration/controllers). Pure.
 */
export function convertPaddleJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const job = readReplicaJob(raw, LAYOUT, findings);
  if (!job) return finish({ objects: [], findings, refused: true });
  const master = job.replicas.Master;
  const worker = job.replicas.Worker;
  // v1 switched to parameter-server mode whenever a Master spec exists, even with 0 replicas.
  if (master && (master.replicas !== 1 || !worker || worker.replicas < 1)) {
    const why =
      master.replicas === 0
        ? 'v1 pointed every pod\'s PADDLE_MASTER at <job>-master-0, a pod it never created, so the job could not rendezvous'
        : master.replicas > 1
          ? `master 0 is the rendezvous server (PADDLE_MASTER at its own IP) while masters 1..${master.replicas - 1} point at it, so the Masters need two replicated Jobs besides the Workers'; kubectl-trainjob converts parameter-server jobs with exactly one Master`
          : 'there is no Worker to run as the TrainJob\'s nodes (the replicated Job Trainer scales by numNodes)';
    findings.push(
      finding(
        'KTJ-PADDLE-001',
        `${job.specsPath}.${master.inputKey}`,
        `The layout Master ${master.replicas} + Worker ${worker?.replicas ?? 0} (parameter-server mode) is not converted: ${why}.`,
        'Keep this PaddleJob on Training Operator v1, or declare one Master and at least one Worker (or run it in collective mode, Workers only).',
      ),
    );
    return finish({ objects: [], findings, refused: true });
  }
  if (!worker || worker.replicas < 1) {
    findings.push(finding('KTJ-V1-001', worker ? `${job.specsPath}.${worker.inputKey}.replicas` : job.specsPath, 'The PaddleJob runs no pods (no Worker replicas).', 'Set Worker replicas to at least 1.'));
    return finish({ objects: [], findings, refused: true });
  }
  const workerPath = `${job.specsPath}.${worker.inputKey}`;
  const { selection, generate } = selectPlainRuntime(opts, RUNTIME_BASE, 'PaddlePaddle');
  const plan = newPlan(job, opts, job.specsPath, selection, findings);
  if (generate) plan.runtimeReasons.push('a runtime for PaddlePaddle (Trainer ships none)');
  // Collective mode with several Workers: worker 0 moves to its own replicated Job, the others are the nodes.
  const split = !master && worker.replicas > 1;
  plan.numNodes = split ? worker.replicas - 1 : worker.replicas;
  const total = worker.replicas + (master?.replicas ?? 0);
  const template = clone(worker.template);
  const templatePath = `${workerPath}.template`;
  carryPodTemplate(template, templatePath, plan, CONTAINER);
  const containers = (template.spec as JsonObject).containers as JsonObject[];
  const index = containers.findIndex((c) => c.name === CONTAINER.name);
  const envPath = `${templatePath}.spec.containers[${index}].env`;
  if (master) plan.roleJobs = [{ name: MASTER_JOB, pods: 1, pod: {} }];
  else if (split) plan.roleJobs = [{ name: WORKER0_JOB, pods: 1, pod: {} }];
  // The roles' own pods are in the runtime anyway: the Workers keep their v1 restartPolicy exactly then.
  let restartPolicy: string;
  if (plan.roleJobs) {
    mapRestartPolicy(worker.restartPolicy, `${workerPath}.restartPolicy`, plan);
    restartPolicy = plan.restartPolicy ?? worker.restartPolicy;
    fitNameToJobSet(plan, opts.force); // before PADDLE_MASTER names a host
  } else {
    restartPolicy = mapReplicaRestartPolicy(worker, `${workerPath}.restartPolicy`, plan, 'PaddleJob');
  }
  if (plan.name === undefined) {
    findings.push(finding('KTJ-ENV-008', envPath, 'v1 injected PADDLE_JOB_ID (the job name); generateName leaves the TrainJob name open.', 'Give the job a fixed name.', 'error'));
    return finish({ objects: [], findings, refused: true });
  }
  const name = plan.name;
  if (master) convertParameterServer(job, plan, opts, envPath, containers[index]!.env, total);
  else if (split) {
    const port = paddlePort(worker);
    plan.trainer.env = [...userEnv(containers[index]!.env, envPath, plan, true), ...paddleVars(name, { nnodes: total, master: { ownIp: false, address: roleHost(name, WORKER0_JOB, port) } })];
    plan.roleJobs![0]!.pod = rolePod(job, 'Worker', plan, opts, (sub, p) => [...userEnv(containers[index]!.env, p, sub, false), ...paddleVars(name, { nnodes: total, master: { ownIp: true, port } })], false);
    plan.runtimeReasons.push(`a pod of its own for worker 0 (replicated Job ${WORKER0_JOB} next to the node Job of workers 1..${total - 1})`);
    findings.push(
      finding(
        'KTJ-PADDLE-002',
        `${workerPath}.replicas`,
        `${total} Workers in collective mode: v1 gave worker 0 PADDLE_MASTER=$(POD_IP_DUMMY):${port} (its own IP: paddle.distributed.launch starts the rendezvous server only where the PADDLE_MASTER host is the pod's IP) and the others <job>-worker-0:${port}. Worker 0 therefore runs in a replicated Job of its own in the generated runtime ("${WORKER0_JOB}", 1 pod, the same pod template, v1's worker-0 variables), and workers 1..${total - 1} are the TrainJob's ${plan.numNodes} node(s) with PADDLE_MASTER=${roleHost(name, WORKER0_JOB, port)} (JobSet's host name of worker 0). PADDLE_NNODES=${total} and PADDLE_JOB_ID=${name} everywhere; numNodes is ${plan.numNodes}, one less than the Workers.`,
        'Scale the job by changing the TrainJob\'s numNodes (the worker count minus 1) together with PADDLE_NNODES in trainer.env and in the runtime\'s worker0 pod.',
      ),
    );
  } else {
    paddleEnv(containers[index]!.env, envPath, plan, name, paddlePort(worker));
  }
  // Only the user's values can name a v1 host: the PADDLE_MASTER set above names the JobSet host <job>-master-0-0.
  const env = plan.trainer.env;
  plan.trainer.env = env.filter((e) => ![...V1_VARS, 'PADDLE_SERVER_NUM', 'PADDLE_TRAINER_NUM'].includes(String(e.name)) || !('value' in e) || !String(e.value).includes(name));
  checkV1HostNames(plan, LAYOUT.roles, envPath, 'the PADDLE_MASTER the TrainJob sets');
  plan.trainer.env = env;
  mapElasticPolicy(job, plan, total);
  mapRunPolicy(job, plan, opts.target.capabilities, restartPolicy);
  return assemble(plan, opts);
}

/**
 * Parameter-server mode with one Master (v1's setPodEnv with a Master spec): the Master, a server
 * (PADDLE_SERVER_NUM=1, PADDLE_MASTER at its own IP), runs in the runtime's `master` Job; the Workers, trainers
 * (PADDLE_TRAINER_NUM=1, PADDLE_MASTER at the Master's host), are the nodes. v1 finished the job when the Master
 * succeeded: the runtime's JobSet successPolicy does the same.
 */
function convertParameterServer(job: ReplicaJob, plan: ConversionPlan, opts: ConvertOptions, envPath: string, rawEnv: unknown, total: number): void {
  const name = plan.name!;
  const master = job.replicas.Master!;
  const port = paddlePort(master);
  const replaced = [...V1_VARS, 'PADDLE_SERVER_NUM', 'PADDLE_TRAINER_NUM'];
  plan.trainer.env = [...userEnv(rawEnv, envPath, plan, true, replaced), ...paddleVars(name, { nnodes: total, master: { ownIp: false, address: roleHost(name, MASTER_JOB, port) }, psRole: 'trainer' })];
  plan.roleJobs![0]!.pod = rolePod(job, 'Master', plan, opts, (sub, p) => [...userEnv(((job.replicas.Master!.template.spec as JsonObject).containers as JsonObject[]).find((c) => c.name === CONTAINER.name)?.env, p, sub, true, replaced), ...paddleVars(name, { nnodes: total, master: { ownIp: true, port }, psRole: 'server' })], true);
  plan.runtimeReasons.push(`a pod of its own for the Master (replicated Job ${MASTER_JOB} next to the Workers' node Job)`);
  plan.successPolicy = { operator: 'All', targetReplicatedJobs: [MASTER_JOB] };
  plan.findings.push(
    finding(
      'KTJ-PADDLE-005',
      `${job.specsPath}.${master.inputKey}`,
      `Parameter-server mode (a Master spec): the Master runs in a replicated Job of its own in the generated runtime ("${MASTER_JOB}", 1 pod) with v1's server variables (PADDLE_SERVER_NUM=1, PADDLE_MASTER=$(POD_IP_DUMMY):${port}, its own IP), and the ${plan.numNodes} Worker(s) are the TrainJob's nodes with v1's trainer variables (PADDLE_TRAINER_NUM=1, PADDLE_MASTER=${roleHost(name, MASTER_JOB, port)}, JobSet's host name of the Master); PADDLE_NNODES=${total}, PADDLE_JOB_ID=${name} everywhere. v1 finished the job when the Master succeeded: the runtime's JobSet successPolicy (operator All, targetReplicatedJobs [${MASTER_JOB}]) does the same, and JobSet then deletes the Workers' Job if it still runs.`,
    ),
  );
}

/** elasticPolicy: no elastic training in Trainer v2 (kubeflow/trainer#2903); kept for rollback, the job runs its declared replicas. */
function mapElasticPolicy(job: ReplicaJob, plan: ConversionPlan, pods: number): void {
  const ep = job.spec.elasticPolicy;
  if (!isObject(ep)) return;
  plan.v1Settings.elasticPolicy = ep;
  plan.findings.push(
    finding(
      'KTJ-PADDLE-004',
      'spec.elasticPolicy',
      `elasticPolicy (${['minReplicas', 'maxReplicas', 'maxRestarts', 'metrics'].filter((k) => ep[k] !== undefined).join(', ') || 'empty'}) let v1 scale the PaddleJob; Trainer v2 has no elastic training (kubeflow/trainer#2903). With --force the TrainJob runs a fixed ${pods} pod(s) and the policy is kept in an annotation for rollback.`,
      'Remove elasticPolicy if a fixed size is acceptable, or keep the job on Training Operator v1.',
    ),
  );
}

/** PaddleJob kubeflow.org/v1 (Training Operator v1.9): collective and one-Master parameter-server jobs onto a generated Paddle runtime. */
export const paddleJobKind: SourceKind = {
  kind: 'PaddleJob',
  apiVersions: ['kubeflow.org/v1'],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.9)',
  resource: 'paddlejobs',
  defaultRuntime: undefined,
  inputSchema: () => (schemas as unknown as { paddlejob: object }).paddlejob,
  convert: convertPaddleJob,
};
