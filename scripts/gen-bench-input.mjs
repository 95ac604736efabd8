#!/usr/bin/env node
// Writes N realistic, varied PyTorchJobs as one YAML stream, for benchmarking the YAML layer.
// Deterministic (seeded) and written as it goes, so 100,000 jobs need no more memory than 10.
// With `mixed`, half the jobs are other v1 kinds with the same pods (TFJob, XGBoostJob, JAXJob, PaddleJob,
// MPIJob v1 and v2beta1; proportions at MIX), for the mixed-kind benchmark.
// With `list`, the same N jobs are written as ONE `kind: List` document, as `kubectl get pytorchjobs -A
// -o yaml` prints a big cluster (keys as generated, items at column 0), for the large-List benchmark.
// Usage: node scripts/gen-bench-input.mjs N OUTFILE [mixed|list]
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const [nArg, outFile, mode] = process.argv.slice(2);
const mixed = mode === 'mixed';
const asList = mode === 'list';
const total = Number(nArg);
if (!Number.isInteger(total) || total < 1 || !outFile) {
  console.error('usage: node scripts/gen-bench-input.mjs N OUTFILE');
  process.exit(2);
}

// mulberry32: a tiny seeded PRNG, so every run writes the same bytes.
let seed = 0x5eed1234;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (a) => a[Math.floor(rand() * a.length)];
const int = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const hex = (n) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join('');
const uid = () => `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${hex(12)}`;

const teams = ['nlp', 'vision', 'speech', 'recsys', 'research', 'platform'];
const models = ['llama3-8b', 'bert-large', 'resnet50', 'vit-h14', 'whisper-medium', 'mistral-7b', 't5-xl'];
const images = ['docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727', 'nvcr.io/nvidia/pytorch:24.05-py3', 'ghcr.io/acme/train:2.3.1-cuda12.1', 'quay.io/opendatahub/pytorch:2024.2'];
const gpus = ['nvidia.com/gpu', 'amd.com/gpu'];

function ts(i) {
  const d = new Date(Date.UTC(2024, 0, 1) + i * 37_000);
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function container(role, i, gpu) {
  const env = [
    { name: 'NCCL_DEBUG', value: pick(['INFO', 'WARN']) },
  ];
  if (rand() < 0.25) env.push({ name: 'MODEL_NAME', value: pick(models) }, { name: 'EPOCHS', value: String(int(1, 50)) });
  if (rand() < 0.5) env.push({ name: 'LEARNING_RATE', value: pick(['0.001', '3e-4', '1e-5']) });
  if (rand() < 0.2) env.push({ name: 'HF_TOKEN', valueFrom: { secretKeyRef: { name: 'hf-token', key: 'token' } } });
  if (rand() < 0.3) env.push({ name: 'ENABLE_PROFILING', value: pick(['true', 'false', 'yes', 'on']) });
  const c = {
    name: 'pytorch',
    image: pick(images),
    imagePullPolicy: pick(['IfNotPresent', 'Always']),
    command: ['torchrun'],
    args: [`--nproc-per-node=${gpu}`, '/workspace/train.py', '--epochs', String(int(1, 90)), '--output-dir', `/mnt/output/${i}`],
    env,
    resources: {
      limits: { cpu: String(int(4, 32)), memory: `${int(16, 256)}Gi`, [pick(gpus)]: gpu },
    },
    volumeMounts: [
      { name: 'dshm', mountPath: '/dev/shm' },
      { name: 'output', mountPath: '/mnt/output' },
    ].slice(0, rand() < 0.5 ? 1 : 2),
  };
  if (rand() < 0.4) c.resources.requests = { cpu: String(int(2, 16)), memory: `${int(8, 128)}Gi` };
  if (rand() < 0.2) c.securityContext = { runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } };
  return c;
}

function replica(role, replicas, i, gpu) {
  const spec = {
    containers: [container(role, i, gpu)],
    volumes: [
      { name: 'dshm', emptyDir: { medium: 'Memory', sizeLimit: '16Gi' } },
      { name: 'output', persistentVolumeClaim: { claimName: `output-${i % 100}` } },
    ].slice(0, rand() < 0.5 ? 1 : 2),
    tolerations: rand() < 0.5 ? [] : [{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }],
  };
  if (rand() < 0.3) spec.nodeSelector = { 'node.kubernetes.io/instance-type': pick(['p4d.24xlarge', 'a2-highgpu-8g', 'Standard_ND96asr_v4']) };
  if (rand() < 0.3) spec.priorityClassName = 'high-priority';
  return {
    replicas,
    restartPolicy: rand() < 0.85 ? 'OnFailure' : pick(['Never', 'ExitCode']),
    template: role === 'Master' || rand() < 0.5 ? { metadata: { annotations: { 'sidecar.istio.io/inject': 'false' } }, spec } : { spec },
  };
}

