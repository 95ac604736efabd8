import { assemble, finish, mapReplicaRestartPolicy, newPlan, selectRuntime, type ConversionResult } from '../../build.js';
import { finding } from '../../codes.js';
import type { Finding } from '../../findings.js';
import { clone, isObject, type JsonObject, type ReplicaSpec } from '../../model.js';
import type { ConvertOptions } from '../../plan.js';
import { carryPodTemplate, type TrainingContainer } from '../../rules/pod.js';
import { mergeRoles } from '../../rules/roles.js';
import { mapRunPolicy } from '../../rules/run-policy.js';
import { applyV1EnvContract, checkV1HostNames, COMPLETION_INDEX_FIELD, nodeHost, type V1EnvContract } from '../../rules/v1-env.js';
import { readReplicaJob, type ReplicaLayout } from '../replicas.js';
import { requireStockRuntime, v1DefaultPort } from '../shared.js';
import type { SourceKind } from '../types.js';
import schemas from './schema.json' with { type: 'json' };

/** XGBoostJob kubeflow.org/v1 (`xgboost_types.go`, `xgboost_defaults.go`, the v1.9.2 webhook): one Master, Workers, container `xgboost`. */
const LAYOUT: ReplicaLayout = {
  kind: 'XGBoostJob',
  specsField: 'xgbReplicaSpecs',
  roles: ['Master', 'Worker'],
  required: ['Master'],
  exactlyOne: ['Master'],
  container: 'xgboost',
  defaultRestartPolicy: 'Never',
};
/** The Trainer runtime XGBoostJobs move to (mlPolicy.xgboost, Trainer v2.2+). */
const RUNTIME = 'xgboost-distributed';
/** The port v1 adds to the `xgboost` container; MASTER_PORT and WORKER_PORT were its number. */
const V1_PORT = { name: 'xgboostjob-port', port: 9999 };

const CONTAINER: TrainingContainer = {
  name: 'xgboost',
  v1Port: v1DefaultPort(V1_PORT, 'DMLC_TRACKER_PORT', 'trackerPort'),
  v1Env: 'MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK, WORKER_ADDRS',
  masterAddrVar: 'DMLC_TRACKER_URI',
  sidecarHint: 'If a sidecar needs the rank or tracker address, derive them itself (the tracker runs on <trainjob>-node-0-0.<trainjob>).',
};

/** The port a role's `xgboost` container declared as xgboostjob-port (v1's MASTER_PORT/WORKER_PORT), else the default. */
function v1Port(replica: ReplicaSpec | undefined): number {
  const containers = (replica?.template.spec as JsonObject | undefined)?.containers;
  const c = Array.isArray(containers) ? containers.find((x) => isObject(x) && x.name === CONTAINER.name) : undefined;
  const p = isObject(c) && Array.isArray(c.ports) ? c.ports.find((x) => isObject(x) && x.name === V1_PORT.name) : undefined;
  return isObject(p) && typeof p.containerPort === 'number' ? p.containerPort : V1_PORT.port;
}

/** v1's `SetPodEnv` (pkg/controller.v1/xgboost/xgboost.go) against Trainer's xgboost plugin (reserved DMLC_* variables). */
function envContract(masterPort: number, workerPort: number): V1EnvContract {
  return {
    runtime: RUNTIME,
    v2Vars: ['DMLC_TRACKER_URI', 'DMLC_TRACKER_PORT', 'DMLC_TASK_ID', 'DMLC_NUM_WORKER'],
    reserved: true,
    v1Vars: ['MASTER_ADDR', 'MASTER_PORT', 'WORLD_SIZE', 'RANK', 'WORKER_PORT', 'WORKER_ADDRS'],
    compatibility: (plan) => {
      const vars: JsonObject[] = [
        { name: 'MASTER_ADDR', value: nodeHost(plan.name, 0) },
        { name: 'MASTER_PORT', value: String(masterPort) },
        { name: 'WORLD_SIZE', value: String(plan.numNodes) },
        // The Master is node 0 and Worker i node i+1: v1's RANK (worker index + 1) is the completion index.
        { name: 'RANK', valueFrom: { fieldRef: { fieldPath: COMPLETION_INDEX_FIELD } } },
      ];
      if (plan.numNodes > 1) {
        vars.push({ name: 'WORKER_PORT', value: String(workerPort) });
        vars.push({ name: 'WORKER_ADDRS', value: Array.from({ length: plan.numNodes - 1 }, (_, i) => nodeHost(plan.name, i + 1)).join(',') });
      }
      return vars;
    },
    describeCompatibility: (plan) =>
      `MASTER_ADDR ${nodeHost(plan.name, 0)}, MASTER_PORT ${masterPort}, WORLD_SIZE ${plan.numNodes}, RANK from the Job completion index` +
      (plan.numNodes > 1 ? `, WORKER_PORT ${workerPort}, WORKER_ADDRS the other ${plan.numNodes - 1} node(s)` : ''),
  };
}

