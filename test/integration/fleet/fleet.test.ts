// Many clusters at once against real kube-apiservers: two private planes ("east", "west") and a context whose
// server is down, in one kubeconfig. readiness (and --upgrade) with --context repeated and --all-contexts: one
// report per cluster, a fleet summary, -o json items with their `cluster`, and the unreachable cluster reported
// without stopping the others (exit 1). cleanup and preview run per cluster the same way.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { runCli } from '../../verbs/run-cli.js';
import { pytorchJob } from '../migrate/helpers.js';
import { namespace, startPlane, type Plane } from '../readiness/fixture.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-fleet-'));
const kubeconfig = path.join(home, 'fleet.kubeconfig');
const env = { HOME: home };

/** One kubeconfig with a context per plane (entries renamed) and one whose server refuses connections. */
function writeFleetKubeconfig(planes: Record<string, Plane>): void {
  const out = { apiVersion: 'v1', kind: 'Config', 'current-context': 'east', clusters: [] as unknown[], users: [] as unknown[], contexts: [] as unknown[] };
  for (const [name, p] of Object.entries(planes)) {
    const k = parse(fs.readFileSync(p.plane.adminKubeconfig, 'utf8'));
    out.clusters.push({ name, cluster: k.clusters[0].cluster });
    out.users.push({ name, user: k.users[0].user });
    out.contexts.push({ name, context: { cluster: name, user: name } });
  }
  out.clusters.push({ name: 'down', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } });
  out.users.push({ name: 'down', user: { token: 'x' } });
  out.contexts.push({ name: 'down', context: { cluster: 'down', user: 'down' } });
  fs.writeFileSync(kubeconfig, stringify(out), { mode: 0o600 });
}

const ktj = (args: string[]) => runCli([...args, '--kubeconfig', kubeconfig], { env });

describe('readiness and cleanup over several clusters', () => {
  let east: Plane;
  let west: Plane;
  beforeAll(async () => {
    // west also has Trainer v2 (CRDs and the torch-distributed runtime), so preview works there and not on east.
    [east, west] = await Promise.all([startPlane('v1-only'), startPlane('side-by-side')]);
    await east.apply([namespace('team-a'), pytorchJob('a1', 'team-a'), pytorchJob('a2', 'team-a', { annotations: { 'argocd.argoproj.io/tracking-id': 'ml:kubeflow.org/PyTorchJob:team-a/a2' } }) as any]);
    await west.apply([namespace('team-b'), pytorchJob('b1', 'team-b') as any]);
    writeFleetKubeconfig({ east, west });
  });
  afterAll(async () => {
    await Promise.all([east?.stop(), west?.stop()]);
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('two clusters: one JSON report, an item per cluster with its cluster field, the worst verdict wins', async () => {
    const r = await ktj(['readiness', '--upgrade', '--context', 'east', '--context', 'west', '-o', 'json']);
    expect(r.code).toBe(4);
    const f = JSON.parse(r.stdout);
    expect(f.kind).toBe('FleetReadinessReport');
    expect(f.summary).toEqual({ clusters: 2, ready: 0, advisory: 0, blocked: 2, unreachable: 0, verdict: 'blocked' });
    expect(f.items.map((i: any) => [i.cluster.context, i.mode, i.summary.verdict])).toEqual([['east', 'upgrade', 'blocked'], ['west', 'upgrade', 'blocked']]);
    expect(f.items[0].cluster.server).toBe(parse(fs.readFileSync(east.plane.adminKubeconfig, 'utf8')).clusters[0].cluster.server);
    const eastJobs = f.items[0].checks.find((c: any) => c.id === 'upgrade.v1.jobs');
    expect(eastJobs.message).toMatch(/2 PyTorchJobs \(2 active/);
    expect(f.items[0].producers.find((p: any) => p.kind === 'Argo CD Application')).toMatchObject({ name: 'ml', jobs: 1 });
    expect(r.stderr).toContain('[2/2] context');
  });

  it('--all-contexts with one server down: the other two are reported, the down one is an error item, exit 1', async () => {
    const r = await ktj(['readiness', '--all-contexts', '-A']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/=== context east \(https:\/\/127\.0\.0\.1:\d+\) ===\nCluster: /);
    expect(r.stdout).toMatch(/=== context west \(https:/);
    expect(r.stdout).toMatch(/=== context down ===\nerror: .*127\.0\.0\.1:1/);
    expect(r.stdout).toContain('Fleet: 3 clusters: 0 ready, 0 advisory, 2 blocked, 1 unreachable.');
    expect(r.stdout).toMatch(/CONTEXT\s+SERVER\s+VERDICT\s+BLOCKING\s+ADVISORY\s+JOBS\s+RE-CREATING PRODUCERS\s+ERROR\neast\s+https:\S+\s+BLOCKED\s+\d+\s+\d+\s+2\s+1\s*\nwest\s+https:\S+\s+BLOCKED\s+\d+\s+\d+\s+1\s+0\s*\ndown\s+-\s+UNREACHABLE/);
    expect(r.stderr).toMatch(/error: context down: /);
    const j = JSON.parse((await ktj(['readiness', '--all-contexts', '-A', '-o', 'json'])).stdout);
    expect(j.items.map((i: any) => [i.kind, i.cluster.context])).toEqual([['ReadinessReport', 'east'], ['ReadinessReport', 'west'], ['ClusterError', 'down']]);
    expect(j.items[2].error.message).toMatch(/127\.0\.0\.1:1/);
  });

  it('--all-contexts and --context together are a usage error', async () => {
    expect((await ktj(['readiness', '--all-contexts', '--context', 'east'])).code).toBe(2);
  });

  it('cleanup per cluster: a report each, a cluster field in JSON, the down one reported', async () => {
    const r = await ktj(['cleanup', '-A', '--all-contexts', '-o', 'json']);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.stdout);
    expect(j.kind).toBe('FleetCleanupReport');
    expect(j.items.map((i: any) => [i.cluster.context, i.verdict ?? 'error'])).toEqual([['east', 'blocked'], ['west', 'blocked'], ['down', 'error']]);
    expect(j.items[0].jobs.map((x: any) => x.name)).toEqual(['a1', 'a2']);
    const t = await ktj(['cleanup', '-A', '--context', 'east', '--context', 'west']);
    expect(t.code).toBe(4);
    expect(t.stdout).toMatch(/=== context east ===\nNAMESPACE\s+(PYTORCH)?JOB/);
    expect(t.stdout).toMatch(/Fleet: 2 clusters: 0 removable, 0 advisory, 2 blocked, 0 unreachable\./);
  });

  it('preview per cluster: west shows its TrainJob, east (no Trainer) is reported as an error, exit 2', async () => {
    const r = await ktj(['preview', '-A', '--context', 'west', '--context', 'east', '-o', 'yaml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(/^# context: west\n[\s\S]*kind: TrainJob[\s\S]*name: b1[\s\S]*# context: east\nerror: /);
    expect(r.stderr).toMatch(/error: context east: cannot tell which Trainer schema the cluster serves: trainjobs.trainer.kubeflow.org not installed/);
    expect(r.stderr).toMatch(/\[west\] trainjob.trainer.kubeflow.org\/b1 created \(server dry run\)/);
    const j = JSON.parse((await ktj(['preview', '-A', '--all-contexts', '-o', 'json'])).stdout);
    expect(j.items.map((i: any) => [i.cluster.context, i.exitCode])).toEqual([['east', 2], ['west', 1], ['down', 2]]);
  });
});
