import { assemble, finish, mapRestartPolicy, newPlan, selectRuntime, type ConversionResult } from '../../build.js';
import { finding } from '../../codes.js';
import { canonicalJson } from '../../content-hash.js';
import type { Finding } from '../../findings.js';
import { clone, isObject, joinPath, type JsonObject, type ReplicaSpec } from '../../model.js';
import type { ConversionPlan, ConvertOptions, RuntimeSelection } from '../../plan.js';
import { carryPodTemplate } from '../../rules/pod.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import { readReplicaJob, type ReplicaJob, type ReplicaLayout } from '../replicas.js';
import { requireStockRuntime, rolePodTemplate } from '../shared.js';
import type { SourceKind } from '../types.js';
import schemas from './schema.json' with { type: 'json' };

const V1 = 'kubeflow.org/v1';
const V2BETA1 = 'kubeflow.org/v2beta1';

/**
 * MPIJob kubeflow.org/v1 (Training Operator v1.9: `mpi_types.go`, `mpi_defaults.go`, `mpi_validation.go`):
 * one Launcher, Workers defaulting to 0 replicas, restartPolicy Never; the FIRST container trains (any name).
 */
const V1_LAYOUT: ReplicaLayout = {
  kind: 'MPIJob',
  specsField: 'mpiReplicaSpecs',
  roles: ['Launcher', 'Worker'],
  required: ['Launcher'],
  exactlyOne: ['Launcher'],
  container: 'mpi',
  anyContainerName: true,
  defaultRestartPolicy: 'Never',
  roleDefaults: { Worker: { replicas: 0 } },
};
/** MPIJob kubeflow.org/v2beta1 (mpi-operator v0.8 `default.go`): the Launcher defaults to OnFailure. */
const V2BETA1_LAYOUT: ReplicaLayout = { ...V1_LAYOUT, roleDefaults: { Launcher: { restartPolicy: 'OnFailure' }, Worker: { replicas: 0 } } };

/** The stock runtime whose MPI layout (launcher + node replicated Jobs) MPIJobs move to; every Trainer release ships it. */
const RUNTIME = 'deepspeed-distributed';
/**
 * The base name of a runtime generated from RUNTIME's layout (`mpi-distributed-<content hash>`): it runs the job's
 * own MPI program (Horovod, plain OpenMPI, ...), not DeepSpeed. With --runtime the runtime named is the base.
 */
const GENERATED_BASE = 'mpi-distributed';
/** The stock runtimes an MPIJob may fit as they are (same MPI policy and pods). */
const STOCK_MPI_RUNTIMES = ['deepspeed-distributed', 'mlx-distributed'];
const LAUNCHER_JOB = 'launcher';
const NODE_JOB = 'node';
const ANCESTOR_LABEL = 'trainer.kubeflow.org/trainjob-ancestor-step';
const FRAMEWORK_LABEL = 'trainer.kubeflow.org/framework';

/** Variables Trainer's MPI plugin sets in the launcher (constants.MPIReservedEnvNames, v2.0-v2.3) and their values. */
const TRAINER_MPI_ENV: Readonly<Record<string, string>> = {
  OMPI_MCA_orte_default_hostfile: '/etc/mpi/hostfile',
  OMPI_MCA_orte_keep_fqdn_hostnames: 'true',
  OMPI_MCA_orte_set_default_slots: '<numProcPerNode>',
  OMPI_MCA_plm_rsh_args: '-o ConnectionAttempts=10',
};
/** Variables the v1 operators appended to the launcher after the user's (so a user value never took effect) that would break Trainer's SSH launch. */
const V1_LAUNCHER_ENV = new Set(['OMPI_MCA_plm_rsh_agent', 'I_MPI_HYDRA_BOOTSTRAP', 'I_MPI_HYDRA_BOOTSTRAP_EXEC', 'I_MPI_HYDRA_HOST_FILE', 'I_MPI_HYDRA_BOOTSTRAP_EXEC_EXTRA_ARGS', 'I_MPI_PERHOST', 'HYDRA_HOST_FILE', 'HYDRA_LAUNCH_EXTRA_ARGS']);
/** What both v1 operators set on a launcher that is not an MPI node, so it never grabs a GPU. */
const NVIDIA_DISABLE = ['NVIDIA_VISIBLE_DEVICES', 'NVIDIA_DRIVER_CAPABILITIES'];

