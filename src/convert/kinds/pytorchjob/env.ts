import { finding } from '../../codes.js';
import { isObject, type JsonObject } from '../../model.js';
import type { ConversionPlan } from '../../plan.js';
import { mentionsV1Host } from '../../rules/v1-env.js';
import type { PyTorchJob } from './reader.js';

/** The only port Trainer v2 uses for the master (ContainerTrainerPort, all versions). */
export const V2_MASTER_PORT = 29500;

/** PET_* variables Trainer v2 sets itself; its webhook rejects TrainJobs that set them (TorchRunReservedEnvNames). */
export const TRAINER_RESERVED_ENV = new Set(['PET_NNODES', 'PET_NPROC_PER_NODE', 'PET_NODE_RANK', 'PET_MASTER_ADDR', 'PET_MASTER_PORT']);
/** PET_* variables that choose torchrun's rendezvous; kept, they would override Trainer's static rendezvous. */
const RENDEZVOUS_ENV = /^PET_(RDZV_|STANDALONE$)/;

/** Variables the v1 operator injected (when a Master existed) that Trainer v2 does not. */
const V1_ONLY_VARS = ['RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT'] as const;

/** An entrypoint that reads the PET_* variables itself (torchrun and its aliases, torchtune). */
const LAUNCHER = /\btorchrun\b|\btorch\.distributed\.(?:run|launch)\b|\btune\s+run\b/;
/** `$(RANK)`-style references that the kubelet expanded from the v1-injected variables. */
const KUBELET_REF = /\$\((RANK|WORLD_SIZE|MASTER_ADDR|MASTER_PORT)\)/g;
/** Shell references (`$RANK`, `${MASTER_ADDR}`) to the v1-injected variables inside scripts. */
const SHELL_REF = /\$\{?(RANK|WORLD_SIZE|MASTER_ADDR|MASTER_PORT)\b(?!_)/g;
const RDZV_BACKEND = /--rdzv[-_]backend\b/;
const RDZV_ENDPOINT = /--rdzv[-_]endpoint\b/;

function words(values: unknown[] | undefined): string {
  return (values ?? []).map((v) => String(v)).join(' ');
}

function hasGpu(resources: JsonObject | undefined): boolean {
  for (const section of ['limits', 'requests']) {
    const s = resources?.[section];
    if (isObject(s) && Object.keys(s).some((k) => k.includes('gpu') && String(s[k]) !== '0')) return true;
  }
  return false;
}

/** Whether the training entrypoint is a launcher that reads PET_* (torchrun, torch.distributed.run, tune run). */
export function usesLauncher(plan: ConversionPlan): boolean {
  return LAUNCHER.test(`${words(plan.trainer.command)} ${words(plan.trainer.args)}`);
}

/** Whether the training container requests GPUs (resource names containing "gpu", as Trainer counts them). */
export function requestsGpu(plan: ConversionPlan): boolean {
  return hasGpu(plan.trainer.resourcesPerNode);
}

/**
 * Applies the environment contract change (kubeflow-api.md §2.3): removes user-set PET_*
 * variables Trainer reserves or whose rendezvous it replaces, adds PYTHONUNBUFFERED to every container as v1 did,
 * and where the entrypoint relied on the v1-only RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT, adds
 * compatibility variables that reproduce their v1 values (§2.4).
 */
export function applyEnvContract(job: PyTorchJob, containerEnvPath: string, rawEnv: unknown, plan: ConversionPlan, envShim: boolean): void {
  const findings = plan.findings;
  const env: JsonObject[] = [];
  const dropped: JsonObject[] = [];
  if (Array.isArray(rawEnv)) {
    rawEnv.forEach((e, i) => {
      if (!isObject(e)) return;
      const name = String(e.name ?? '');
      // Other PET_* (PET_MAX_RESTARTS, PET_LOG_DIR, ...) are torchrun options Trainer leaves alone: carried as they are.
      if (TRAINER_RESERVED_ENV.has(name) || RENDEZVOUS_ENV.test(name)) {
        dropped.push(e);
        if (name === 'PET_NPROC_PER_NODE' && job.nprocPerNode === undefined && typeof e.value === 'string') {
          plan.trainer.numProcPerNode = /^\d+$/.test(e.value) ? Number(e.value) : e.value;
          findings.push(finding('KTJ-ENV-009', `${containerEnvPath}[${i}]`, `PET_NPROC_PER_NODE=${e.value} becomes trainer.numProcPerNode.`));
        } else {
          findings.push(
            finding(
              'KTJ-ENV-004',
              `${containerEnvPath}[${i}]`,
              TRAINER_RESERVED_ENV.has(name)
                ? `${name} is removed: Trainer v2 sets it itself and its webhook rejects TrainJobs that set it.`
                : `${name} is removed: it chose torchrun's rendezvous, which Trainer v2 replaces with a static rendezvous at node 0 (PET_MASTER_ADDR:PET_MASTER_PORT).`,
              TRAINER_RESERVED_ENV.has(name) ? 'Trainer v2 derives this value from numNodes and numProcPerNode.' : 'Drop it; every node reaches the master through PET_MASTER_ADDR.',
            ),
          );
        }
        return;
      }
      env.push(e);
    });
  }
  // v1 injected RANK/WORLD_SIZE/MASTER_* only when a Master existed (kubeflow-api.md §2.1), appended after the
  // container's own env, so a user copy never took effect: kept, it would shadow the compatibility env below.
  const v1Injected = job.master !== undefined;
  if (v1Injected) {
    const shadowed = env.filter((e) => (V1_ONLY_VARS as readonly string[]).includes(String(e.name)));
    for (const e of shadowed) {
      env.splice(env.indexOf(e), 1);
      dropped.push(e);
      const i = Array.isArray(rawEnv) ? rawEnv.indexOf(e) : -1;
      findings.push(
        finding(
          'KTJ-ENV-010',
          `${containerEnvPath}[${i}]`,
          `${String(e.name)}${typeof e.value === 'string' ? `=${e.value}` : ''} set in the container is removed: v1 appended its own ${String(e.name)} after it, so the job never saw this value; under Trainer v2 it would take effect (every node the same).`,
          'Nothing to do unless the value was meant to apply; the v1 value is reproduced where the entrypoint needs it (compatibility env).',
        ),
      );
    }
  }
  if (dropped.length) plan.v1Settings.droppedEnv = dropped;
  const userNames = new Set(env.map((e) => String(e.name)));

  const commandLine = `${words(plan.trainer.command)} ${words(plan.trainer.args)}`;
  const launcher = LAUNCHER.test(commandLine);
  const kubeletRefs = [...new Set([...commandLine.matchAll(KUBELET_REF)].map((m) => m[1]!))];
  const shellRefs = [...new Set([...commandLine.matchAll(SHELL_REF)].map((m) => m[1]!))].filter((v) => !userNames.has(v));
  const multiNode = plan.numNodes > 1;
  const reliesOnV1Env = v1Injected && ((multiNode && !launcher) || kubeletRefs.length > 0 || shellRefs.length > 0);

  if (reliesOnV1Env) {
    const reason =
      kubeletRefs.length > 0
        ? `the command or args expand ${kubeletRefs.map((v) => `$(${v})`).join(', ')}, which v1 injected and Trainer v2 does not`
        : shellRefs.length > 0
          ? `the entrypoint script reads ${shellRefs.map((v) => `$${v}`).join(', ')}, which v1 injected and Trainer v2 does not`
          : `the entrypoint is not torchrun, so on ${plan.numNodes} nodes it most likely initializes torch.distributed from RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT, which v1 injected and Trainer v2 does not (without them every node would train alone)`;
    const code = kubeletRefs.length > 0 ? 'KTJ-ENV-002' : 'KTJ-ENV-001';
    if (plan.name === undefined) {
      findings.push(finding('KTJ-ENV-008', containerEnvPath, `${capitalize(reason)}; the compatibility variables need the TrainJob name, which generateName leaves open.`, 'Give the job a fixed name.'));
    } else if (!envShim) {
      findings.push(
        finding('KTJ-ENV-008', containerEnvPath, `${capitalize(reason)}; --no-env-shim is set, so nothing was added.`, 'Switch the entrypoint to torchrun, or drop --no-env-shim.'),
      );
    } else {
      const added = compatibilityEnv(plan, job).filter((e) => !userNames.has(String(e.name)));
      env.push(...added);
      findings.push(
        finding(
          code,
          containerEnvPath,
          `${capitalize(reason)}; added ${added.map((e) => e.name).join(', ')} with the v1 values (RANK from the Job completion index, MASTER_ADDR ${plan.name}-node-0-0.${plan.name}, MASTER_PORT ${V2_MASTER_PORT}).`,
          'Verify on the cluster (kubectl trainjob preview), or switch the entrypoint to torchrun, which reads the PET_* variables Trainer v2 sets.',
        ),
      );
    }
  }
  if (!userNames.has('PYTHONUNBUFFERED')) {
    env.push({ name: 'PYTHONUNBUFFERED', value: '1' });
    findings.push(finding('KTJ-ENV-005', containerEnvPath, 'PYTHONUNBUFFERED=1 added: v1 injected it into every container, Trainer v2 does not.'));
  }
  // v1 injected it into the other containers too (sidecars); they live in the generated runtime.
  const unbuffered = plan.sidecars.filter((c) => !(Array.isArray(c.env) && c.env.some((e) => isObject(e) && e.name === 'PYTHONUNBUFFERED')));
  if (unbuffered.length) {
    plan.sidecars = plan.sidecars.map((c) => (unbuffered.includes(c) ? { ...c, env: [...(Array.isArray(c.env) ? c.env : []), { name: 'PYTHONUNBUFFERED', value: '1' }] } : c));
    findings.push(
      finding(
        'KTJ-ENV-005',
        containerEnvPath.replace(/\[\d+\]\.env$/, ''),
        `PYTHONUNBUFFERED=1 added to container(s) ${unbuffered.map((c) => c.name).join(', ')} in the generated TrainingRuntime: v1 injected it into every container, sidecars included.`,
      ),
    );
  }

  if (/\b23456\b/.test(commandLine)) {
    findings.push(
      finding('KTJ-ENV-003', containerEnvPath.replace(/\.env$/, '.args'), 'The command or args hard-code port 23456, the v1 rendezvous port; Trainer v2 uses 29500.', 'Use $(PET_MASTER_PORT) instead of the number.'),
    );
  }
  if (RDZV_BACKEND.test(commandLine) && !RDZV_ENDPOINT.test(commandLine)) {
    findings.push(
      finding(
        'KTJ-ENV-006',
        containerEnvPath.replace(/\.env$/, '.args'),
        'torchrun is given --rdzv-backend without --rdzv-endpoint; v1 supplied the endpoint through PET_RDZV_ENDPOINT, Trainer v2 does not, so each node would rendezvous alone.',
        'Add --rdzv-endpoint=$(PET_MASTER_ADDR):$(PET_MASTER_PORT) to the args, or drop --rdzv-backend to use the static rendezvous Trainer v2 configures.',
      ),
    );
  }
  const jobName = job.name;
  if (jobName) {
    if (mentionsV1Host(jobName, ['Master', 'Worker'], commandLine, JSON.stringify(env))) {
      findings.push(
        finding(
          'KTJ-ENV-007',
          containerEnvPath,
          `A v1 pod or Service name (${jobName}-master-0 / ${jobName}-worker-N) is referenced; under Trainer v2 the pods are ${plan.name ?? jobName}-node-0-<index> and the master is reached at $(PET_MASTER_ADDR).`,
          'Replace the host name with $(PET_MASTER_ADDR) or the MASTER_ADDR compatibility variable.',
        ),
      );
    }
  }
  plan.trainer.env = env;
}

/** The §2.4 shim: v1's RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT rebuilt from what Trainer v2 provides. */
function compatibilityEnv(plan: ConversionPlan, job: PyTorchJob): JsonObject[] {
  const nproc = job.nprocPerNode !== undefined && /^\d+$/.test(job.nprocPerNode) ? Number(job.nprocPerNode) : 1;
  const name = plan.name!;
  const vars: Record<(typeof V1_ONLY_VARS)[number], JsonObject> = {
    MASTER_ADDR: { name: 'MASTER_ADDR', value: `${name}-node-0-0.${name}` },
    MASTER_PORT: { name: 'MASTER_PORT', value: String(V2_MASTER_PORT) },
    WORLD_SIZE: { name: 'WORLD_SIZE', value: String(plan.numNodes * nproc) },
    // Node index 0 is the pod behind PET_MASTER_ADDR, so the completion index equals v1's RANK.
    RANK: { name: 'RANK', valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
  };
  return V1_ONLY_VARS.map((v) => vars[v]);
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
