import { finding } from '../codes.js';
import { isObject, type JsonObject } from '../model.js';
import type { ConversionPlan } from '../plan.js';

/** The completion index of a JobSet pod: node index 0..numNodes-1, as a Downward API field. */
export const COMPLETION_INDEX_FIELD = "metadata.annotations['batch.kubernetes.io/job-completion-index']";

/** The host name of node `index` of a TrainJob: JobSet's stable pod DNS name under the TrainJob's Service. */
export function nodeHost(trainJobName: string, index: number): string {
  return `${trainJobName}-node-0-${index}.${trainJobName}`;
}

/**
 * How the environment v1 injected into a kind's pods changes under its Trainer v2 runtime: which
 * variables v2 sets instead, and how the v1 ones are rebuilt for scripts that still read them.
 */
export interface V1EnvContract {
  /** The runtime whose plugin sets the v2 variables (`jax-distributed`). */
  runtime: string;
  /** Variables Trainer v2 sets in the node container: a user value is removed. */
  v2Vars: readonly string[];
  /** Whether the Trainer webhook rejects a TrainJob that sets v2Vars (else Trainer just overwrites them). */
  reserved: boolean;
  /** The variables v1 injected, rebuilt with their v2 values (needs the TrainJob name). */
  compatibility(plan: ConversionPlan & { name: string }): JsonObject[];
  /** One sentence on what the rebuilt values are, for the finding. */
  describeCompatibility(plan: ConversionPlan & { name: string }): string;
  /** The v1 variable names, for findings when nothing is rebuilt. */
  v1Vars: readonly string[];
}

/**
 * Applies a kind's environment contract to the training container: user values of the variables
 * Trainer v2 sets are removed, PYTHONUNBUFFERED is added as v1 did, and the variables v1 injected
 * are rebuilt (the env shim) unless --no-env-shim, so scripts that read them keep working.
 */
export function applyV1EnvContract(contract: V1EnvContract, containerEnvPath: string, rawEnv: unknown, plan: ConversionPlan, envShim: boolean): void {
  const findings = plan.findings;
  const env: JsonObject[] = [];
  const dropped: JsonObject[] = [];
  if (Array.isArray(rawEnv)) {
    rawEnv.forEach((e, i) => {
      if (!isObject(e)) return;
      const name = String(e.name ?? '');
      if (contract.v2Vars.includes(name)) {
        dropped.push(e);
        findings.push(
          finding(
            'KTJ-ENV-013',
            `${containerEnvPath}[${i}]`,
            `${name} is removed: the ${contract.runtime} runtime of Trainer v2 sets it${contract.reserved ? ' and its webhook rejects TrainJobs that set it' : ' and would overwrite the value'}.`,
          ),
        );
        return;
      }
      env.push(e);
    });
  }
  if (dropped.length) plan.v1Settings.droppedEnv = dropped;
  const userNames = new Set(env.map((e) => String(e.name)));
  const v1Names = contract.v1Vars.join(', ');
  if (plan.name === undefined) {
    findings.push(finding('KTJ-ENV-008', containerEnvPath, `v1 injected ${v1Names}; rebuilding them needs the TrainJob name, which generateName leaves open.`, 'Give the job a fixed name.'));
  } else if (!envShim) {
    findings.push(
      finding(
        'KTJ-ENV-008',
        containerEnvPath,
        `v1 injected ${v1Names}, which Trainer v2 does not (it sets ${contract.v2Vars.join(', ')}); --no-env-shim is set, so nothing was added.`,
        `Read ${contract.v2Vars.join(', ')} instead, or drop --no-env-shim.`,
      ),
    );
  } else {
    const named = plan as ConversionPlan & { name: string };
    const added = contract.compatibility(named).filter((e) => !userNames.has(String(e.name)));
    env.push(...added);
    if (added.length) {
      findings.push(
        finding(
          'KTJ-ENV-014',
          containerEnvPath,
          `${added.map((e) => e.name).join(', ')}, which v1 injected and Trainer v2 does not, are added with their v2 values (${contract.describeCompatibility(named)}); Trainer v2 itself sets ${contract.v2Vars.join(', ')}.`,
          `Verify on the cluster (kubectl trainjob preview); once the code reads ${contract.v2Vars.join(', ')}, convert with --no-env-shim.`,
        ),
      );
    }
  }
  if (!userNames.has('PYTHONUNBUFFERED')) {
    env.push({ name: 'PYTHONUNBUFFERED', value: '1' });
    findings.push(finding('KTJ-ENV-005', containerEnvPath, 'PYTHONUNBUFFERED=1 added: v1 injected it into every container, Trainer v2 does not.'));
  }
  plan.trainer.env = env;
}

/**
 * Whether any of `texts` names a v1 pod or Service of the job (`<job>-<role>-<index>`, role in lower case). A
 * plain substring test first: the pattern embeds the job's name, so it is compiled only for the rare text that
 * can match.
 */
export function mentionsV1Host(jobName: string, roles: readonly string[], ...texts: string[]): boolean {
  const lower = roles.map((r) => r.toLowerCase());
  if (!texts.some((t) => lower.some((r) => t.includes(`${jobName}-${r}-`)))) return false;
  const re = new RegExp(`\\b${jobName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-(${lower.join('|')})-\\d+\\b`);
  return texts.some((t) => re.test(t));
}

/**
 * Reports references to v1 pod or Service names (`<job>-worker-0`) in the training container's
 * command, args and env: under Trainer v2 the pods are `<trainjob>-node-0-<index>`.
 */
export function checkV1HostNames(plan: ConversionPlan, roles: readonly string[], containerEnvPath: string, masterAddr: string): void {
  const jobName = plan.job.name;
  if (!jobName) return;
  const text = `${(plan.trainer.command ?? []).join(' ')} ${(plan.trainer.args ?? []).join(' ')} ${JSON.stringify(plan.trainer.env)}`;
  if (!mentionsV1Host(jobName, roles, text)) return;
  plan.findings.push(
    finding(
      'KTJ-ENV-007',
      containerEnvPath,
      `A v1 pod or Service name (${roles.map((r) => `${jobName}-${r.toLowerCase()}-N`).join(' / ')}) is referenced; under Trainer v2 the pods are ${plan.name ?? jobName}-node-0-<index>.`,
      `Replace the host name with ${masterAddr}.`,
    ),
  );
}