/** GPUs requested per node (the largest GPU resource count), as Trainer's xgboost plugin counts workers per node. */
function gpusPerNode(resources: JsonObject | undefined): number {
  let n = 0;
  for (const section of ['limits', 'requests']) {
    const s = resources?.[section];
    if (!isObject(s)) continue;
    for (const [k, v] of Object.entries(s)) if (k.includes('gpu')) n = Math.max(n, Number(v) || 0);
  }
  return n;
}

/**
 * Converts one XGBoostJob into a TrainJob on the xgboost-distributed runtime (Trainer v2.2+): the
 * Master becomes node 0 and the Workers nodes 1..n, the v1 Rabit variables are rebuilt. Pure.
 */
export function convertXGBoostJob(raw: JsonObject, opts: ConvertOptions): ConversionResult {
  const findings: Finding[] = [];
  const job = readReplicaJob(raw, LAYOUT, findings);
  if (!job) return finish({ objects: [], findings, refused: true });
  const stock = requireStockRuntime(job, opts, RUNTIME, 'v2.2', 'mlPolicy.xgboost', findings);
  if (!stock) return finish({ objects: [], findings, refused: true });
  const master = job.replicas.Master!;
  const worker = job.replicas.Worker && job.replicas.Worker.replicas > 0 ? job.replicas.Worker : undefined;

  const plan = newPlan(job, opts, job.specsPath, selectRuntime(opts, RUNTIME, stock), findings);
  plan.numNodes = 1 + (worker?.replicas ?? 0);
  const merged = { template: clone(master.template) };
  const masterPath = `${job.specsPath}.${master.inputKey}`;
  if (worker) {
    findings.push(
      finding(
        'KTJ-ROLE-001',
        job.specsPath,
        `Master + ${worker.replicas} Worker(s) become numNodes: ${plan.numNodes}; node 0 plays the Master. v1 succeeded when the Master succeeded, v2 succeeds only when all ${plan.numNodes} nodes exit 0.`,
        'Make sure every rank exits 0 at the end of training.',
      ),
    );
    mergeRoles(master, worker, merged, findings, { specsPath: job.specsPath, rankHint: 'node 0 can detect that it is the master with DMLC_TASK_ID == 0' });
  }
  const templatePath = `${masterPath}.template`;
  carryPodTemplate(merged.template, templatePath, plan, CONTAINER);
  const containers = (merged.template.spec as JsonObject).containers as JsonObject[];
  const index = containers.findIndex((c) => c.name === CONTAINER.name);
  const envPath = `${templatePath}.spec.containers[${index}].env`;
  const restartPolicy = mapReplicaRestartPolicy(master, `${masterPath}.restartPolicy`, plan, 'XGBoostJob');
  applyV1EnvContract(envContract(v1Port(master), v1Port(worker)), envPath, containers[index]!.env, plan, opts.envShim);
  checkV1HostNames(plan, LAYOUT.roles, envPath, 'the MASTER_ADDR compatibility variable or DMLC_TRACKER_URI');
  const gpus = gpusPerNode(plan.trainer.resourcesPerNode);
  if (gpus > 1) {
    findings.push(
      finding(
        'KTJ-XGB-001',
        envPath,
        `Each node requests ${gpus} GPUs: Trainer v2 starts one XGBoost worker per GPU (DMLC_NUM_WORKER ${plan.numNodes * gpus}), where v1 ran one per pod (WORLD_SIZE ${plan.numNodes}).`,
        'Check that the training script starts one worker per GPU, or request one GPU per node.',
      ),
    );
  }
  mapRunPolicy(job, plan, opts.target.capabilities, restartPolicy);
  return assemble(plan, opts);
}

/** XGBoostJob kubeflow.org/v1 (Training Operator v1.9): Master and Workers onto the xgboost-distributed runtime. */
export const xgboostJobKind: SourceKind = {
  kind: 'XGBoostJob',
  apiVersions: ['kubeflow.org/v1'],
  supportedApiVersions: 'kubeflow.org/v1 (Training Operator v1.9)',
  resource: 'xgboostjobs',
  defaultRuntime: 'xgboost-distributed',
  inputSchema: () => (schemas as unknown as { xgboostjob: object }).xgboostjob,
  convert: convertXGBoostJob,
};
