// Executes docs/runbooks/side-by-side.sh and replacement.sh, both phases (forward, rollback), with the
// BUILT binary against the real control plane, so the runbooks cannot drift from the tool: each
// script's own `step` helper stops on an exit code it does not document, and this test checks the
// exact sequence of steps and exit codes, that every step of each script ran, and the cluster state.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KubeClient, startExtraControlPlane, type ExtraControlPlane } from '../../controlplane/harness.js';
import { serverSideApply } from '../../controlplane/objects.js';
import { REPO_ROOT } from '../../controlplane/paths.js';
import { aPyTorchJob, at, collection, create, setStatus, v1Conditions } from '../compare/fixtures.js';
import { JOBSET, markAvailable, operatorObjects, V1_OPERATOR, V2_OPERATOR } from '../readiness/fixture.js';

const BINARY = path.join(REPO_ROOT, 'dist', 'kubectl-trainjob');
const RUNBOOKS = path.join(REPO_ROOT, 'docs', 'runbooks');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-runbooks-'));
let plane: ExtraControlPlane;
let client: KubeClient;

afterAll(async () => {
  client?.close();
  await plane?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});

beforeAll(async () => {
  // Never skip: a runbook test that silently does nothing would let the docs drift.
  if (!fs.existsSync(BINARY)) throw new Error(`${BINARY} does not exist: run npm run build first`);
  const help = execFileSync(BINARY, ['--help'], { encoding: 'utf8' });
  for (const verb of ['readiness', 'backup', 'preview', 'migrate', 'compare', 'cleanup', 'rollback']) {
    if (!help.includes(`kubectl trainjob ${verb}`)) throw new Error(`${BINARY} has no "${verb}" verb: it is older than the sources; run npm run build first`);
  }
  // A private plane that looks like a cluster with Training Operator v1, Trainer v2 and JobSet installed
  // (Available Deployments, RBAC), so readiness passes; webhook configurations are left out, since no
  // webhook server runs and failurePolicy Fail would reject every write.
  plane = await startExtraControlPlane([], { installCrds: true });
  client = await KubeClient.fromKubeconfig(plane.adminKubeconfig);
  for (const file of [V1_OPERATOR, V2_OPERATOR, JOBSET]) {
    for (const o of operatorObjects(file)) if (!/WebhookConfiguration$/.test(o.kind)) await serverSideApply(client, o);
  }
  await markAvailable(client, 'kubeflow', 'training-operator');
  await markAvailable(client, 'kubeflow-system', 'kubeflow-trainer-controller-manager');
  await markAvailable(client, 'kubeflow-system', 'jobset-controller-manager');
});

/** Runs one phase of a runbook; returns its exit code, the (step, exit) sequence and stderr. */
function runbook(script: string, phase: string, env: Record<string, string>): { code: number; steps: Array<[string, number]>; stderr: string; stdout: string } {
  const r = spawnSync('bash', [path.join(RUNBOOKS, script), phase], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmp, KTJ: BINARY, KUBECONFIG: plane.adminKubeconfig, ...env },
    timeout: 300_000,
  });
  const steps = [...r.stderr.matchAll(/^<== ([\w-]+): exit (\d+)$/gm)].map((m) => [m[1]!, Number(m[2])] as [string, number]);
  return { code: r.status ?? -1, steps, stderr: r.stderr, stdout: r.stdout };
}

/** Every step name the script declares (`step NAME "..."`), so the test can prove each one ran. */
function declaredSteps(script: string): string[] {
  return [...fs.readFileSync(path.join(RUNBOOKS, script), 'utf8').matchAll(/^\s*step ([\w-]+) "/gm)].map((m) => m[1]!);
}

/** Two finished PyTorchJobs (no controller runs, so status is written directly). */
async function finishedJobs(ns: string): Promise<void> {
  for (const name of ['bert', 'gpt']) {
    await create(aPyTorchJob(name, ns, { workers: 2 }), client);
    await setStatus('PyTorchJob', ns, name, { conditions: v1Conditions('succeeded', at(0), at(20)), startTime: at(0), completionTime: at(20) }, client);
  }
}

async function names(kind: string, ns: string): Promise<string[]> {
  return ((await client.ok('GET', collection(kind, ns))).items as any[]).map((o) => o.metadata.name).sort();
}

function explain(r: { stderr: string; stdout: string }): string {
  return `--- stderr ---\n${r.stderr}\n--- stdout ---\n${r.stdout}`;
}

describe.each([
  {
    script: 'side-by-side.sh',
    forward: [['readiness', 3], ['backup', 0], ['preview', 1], ['migrate', 0], ['compare', 0], ['compare', 0], ['resume', 0], ['resume', 0], ['cleanup', 3], ['delete-migrated', 0]],
    afterForward: { PyTorchJob: [], TrainJob: ['bert', 'gpt'] },
  },
  {
    script: 'replacement.sh',
    forward: [['readiness', 3], ['backup', 0], ['preview', 1], ['migrate', 0], ['compare', 0], ['compare', 0], ['cleanup', 0]],
    afterForward: { PyTorchJob: [], TrainJob: ['bert', 'gpt'] },
  },
])('$script', ({ script, forward, afterForward }) => {
  let ns: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    ns = `runbook-${script.replace('.sh', '')}`;
    await client.ok('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    env = { NS: ns, BACKUP_DIR: path.join(tmp, script) };
    await finishedJobs(ns);
  });

  it('forward: every step runs with its documented exit code', async () => {
    const r = runbook(script, "forward", env);
    if (r.code !== 0) process.stderr.write(explain(r));
    expect({ code: r.code, steps: r.steps }).toEqual({ code: 0, steps: forward });
    expect(await names('PyTorchJob', ns)).toEqual(afterForward.PyTorchJob);
    expect(await names('TrainJob', ns)).toEqual(afterForward.TrainJob);
    if (r.code !== 0) throw new Error(explain(r));
  });

  it('rollback: the PyTorchJobs come back, the TrainJobs go, and cleanup says v1 is needed', async () => {
    const r = runbook(script, 'rollback', env);
    expect({ code: r.code, steps: r.steps }).toEqual({ code: 0, steps: [['rollback', 0], ['cleanup-after-rollback', 4]] });
    expect(await names('PyTorchJob', ns)).toEqual(['bert', 'gpt']);
    expect(await names('TrainJob', ns)).toEqual([]);
  });

  it('every step the script declares ran in one of the phases', () => {
    const ran = new Set([...forward.map((s) => s[0] as string), 'rollback', 'cleanup-after-rollback']);
    expect(declaredSteps(script).filter((s) => !ran.has(s))).toEqual([]);
  });
});
