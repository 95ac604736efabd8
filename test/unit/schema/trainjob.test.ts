// Hand-written TrainJobs against each Trainer version's real CRD schema: what is valid where, and the
// exact violations for what is not. These pin the version differences the converter relies on
// (kubeflow-api.md §3.1/§3.2).
import { describe, expect, test } from '@jest/globals';
import { applyDefaults, validateObject, type SchemaViolation } from '../../../src/schema/index.js';
import v20 from '../../../src/convert/targets/trainer-v2.0/schema.json' with { type: 'json' };
import v21 from '../../../src/convert/targets/trainer-v2.1/schema.json' with { type: 'json' };
import v22 from '../../../src/convert/targets/trainer-v2.2/schema.json' with { type: 'json' };
import v23 from '../../../src/convert/targets/trainer-v2.3/schema.json' with { type: 'json' };

type Version = 'v2.0' | 'v2.1' | 'v2.2' | 'v2.3';
const SCHEMAS: Record<Version, object> = { 'v2.0': v20.trainjob, 'v2.1': v21.trainjob, 'v2.2': v22.trainjob, 'v2.3': v23.trainjob };
const ALL: Version[] = ['v2.0', 'v2.1', 'v2.2', 'v2.3'];
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** A TrainJob every version accepts; tests mutate a fresh copy. */
function baseTrainJob(): Obj {
  return {
    apiVersion: 'trainer.kubeflow.org/v1alpha1',
    kind: 'TrainJob',
    metadata: { name: 'mnist', namespace: 'team-a', labels: { 'kueue.x-k8s.io/queue-name': 'user-queue' } },
    spec: {
      runtimeRef: { name: 'torch-distributed' },
      trainer: {
        image: 'docker.io/pytorch/pytorch:2.5.0-cuda12.4-cudnn9-runtime',
        numNodes: 2,
        command: ['torchrun', 'train.py'],
        args: ['--epochs', '1'],
        env: [{ name: 'NCCL_DEBUG', value: 'INFO' }, { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resourcesPerNode: { limits: { 'nvidia.com/gpu': 1, cpu: '4', memory: '16Gi' }, requests: { cpu: 2 } },
      },
    },
  };
}

/** Each version's own pod-level customisation field, filled with what the converter will emit. */
function withVersionExtras(v: Version, job: Obj): Obj {
  const spec = job.spec;
  if (v === 'v2.0') {
    spec.labels = { team: 'a' };
    spec.annotations = { 'example.com/note': 'x' };
    spec.trainer.numProcPerNode = 'auto';
    spec.podSpecOverrides = [{
      targetJobs: [{ name: 'node' }],
      serviceAccountName: 'trainer',
      nodeSelector: { 'nvidia.com/gpu.product': 'A100' },
      tolerations: [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
      containers: [{ name: 'node', volumeMounts: [{ name: 'data', mountPath: '/data' }] }],
    }];
  } else if (v === 'v2.1') {
    spec.labels = { team: 'a' };
    spec.trainer.numProcPerNode = 4;
    spec.podTemplateOverrides = [{
      targetJobs: [{ name: 'node' }],
      metadata: { labels: { app: 'mnist' }, annotations: { 'sidecar.istio.io/inject': 'false' } },
      spec: {
        affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] } } },
        imagePullSecrets: [{ name: 'regcred' }],
        volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '1Gi' } }],
        containers: [{ name: 'node', volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }] }],
      },
    }];
  } else {
    spec.trainer.numProcPerNode = 4;
    spec.activeDeadlineSeconds = 3600;
    spec.runtimePatches = [{
      manager: 'trainer.kubeflow.org/kubectl-trainjob',
      time: '2026-01-02T03:04:05Z',
      trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{
        name: 'node',
        template: { spec: { template: {
          metadata: { labels: { app: 'mnist' } },
          spec: {
            securityContext: { runAsNonRoot: true },
            nodeSelector: { 'nvidia.com/gpu.product': 'A100' },
            containers: [{ name: 'node', volumeMounts: [{ name: 'dshm', mountPath: '/dev/shm' }] }],
            volumes: [{ name: 'dshm', emptyDir: { medium: 'Memory' } }],
          },
        } } },
      }] } } },
    }];
    if (v === 'v2.3') spec.initializer = { dataset: { storageUri: 'hf://datasets/mnist' }, model: { storageUri: '' } };
  }
  return job;
}

