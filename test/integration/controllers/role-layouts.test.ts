// TFJob and PaddleJob role layouts end to end on the real controllers: the v1 job goes to Training Operator v1.9.2
// in one namespace, its golden conversion (generated runtime with a replicated Job per role + TrainJob) to Trainer ->
// JobSet -> Jobs in another. Every v2 pod must get what v1 gave the pod of the same role and index (TF_CONFIG; the
// whole env of the paddle container), v1 Service names translated to JobSet host names, under the JobSet
// successPolicy the converter chose.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { CONTROLLER_TRAINER_VERSIONS, ControllerCluster, type ControllerTrainerVersion } from '../../controlplane/controllers.js';
import type { KubeClient } from '../../controlplane/kube-client.js';
import { parseYamlObjects, pollUntil, type KubeObject } from '../../controlplane/objects.js';
import { V1_POD_LABELS } from '../../controlplane/parity-kinds.js';
import { resolveEnv, type PodObject } from '../../controlplane/pod-parity.js';

const TIMEOUT = 10 * 60_000;
const CASES = path.join(process.cwd(), 'test/golden/cases');
/** Golden cases with Chief/Master, PS or Evaluator pods, and the successPolicy each conversion must carry. */
const ROLE_CASES: [string, { operator: string; targetReplicatedJobs: string[] } | undefined][] = [
  ['example-kubeflow-tf-dist-mnist', { operator: 'Any', targetReplicatedJobs: ['chief'] }],
  ['map-tf-chief-workers', { operator: 'Any', targetReplicatedJobs: ['chief'] }],
  ['map-tf-ps-evaluator', { operator: 'All', targetReplicatedJobs: ['node'] }],
];
/** PaddleJob golden cases: worker 0 (collective) or the Master (parameter-server mode) in a Job of its own. */
const PADDLE_CASES: [string, { operator: string; targetReplicatedJobs: string[] } | undefined][] = [
  ['example-kubeflow-paddle-simple-cpu', undefined],
  ['map-paddle-parameter-server', { operator: 'All', targetReplicatedJobs: ['master'] }],
];
/** The replicated Job of each v1 replica type (the Workers are the TrainJob's nodes). */
const JOB_OF: Record<string, string> = { worker: 'node', chief: 'chief', master: 'master', ps: 'ps', evaluator: 'evaluator' };

