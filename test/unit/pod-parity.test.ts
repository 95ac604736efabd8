// The pure half of pod parity (test/controlplane/pod-parity.ts): env resolution, translation,
// normalization, diff and allow-list matching, on hand-written pods.
import { describe, expect, it } from '@jest/globals';
import {
  describeUnallowed, diffPods, expandVars, globToRegExp, loadAllowList, resolveEnv, runsTorchrun, selectorMatches, translate,
  type AllowList, type ParityContext, type PodObject,
} from '../controlplane/pod-parity.js';
import { PARITY_KINDS, trainerServes } from '../controlplane/parity-kinds.js';

const allow = loadAllowList();

function v1Pod(name: string, env: { name: string; value?: string; valueFrom?: unknown }[], extra: Record<string, unknown> = {}): PodObject {
  return {
    metadata: { name, labels: { 'training.kubeflow.org/job-name': 'bert', 'training.kubeflow.org/replica-type': 'worker', team: 'nlp' } },
    spec: { restartPolicy: 'OnFailure', containers: [{ name: 'pytorch', image: 'img:1', command: ['python', 'train.py', '--rank=$(RANK)'], env, ports: [{ name: 'pytorchjob-port', containerPort: 23456 }] }], ...extra },
  };
}

function v2Pod(index: number, env: { name: string; value?: string; valueFrom?: unknown }[], extra: Record<string, unknown> = {}): PodObject {
  return {
    metadata: {
      name: `bert-node-0-${index}-x7k2p`,
      labels: { 'jobset.sigs.k8s.io/jobset-name': 'bert', 'batch.kubernetes.io/job-completion-index': String(index), team: 'nlp' },
      annotations: { 'batch.kubernetes.io/job-completion-index': String(index) },
      finalizers: ['batch.kubernetes.io/job-tracking'],
    },
    spec: {
      restartPolicy: 'OnFailure', hostname: `bert-node-0-${index}`, subdomain: 'bert',
      containers: [{ name: 'node', image: 'img:1', command: ['python', 'train.py', '--rank=$(RANK)'], env, ports: [{ containerPort: 29500 }] }],
      ...extra,
    },
  };
}

const rankFromIndex = { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } };

function ctx(over: Partial<ParityContext> = {}): ParityContext {
  const job = { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'bert' }, spec: { pytorchReplicaSpecs: { Master: {}, Worker: { replicas: 2 } } } };
  const replicas = PARITY_KINDS.PyTorchJob!.replicas(job);
  return { kind: 'PyTorchJob', translations: PARITY_KINDS.PyTorchJob!.translations(job, 'bert', replicas), hasMaster: true, findings: new Set(), ...over };
}

describe('env resolution', () => {
  it('expands $(VAR) against earlier variables only, keeps unknown references and unescapes $$', () => {
    expect(expandVars('a=$(A) b=$(B) $$(A)', new Map([['A', '1']]))).toBe('a=1 b=$(B) $(A)');
    const env = resolveEnv(v1Pod('p', []), [{ name: 'B', value: '$(A)' }, { name: 'A', value: 'x' }, { name: 'C', value: '$(A)-c' }]);
    expect(env.get('B')).toEqual({ value: '$(A)' });
    expect(env.get('C')).toEqual({ value: 'x-c' });
  });

  it('lets the last definition win, as the kubelet does (v1 appended its MASTER_ADDR after the user one)', () => {
    const env = resolveEnv(v1Pod('p', []), [{ name: 'MASTER_ADDR', value: 'localhost' }, { name: 'MASTER_ADDR', value: 'bert-master-0' }]);
    expect(env.get('MASTER_ADDR')).toEqual({ value: 'bert-master-0' });
  });

  it('resolves fieldRefs on the pod metadata, stands in for the per-side pod name, keeps other sources as written', () => {
    const env = resolveEnv(v2Pod(2, []), [
      { name: 'RANK', valueFrom: rankFromIndex },
      { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
      { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 's', key: 'k' } } },
      { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    expect(env.get('RANK')).toEqual({ value: '2' });
    expect(env.get('POD')).toEqual({ value: '<pod name>' });
    expect(env.get('TOKEN')).toEqual({ valueFrom: { secretKeyRef: { name: 's', key: 'k' } } });
    expect(env.get('IP')).toEqual({ valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } });
  });
});

describe('translation of v1 names', () => {
  it('maps v1 Service hosts to Trainer node hosts (Master -> 0, Worker i -> i+1) and the v1 port to 29500', () => {
    const t = ctx().translations;
    expect(translate('tcp://bert-master-0:23456', t)).toBe('tcp://bert-node-0-0.bert:29500');
    expect(translate('bert-worker-1', t)).toBe('bert-node-0-2.bert');
    expect(translate('bert-worker-10 xbert-master-0 234567', t)).toBe('bert-worker-10 xbert-master-0 234567'); // boundaries
  });

  it('maps Worker i to node i for worker-only jobs', () => {
    const job = { apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name: 'w' }, spec: { pytorchReplicaSpecs: { Worker: { replicas: 3 } } } };
    const k = PARITY_KINDS.PyTorchJob!;
    expect(k.nodeIndex('worker', 0, k.replicas(job))).toBe(0);
    expect(translate('w-worker-2', k.translations(job, 'w', k.replicas(job)))).toBe('w-node-0-2.w');
  });
});

