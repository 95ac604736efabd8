import { finding } from '../../codes.js';
import type { ConversionPlan } from '../../plan.js';
import type { PyTorchJob } from './reader.js';
import type { TargetCapabilities } from '../../targets/types.js';
import { requestsGpu, usesLauncher } from './env.js';

/**
 * Maps spec.nprocPerNode (and the deprecated elasticPolicy.nProcPerNode) to trainer.numProcPerNode.
 * `auto` is the default everywhere and is omitted; `cpu`/`gpu` exist only on v2.0/v2.1.
 */
export function mapProcessesPerNode(job: PyTorchJob, plan: ConversionPlan, caps: TargetCapabilities): void {
  const f = plan.findings;
  let value = job.nprocPerNode;
  let path = 'spec.nprocPerNode';
  const elasticN = job.elasticPolicy?.nProcPerNode;
  if (value === undefined && typeof elasticN === 'number') {
    value = String(elasticN);
    path = 'spec.elasticPolicy.nProcPerNode';
    f.push(finding('KTJ-NPROC-005', path, `elasticPolicy.nProcPerNode ${elasticN} (deprecated in v1) becomes trainer.numProcPerNode.`));
  }
  if (value === undefined || value === 'auto') {
    if (plan.trainer.numProcPerNode === undefined && usesLauncher(plan) && !requestsGpu(plan)) {
      f.push(
        finding(
          'KTJ-NPROC-004',
          path,
          'numProcPerNode stays auto: without GPUs, Trainer v2 starts as many processes as the CPU request or limit (v1 torchrun used the host CPU count).',
          'Set spec.nprocPerNode explicitly if a different process count is wanted.',
        ),
      );
    }
    return;
  }
  if (/^\d+$/.test(value)) {
    const n = Number(value);
    if (n < 1) {
      f.push(finding('KTJ-SCHEMA-001', path, `nprocPerNode ${value} must be at least 1.`));
      return;
    }
    plan.trainer.numProcPerNode = n;
    f.push(finding('KTJ-NPROC-001', path, `nprocPerNode ${value} becomes trainer.numProcPerNode: ${n}.`));
    return;
  }
  if (value === 'cpu' || value === 'gpu') {
    if (caps.numProcPerNodeStrings) {
      plan.trainer.numProcPerNode = value;
      f.push(finding('KTJ-NPROC-001', path, `nprocPerNode ${value} becomes trainer.numProcPerNode: ${value}.`));
    } else if (value === 'gpu') {
      plan.v1Settings.nprocPerNode = value;
      f.push(
        finding(
          'KTJ-NPROC-003',
          path,
          requestsGpu(plan)
            ? 'nprocPerNode gpu becomes auto, which starts one process per GPU on GPU nodes, as before.'
            : 'nprocPerNode gpu becomes auto, but the container requests no GPU resource, so auto will start processes per CPU.',
          requestsGpu(plan) ? undefined : 'Request the GPUs in the resources, or set a number.',
          requestsGpu(plan) ? 'info' : 'warning',
        ),
      );
    } else {
      plan.v1Settings.nprocPerNode = value;
      f.push(
        finding(
          'KTJ-NPROC-002',
          path,
          'nprocPerNode cpu (one process per host CPU) cannot be expressed on this Trainer version: auto is used, which starts as many processes as the CPU request or limit.',
          'Set a number to fix the process count.',
        ),
      );
    }
    return;
  }
  f.push(finding('KTJ-SCHEMA-001', path, `nprocPerNode ${JSON.stringify(value)} is not auto, cpu, gpu or a number.`));
}

/** The upstream issue that tracks elastic training in Trainer v2. */
export const ELASTIC_TRACKING_ISSUE = 'https://github.com/kubeflow/trainer/issues/2903';
/** elasticPolicy fields that configured torchrun's rendezvous; Trainer v2 uses static rendezvous instead. */
const RENDEZVOUS_FIELDS = ['rdzvBackend', 'rdzvHost', 'rdzvPort', 'rdzvId', 'rdzvConf', 'standalone'] as const;

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isInteger(v) ? v : undefined;
}

/**
 * Elastic training has no Trainer v2 equivalent (kubeflow/trainer#2903). A policy whose node count cannot
 * change (minReplicas = maxReplicas after v1 defaulting, no HPA metrics) is a fixed-size job: it converts
 * with numNodes at the fixed count. A job that can really scale is refused (error) unless --force, which runs
 * the replicas it declares. Either way the rendezvous settings give way to Trainer's static rendezvous and the
 * whole policy is kept in the v1-settings annotation for rollback. maxRestarts is carried by
 * carryElasticRestarts once the environment is known.
 */
