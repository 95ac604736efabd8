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

/** Elastic training has no Trainer v2 equivalent (kubeflow/trainer#2903): refused, or static numNodes when forced. */
export function mapElastic(job: PyTorchJob, plan: ConversionPlan): void {
  const ep = job.elasticPolicy;
  if (!ep) return;
  plan.findings.push(
    finding(
      'KTJ-ELASTIC-001',
      'spec.elasticPolicy',
      `elasticPolicy (min ${String(ep.minReplicas ?? '-')}, max ${String(ep.maxReplicas ?? '-')}, rdzvBackend ${String(ep.rdzvBackend ?? 'c10d')}) has no Trainer v2 equivalent; with --force the TrainJob runs a fixed ${plan.numNodes} node(s) and the elastic settings are kept in an annotation.`,
      'Run with --force to accept a fixed node count, or keep this job on Training Operator v1 until Trainer supports elastic jobs.',
    ),
  );
  if (Array.isArray(ep.metrics) && ep.metrics.length) {
    plan.findings.push(finding('KTJ-ELASTIC-002', 'spec.elasticPolicy.metrics', 'The HorizontalPodAutoscaler metrics of the elastic job are dropped (no autoscaling in Trainer v2).'));
  }
  plan.v1Settings.elasticPolicy = ep;
}
