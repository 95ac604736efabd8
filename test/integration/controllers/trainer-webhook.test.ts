// The real Trainer admission webhooks (v2.1 and v2.3) through the dry-run helper: every golden
// output is accepted, and the helper answers the questions converter rules depend on.
import { describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { readYamlObjects, parseYamlObjects, type KubeObject } from '../../controlplane/objects.js';
import { CONTROLLER_TRAINER_VERSIONS, dryRunThroughTrainer, type ControllerTrainerVersion } from '../../controlplane/trainer-webhook.js';
import { stockRuntimeFiles } from '../../controlplane/controllers.js';

const TIMEOUT = 10 * 60_000;
const cases = path.join(process.cwd(), 'test/golden/cases');

function trainJob(name: string, trainer: Record<string, unknown>, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name }, spec: { runtimeRef: { name: 'torch-distributed' }, trainer, ...extra } };
}

/** ClusterTrainingRuntimes a golden output references that the release does not ship (e.g. RHOAI's torch-cuda-251), as copies of its torch-distributed. */
function missingClusterRuntimes(version: ControllerTrainerVersion, objs: KubeObject[]): KubeObject[] {
  const stock = new Set(stockRuntimeFiles(version).flatMap((f) => readYamlObjects(f).map((o) => o.metadata.name)));
  const base = stockRuntimeFiles(version).flatMap(readYamlObjects).find((o) => o.metadata.name === 'torch-distributed')!;
  const out: KubeObject[] = [];
  for (const o of objs) {
    const ref = (o.spec as any)?.runtimeRef;
    if (o.kind === 'TrainJob' && (ref?.kind ?? 'ClusterTrainingRuntime') === 'ClusterTrainingRuntime' && !stock.has(ref?.name)) {
      out.push({ ...structuredClone(base), metadata: { ...base.metadata, name: ref.name } });
    }
  }
  return out;
}

describe.each(CONTROLLER_TRAINER_VERSIONS)('Trainer %s webhooks', (version) => {
  it('accept every golden output (strict field validation)', async () => {
    const names = readdirSync(cases).filter((c) => existsSync(path.join(cases, c, version, 'trainjob.yaml'))).sort();
    const rejected: unknown[] = [];
    let jobs = 0;
    for (const c of names) {
      const objs = parseYamlObjects(readFileSync(path.join(cases, c, version, 'trainjob.yaml'), 'utf8'));
      if (objs.length === 0) continue;
      const outcomes = await dryRunThroughTrainer(version, [...missingClusterRuntimes(version, objs), ...objs]);
      jobs += outcomes.filter((o) => o.kind === 'TrainJob' && o.allowed).length;
      for (const o of outcomes) if (!o.allowed) rejected.push({ case: c, kind: o.kind, name: o.name, message: o.message });
    }
    expect(rejected).toEqual([]);
    expect(jobs).toBeGreaterThan(80);
  }, TIMEOUT);

  it('denies the reserved torchrun variables and unknown runtimes, accepts PET_MAX_RESTARTS', async () => {
    const nproc = version === 'v2.1' ? 'auto' : 1;
    const [reserved, reservedNoNproc, notReserved, noRuntime] = await dryRunThroughTrainer(version, [
      trainJob('reserved', { numNodes: 2, numProcPerNode: nproc, env: [{ name: 'PET_NNODES', value: '2' }] }),
      trainJob('reserved-no-nproc', { numNodes: 2, env: [{ name: 'PET_NNODES', value: '2' }] }),
      trainJob('not-reserved', { numNodes: 2, env: [{ name: 'PET_MAX_RESTARTS', value: '3' }] }),
      { ...trainJob('no-runtime', { numNodes: 1 }), spec: { runtimeRef: { name: 'ktj-does-not-exist' } } },
    ]);
    expect(reserved).toMatchObject({ allowed: false, deniedByWebhook: true, dryRun: true });
    expect(reserved!.message).toMatch(/must not have reserved envs, invalid envs configured: \[PET_NNODES\]/);
    // Trainer v2.1's torch plugin returns before its reserved-env check when numProcPerNode is unset
    // (pkg/runtime/framework/plugins/torch/torch.go Validate); v2.3 always checks. The PET_NNODES
    // value is then overwritten by the plugin's own, so the converter must drop user PET_* itself.
    expect(reservedNoNproc).toMatchObject(version === 'v2.1' ? { allowed: true } : { allowed: false, deniedByWebhook: true });
    expect(notReserved).toMatchObject({ allowed: true, status: 201 });
    expect(noRuntime).toMatchObject({ allowed: false, deniedByWebhook: true });
  }, TIMEOUT);

  it('validates a generated TrainingRuntime for real and then admits the TrainJob that uses it', async () => {
    const objs = parseYamlObjects(readFileSync(path.join(cases, 'map-sidecar-container', version, 'trainjob.yaml'), 'utf8'));
    const outcomes = await dryRunThroughTrainer(version, objs);
    expect(outcomes.map((o) => [o.kind, o.allowed, o.dryRun])).toEqual([['TrainingRuntime', true, false], ['TrainJob', true, true]]);
    // A runtime whose trainer job lacks the `node` container is refused by the runtime webhook.
    const broken = structuredClone(objs[0]!) as any;
    broken.metadata.name = 'broken-runtime';
    broken.spec.template.spec.replicatedJobs[0].template.spec.template.spec.containers[0].name = 'trainer';
    const [rt] = await dryRunThroughTrainer(version, broken);
    expect(rt).toMatchObject({ kind: 'TrainingRuntime', allowed: false, deniedByWebhook: true });
  }, TIMEOUT);
});