export function mapElastic(job: PyTorchJob, plan: ConversionPlan): void {
  const ep = job.elasticPolicy;
  if (!ep) return;
  const f = plan.findings;
  plan.v1Settings.elasticPolicy = ep;
  const pods = plan.numNodes;
  // v1 defaulting (setElasticPolicy): one bound set copies to the other; neither set means the Worker replicas.
  let min = count(ep.minReplicas);
  let max = count(ep.maxReplicas);
  const bounds = min === undefined && max === undefined ? 'neither minReplicas nor maxReplicas is set, so v1 used the Worker replicas' : min === undefined || max === undefined ? `only ${min === undefined ? 'maxReplicas' : 'minReplicas'} is set, and v1 copies it to the other` : 'minReplicas = maxReplicas';
  if (min === undefined && max === undefined) min = max = job.worker?.replicas ?? pods;
  else if (min === undefined) min = max;
  else if (max === undefined) max = min;
  const metrics = Array.isArray(ep.metrics) && ep.metrics.length > 0;
  if (min !== max || metrics) {
    const range = min !== max ? `between ${min} and ${max} nodes` : `at ${min} nodes`;
    f.push(
      finding(
        'KTJ-ELASTIC-001',
        'spec.elasticPolicy',
        `elasticPolicy lets the job run ${range}${metrics ? ', scaled by a HorizontalPodAutoscaler on its metrics' : ''} (torchrun rendezvous ${String(ep.rdzvBackend ?? 'c10d')}); Trainer v2 has no elastic training (${ELASTIC_TRACKING_ISSUE}). With --force the TrainJob runs a fixed ${pods} node(s), the replicas the job declares, and the policy is kept in an annotation for rollback.`,
        `Run with --force to accept a fixed size of ${pods} node(s), or keep this job on Training Operator v1 until Trainer supports elastic jobs (${ELASTIC_TRACKING_ISSUE}).`,
      ),
    );
    if (metrics) f.push(finding('KTJ-ELASTIC-002', 'spec.elasticPolicy.metrics', 'The HorizontalPodAutoscaler metrics of the elastic job are dropped (no autoscaling in Trainer v2).'));
  } else {
    const fixed = min!;
    f.push(
      finding(
        'KTJ-ELASTIC-003',
        'spec.elasticPolicy',
        `elasticPolicy cannot change the node count (${bounds}: ${fixed}), so the job is not elastic: the TrainJob runs a fixed ${Math.min(fixed, pods)} node(s) and the policy is kept in an annotation for rollback.`,
      ),
    );
    if (fixed !== pods) {
      f.push(
        finding(
          'KTJ-ELASTIC-006',
          'spec.elasticPolicy',
          fixed < pods
            ? `The job declares ${pods} pods but its elasticPolicy fixes the size at ${fixed}: under v1, ${fixed} node(s) trained and ${pods - fixed} waited as spares. The TrainJob runs ${fixed} node(s) and no spares (Trainer v2 has none).`
            : `The job declares ${pods} pods but its elasticPolicy waits for ${fixed}: under v1 the rendezvous could not complete. The TrainJob runs the ${pods} declared node(s).`,
          'Set the replicas and the elasticPolicy bounds to the same count before converting if another size is meant.',
        ),
      );
      if (fixed < pods) plan.numNodes = fixed;
    }
  }
  // v1 always ran elastic jobs on torchrun's dynamic rendezvous (c10d unless rdzvBackend says otherwise).
  const rendezvous = RENDEZVOUS_FIELDS.filter((k) => ep[k] !== undefined && ep[k] !== null);
  f.push(
    finding(
      'KTJ-ELASTIC-004',
      'spec.elasticPolicy',
      `v1 ran this job on torchrun's dynamic rendezvous (PET_RDZV_BACKEND ${String(ep.rdzvBackend ?? 'c10d')}, PET_RDZV_ENDPOINT, PET_NNODES=min:max${rendezvous.length ? `, from ${rendezvous.map((k) => `elasticPolicy.${k}`).join(', ')}` : ''}); Trainer v2 replaces it with a static rendezvous at node 0 (PET_MASTER_ADDR:PET_MASTER_PORT, PET_NODE_RANK, PET_NNODES=${plan.numNodes}).`,
      ep.rdzvHost !== undefined ? `The external rendezvous server ${String(ep.rdzvHost)} is no longer used.` : undefined,
    ),
  );
}

/**
 * Carries elasticPolicy.maxRestarts. v1 passed it to torchrun as PET_MAX_RESTARTS (--max-restarts); Trainer v2's
 * webhook reserves only PET_NNODES, PET_NPROC_PER_NODE, PET_NODE_RANK, PET_MASTER_ADDR and PET_MASTER_PORT
 * (checked against the real webhooks of v2.1 and v2.3), so the same variable carries it when the entrypoint
 * is torchrun. Runs after the environment contract, which builds trainer.env.
 */
export function carryElasticRestarts(job: PyTorchJob, plan: ConversionPlan): void {
  const restarts = job.elasticPolicy?.maxRestarts;
  if (typeof restarts !== 'number') return;
  const path = 'spec.elasticPolicy.maxRestarts';
  if (!usesLauncher(plan)) {
    plan.findings.push(
      finding('KTJ-ELASTIC-005', path, `maxRestarts ${restarts} configured torchrun (PET_MAX_RESTARTS); the entrypoint is not torchrun, so it had no effect under v1 and is not carried.`),
    );
    return;
  }
  const value = String(restarts);
  const user = plan.trainer.env.find((e) => e.name === 'PET_MAX_RESTARTS');
  // v1 appended its PET_MAX_RESTARTS after the container's own env, so the policy's value won.
  if (user) {
    delete user.valueFrom;
    user.value = value;
  } else plan.trainer.env.push({ name: 'PET_MAX_RESTARTS', value });
  plan.findings.push(
    finding('KTJ-ELASTIC-005', path, `maxRestarts ${restarts} becomes PET_MAX_RESTARTS=${restarts} in trainer.env: torchrun restarts the node's workers up to ${restarts} times, as under v1 (Trainer v2 accepts this variable).`),
  );
}
