// TFJob role layouts end to end on the real controllers: the v1 TFJob goes to Training Operator v1.9.2 in one
// namespace, its golden conversion (generated runtime with a replicated Job per role + TrainJob) to Trainer ->
// JobSet -> Jobs in another, and every v2 pod must get the TF_CONFIG v1 gave the pod of the same role and index
// (v1 Service names translated to JobSet host names), under the JobSet successPolicy the converter chose.
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
const ROLE_CASES: [string, { operator: string; targetReplicatedJobs: string[] }][] = [
  ['example-kubeflow-tf-dist-mnist', { operator: 'Any', targetReplicatedJobs: ['chief'] }],
  ['map-tf-chief-workers', { operator: 'Any', targetReplicatedJobs: ['chief'] }],
  ['map-tf-ps-evaluator', { operator: 'All', targetReplicatedJobs: ['node'] }],
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

describe.each(CONTROLLER_TRAINER_VERSIONS)('TFJob role layouts on Training Operator v1.9.2 and Trainer %s', (version: ControllerTrainerVersion) => {
  let cluster: Promise<ControllerCluster> | undefined;
  const start = () => (cluster ??= ControllerCluster.start({ trainer: version, trainingOperator: ['tfjob'], kubeControllerManager: true, runtimes: [], label: `tf-roles-${version}` }));
  afterAll(async () => (await cluster?.catch(() => undefined))?.stop(), 120_000);

  it.each(ROLE_CASES)('%s: every pod of every role gets v1\'s TF_CONFIG', async (name, successPolicy) => {
    const c = await start();
    const client = await c.client();
    const v1 = parse(readFileSync(path.join(CASES, name, 'input.yaml'), 'utf8'));
    const jobName: string = v1.metadata.name;
    const v1ns = await c.namespace('tf-v1');
    const v2ns = await c.namespace('tf-v2');
    await client.ok('POST', `/apis/kubeflow.org/v1/namespaces/${v1ns}/tfjobs`, { body: { ...v1, metadata: { name: jobName, namespace: v1ns } } });
    const converted = parseYamlObjects(readFileSync(path.join(CASES, name, version, 'trainjob.yaml'), 'utf8'));
    for (const o of converted as KubeObject[]) {
      const plural = o.kind === 'TrainJob' ? 'trainjobs' : 'trainingruntimes';
      const body = { ...o, metadata: { ...o.metadata, namespace: v2ns } };
      // Trainer's webhook may not have seen the runtime created just before (informer cache): retry briefly.
      await pollUntil(`create ${o.kind} ${o.metadata.name}`, 30_000, async () => {
        const res = await client.request('POST', `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${v2ns}/${plural}`, { body });
        if (res.status === 201) return true;
        if (!/must be created before/.test(JSON.stringify(res.body))) throw new Error(`${o.kind} ${o.metadata.name}: ${res.status} ${JSON.stringify(res.body)}`);
        return undefined;
      });
    }
    const total = Object.values(v1.spec.tfReplicaSpecs as Record<string, { replicas?: number }>).reduce((n, r) => n + (r.replicas ?? 1), 0);
    const v1Pods = await pods(client, v1ns, `${V1_POD_LABELS.jobName}=${jobName}`, total);
    const v2Pods = await pods(client, v2ns, `jobset.sigs.k8s.io/jobset-name=${jobName}`, total);
    expect(v2Pods).toHaveLength(v1Pods.length);
    const jobSet = await client.ok<any>('GET', `/apis/jobset.x-k8s.io/v1alpha2/namespaces/${v2ns}/jobsets/${jobName}`);
    expect(jobSet.spec.successPolicy).toMatchObject(successPolicy);

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