describe('diffPods', () => {
  it('finds nothing but the contract between a v1 Worker and its re-injected v2 twin', () => {
    const v1 = v1Pod('bert-worker-0', [
      { name: 'PYTHONUNBUFFERED', value: '1' }, { name: 'MASTER_PORT', value: '23456' }, { name: 'MASTER_ADDR', value: 'bert-master-0' },
      { name: 'WORLD_SIZE', value: '3' }, { name: 'RANK', value: '1' }, { name: 'PET_MASTER_PORT', value: '23456' },
      { name: 'PET_MASTER_ADDR', value: 'bert-master-0' }, { name: 'PET_NODE_RANK', value: '1' }, { name: 'PET_NPROC_PER_NODE', value: 'auto' },
      { name: 'PET_NNODES', value: '3' },
    ], { initContainers: [{ name: 'init-pytorch', image: 'alpine:3.10', command: ['sh', '-c', 'nslookup bert-master-0'] }] });
    const v2 = v2Pod(1, [
      { name: 'PYTHONUNBUFFERED', value: '1' }, { name: 'MASTER_ADDR', value: 'bert-node-0-0.bert' }, { name: 'MASTER_PORT', value: '29500' },
      { name: 'WORLD_SIZE', value: '3' }, { name: 'RANK', valueFrom: rankFromIndex }, { name: 'PET_NNODES', value: '3' },
      { name: 'PET_NPROC_PER_NODE', value: '4' }, { name: 'PET_NODE_RANK', valueFrom: rankFromIndex },
      { name: 'PET_MASTER_ADDR', value: 'bert-node-0-0.bert' }, { name: 'PET_MASTER_PORT', value: '29500' },
      { name: 'JOB_COMPLETION_INDEX', valueFrom: rankFromIndex },
    ]);
    const diffs = diffPods(v1, v2, ctx(), allow);
    expect(describeUnallowed('w0', diffs)).toEqual([]);
    expect(new Set(diffs.map((d) => d.allowedBy))).toEqual(new Set(['jobset-hostname', 'init-pytorch', 'v1-rendezvous-port', 'trainer-rendezvous-port', 'job-completion-index', 'pet-nproc-resolved']));
    // $(RANK) in the command is expanded on both sides: "1" from v1's literal, "1" from the completion index.
    expect(diffs.some((d) => d.path.startsWith('spec.containers[node].command'))).toBe(false);
  });

  it('reports a missing RANK for a plain-python job, with the path and both values', () => {
    const v1 = v1Pod('bert-worker-0', [{ name: 'RANK', value: '1' }]);
    const v2 = v2Pod(1, []);
    const lines = describeUnallowed('w0', diffPods(v1, v2, ctx(), allow));
    expect(lines).toContain('w0: spec.containers[node].env[RANK].value: v1="1" v2=(absent)');
    // ...and the expanded command differs too: the literal $(RANK) stays in v2.
    expect(lines).toContain('w0: spec.containers[node].command[2]: v1="--rank=1" v2="--rank=$(RANK)"');
  });

  it('allows torchrun to do without v1 copies of the rendezvous variables', () => {
    const torchrun = { command: ['torchrun', '--nproc_per_node=1', 'train.py'] };
    const v1 = v1Pod('bert-worker-0', [{ name: 'RANK', value: '1' }, { name: 'WORLD_SIZE', value: '3' }]);
    const v2 = v2Pod(1, []);
    v1.spec.containers[0] = { ...v1.spec.containers[0], ...torchrun };
    v2.spec.containers[0] = { ...v2.spec.containers[0], ...torchrun };
    const diffs = diffPods(v1, v2, ctx(), allow).filter((d) => d.path.endsWith('.value'));
    expect(diffs.map((d) => [d.path, d.allowedBy])).toEqual([
      ['spec.containers[node].env[RANK].value', 'torchrun-sets-rendezvous-env'],
      ['spec.containers[node].env[WORLD_SIZE].value', 'torchrun-sets-rendezvous-env'],
    ]);
  });

  it('catches a v1 host name hard-coded in user text (E3) unless the conversion reported it', () => {
    const v1 = v1Pod('bert-worker-0', []);
    const v2 = v2Pod(1, []);
    v1.spec.containers[0].args = ['--dist-url', 'tcp://bert-master-0:23456'];
    v2.spec.containers[0].args = ['--dist-url', 'tcp://bert-master-0:23456'];
    expect(describeUnallowed('w0', diffPods(v1, v2, ctx(), allow))).toEqual([
      'w0: spec.containers[node].args[1]: v1="tcp://bert-node-0-0.bert:29500" v2="tcp://bert-master-0:23456"',
    ]);
  });

  it('compares user labels and annotations but not the controllers\' own', () => {
    const v1 = v1Pod('bert-worker-0', []);
    const v2 = v2Pod(1, []);
    v2.metadata.labels!.team = 'vision';
    expect(describeUnallowed('w0', diffPods(v1, v2, ctx(), allow))).toEqual(['w0: metadata.labels.team: v1="nlp" v2="vision"']);
  });

  it('honours rule conditions: finding-backed rules need the finding', () => {
    const list: AllowList = { ...allow, allowed: [{ id: 'img', path: 'spec.containers[node].image', requiresFinding: 'KTJ-ROLE-002', why: 'forced' }] };
    const v1 = v1Pod('bert-worker-0', []);
    const v2 = v2Pod(1, []);
    v2.spec.containers[0].image = 'img:2';
    expect(diffPods(v1, v2, ctx(), list).find((d) => d.path.endsWith('.image'))?.allowedBy).toBeUndefined();
    expect(diffPods(v1, v2, ctx({ findings: new Set(['KTJ-ROLE-002']) }), list).find((d) => d.path.endsWith('.image'))?.allowedBy).toBe('img');
  });
});