async function pods(client: KubeClient, ns: string, selector: string, count: number): Promise<PodObject[]> {
  return pollUntil(`${count} pods (${selector}) in ${ns}`, 180_000, async () => {
    const list = await client.ok<{ items: PodObject[] }>('GET', `/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: selector } });
    return list.items.length >= count ? list.items : undefined;
  });
}

/** The TF_CONFIG a pod's tensorflow/node container sees, `$(VAR)`s expanded and fieldRefs resolved as the kubelet would. */
function tfConfigOf(pod: PodObject, container: string): string | undefined {
  const c = (pod.spec.containers as any[]).find((x) => x.name === container);
  return resolveEnv(pod, c?.env).get('TF_CONFIG')?.value;
}

describe.each(CONTROLLER_TRAINER_VERSIONS)('TFJob and PaddleJob role layouts on Training Operator v1.9.2 and Trainer %s', (version: ControllerTrainerVersion) => {
  let cluster: Promise<ControllerCluster> | undefined;
  const start = () => (cluster ??= ControllerCluster.start({ trainer: version, trainingOperator: ['tfjob', 'paddlejob'], kubeControllerManager: true, runtimes: [], label: `roles-${version}` }));

  /** Creates the v1 job and the converted objects, waits for both sides' pods; returns them with the JobSet. */
  async function runBoth(name: string, plural: string, specsField: string): Promise<{ v1: any; v1ns: string; v1Pods: PodObject[]; v2Pods: PodObject[]; jobSet: any }> {
    const c = await start();
    const client = await c.client();
    const v1 = parse(readFileSync(path.join(CASES, name, 'input.yaml'), 'utf8'));
    const jobName: string = v1.metadata.name;
    const v1ns = await c.namespace('v1');
    const v2ns = await c.namespace('v2');
    await client.ok('POST', `/apis/kubeflow.org/v1/namespaces/${v1ns}/${plural}`, { body: { ...v1, metadata: { name: jobName, namespace: v1ns } } });
    const converted = parseYamlObjects(readFileSync(path.join(CASES, name, version, 'trainjob.yaml'), 'utf8'));
    for (const o of converted as KubeObject[]) {
      const kinds = o.kind === 'TrainJob' ? 'trainjobs' : 'trainingruntimes';
      const body = { ...o, metadata: { ...o.metadata, namespace: v2ns } };
      // Trainer's webhook may not have seen the runtime created just before (informer cache): retry briefly.
      await pollUntil(`create ${o.kind} ${o.metadata.name}`, 30_000, async () => {
        const res = await client.request('POST', `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${v2ns}/${kinds}`, { body });
        if (res.status === 201) return true;
        if (!/must be created before/.test(JSON.stringify(res.body))) throw new Error(`${o.kind} ${o.metadata.name}: ${res.status} ${JSON.stringify(res.body)}`);
        return undefined;
      });
    }
    const total = Object.values(v1.spec[specsField] as Record<string, { replicas?: number }>).reduce((n, r) => n + (r.replicas ?? 1), 0);
    const v1Pods = await pods(client, v1ns, `${V1_POD_LABELS.jobName}=${jobName}`, total);
    const v2Pods = await pods(client, v2ns, `jobset.sigs.k8s.io/jobset-name=${jobName}`, total);
    const jobSet = await client.ok<any>('GET', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${v2ns}/jobsets/${jobName}`);
    return { v1, v1ns, v1Pods, v2Pods, jobSet };
  }
  const twinOf = (v2Pods: PodObject[], job: string, index: number) =>
    v2Pods.find((q) => q.metadata.labels?.['jobset.sigs.k8s.io/replicatedjob-name'] === job && q.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === String(index));

  it.each(PADDLE_CASES)('%s: every pod gets the env v1 gave the pod of the same role and index', async (name, successPolicy) => {
    const { v1, v1Pods, v2Pods, jobSet } = await runBoth(name, 'paddlejobs', 'paddleReplicaSpecs');
    const jobName: string = v1.metadata.name;
    expect(v2Pods).toHaveLength(v1Pods.length);
    if (successPolicy) expect(jobSet.spec.successPolicy).toMatchObject(successPolicy);
    else expect(jobSet.spec.successPolicy ?? { operator: 'All' }).toMatchObject({ operator: 'All' });
    const ps = v1Pods.some((p) => p.metadata.labels![V1_POD_LABELS.replicaType] === 'master');
    // v1's rendezvous host <job>-<role>-0 (a Service) is JobSet's host of the pod that took that place.
    const translate = (s: string) => s.replace(new RegExp(`\\b${jobName}-(worker|master)-0:`, 'g'), (_, role: string) => `${jobName}-${role === 'master' ? 'master' : 'worker0'}-0-0.${jobName}:`);
    // The env the container ends up with: a name defined twice (a user value v1 appended its own after) counts once, last wins.
    const envOf = (p: PodObject, container: string) => {
      const env: any[] = (p.spec.containers as any[]).find((x) => x.name === container)?.env ?? [];
      return env.filter((e, i) => !env.slice(i + 1).some((later) => later.name === e.name)).map((e: any) => JSON.stringify(e.value !== undefined ? { ...e, value: translate(e.value) } : e));
    };
    for (const p of v1Pods) {
      const role = p.metadata.labels![V1_POD_LABELS.replicaType]!;
      const index = Number(p.metadata.labels![V1_POD_LABELS.replicaIndex]);
      const [job, i] = role === 'master' ? ['master', index] : ps ? ['node', index] : index === 0 ? ['worker0', 0] : ['node', index - 1];
      const twin = twinOf(v2Pods, job as string, i as number);
      expect({ pod: `${role}-${index}`, twin: Boolean(twin) }).toEqual({ pod: `${role}-${index}`, twin: true });
      // The Job controller adds JOB_COMPLETION_INDEX to every container of an Indexed Job's pods (not in v1's pods).
      const v2env = envOf(twin!, 'node').filter((e: string) => !e.startsWith('{"name":"JOB_COMPLETION_INDEX"'));
      expect({ pod: `${role}-${index}`, env: v2env }).toEqual({ pod: `${role}-${index}`, env: envOf(p, 'paddle') });
    }
  }, TIMEOUT);
  afterAll(async () => (await cluster?.catch(() => undefined))?.stop(), 120_000);

  it.each(ROLE_CASES)('%s: every pod of every role gets v1\'s TF_CONFIG', async (name, successPolicy) => {
    const { v1, v1ns, v1Pods, v2Pods, jobSet } = await runBoth(name, 'tfjobs', 'tfReplicaSpecs');
    const jobName: string = v1.metadata.name;
    const total = v1Pods.length;
    expect(v2Pods).toHaveLength(v1Pods.length);
    expect(jobSet.spec.successPolicy).toMatchObject(successPolicy!);

    const translate = (s: string) => s.replace(new RegExp(`${jobName}-(\\w+)-(\\d+)\\.${v1ns}\\.svc`, 'g'), (_, role: string, i: string) => `${jobName}-${JOB_OF[role]}-0-${i}.${jobName}`);
    const pairs: string[] = [];
    for (const p of v1Pods) {
      const role = p.metadata.labels![V1_POD_LABELS.replicaType]!;
      const index = p.metadata.labels![V1_POD_LABELS.replicaIndex]!;
      const twin = v2Pods.find((q) => q.metadata.labels?.['jobset.sigs.k8s.io/replicatedjob-name'] === JOB_OF[role] && q.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === index);
      expect(twin).toBeDefined();
      const want = tfConfigOf(p, 'tensorflow');
      expect(want).toBeDefined();
      expect({ pod: `${role}-${index}`, tfConfig: tfConfigOf(twin!, 'node') }).toEqual({ pod: `${role}-${index}`, tfConfig: translate(want!) });
      pairs.push(`${role}-${index}`);
    }
    expect(pairs.length).toBe(total);
  }, TIMEOUT);
});
