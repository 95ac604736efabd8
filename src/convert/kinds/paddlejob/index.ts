import { assemble, finish, mapReplicaRestartPolicy, newPlan, type ConversionResult } from '../../build.js';
import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, isObject, type JsonObject, type ReplicaSpec } from '../../model.js';
import type { ConversionPlan, ConvertOptions } from '../../plan.js';
import { carryPodTemplate, type TrainingContainer } from '../../rules/pod.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import { checkV1HostNames } from '../../rules/v1-env.js';
import { readReplicaJob, type ReplicaJob, type ReplicaLayout } from '../replicas.js';
import { selectPlainRuntime } from '../shared.js';
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

/**
 * The env v1 gave worker 0 of a collective PaddleJob, after the user's: PYTHONUNBUFFERED, PADDLE_JOB_ID,
 * PADDLE_NNODES, and PADDLE_MASTER at the pod's own IP (so `paddle.distributed.launch` starts the
 * rendezvous server there). User values of these names are replaced, as v1's appended values won.
 */
function paddleEnv(rawEnv: unknown, envPath: string, plan: ConversionPlan, jobId: string, port: number): void {
  const env: JsonObject[] = [];
  if (Array.isArray(rawEnv)) {
    rawEnv.forEach((e, i) => {
      if (!isObject(e)) return;
      const name = String(e.name ?? '');
      if (V1_VARS.includes(name)) {
        plan.v1Settings.droppedEnv = [...((plan.v1Settings.droppedEnv as JsonObject[] | undefined) ?? []), e];
        plan.findings.push(finding('KTJ-ENV-013', `${envPath}[${i}]`, `${name} is replaced: v1 appended its own ${name} after it (the later value wins), and so does the TrainJob.`));
        return;
      }
      env.push(e);
    });
  }
  env.push(
    { name: 'PYTHONUNBUFFERED', value: '1' },
    { name: 'PADDLE_JOB_ID', value: jobId },
    { name: 'PADDLE_NNODES', value: String(plan.numNodes) },
    { name: 'POD_IP_DUMMY', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    { name: 'PADDLE_MASTER', value: `$(POD_IP_DUMMY):${port}` },
  );
  plan.trainer.env = env;
  plan.findings.push(
    finding(
      'KTJ-PADDLE-003',
      envPath,
      `Set on the TrainJob as v1 set them (Trainer v2 has no Paddle runtime and sets none): PYTHONUNBUFFERED=1, PADDLE_JOB_ID=${jobId}, PADDLE_NNODES=${plan.numNodes}, PADDLE_MASTER=$(POD_IP_DUMMY):${port} (the pod's own IP, where paddle.distributed.launch starts its rendezvous server).`,
    ),
  );
}

/**
 * Converts one PaddleJob into a TrainJob on a generated TrainingRuntime (Trainer ships no Paddle runtime).
 * A collective job of one Worker converts with the PADDLE_* variables v1 gave it; a Master (parameter-server
 * mode, KTJ-PADDLE-001) or several Workers (KTJ-PADDLE-002: worker 0 needs a PADDLE_MASTER of its own) are
 * refused, naming why. Pure.
 */
export function convertPaddleJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const job = readReplicaJob(raw, LAYOUT, findings);
  if (!job) return finish({ objects: [], findings, refused: true });
  const master = job.replicas.Master;
  const worker = job.replicas.Worker;
  // v1 switched to parameter-server mode whenever a Master spec exists, even with 0 replicas.
  if (master) {
    findings.push(
      finding(
        'KTJ-PADDLE-001',
        `${job.specsPath}.${master.inputKey}`,
        `The PaddleJob declares a Master (${master.replicas}) and ${worker?.replicas ?? 0} Worker(s), so v1 ran it in parameter-server mode: the Master pods were servers (PADDLE_SERVER_NUM=1) and the Workers trainers (PADDLE_TRAINER_NUM=1), with master 0's own IP as PADDLE_MASTER on master 0 only. A TrainJob runs one pod template, so the two roles and that per-pod value cannot be expressed; kubectl-trainjob does not generate a runtime with one replicated Job per role.`,
        'Keep this PaddleJob on Training Operator v1, or run it in collective mode (Workers only).',
      ),
    );
    return finish({ objects: [], findings, refused: true });
  }
  if (!worker || worker.replicas < 1) {
    findings.push(finding('KTJ-V1-001', worker ? `${job.specsPath}.${worker.inputKey}.replicas` : job.specsPath, 'The PaddleJob runs no pods (no Worker replicas).', 'Set Worker replicas to at least 1.'));
    return finish({ objects: [], findings, refused: true });
  }
  const workerPath = `${job.specsPath}.${worker.inputKey}`;
  if (worker.replicas > 1) {
    findings.push(
      finding(
        'KTJ-PADDLE-002',
        `${workerPath}.replicas`,
        `${worker.replicas} Workers in collective mode: v1 gave worker 0 PADDLE_MASTER=<its own pod IP>:${paddlePort(worker)} (paddle.distributed.launch starts the rendezvous server only where the PADDLE_MASTER host equals the pod's IP) and the other workers <job>-worker-0:${paddlePort(worker)}. A TrainJob runs one pod template, and a Kubernetes env value cannot depend on the completion index, so worker 0 cannot get a different value; a host name on every pod would leave the rendezvous without a server.`,
        'Keep this PaddleJob on Training Operator v1, or give it a TrainingRuntime whose entrypoint sets PADDLE_MASTER=$POD_IP:<port> when JOB_COMPLETION_INDEX is 0 (kubectl-trainjob does not wrap entrypoints).',
      ),
    );
    return finish({ objects: [], findings, refused: true });
  }
  const { selection, generate } = selectPlainRuntime(opts, RUNTIME_BASE, 'PaddlePaddle');
  const plan = newPlan(job, opts, job.specsPath, selection, findings);
  if (generate) plan.runtimeReasons.push('a runtime for PaddlePaddle (Trainer ships none)');
  plan.numNodes = worker.replicas;
  const template = clone(worker.template);
  const templatePath = `${workerPath}.template`;
  carryPodTemplate(template, templatePath, plan, CONTAINER);
  const containers = (template.spec as JsonObject).containers as JsonObject[];
  const index = containers.findIndex((c) => c.name === CONTAINER.name);
  const envPath = `${templatePath}.spec.containers[${index}].env`;
  const restartPolicy = mapReplicaRestartPolicy(worker, `${workerPath}.restartPolicy`, plan, 'PaddleJob');
  if (plan.name === undefined) {
    findings.push(finding('KTJ-ENV-008', envPath, 'v1 injected PADDLE_JOB_ID (the job name); generateName leaves the TrainJob name open.', 'Give the job a fixed name.', 'error'));
  } else {
    paddleEnv(containers[index]!.env, envPath, plan, plan.name, paddlePort(worker));
  }
  checkV1HostNames(plan, LAYOUT.roles, envPath, 'the PADDLE_MASTER the TrainJob sets');
  mapElasticPolicy(job, plan);
  mapRunPolicy(job, plan, opts.target.capabilities, restartPolicy);
  return assemble(plan, opts);
}

