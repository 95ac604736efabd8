// The validator against real upstream objects: every stock runtime of each Trainer release must be valid
// for its own CRD, the example PyTorchJobs must give exactly the violations we understand, the generated
// schema files must be fresh, and validation must be fast enough to run on every emitted object.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { compileSchema, validateObject, type SchemaViolation } from '../../../src/schema/index.js';
import v20 from '../../../src/convert/targets/trainer-v2.0/schema.json' with { type: 'json' };
import v21 from '../../../src/convert/targets/trainer-v2.1/schema.json' with { type: 'json' };
import v22 from '../../../src/convert/targets/trainer-v2.2/schema.json' with { type: 'json' };
import v23 from '../../../src/convert/targets/trainer-v2.3/schema.json' with { type: 'json' };
import pytorch from '../../../src/convert/kinds/pytorchjob/schema.json' with { type: 'json' };

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const brief = (vs: SchemaViolation[]): string[] => vs.map((x) => `${x.rule} ${x.path}: ${x.message}`);

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return yamlFiles(p);
    return name.endsWith('.yaml') && name !== 'kustomization.yaml' ? [p] : [];
  });
}

function docs(path: string): Record<string, unknown>[] {
  return parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Record<string, unknown>).filter((d) => d !== null);
}

describe.each([
  ['trainer-v2.0.0', v20],
  ['trainer-v2.1.0', v21],
  ['trainer-v2.2.1', v22],
  ['trainer-v2.3.0', v23],
])('stock runtimes of %s', (release, schema) => {
  const files = yamlFiles(join(repo, 'upstream', release, 'runtimes'));

  test('there are runtimes to check', () => {
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  test.each(files.map((f) => [f.slice(repo.length)]))('%s validates as a ClusterTrainingRuntime and as a TrainingRuntime', (file) => {
    for (const doc of docs(join(repo, file))) {
      expect(doc.kind).toBe('ClusterTrainingRuntime');
      const opts = { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'ClusterTrainingRuntime', scope: 'Cluster' } as const;
      expect(brief(validateObject(doc, schema.clustertrainingruntime, opts))).toEqual([]);
      // The converter may emit a namespaced copy of a stock runtime; the two CRDs share the spec schema.
      const namespaced = { ...doc, kind: 'TrainingRuntime', metadata: { ...(doc.metadata as object), namespace: 'team-a' } };
      expect(brief(validateObject(namespaced, schema.trainingruntime, { ...opts, kind: 'TrainingRuntime', scope: 'Namespaced' }))).toEqual([]);
    }
  });
});

/** Finds PyTorchJobs at the top level or embedded (Kueue AppWrapper components, Katib trial templates). */
function findPyTorchJobs(value: unknown, path: string, out: [string, Record<string, unknown>][]): void {
  if (Array.isArray(value)) value.forEach((v, i) => findPyTorchJobs(v, `${path}[${i}]`, out));
  else if (value !== null && typeof value === 'object') {
    const rec = value as Record<string, unknown>;
    if (rec.kind === 'PyTorchJob' && rec.apiVersion === 'kubeflow.org/v1') out.push([path, rec]);
    else for (const [k, v] of Object.entries(rec)) findPyTorchJobs(v, path ? `${path}.${k}` : k, out);
  }
}

const QUANTITY = "should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'";
const NULL = 'must not be null (field is not nullable; the apiserver would drop it)';

/** Expected violations per example (keyed by file and the PyTorchJob's location in it); [] means valid. */
const EXPECTED: Record<string, string[]> = {
  'aws-awsome-hyperpod-taskgov-imagenet-multidoc-etcd-kueue.yaml doc2': [],
  // An envsubst template: `${NUM_NODES}` is a string where an int32 is needed, and `${GPU_PER_NODE}` is not
  // a quantity. Once rendered it is valid; the converter must refuse it as input rather than guess.
  'aws-awsome-megatron-envsubst-template.yaml doc2': [
    'type spec.pytorchReplicaSpecs[Worker].replicas: must be of type integer, got string',
    `pattern spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.limits[nvidia.com/gpu]: ${QUANTITY}`,
    `pattern spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.limits[vpc.amazonaws.com/efa]: ${QUANTITY}`,
    `pattern spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.requests[nvidia.com/gpu]: ${QUANTITY}`,
    `pattern spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.requests[vpc.amazonaws.com/efa]: ${QUANTITY}`,
  ],
  // `nvidia.com/gpu:` with no value is YAML null: the apiserver drops it, so the job silently gets no GPU.
  'aws-awsome-nsight-fsdp-null-gpu-sidecar-label.yaml doc0': [
    `nullable spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.limits[nvidia.com/gpu]: ${NULL}`,
    `nullable spec.pytorchReplicaSpecs[Worker].template.spec.containers[0].resources.requests[nvidia.com/gpu]: ${NULL}`,
  ],
  // A Katib trial template has no metadata of its own (Katib names each trial), and `${trialParameters.*}`
  // only appears in strings, so the schema is otherwise satisfied.
  'katib-pytorchjob-mnist-experiment-trialspec.yaml doc0 spec.trialTemplate.trialSpec': ['required metadata: metadata is required (name or generateName)'],
  'kubeflow-trainer-v1.9.2-cpu-demo-nprocpernode.yaml doc0': [],
  'kubeflow-trainer-v1.9.2-deepspeed-demo-gpu.yaml doc0': [],
  'kubeflow-trainer-v1.9.2-elastic-echo-worker-only.yaml doc0': [],
  'kubeflow-trainer-v1.9.2-elastic-imagenet-hpa-metrics.yaml doc0': [],
  'kubeflow-trainer-v1.9.2-mnist-gloo-gpu-args-only.yaml doc0': [],
  'kubeflow-trainer-v1.9.2-simple.yaml doc0': [],
  'kubeflow-trainer-v1.9.2-smoke-dist-no-command.yaml doc0': [],
  'kueue-appwrapper-embedded-pytorchjob.yaml doc0 spec.components[0].template': [],
  'kueue-sample-pytorchjob-queue-label.yaml doc0': [],
  'nvidia-kai-scheduler-pytorch-job.yaml doc0': [],
  'odh-distributed-workloads-instructlab-train-phase-1.yaml doc0': [],
  // YAML anchors merge an empty `affinity:` key, i.e. null: dropped by the apiserver, harmless.
  'odh-distributed-workloads-llm-training-yaml-anchors.yaml doc0': [
    `nullable spec.pytorchReplicaSpecs[Master].template.spec.affinity: ${NULL}`,
    `nullable spec.pytorchReplicaSpecs[Worker].template.spec.affinity: ${NULL}`,
  ],
};

describe('example PyTorchJobs against the v1.9.2 PyTorchJob schema', () => {
  const dir = join(repo, 'upstream', 'examples', 'pytorchjobs');
  const found: [string, Record<string, unknown>][] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort()) {
    docs(join(dir, file)).forEach((doc, i) => {
      const jobs: [string, Record<string, unknown>][] = [];
      findPyTorchJobs(doc, '', jobs);
      for (const [path, job] of jobs) found.push([`${file} doc${i}${path ? ` ${path}` : ''}`, job]);
    });
  }

  test('every example holds exactly the PyTorchJobs listed here', () => {
    expect(found.map(([k]) => k)).toEqual(Object.keys(EXPECTED));
  });

  test.each(found)('%s', (key, job) => {
    expect(brief(validateObject(job, pytorch.pytorchjob, { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob' }))).toEqual(EXPECTED[key]);
  });

  test('mistyped and unknown input fields are reported with their paths', () => {
    const job = structuredClone(found[0]?.[1]) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    // restartPolicy has no enum in the CRD (the operator's webhook checks it), so it is not used here.
    job.spec.pytorchReplicaSpecs.Worker.replicas = 1.5;
    job.spec.elasticPolicy = { maxReplicas: '4' };
    job.spec.runPolicy = { cleanPodPolicy: 'None', backoffLimits: 3 };
    expect(brief(validateObject(job, pytorch.pytorchjob))).toEqual([
      'type spec.elasticPolicy.maxReplicas: must be of type integer, got string',
      'type spec.pytorchReplicaSpecs[Worker].replicas: must be of type integer, got number',
      'unknown-field spec.runPolicy.backoffLimits: unknown field "backoffLimits" (the apiserver would prune it)',
    ]);
  });
});

describe('generated schema files', () => {
  test('gen-schemas --check finds them up to date', () => {
    const r = spawnSync(process.execPath, [join(repo, 'scripts', 'gen-schemas.mjs'), '--check'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('each records the CRD files it came from', () => {
    expect(v23.source).toMatch(/^upstream\/trainer-v2\.3\.0\/crds\/trainer\.kubeflow\.org_trainjobs\.yaml sha256:[0-9a-f]{64}; /);
    expect(pytorch.source).toMatch(/^upstream\/training-operator-v1\.9\.2\/crds\/kubeflow\.org_pytorchjobs\.yaml sha256:[0-9a-f]{64}$/);
  });
});

describe('repeated validation', () => {
  // Speed is measured by the benchmark script (npm run bench), not asserted here: a timed assertion fails on a busy machine.
  test('a compiled schema validates the same TrainJob 10,000 times with the same (empty) answer', () => {
    const schema = compileSchema(v23.trainjob);
    const job = {
      apiVersion: 'trainer.kubeflow.org/v1alpha1',
      kind: 'TrainJob',
      metadata: { name: 'mnist', namespace: 'team-a', labels: { app: 'mnist' } },
      spec: {
        runtimeRef: { name: 'torch-distributed' },
        trainer: {
          image: 'pytorch/pytorch:2.5', numNodes: 4, numProcPerNode: 8, command: ['torchrun', 'train.py'],
          env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
          resourcesPerNode: { limits: { 'nvidia.com/gpu': 8, cpu: '32', memory: '256Gi' } },
        },
        runtimePatches: [{ manager: 'kubectl-trainjob', trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: {
          nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'gpu', operator: 'Exists' }],
          containers: [{ name: 'node', volumeMounts: [{ name: 'd', mountPath: '/d' }] }], volumes: [{ name: 'd', emptyDir: {} }],
        } } } } }] } } } }],
      },
    };
    expect(validateObject(job, schema)).toEqual([]);
    let violations = 0;
    for (let i = 0; i < 10_000; i++) violations += validateObject(job, schema).length;
    expect(violations).toBe(0);
  });
});