// Real jobs run the same pod template in both roles; a few differ (those the converter refuses).
function masterAndWorker(i, gpu) {
  const master = replica('Master', 1, i, gpu);
  const worker = JSON.parse(JSON.stringify(master));
  worker.replicas = int(1, 15);
  if (rand() < 0.03) worker.template.spec.containers[0].args.push('--worker');
  return { Master: master, Worker: worker };
}

function job(i) {
  const team = pick(teams);
  const name = `${pick(models)}-${team}-${i}`;
  const gpu = pick([1, 2, 4, 8]);
  const full = rand() < 0.15; // as `kubectl get -o yaml` prints it
  const metadata = {
    name,
    namespace: `team-${team}`,
    labels: { 'app.kubernetes.io/name': 'pytorchjob', team, 'kueue.x-k8s.io/queue-name': `${team}-queue` },
    annotations: { 'acme.com/owner': `${team}@acme.com` },
  };
  if (full) {
    Object.assign(metadata, { creationTimestamp: ts(i), generation: 1, resourceVersion: String(100000 + i), uid: uid() });
    metadata.managedFields = [{
      apiVersion: 'kubeflow.org/v1', fieldsType: 'FieldsV1', manager: 'kubectl-client-side-apply', operation: 'Update', time: ts(i),
      fieldsV1: { 'f:metadata': { 'f:labels': { '.': {}, 'f:team': {} } }, 'f:spec': { '.': {}, 'f:pytorchReplicaSpecs': {} } },
    }];
  }
  const j = {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata,
    spec: {
      runPolicy: { cleanPodPolicy: pick(['None', 'Running', 'All']), backoffLimit: int(0, 5), ttlSecondsAfterFinished: pick([null, 3600, 86400]) },
      pytorchReplicaSpecs: masterAndWorker(i, gpu),
    },
  };
  if (rand() < 0.05) j.spec.elasticPolicy = { minReplicas: 1, maxReplicas: int(2, 16), rdzvBackend: 'c10d', maxRestarts: 3 };
  if (full) {
    j.status = {
      conditions: [
        { type: 'Created', status: 'True', reason: 'PyTorchJobCreated', message: `PyTorchJob ${name} is created.`, lastTransitionTime: ts(i), lastUpdateTime: ts(i) },
        { type: 'Running', status: 'True', reason: 'PyTorchJobRunning', message: `PyTorchJob ${name} is running.`, lastTransitionTime: ts(i + 1), lastUpdateTime: ts(i + 1) },
      ],
      replicaStatuses: { Master: { active: 1 }, Worker: { active: int(1, 8) } },
      startTime: ts(i),
    };
  }
  return mixed ? otherKind(j, i) : j;
}

/**
 * The kind job i gets in the mixed stream, in proportions a Training Operator v1 fleet might have (per 20 jobs):
 * 10 PyTorchJobs, 3 TFJobs, 2 XGBoostJobs, 1 JAXJob, 1 PaddleJob, 2 MPIJobs kubeflow.org/v2beta1 and 1 MPIJob
 * kubeflow.org/v1. Chosen by i alone (no rand()), so the mixed stream holds the same pods as the PyTorchJob one.
 */
const MIX = ['PyTorchJob', 'TFJob', 'PyTorchJob', 'XGBoostJob', 'PyTorchJob', 'MPIJob/v2beta1', 'PyTorchJob', 'TFJob', 'PyTorchJob', 'JAXJob',
  'PyTorchJob', 'MPIJob/v1', 'PyTorchJob', 'TFJob', 'PyTorchJob', 'XGBoostJob', 'PyTorchJob', 'PaddleJob', 'PyTorchJob', 'MPIJob/v2beta1'];