/** elasticPolicy: no elastic training in Trainer v2 (kubeflow/trainer#2903); kept for rollback, the job runs its declared replicas. */
function mapElasticPolicy(job: ReplicaJob, plan: ConversionPlan): void {
  const ep = job.spec.elasticPolicy;
  if (!isObject(ep)) return;
  plan.v1Settings.elasticPolicy = ep;
  plan.findings.push(
    finding(
      'KTJ-PADDLE-004',
      'spec.elasticPolicy',
      `elasticPolicy (${['minReplicas', 'maxReplicas', 'maxRestarts', 'metrics'].filter((k) => ep[k] !== undefined).join(', ') || 'empty'}) let v1 scale the PaddleJob; Trainer v2 has no elastic training (kubeflow/trainer#2903). With --force the TrainJob runs a fixed ${plan.numNodes} node(s) and the policy is kept in an annotation for rollback.`,
      'Remove elasticPolicy if a fixed size is acceptable, or keep the job on Training Operator v1.',
    ),
  );
}

/** PaddleJob kubeflow.org/v1 (Training Operator v1.9): single-Worker collective jobs onto a generated Paddle runtime. */
export const paddleJobKind: SourceKind = {
  kind: 'PaddleJob',
  apiVersions: ['kubeflow.org/v1'],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.9)',
  resource: 'paddlejobs',
  defaultRuntime: undefined,
  inputSchema: () => (schemas as unknown as { paddlejob: object }).paddlejob,
  convert: convertPaddleJob,
};