/** Whether any container of a pod template has a GPU limit (Training Operator's isGPULauncher). */
function requestsGpu(template: JsonObject): boolean {
  const containers = (template.spec as JsonObject | undefined)?.containers;
  if (!Array.isArray(containers)) return false;
  return containers.some((c) => isObject(c) && isObject(c.resources) && isObject(c.resources.limits) && Object.keys(c.resources.limits).some((k) => k.includes('gpu')));
}

/** What one role (Launcher or Worker) becomes: the pod template of its replicated Job, and the launcher's trainer fields. */
interface RolePod {
  pod: JsonObject;
  image: string;
  command?: unknown[];
  args?: unknown[];
}

/**
 * Splits one role's pod template through the shared pod rules (field by field, with their findings) and puts
 * it back together as the pod template of a replicated Job: the training container becomes `node`, sidecars and
 * every pod field stay in this role's pod only. `env` is the training container's env after the MPI rules.
 */
function rolePod(job: ReplicaJob, replica: ReplicaSpec, trainingIndex: number, env: JsonObject[], plan: ConversionPlan, opts: ConvertOptions): RolePod {
  const rolePath = `${job.specsPath}.${replica.inputKey}`;
  const sub = newPlan(job, opts, job.specsPath, plan.runtime, plan.findings);
  const template = clone(replica.template);
  const containers = (template.spec as JsonObject).containers as JsonObject[];
  const name = String(containers[trainingIndex]!.name);
  carryPodTemplate(template, `${rolePath}.template`, sub, {
    name,
    v1Env: '',
    masterAddrVar: 'the hostfile Trainer mounts at /etc/mpi/hostfile',
    sidecarHint: '',
  });
  mapRestartPolicy(replica.restartPolicy, `${rolePath}.restartPolicy`, sub);
  for (const [k, v] of Object.entries(sub.v1Settings)) plan.v1Settings[`${replica.role}.${k}`] = v;
  const pod = rolePodTemplate(sub, env.length ? env : undefined);
  return { pod, image: sub.trainer.image, ...(sub.trainer.command ? { command: sub.trainer.command } : {}), ...(sub.trainer.args ? { args: sub.trainer.args } : {}) };
}

/** The env of a role's training container with what the v1 operators and Trainer's MPI plugin own taken out (launcher), reported. */
function launcherEnv(raw: unknown, envPath: string, slots: number, findings: Finding[]): JsonObject[] {
  const env: JsonObject[] = [];
  if (!Array.isArray(raw)) return env;
  raw.forEach((e, i) => {
    if (!isObject(e)) return;
    const name = String(e.name ?? '');
    if (name in TRAINER_MPI_ENV) {
      const value = TRAINER_MPI_ENV[name]!.replace('<numProcPerNode>', String(slots));
      findings.push(
        finding(
          'KTJ-MPI-004',
          `${envPath}[${i}]`,
          `${name} is removed from the launcher: Trainer v2's MPI plugin sets it (to ${JSON.stringify(value)}) and would overwrite it (Trainer v2.3 also rejects TrainJobs that set it); the v1 operator overwrote it as well.`,
          name === 'OMPI_MCA_orte_set_default_slots' ? 'Set the slots with spec.slotsPerWorker (it becomes numProcPerNode).' : undefined,
          'info',
        ),
      );
      return;
    }
    if (V1_LAUNCHER_ENV.has(name)) {
      findings.push(
        finding(
          'KTJ-MPI-004',
          `${envPath}[${i}]`,
          `${name} is removed from the launcher: the v1 operator set it after the user's value (which never took effect), and under Trainer v2 it would point mpirun away from the SSH launch and hostfile Trainer sets up.`,
          'Nothing to do unless a script reads it; Trainer starts the ranks over SSH with the hostfile in OMPI_MCA_orte_default_hostfile.',
        ),
      );
      return;
    }
    env.push(e);
  });
  return env;
}