describe('kinds after PyTorchJob', () => {
  const tfJob = { apiVersion: 'kubeflow.org/v1', kind: 'TFJob', metadata: { name: 'mw' }, spec: { tfReplicaSpecs: { Worker: { replicas: 2 } } } };
  const tfPod = (side: 'v1' | 'v2', index: number, tfConfig: string): PodObject => ({
    metadata: { name: `p${index}`, annotations: { 'batch.kubernetes.io/job-completion-index': String(index) } },
    spec: { containers: [{ name: side === 'v1' ? 'tensorflow' : 'node', image: 'tf:2', env: [{ name: 'TF_CONFIG', value: tfConfig }] }] },
  });

  it('TFJob: translates the v1 Service names in TF_CONFIG and compares it as parsed JSON, key order aside', () => {
    const k = PARITY_KINDS.TFJob!;
    const replicas = k.replicas(tfJob);
    const c = ctx({ kind: 'TFJob', translations: k.translations(tfJob, 'mw', replicas, { v1: 'ns-a', v2: 'ns-b' }), jsonEnv: k.jsonEnv, hasMaster: false });
    const v1 = tfPod('v1', 1, '{"cluster":{"worker":["mw-worker-0.ns-a.svc:2222","mw-worker-1.ns-a.svc:2222"]},"task":{"type":"worker","index":1},"environment":"cloud"}');
    const same = tfPod('v2', 1, '{"task":{"index":1,"type":"worker"},"environment":"cloud","cluster":{"worker":["mw-node-0-0.mw:2222","mw-node-0-1.mw:2222"]}}');
    expect(diffPods(v1, same, c, allow).filter((d) => d.path.includes('TF_CONFIG'))).toEqual([]);
    const wrongHost = tfPod('v2', 1, '{"cluster":{"worker":["mw-node-0-0.mw:2222","mw-worker-1:2222"]},"task":{"type":"worker","index":1},"environment":"cloud"}');
    expect(describeUnallowed('w1', diffPods(v1, wrongHost, c, allow))).toEqual(['w1: spec.containers[node].env[TF_CONFIG].value.cluster.worker[1]: v1="mw-node-0-1.mw:2222" v2="mw-worker-1:2222"']);
  });

  it('places XGBoost Master at node 0 and JAX Worker i at node i; XGBoost/JAX need Trainer v2.2+', () => {
    const xgb = PARITY_KINDS.XGBoostJob!;
    const job = { apiVersion: 'kubeflow.org/v1', kind: 'XGBoostJob', metadata: { name: 'x' }, spec: { xgbReplicaSpecs: { Master: {}, Worker: { replicas: 2 } } } };
    expect(translate('x-master-0,x-worker-1:9991', xgb.translations(job, 'x', xgb.replicas(job)))).toBe('x-node-0-0.x,x-node-0-2.x:9991');
    const jax = PARITY_KINDS.JAXJob!;
    const jjob = { apiVersion: 'kubeflow.org/v1', kind: 'JAXJob', metadata: { name: 'j' }, spec: { jaxReplicaSpecs: { Worker: { replicas: 2 } } } };
    expect(translate('j-worker-1:6666', jax.translations(jjob, 'j', jax.replicas(jjob)))).toBe('j-node-0-1.j:29500');
    expect([trainerServes(xgb, 'v2.1'), trainerServes(xgb, 'v2.3'), trainerServes(PARITY_KINDS.TFJob!, 'v2.1')]).toEqual([false, true, true]);
  });
  it('MPIJob: the Launcher is the launcher Job\'s pod, Worker i node i; the training container is per role (mainContainer)', () => {
    const mpi = PARITY_KINDS.MPIJob!;
    const job = {
      apiVersion: 'kubeflow.org/v1', kind: 'MPIJob', metadata: { name: 'h' },
      spec: { mainContainer: 'trainer', mpiReplicaSpecs: {
        Launcher: { template: { spec: { containers: [{ name: 'launch' }] } } },
        Worker: { replicas: 2, template: { spec: { containers: [{ name: 'log-shipper' }, { name: 'trainer' }] } } },
      } },
    };
    const replicas = mpi.replicas(job);
    expect([...replicas]).toEqual([['launcher', 1], ['worker', 2]]);
    expect(mpi.v2Slot!('launcher', 0, replicas)).toEqual({ job: 'launcher', index: 0 });
    expect(mpi.v2Slot!('worker', 1, replicas)).toEqual({ job: 'node', index: 1 });
    expect([mpi.containerRenames!(job, 'launcher'), mpi.containerRenames!(job, 'worker')]).toEqual([{ launch: 'node' }, { trainer: 'node' }]);
    expect(translate('h-launcher h-worker-1', mpi.translations(job, 'h', replicas))).toBe('h-launcher-0-0.h h-node-0-1.h');
  });
});