it('v2.3: the XGBoost and JAX conversions run on the real stock runtimes; DMLC_* is reserved, as KTJ-ENV-013 says', async () => {
  const objs = ['example-kubeflow-xgboost-rabit-test', 'example-kubeflow-jax-cpu-demo'].flatMap((c) => parseYamlObjects(readFileSync(path.join(cases, c, 'v2.3', 'trainjob.yaml'), 'utf8')));
  expect(missingClusterRuntimes('v2.3', objs)).toEqual([]);
  const outcomes = await dryRunThroughTrainer('v2.3', objs);
  expect(outcomes.map((o) => [o.kind, o.allowed])).toEqual([['TrainingRuntime', true], ['TrainJob', true], ['TrainJob', true]]);
  const [dmlc] = await dryRunThroughTrainer('v2.3', { ...trainJob('dmlc', { numNodes: 2, env: [{ name: 'DMLC_TASK_ID', value: '0' }] }), spec: { runtimeRef: { name: 'xgboost-distributed' }, trainer: { numNodes: 2, env: [{ name: 'DMLC_TASK_ID', value: '0' }] } } });
  expect(dmlc).toMatchObject({ allowed: false, deniedByWebhook: true });
  expect(dmlc!.message).toMatch(/DMLC_TASK_ID is reserved for the XGBoost runtime/);
}, TIMEOUT);

it('v2.3: the mutating webhook stamps runtimePatches, and the result is returned', async () => {
  const job = trainJob('patched', { numNodes: 2 }, {
    runtimePatches: [{ manager: 'kubectl-trainjob.io/migration', trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: { nodeSelector: { pool: 'gpu' } } } } } }] } } } }],
  });
  const [out] = await dryRunThroughTrainer('v2.3', job);
  expect(out).toMatchObject({ allowed: true });
  expect((out!.object!.spec as any).runtimePatches[0].time).toEqual(expect.any(String));
}, TIMEOUT);