/** The launcher's and node's replicated Jobs of an MPI runtime, or undefined when it has no MPI layout. */
function mpiJobs(runtime: JsonObject): { launcher: any; node: any } | undefined {
  const spec = runtime.spec as any;
  if (!isObject(spec?.mlPolicy?.mpi)) return undefined;
  const rjobs = spec?.template?.spec?.replicatedJobs;
  if (!Array.isArray(rjobs)) return undefined;
  const launcher = rjobs.find((j: any) => j?.name === LAUNCHER_JOB);
  const node = rjobs.find((j: any) => j?.name === NODE_JOB);
  return launcher && node ? { launcher, node } : undefined;
}

/** A pod template with the fields the TrainJob's trainer sets on the launcher (image, command, args) left out, for comparison. */
function withoutTrainerFields(pod: JsonObject): string {
  const p = clone(pod) as any;
  for (const c of p?.spec?.containers ?? []) {
    if (c?.name !== 'node') continue;
    delete c.image;
    delete c.command;
    delete c.args;
  }
  if (p?.spec?.restartPolicy === 'OnFailure') delete p.spec.restartPolicy;
  return canonicalJson(p);
}

/**
 * The stock runtime (deepspeed-distributed or mlx-distributed) the job fits exactly as it is: same MPI policy
 * (the TrainJob sets numProcPerNode), the same worker pod, and a launcher pod that differs only in what the
 * TrainJob's trainer sets. Such a job references the stock runtime with no generated one.
 */
function fittingStockRuntime(opts: ConvertOptions, mpi: JsonObject, launcher: JsonObject, node: JsonObject, plan: ConversionPlan): string | undefined {
  if (!opts.runtime.defaulted || opts.baseRuntime !== undefined) return undefined;
  if (Object.keys(plan.jobSpec).length || Object.keys(plan.jobSetAnnotations).length || plan.podGroupPolicy) return undefined;
  for (const name of STOCK_MPI_RUNTIMES) {
    const stock = opts.target.stockRuntimes[name] as unknown as JsonObject | undefined;
    const jobs = stock ? mpiJobs(stock) : undefined;
    if (!stock || !jobs) continue;
    const stockMpi = { ...((stock.spec as any).mlPolicy.mpi as JsonObject), numProcPerNode: mpi.numProcPerNode };
    if (canonicalJson(stockMpi) !== canonicalJson(mpi)) continue;
    if (withoutTrainerFields(jobs.node.template.spec.template) !== withoutTrainerFields(node)) continue;
    const stockNodeImage = jobs.node.template.spec.template.spec.containers.find((c: any) => c.name === 'node')?.image;
    const nodeImage = ((node.spec as any).containers as JsonObject[]).find((c) => c.name === 'node')?.image;
    if (stockNodeImage !== nodeImage) continue;
    if (withoutTrainerFields(jobs.launcher.template.spec.template) !== withoutTrainerFields(launcher)) continue;
    // The TrainJob replaces the stock launcher's command and args only where the Launcher has its own.
    const stockLauncher = jobs.launcher.template.spec.template.spec.containers.find((c: any) => c.name === 'node') ?? {};
    const own = ((launcher.spec as any).containers as JsonObject[]).find((c) => c.name === 'node') ?? {};
    if ((stockLauncher.command && !own.command) || (stockLauncher.args && !own.args)) continue;
    return name;
  }
  return undefined;
}