/** Job i as the kind the mixed stream gives it: the same pods under another v1 kind's field names and layout. */
function otherKind(j, i) {
  const kind = MIX[i % MIX.length];
  if (kind === 'PyTorchJob') return j;
  const specs = j.spec.pytorchReplicaSpecs;
  delete j.spec.pytorchReplicaSpecs;
  delete j.spec.elasticPolicy;
  const setContainers = (r, name, command, args) => {
    for (const c of r.template.spec.containers) {
      c.name = name;
      c.command = command;
      c.args = args ?? c.args.filter((a) => !a.startsWith('--nproc-per-node'));
    }
  };
  const workerOnly = (field, container, replicas) => {
    const w = { ...specs.Worker, replicas };
    setContainers(w, container, ['python3']);
    j.spec[field] = { Worker: w };
    if (j.status) j.status.replicaStatuses = { Worker: { active: 1 } };
  };
  j.kind = kind.split('/')[0];
  if (kind === 'XGBoostJob') {
    for (const r of Object.values(specs)) setContainers(r, 'xgboost', ['python3']);
    j.spec.xgbReplicaSpecs = specs;
  } else if (kind === 'JAXJob') workerOnly('jaxReplicaSpecs', 'jax', specs.Worker.replicas + 1);
  else if (kind === 'TFJob') workerOnly('tfReplicaSpecs', 'tensorflow', specs.Worker.replicas + 1);
  else if (kind === 'PaddleJob') workerOnly('paddleReplicaSpecs', 'paddle', 1); // collective mode: one Worker converts
  else {
    // MPIJob: the Master pod becomes a CPU-only Launcher running mpirun, the Workers run sshd; OpenMPI.
    const v2beta1 = kind.endsWith('v2beta1');
    if (v2beta1) j.apiVersion = 'kubeflow.org/v2beta1';
    const launcher = specs.Master;
    setContainers(launcher, 'mpi', ['mpirun'], ['-np', String(specs.Worker.replicas), '--allow-run-as-root', 'python3', '/workspace/train.py']);
    const limits = launcher.template.spec.containers[0].resources.limits;
    for (const k of Object.keys(limits)) if (k.endsWith('/gpu')) delete limits[k];
    setContainers(specs.Worker, 'mpi', ['/usr/sbin/sshd'], ['-De']);
    j.spec.slotsPerWorker = Object.values(specs.Worker.template.spec.containers[0].resources.limits).find((v) => typeof v === 'number') ?? 1;
    if (v2beta1) {
      j.spec.mpiImplementation = 'OpenMPI';
      const rp = j.spec.runPolicy;
      if (rp.ttlSecondsAfterFinished === null) delete rp.ttlSecondsAfterFinished;
    }
    j.spec.mpiReplicaSpecs = { Launcher: launcher, Worker: specs.Worker };
    if (j.status) j.status.replicaStatuses = { Launcher: { active: 1 }, Worker: { active: specs.Worker.replicas } };
  }
  if (j.metadata.managedFields) j.metadata.managedFields[0].apiVersion = j.apiVersion;
  return j;
}

// Hand-rolled emitter in kubectl style, so this script has no dependency on the code under test.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./=@%+$()-]*$/;
const BOOLISH = /^(?:y|n|yes|no|on|off|true|false|null|~)$/i;
function s(v) {
  if (v === null) return 'null';
  if (typeof v !== 'string') return String(v);
  if (BOOLISH.test(v)) return JSON.stringify(v);
  if (PLAIN.test(v)) return v;
  if (/^[\w .@/-]+$/.test(v) && !/^[-\d. ]|[ :]$|: /.test(v)) return v;
  return JSON.stringify(v);
}
function emit(v, ind, out) {
  if (Array.isArray(v)) {
    for (const x of v) {
      if (x && typeof x === 'object' && !Array.isArray(x)) {
        out.push(`${ind}- `);
        emitMapInline(x, ind + '  ', out);
      } else out.push(`${ind}- ${s(x)}\n`);
    }
  } else emitMapInline(v, ind, out, true);
}
function emitMapInline(o, ind, out, first = false) {
  let k0 = !first;
  for (const [k, v] of Object.entries(o)) {
    const pre = k0 ? '' : ind;
    k0 = false;
    const key = s(k);
    if (v && typeof v === 'object') {
      const empty = Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0;
      if (empty) out.push(`${pre}${key}: ${Array.isArray(v) ? '[]' : '{}'}\n`);
      else if (Array.isArray(v)) { out.push(`${pre}${key}:\n`); emit(v, ind, out); }
      else { out.push(`${pre}${key}:\n`); emitMapInline(v, ind + '  ', out, true); }
    } else out.push(`${pre}${key}: ${s(v)}\n`);
  }
}

const out = createWriteStream(outFile);
let i = 0;
if (asList) out.write('apiVersion: v1\nitems:\n');
while (i < total) {
  const parts = [];
  if (rand() < 0.05 && total - i >= 3) {
    // A `kubectl get pytorchjobs -o yaml` list of a few jobs.
    const n = Math.min(int(2, 5), total - i);
    const items = [];
    for (let k = 0; k < n; k++) items.push(job(i++));
    if (asList) emit(items, '', parts);
    else {
      parts.push('---\n');
      emit({ apiVersion: 'v1', kind: mixed ? 'List' : 'PyTorchJobList', items, metadata: { resourceVersion: '' } }, '', parts);
    }
  } else {
    const marker = rand() < 0.1 ? '--- # next job\n' : '---\n';
    const comment = rand() < 0.1 ? `# job ${i}\n` : '';
    // (rand() is drawn the same way in both modes, so a List holds the same jobs as the stream.)
    if (asList) emit([job(i++)], '', parts);
    else {
      parts.push(marker, comment);
      emit(job(i++), '', parts);
    }
  }
  if (!out.write(parts.join(''))) await once(out, 'drain');
}
if (asList) out.write('kind: List\nmetadata:\n  resourceVersion: ""\n');
out.end();
await once(out, 'finish');