describe('label selectors are compared by what they select', () => {
  it('flags an anti-affinity on a label only v1 pods carry, although the text is identical', () => {
    const anti = { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { 'training.kubeflow.org/job-name': 'bert' } } } }] } };
    const v1 = [0, 1].map((i) => v1Pod(`bert-worker-${i}`, [], { affinity: anti }));
    const v2 = [0, 1].map((i) => v2Pod(i, [], { affinity: anti }));
    const siblings = { v1: v1.map((pod, node) => ({ pod, node })), v2: v2.map((pod, node) => ({ pod, node })) };
    const lines = describeUnallowed('w0', diffPods(v1[0]!, v2[0]!, ctx({ siblings }), allow));
    expect(lines).toContain('w0: spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm.labelSelector.(selects nodes): v1="0,1" v2="none"');
  });

  it('matches expressions like the apiserver', () => {
    const labels = { a: '1', b: '2' };
    expect(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['1', '3'] }, { key: 'c', operator: 'DoesNotExist' }] }, labels)).toBe(true);
    expect(selectorMatches({ matchExpressions: [{ key: 'b', operator: 'NotIn', values: ['2'] }] }, labels)).toBe(false);
    expect(selectorMatches({ matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] }, labels)).toBe(true);
  });
});

describe('helpers', () => {
  it('globs: * spans path punctuation, {a,b} alternates', () => {
    expect(globToRegExp('spec.containers[*].env[{RANK,WORLD_SIZE}]*').test('spec.containers[node].env[WORLD_SIZE].value')).toBe(true);
    expect(globToRegExp('spec.{hostname,subdomain}').test('spec.nodeName')).toBe(false);
  });

  it('recognises torchrun entrypoints', () => {
    const pod = (command: string[], args: string[] = []): PodObject => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'node', command, args }] } });
    expect(runsTorchrun(pod(['torchrun', 'x.py']))).toBe(true);
    expect(runsTorchrun(pod(['/opt/conda/bin/torchrun'], ['x.py']))).toBe(true);
    expect(runsTorchrun(pod(['python3', '-m', 'torch.distributed.run', 'x.py']))).toBe(true);
    expect(runsTorchrun(pod(['bash', '-c', 'pip install x && torchrun x.py']))).toBe(true);
    expect(runsTorchrun(pod(['python', 'train.py']))).toBe(false);
  });

  it('the allow-list: every rule has an id, a path and a reason', () => {
    expect(allow.allowed.length).toBeGreaterThan(5);
    for (const r of allow.allowed) expect(r.why.length).toBeGreaterThan(20);
  });
});