/**
 * Converts one MPIJob (Training Operator kubeflow.org/v1 or mpi-operator kubeflow.org/v2beta1) into a TrainJob
 * on an MPI runtime (mlPolicy.mpi, a `launcher` and a `node` replicated Job): slotsPerWorker becomes
 * numProcPerNode, the Launcher and Worker pod templates stay apart in a generated TrainingRuntime (unless the
 * job fits a stock MPI runtime exactly), what the v1 operators injected is reported or set again. Pure.
 */
export function convertMPIJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const v2beta1 = raw.apiVersion === V2BETA1;
  const job = readReplicaJob(raw, v2beta1 ? V2BETA1_LAYOUT : V1_LAYOUT, findings);
  if (!job) return finish({ objects: [], findings, refused: true });
  const spec = job.spec;
  const refuse = () => finish({ objects: [], findings, refused: true, ...(job.name ? { name: `${job.name}${opts.suffix ?? ''}` } : {}) });

  const implementation = typeof spec.mpiImplementation === 'string' ? spec.mpiImplementation : 'OpenMPI';
  if (implementation !== 'OpenMPI') {
    findings.push(
      finding(
        'KTJ-MPI-001',
        'spec.mpiImplementation',
        `mpiImplementation ${implementation}: Trainer v2 runs OpenMPI only (mlPolicy.mpi.mpiImplementation accepts only OpenMPI in v2.0 to v2.3; its MPI plugin sets up OpenMPI's hostfile and SSH variables and nothing else).`,
        `Keep this MPIJob on mpi-operator until a Trainer release supports ${implementation}, or build the image with OpenMPI and set mpiImplementation: OpenMPI.`,
      ),
    );
    return refuse();
  }
  const launcher = job.replicas.Launcher!;
  const worker = job.replicas.Worker;
  const workers = worker?.replicas ?? 0;
  if (!worker || workers < 1) {
    findings.push(
      finding(
        'KTJ-MPI-009',
        worker ? `${job.specsPath}.${worker.inputKey}.replicas` : job.specsPath,
        'The MPIJob has no Worker replicas: v1 ran mpirun on the launcher alone, but a Trainer v2 MPI runtime always starts at least one node pod and lists it in the hostfile.',
        'Add a Worker with replicas of at least 1, or run the launcher as a plain Job.',
      ),
    );
    return refuse();
  }
  const stock = requireStockRuntime(job, opts, RUNTIME, 'v2.0', 'mlPolicy.mpi', findings);
  if (!stock) return refuse();
  const selection = selectRuntime(opts, RUNTIME, stock);
  const baseJobs = mpiJobs(selection.base);
  if (!baseJobs) {
    findings.push(
      finding(
        'KTJ-MPI-007',
        job.specsPath,
        `${selection.choice.kind} ${selection.choice.name} has no MPI policy with a launcher and a node replicated Job, so an MPIJob cannot run on it.`,
        `Convert without --runtime (the MPI layout of the stock ${RUNTIME} runtime), or name a runtime with mlPolicy.mpi.`,
        'error',
      ),
    );
    return refuse();
  }

  const slots = typeof spec.slotsPerWorker === 'number' ? spec.slotsPerWorker : 1;
  const launcherIsNode = v2beta1 ? spec.runLauncherAsWorker === true : requestsGpu(launcher.template);
  const sshAuthMountPath = v2beta1 && typeof spec.sshAuthMountPath === 'string' && spec.sshAuthMountPath !== '' ? spec.sshAuthMountPath : '/root/.ssh';
  const mpi: JsonObject = { numProcPerNode: slots, mpiImplementation: 'OpenMPI', sshAuthMountPath, runLauncherAsNode: launcherIsNode };
  const base = clone(selection.base) as any;
  base.spec.mlPolicy = { ...base.spec.mlPolicy, mpi };
  // The generated runtime runs the job's own MPI program, not the base's framework (DeepSpeed): say so to the SDK.
  if (base.metadata?.labels?.[FRAMEWORK_LABEL]) base.metadata.labels[FRAMEWORK_LABEL] = 'mpi';
  const runtime: RuntimeSelection = { ...selection, base, ...(selection.choice.name === RUNTIME ? { generatedName: GENERATED_BASE } : {}) };
  const plan = newPlan(job, opts, job.specsPath, runtime, findings);
  plan.numNodes = workers + (launcherIsNode ? 1 : 0);
  plan.trainer.numProcPerNode = slots;

  if (spec.slotsPerWorker !== undefined) {
    findings.push(
      finding('KTJ-MPI-003', 'spec.slotsPerWorker', `slotsPerWorker ${slots} becomes numProcPerNode ${slots}: Trainer writes "<host> slots=${slots}" into the hostfile and sets OMPI_MCA_orte_set_default_slots=${slots} in the launcher.`),
    );
  }
  if (launcherIsNode) {
    findings.push(
      finding(
        'KTJ-MPI-005',
        v2beta1 ? 'spec.runLauncherAsWorker' : `${job.specsPath}.${launcher.inputKey}.template.spec.containers`,
        `${v2beta1 ? 'runLauncherAsWorker: true' : 'The launcher requests GPUs, so v1 listed it in the hostfile'}: the launcher stays an MPI node (runLauncherAsNode: true), numNodes ${plan.numNodes} = ${workers} worker(s) + the launcher.`,
      ),
    );
  }
  if (!v2beta1 && isObject(spec) && spec.cleanPodPolicy !== undefined) {
    const rp = job.runPolicy;
    if (rp.cleanPodPolicy === undefined) job.runPolicy = { ...rp, cleanPodPolicy: spec.cleanPodPolicy };
    findings.push(
      finding(
        'KTJ-MPI-011',
        'spec.cleanPodPolicy',
        rp.cleanPodPolicy === undefined
          ? `The deprecated spec.cleanPodPolicy ${JSON.stringify(spec.cleanPodPolicy)} is read as spec.runPolicy.cleanPodPolicy.`
          : `The deprecated spec.cleanPodPolicy ${JSON.stringify(spec.cleanPodPolicy)} is ignored: spec.runPolicy.cleanPodPolicy ${JSON.stringify(rp.cleanPodPolicy)} is set and wins.`,
      ),
    );
  }

  // The launcher's first container runs mpirun (the v1 operators inject into containers[0]); on the workers the
  // ranks run in mainContainer when set (v1's kubectl exec --container), else in the first container.
  const launcherPath = `${job.specsPath}.${launcher.inputKey}`;
  const workerPath = `${job.specsPath}.${worker.inputKey}`;
  const workerContainers = (worker.template.spec as JsonObject).containers as JsonObject[];
  let workerIndex = 0;
  if (!v2beta1 && typeof spec.mainContainer === 'string' && spec.mainContainer !== '') {
    const i = workerContainers.findIndex((c) => c.name === spec.mainContainer);
    if (i >= 0) workerIndex = i;
    findings.push(
      finding(
        'KTJ-MPI-008',
        'spec.mainContainer',
        i >= 0
          ? `mainContainer ${JSON.stringify(spec.mainContainer)}: the ranks ran in this worker container (kubectl exec --container), so it becomes the node container Trainer's SSH keys are mounted in.`
          : `mainContainer ${JSON.stringify(spec.mainContainer)} names no Worker container (v1's kubectl exec would have failed); the first Worker container becomes node.`,
        i >= 0 ? undefined : 'Check which container should run the ranks.',
        i >= 0 ? 'info' : 'warning',
      ),
    );
  }

  const launcherContainers = (launcher.template.spec as JsonObject).containers as JsonObject[];
  const launcherEnvPath = `${launcherPath}.template.spec.containers[0].env`;
  const lEnv = launcherEnv(launcherContainers[0]!.env, launcherEnvPath, slots, findings);
  const wEnv = Array.isArray(workerContainers[workerIndex]!.env) ? clone(workerContainers[workerIndex]!.env as JsonObject[]) : [];
  const reinjected: string[] = [];
  if (opts.envShim) {
    if (!launcherIsNode) {
      for (const name of NVIDIA_DISABLE) {
        if (lEnv.some((e) => e.name === name)) continue;
        lEnv.push({ name, value: '' });
        reinjected.push(`${name}="" on the launcher (so it never grabs a GPU)`);
      }
    }
    if (v2beta1) {
      if (!lEnv.some((e) => e.name === 'K_MPI_JOB_ROLE')) lEnv.push({ name: 'K_MPI_JOB_ROLE', value: 'launcher' });
      if (!wEnv.some((e) => e.name === 'K_MPI_JOB_ROLE')) wEnv.push({ name: 'K_MPI_JOB_ROLE', value: 'worker' });
      reinjected.push('K_MPI_JOB_ROLE=launcher/worker');
    }
  }
  if (reinjected.length) {
    findings.push(
      finding(
        'KTJ-MPI-010',
        job.specsPath,
        `Set again in the generated runtime, as the v1 operator injected them and Trainer v2 does not: ${reinjected.join('; ')}.`,
        'Convert with --no-env-shim to leave them out.',
      ),
    );
  }

  const launcherRole = rolePod(job, launcher, 0, lEnv, plan, opts);
  const workerRole = rolePod(job, worker, workerIndex, wEnv, plan, opts);
  plan.trainer.image = launcherRole.image;
  if (launcherRole.command) plan.trainer.command = launcherRole.command;
  if (launcherRole.args) plan.trainer.args = launcherRole.args;

  if (!v2beta1) {
    const hasCommand = Array.isArray(workerContainers[workerIndex]!.command) && (workerContainers[workerIndex]!.command as unknown[]).length > 0;
    findings.push(
      finding(
        'KTJ-MPI-002',
        `${workerPath}.template.spec.containers[${workerIndex}]`,
        `Training Operator v1 started the ranks with kubectl exec into the workers${hasCommand ? '' : ' (and replaced the worker\'s missing command with "sleep 365d")'}; Trainer v2 starts them over SSH with the keys it mounts at ${sshAuthMountPath}, so the worker container must run an SSH server.`,
        hasCommand
          ? 'Make the worker command start sshd (for example /usr/sbin/sshd -De) in an image that has it, as mpi-operator v2beta1 MPIJobs do.'
          : 'Give the Worker a command that runs sshd (for example /usr/sbin/sshd -De) in an image that has it, or check that the image entrypoint does.',
      ),
    );
  }

  // v1's newWorker applied its worker changes to containers[0], not to mainContainer: a first container without a
  // command slept ("sleep 365d", with kubexec.sh mounted) instead of running its entrypoint. Found by pod parity.
  const first = workerContainers[0];
  if (!v2beta1 && workerIndex > 0 && first && !(Array.isArray(first.command) && first.command.length > 0)) {
    findings.push(
      finding(
        'KTJ-MPI-008',
        `${workerPath}.template.spec.containers[0]`,
        `Worker container ${JSON.stringify(first.name)} comes before mainContainer and has no command: Training Operator v1 replaced it with "sleep 365d" (it applied its worker changes to the first container), so under v1 it never ran its own entrypoint; under Trainer v2 it does.`,
        'Check that the container should run (it did not under v1), or give it the command it should run.',
        'warning',
      ),
    );
  }

  const creation = v2beta1 && typeof spec.launcherCreationPolicy === 'string' ? spec.launcherCreationPolicy : 'AtStartup';
  const waits = Array.isArray(baseJobs.launcher.dependsOn) && baseJobs.launcher.dependsOn.some((d: any) => d?.name === NODE_JOB);
  if (creation === 'WaitForWorkersReady' && !waits) {
    findings.push(
      finding(
        'KTJ-MPI-006',
        'spec.launcherCreationPolicy',
        `launcherCreationPolicy WaitForWorkersReady: the MPI runtime of Trainer ${opts.target.version} starts the launcher together with the workers (the launcher waits for ready nodes from Trainer v2.3); OpenMPI retries the SSH connection (ConnectionAttempts=10) meanwhile.`,
        'Convert for Trainer v2.3 or later (--target-version v2.3), or make the launcher command wait until the workers accept SSH.',
      ),
    );
  } else if (creation === 'AtStartup' && waits && v2beta1) {
    findings.push(
      finding(
        'KTJ-MPI-006',
        'spec.launcherCreationPolicy',
        `launcherCreationPolicy AtStartup${spec.launcherCreationPolicy === undefined ? ' (the default)' : ''}: the MPI runtime of Trainer ${opts.target.version} starts the launcher only once the worker pods are ready (dependsOn), like WaitForWorkersReady.`,
        undefined,
        'info',
      ),
    );
  }

  mapRunPolicy(job, plan, opts.target.capabilities, launcher.restartPolicy);
  const fits = fittingStockRuntime(opts, mpi, launcherRole.pod, workerRole.pod, plan);
  if (fits) {
    plan.runtime = { choice: { name: fits, kind: 'ClusterTrainingRuntime' }, base: opts.target.stockRuntimes[fits] as unknown as JsonObject, derivedFromStock: true, stockName: fits };
    findings.push(finding('KTJ-MPI-012', job.specsPath, `The Launcher and Worker match the stock ${fits} runtime of Trainer ${opts.target.version} (MPI policy and pods), so the TrainJob references it directly.`));
    return assemble(plan, opts);
  }
  // The workers' Job gets the same Job settings as the launcher's, except that backoffLimit 0 (v1 failed at the first
  // failed pod) follows the Worker's own restartPolicy: an OnFailure worker would fail at its first container restart.
  const nodeJobSpec: JsonObject = { ...plan.jobSpec };
  const rp = job.runPolicy;
  if (rp.backoffLimit === undefined || rp.backoffLimit === null) {
    if (worker.restartPolicy === 'Never') nodeJobSpec.backoffLimit = 0;
    else delete nodeJobSpec.backoffLimit;
  }
  plan.podTemplates = { [LAUNCHER_JOB]: { pod: launcherRole.pod }, [NODE_JOB]: { pod: workerRole.pod, ...(Object.keys(nodeJobSpec).length ? { jobSpec: nodeJobSpec } : {}) } };
  plan.runtimeReasons.push('separate Launcher and Worker pod templates');
  findings.push(
    finding(
      'KTJ-MPI-007',
      job.specsPath,
      `The Launcher and the ${workers} Worker(s) keep their own pod templates in the generated runtime: its "${LAUNCHER_JOB}" Job runs the Launcher and its "${NODE_JOB}" Job the Workers, with mlPolicy.mpi numProcPerNode ${slots}, sshAuthMountPath ${sshAuthMountPath}, runLauncherAsNode ${launcherIsNode}.`,
    ),
  );
  // The launcher Job is the trainer step (the TrainJob's trainer image/command/args land there), as in Trainer's MPI runtimes.
  const ancestor = baseJobs.launcher.template?.metadata?.labels?.[ANCESTOR_LABEL];
  if (ancestor !== 'trainer') plan.findings.push(finding('KTJ-MPI-007', joinPath(job.specsPath, launcher.inputKey), `The base runtime's launcher Job lacks the ${ANCESTOR_LABEL}: trainer label; the TrainJob's trainer fields will not reach it.`, undefined, 'warning'));
  return assemble(plan, opts);
}

/** MPIJob: Training Operator's kubeflow.org/v1 and mpi-operator's kubeflow.org/v2beta1, onto an MPI runtime (launcher + node). */
export const mpiJobKind: SourceKind = {
  kind: 'MPIJob',
  apiVersions: [V1, V2BETA1],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.9) or kubeflow.org/v2beta1 (mpi-operator v0.8)',
  resource: 'mpijobs',
  defaultRuntime: RUNTIME,
  inputSchema: (apiVersion: string) => (schemas as unknown as Record<string, object>)[apiVersion === V2BETA1 ? 'v2beta1' : 'v1']!,
  convert: convertMPIJob,
};