const validJob = (v: Version): Obj => withVersionExtras(v, baseTrainJob());
const validate = (v: Version, obj: unknown, oldObject?: unknown): SchemaViolation[] =>
  validateObject(obj, SCHEMAS[v], { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', ...(oldObject ? { oldObject } : {}) });
const brief = (vs: SchemaViolation[]): string[] => vs.map((x) => `${x.rule} ${x.path}: ${x.message}`);

describe.each(ALL)('TrainJob %s', (v) => {
  test('the converter-shaped TrainJob with this version\'s override field is valid', () => {
    expect(brief(validate(v, validJob(v)))).toEqual([]);
  });

  test('defaults are applied as the apiserver would and the defaulted object stays valid', () => {
    const defaulted = applyDefaults(validJob(v), SCHEMAS[v]);
    expect(defaulted.spec.runtimeRef).toEqual({ name: 'torch-distributed', apiGroup: 'trainer.kubeflow.org', kind: 'ClusterTrainingRuntime' });
    expect(defaulted.spec.managedBy).toBe('trainer.kubeflow.org/trainjob-controller');
    expect(defaulted.spec.suspend).toBe(false);
    expect(validate(v, defaulted)).toEqual([]);
  });

  test('missing runtimeRef, string numNodes and an int32 overflow', () => {
    const job = validJob(v);
    delete job.spec.runtimeRef;
    job.spec.trainer.numNodes = '2';
    job.spec.trainer.resourcesPerNode.limits.cpu = '4 cores';
    job.spec.suspend = 'yes';
    expect(brief(validate(v, job))).toEqual([
      'required spec.runtimeRef: Required value',
      'type spec.suspend: must be of type boolean, got string',
      'type spec.trainer.numNodes: must be of type integer, got string',
      "pattern spec.trainer.resourcesPerNode.limits[cpu]: should match '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$'",
    ]);
    job.spec.trainer.numNodes = 2 ** 31;
    expect(brief(validate(v, job))).toContain('format spec.trainer.numNodes: must be of format int32 (out of range)');
  });

  test('managedBy outside the allowed pair fails its CEL rule', () => {
    const job = validJob(v);
    job.spec.managedBy = 'example.com/my-controller';
    expect(validate(v, job)).toEqual([{
      path: 'spec.managedBy',
      message: 'ManagedBy must be trainer.kubeflow.org/trainjob-controller or kueue.x-k8s.io/multikueue if set',
      rule: 'cel',
    }]);
    job.spec.managedBy = 'kueue.x-k8s.io/multikueue';
    expect(validate(v, job)).toEqual([]);
  });

  test('unknown fields are reported where the apiserver would prune them', () => {
    const job = validJob(v);
    job.spec.trainer.numProcs = 4;
    job.spec.trainer.env[0].valueFrom2 = {};
    job.status2 = {};
    expect(brief(validate(v, job))).toEqual([
      'unknown-field spec.trainer.env[0].valueFrom2: unknown field "valueFrom2" (the apiserver would prune it)',
      'unknown-field spec.trainer.numProcs: unknown field "numProcs" (the apiserver would prune it)',
      'unknown-field status2: unknown field "status2" (the apiserver would prune it)',
    ]);
  });

  test('duplicate env names break the list-map invariant', () => {
    const job = validJob(v);
    job.spec.trainer.env.push({ name: 'NCCL_DEBUG', value: 'WARN' });
    expect(brief(validate(v, job))).toEqual(['list-type spec.trainer.env[2]: Duplicate value: {"name":"NCCL_DEBUG"}']);
  });

  test('an ObjectMeta name that is not a DNS-1123 subdomain is rejected by every version', () => {
    const job = validJob(v);
    job.metadata.name = 'MNIST_job';
    // v2.1+ add the stricter RFC 1035 label rules at the root (webhook-only in v2.0); root violations sort first.
    expect(brief(validate(v, job))).toEqual([
      ...(v === 'v2.0' ? [] : ['cel : metadata.name must match RFC 1035 DNS label format']),
      'metadata metadata.name: a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (got "MNIST_job")',
    ]);
  });

  test('dotted and 64-character names: fine for the apiserver, rejected by the v2.1+ CEL rules', () => {
    const dotted = validJob(v);
    dotted.metadata.name = 'mnist.v2';
    const long = validJob(v);
    long.metadata.name = 'a'.repeat(64);
    if (v === 'v2.0') {
      expect(validate(v, dotted)).toEqual([]);
      expect(validate(v, long)).toEqual([]);
    } else {
      expect(brief(validate(v, dotted))).toEqual(['cel : metadata.name must match RFC 1035 DNS label format']);
      expect(brief(validate(v, long))).toEqual(['cel : metadata.name must be no more than 63 characters']);
    }
  });

  test('generateName is checked as a prefix and CEL sees the generated name', () => {
    const job = validJob(v);
    delete job.metadata.name;
    job.metadata.generateName = 'mnist-';
    expect(validate(v, job)).toEqual([]);
    job.metadata.generateName = `${'a'.repeat(70)}-`;
    // The apiserver cuts the prefix to 58 characters, so even a long prefix ends as a 63-character name.
    expect(validate(v, job)).toEqual([]);
  });

  test('labels and annotations keys/values follow the ObjectMeta rules', () => {
    const job = validJob(v);
    job.metadata.labels = { 'Example.com/x': 'ok', app: 'has space', long: 'v'.repeat(64) };
    job.metadata.annotations = { big: 'x'.repeat(256 * 1024) };
    expect(brief(validate(v, job))).toEqual([
      'metadata metadata.annotations: annotations are too long: must have at most 262144 bytes, got 262147',
      'metadata metadata.labels[Example.com/x]: invalid key "Example.com/x": prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (got "Example.com")',
      'metadata metadata.labels[app]: invalid label value "has space": must be empty or consist of alphanumeric characters, \'-\', \'_\' or \'.\', and must start and end with an alphanumeric character',
      'metadata metadata.labels[long]: label value must be no more than 63 characters',
    ]);
  });
});

describe('version-specific fields', () => {
  test.each([
    ['v2.0', 'podTemplateOverrides'], ['v2.0', 'runtimePatches'], ['v2.0', 'activeDeadlineSeconds'],
    ['v2.1', 'podSpecOverrides'], ['v2.1', 'runtimePatches'], ['v2.1', 'activeDeadlineSeconds'],
    ['v2.2', 'podSpecOverrides'], ['v2.2', 'podTemplateOverrides'], ['v2.2', 'labels'], ['v2.2', 'annotations'],
    ['v2.3', 'podSpecOverrides'], ['v2.3', 'podTemplateOverrides'], ['v2.3', 'labels'], ['v2.3', 'annotations'],
  ] as [Version, string][])('%s does not know spec.%s', (v, field) => {
    const job = validJob(v);
    job.spec[field] = field === 'activeDeadlineSeconds' ? 60 : field.endsWith('s') && field !== 'labels' && field !== 'annotations' ? [] : {};
    expect(validate(v, job)).toEqual([{ path: `spec.${field}`, message: `unknown field "${field}" (the apiserver would prune it)`, rule: 'unknown-field' }]);
  });

  test.each(['v2.0', 'v2.1'] as Version[])('%s: numProcPerNode is IntOrString (string or int, not a float)', (v) => {
    const job = validJob(v);
    for (const ok of ['auto', 'gpu', 8]) {
      job.spec.trainer.numProcPerNode = ok;
      expect(validate(v, job)).toEqual([]);
    }
    job.spec.trainer.numProcPerNode = 1.5;
    expect(brief(validate(v, job))).toEqual(['type spec.trainer.numProcPerNode: must be an integer or a string, got number']);
  });

  test.each(['v2.2', 'v2.3'] as Version[])('%s: numProcPerNode is int32 only', (v) => {
    const job = validJob(v);
    job.spec.trainer.numProcPerNode = 'auto';
    expect(brief(validate(v, job))).toEqual(['type spec.trainer.numProcPerNode: must be of type integer, got string']);
  });

  test.each(['v2.2', 'v2.3'] as Version[])('%s: activeDeadlineSeconds >= 1, runtimePatches limits and keys', (v) => {
    const job = validJob(v);
    job.spec.activeDeadlineSeconds = 0;
    const patch = job.spec.runtimePatches[0];
    job.spec.runtimePatches = Array.from({ length: 17 }, (_, i) => ({ ...patch, manager: `m${i}` }));
    job.spec.runtimePatches[16].manager = 'm0';
    job.spec.runtimePatches[15].manager = '';
    job.spec.runtimePatches[14].time = 'yesterday';
    job.spec.trainer.image = `registry.example.com/${'x'.repeat(500)}`;
    job.spec.trainer.command = Array.from({ length: 129 }, () => 'x');
    expect(brief(validate(v, job))).toEqual([
      'minimum spec.activeDeadlineSeconds: should be greater than or equal to 1',
      'maxItems spec.runtimePatches: Too many: 17: must have at most 16 items',
      'format spec.runtimePatches[14].time: must be of format date-time',
      'minLength spec.runtimePatches[15].manager: should be at least 1 chars long',
      'list-type spec.runtimePatches[16]: Duplicate value: {"manager":"m0"}',
      'maxItems spec.trainer.command: Too many: 129: must have at most 128 items',
      'maxLength spec.trainer.image: Too long: may not be more than 500 characters',
    ]);
  });

  test.each(['v2.0', 'v2.1'] as Version[])('%s: no maxItems on command and no maxLength on image', (v) => {
    const job = validJob(v);
    job.spec.trainer.image = 'x'.repeat(600);
    job.spec.trainer.command = Array.from({ length: 200 }, () => 'x');
    expect(validate(v, job)).toEqual([]);
  });

  test('v2.3 storageUri CEL: empty or scheme://; v2.2 has no such rule', () => {
    const job = validJob('v2.3');
    job.spec.initializer.dataset.storageUri = 'mnist';
    expect(validate('v2.3', job)).toEqual([{
      path: 'spec.initializer.dataset.storageUri',
      message: 'storageUri may be empty, or it must be a valid URI (scheme://...)',
      rule: 'cel',
    }]);
    const j22 = validJob('v2.2');
    j22.spec.initializer = { dataset: { storageUri: 'mnist' } };
    expect(validate('v2.2', j22)).toEqual([]);
  });

  test('v2.0 podSpecOverrides needs targetJobs; v2.1 targetJobs names need minLength 1', () => {
    const j20 = validJob('v2.0');
    delete j20.spec.podSpecOverrides[0].targetJobs;
    j20.spec.podSpecOverrides[0].affinity = {};
    expect(brief(validate('v2.0', j20))).toEqual([
      'unknown-field spec.podSpecOverrides[0].affinity: unknown field "affinity" (the apiserver would prune it)',
      'required spec.podSpecOverrides[0].targetJobs: Required value',
    ]);
    const j21 = validJob('v2.1');
    j21.spec.podTemplateOverrides[0].targetJobs = [{ name: '' }];
    j21.spec.podTemplateOverrides[0].spec.securityContext = {};
    expect(brief(validate('v2.1', j21))).toEqual([
      'unknown-field spec.podTemplateOverrides[0].spec.securityContext: unknown field "securityContext" (the apiserver would prune it)',
      'minLength spec.podTemplateOverrides[0].targetJobs[0].name: should be at least 1 chars long',
    ]);
  });
});

describe('transition rules (update)', () => {
  test('are not applicable on create and fire on update when the value changed', () => {
    const old = validJob('v2.3');
    const changed = validJob('v2.3');
    changed.spec.trainer.numNodes = 3;
    changed.spec.runtimeRef.name = 'other';
    expect(validate('v2.3', changed)).toEqual([]);
    expect(brief(validate('v2.3', changed, old))).toEqual([
      'cel spec.runtimeRef: field is immutable',
      'cel spec.trainer: field is immutable',
    ]);
    expect(validate('v2.3', validJob('v2.3'), old)).toEqual([]);
  });

  test('runtimePatches items correlate by manager, so a reordered list is no change', () => {
    const old = validJob('v2.2');
    old.spec.runtimePatches.push({ manager: 'kueue' });
    const now = validJob('v2.2');
    now.spec.runtimePatches.unshift({ manager: 'kueue' });
    expect(validate('v2.2', now, old)).toEqual([]);
    now.spec.runtimePatches[1].trainingRuntimeSpec.template.spec.replicatedJobs[0].template.spec.template.spec.volumes = [];
    expect(brief(validate('v2.2', now, old))).toEqual([
      'cel spec.runtimePatches[1].trainingRuntimeSpec.template.spec.replicatedJobs[0].template.spec.template.spec.volumes: field is immutable',
    ]);
  });

  test('v2.1 only guards runtimeRef and managedBy', () => {
    // The stored object carries the defaulted managedBy; a transition rule needs an old value to compare.
    const old = applyDefaults(validJob('v2.1'), SCHEMAS['v2.1']);
    const now = validJob('v2.1');
    now.spec.trainer.numNodes = 5;
    now.spec.managedBy = 'kueue.x-k8s.io/multikueue';
    // Without defaulting `now` first, runtimeRef would differ from the stored (defaulted) one: the apiserver
    // defaults before it compares, and so must callers.
    expect(brief(validate('v2.1', now, old))).toContain('cel spec.runtimeRef: runtimeRef is immutable');
    expect(brief(validate('v2.1', applyDefaults(now, SCHEMAS['v2.1']), old))).toEqual(['cel spec.managedBy: ManagedBy value is immutable']);
  });
});