describe.each(CONTROLLER_TRAINER_VERSIONS)('Trainer %s: MPIJob conversions', (version) => {
  const read = (c: string) => parseYamlObjects(readFileSync(path.join(cases, c, version, 'trainjob.yaml'), 'utf8'));

  it('admits the generated MPI runtimes (launcher + node) and the stock fit; OMPI_MCA_* is reserved, only OpenMPI accepted (KTJ-MPI-004, KTJ-MPI-001)', async () => {
    const generated = ['example-kubeflow-mpi-tensorflow-mnist', 'example-mpi-operator-pi', 'map-mpijob-v2beta1-launcher-as-worker-wait'].flatMap(read);
    expect(missingClusterRuntimes(version, generated)).toEqual([]);
    const outcomes = await dryRunThroughTrainer(version, generated);
    expect(outcomes.filter((o) => !o.allowed).map((o) => [o.kind, o.name, o.message])).toEqual([]);
    expect(outcomes.map((o) => o.kind)).toEqual(generated.map((o) => o.kind));
    // v2.1: the job fits the stock deepspeed-distributed as it is; v2.3's stock pods differ (fsGroup), so a runtime is generated.
    const fit = read('map-mpijob-v2beta1-fits-stock-deepspeed');
    expect(fit.map((o) => o.kind)).toEqual(version === 'v2.1' ? ['TrainJob'] : ['TrainingRuntime', 'TrainJob']);
    expect((await dryRunThroughTrainer(version, fit)).every((o) => o.allowed)).toBe(true);

    const [reserved] = await dryRunThroughTrainer(version, {
      ...trainJob('ompi', { numNodes: 2, env: [{ name: 'OMPI_MCA_orte_set_default_slots', value: '2' }] }),
      spec: { runtimeRef: { name: 'deepspeed-distributed' }, trainer: { numNodes: 2, env: [{ name: 'OMPI_MCA_orte_set_default_slots', value: '2' }] } },
    });
    // Trainer v2.3's MPI plugin rejects the reserved names; v2.1 has no such check and overwrites the value in the
    // launcher. Either way the converter drops them from the launcher (KTJ-MPI-004).
    if (version === 'v2.1') expect(reserved).toMatchObject({ allowed: true });
    else {
      expect(reserved).toMatchObject({ allowed: false, deniedByWebhook: true });
      expect(reserved!.message).toMatch(/reserved envs.*OMPI_MCA_orte_set_default_slots/);
    }

    const intel = structuredClone(read('example-mpi-operator-pi')[0]!) as any;
    intel.metadata.name = 'intel-runtime';
    intel.spec.mlPolicy.mpi.mpiImplementation = 'Intel';
    const [rt] = await dryRunThroughTrainer(version, intel);
    expect(rt).toMatchObject({ kind: 'TrainingRuntime', allowed: false });
    expect(rt!.message).toMatch(/mpiImplementation/);
  }, TIMEOUT);
});

describe.each(CONTROLLER_TRAINER_VERSIONS)('Trainer %s: TFJob and PaddleJob conversions', (version) => {
  it('the generated plain runtimes are validated for real and the TrainJobs (TF_CONFIG, PADDLE_*) admitted', async () => {
    const converted = ['example-kubeflow-tf-simple', 'example-kubeflow-tf-multi-worker', 'example-kubeflow-tf-dist-mnist', 'map-tf-chief-workers', 'map-tf-ps-evaluator', 'map-tf-dynamic-worker', 'map-tf-single-worker', 'map-paddle-single-worker', 'example-kubeflow-paddle-simple-cpu', 'map-paddle-parameter-server'];
    const objs = converted.flatMap((c) => parseYamlObjects(readFileSync(path.join(cases, c, version, 'trainjob.yaml'), 'utf8')));
    expect(missingClusterRuntimes(version, objs)).toEqual([]);
    const outcomes = await dryRunThroughTrainer(version, objs);
    expect(outcomes.map((o) => [o.kind, o.name, o.allowed, o.message ?? ''])).toEqual(objs.map((o) => [o.kind, o.metadata.name, true, '']));
    // The TrainJobs reference the generated TrainingRuntimes (no stock TensorFlow or Paddle runtime exists).
    expect(objs.filter((o) => o.kind === 'TrainJob').every((o) => (o.spec as any).runtimeRef.kind === 'TrainingRuntime')).toBe(true);
  }, TIMEOUT);
});
