#!/usr/bin/env node
// Benchmark of readiness over many clusters (issue 12; not a timed test): starts CLUSTERS private control
// planes with the test harness (binaries from test/controlplane/build.sh), installs the PyTorchJob, JobSet
// and Trainer v2.3 CRDs in each, creates JOBS PyTorchJobs per cluster (some with producer markers), writes
// one kubeconfig with a context per cluster, then times the built executable end to end:
//   kubectl-trainjob readiness -A --all-contexts -o json      (the migration checks, dry conversion included)
//   kubectl-trainjob readiness --upgrade --all-contexts -o json
// reporting wall time and peak RSS (GNU time), best of RUNS.
//
// Usage: node scripts/bench-fleet.mjs [CLUSTERS=5] [JOBS=2000] [--runs 2]
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'node_modules/.cache/bench-fleet');
const argv = process.argv.slice(2);
const runs = argv.includes('--runs') ? Number(argv[argv.indexOf('--runs') + 1]) : 2;
const [clustersArg = '5', jobsArg = '2000'] = argv.filter((a, i) => !a.startsWith('--') && argv[i - 1] !== '--runs');
const CLUSTERS = Number(clustersArg);
const JOBS = Number(jobsArg);
mkdirSync(outDir, { recursive: true });
await build({
  bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', logLevel: 'warning', absWorkingDir: root,
  stdin: {
    resolveDir: root, sourcefile: 'bench-fleet-setup.ts', loader: 'ts',
    contents: `
      export { ControlPlane } from './test/controlplane/control-plane.ts';
      export { KubeClient } from './test/controlplane/kube-client.ts';
      export { installBaseCrds, installTrainerCrds } from './test/controlplane/trainer.ts';
      export { connect, mapConcurrent, Resources } from './src/cluster/index.ts';`,
  },
  outfile: path.join(outDir, 'bench-fleet-setup.mjs'),
});
const h = await import(path.join(outDir, 'bench-fleet-setup.mjs'));
const bin = existsSync(path.join(root, 'dist/kubectl-trainjob')) ? path.join(root, 'dist/kubectl-trainjob') : undefined;
if (!bin) throw new Error('dist/kubectl-trainjob does not exist: run npm run build first');

const planes = [];
const t0 = Date.now();
try {
  // Started one after the other: parallel starts only fight over the two cores.
  for (let c = 0; c < CLUSTERS; c++) {
    const plane = await h.ControlPlane.start({ label: `fleet-${c}` });
    planes.push(plane);
    const client = await h.KubeClient.fromKubeconfig(plane.adminKubeconfig);
    await h.installBaseCrds(client);
    await h.installTrainerCrds(client, 'v2.3');
    client.close();
    const writer = await h.connect({ kubeconfig: plane.adminKubeconfig, asGroups: [], requestTimeoutMs: 0 }, { HOME: '/nonexistent' }, { qps: 0 });
    const nss = Array.from({ length: 20 }, (_, i) => `team-${i}`);
    await h.mapConcurrent(nss, 16, (name) => writer.create(h.Resources.namespaces, { metadata: { name } }));
    const pod = { spec: { containers: [{ name: 'pytorch', image: 'docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727', command: ['python3', '/opt/pytorch-mnist/mnist.py', '--epochs=1'] }] } };
    const marker = (i) => (i % 10 === 0 ? { annotations: { 'argocd.argoproj.io/tracking-id': `ml-${i % 3}:kubeflow.org/PyTorchJob:x/y` } } : i % 10 === 1 ? { labels: { 'kustomize.toolkit.fluxcd.io/name': 'apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } } : {});
    await h.mapConcurrent(Array.from({ length: JOBS }, (_, i) => i), 32, (i) =>
      writer.create(h.Resources.pytorchjobs, {
        metadata: { name: `job-${i}`, namespace: nss[i % nss.length], ...marker(i) },
        spec: { pytorchReplicaSpecs: { Master: { replicas: 1, restartPolicy: 'OnFailure', template: pod }, Worker: { replicas: 1 + (i % 4), restartPolicy: 'OnFailure', template: pod } } },
      }),
    );
    writer.close();
    console.error(`cluster ${c + 1}/${CLUSTERS}: ${JOBS} PyTorchJobs (${((Date.now() - t0) / 1000).toFixed(0)} s so far)`);
  }
  const config = { apiVersion: 'v1', kind: 'Config', 'current-context': 'fleet-0', clusters: [], users: [], contexts: [] };
  planes.forEach((p, i) => {
    const k = parse(readFileSync(p.adminKubeconfig, 'utf8'));
    config.clusters.push({ name: `fleet-${i}`, cluster: k.clusters[0].cluster });
    config.users.push({ name: `fleet-${i}`, user: k.users[0].user });
    config.contexts.push({ name: `fleet-${i}`, context: { cluster: `fleet-${i}`, user: `fleet-${i}` } });
  });
  const kubeconfig = path.join(outDir, 'fleet.kubeconfig');
  writeFileSync(kubeconfig, stringify(config), { mode: 0o600 });

  const results = { clusters: CLUSTERS, jobsPerCluster: JOBS, runs: [] };
  for (const [name, extra] of [['readiness -A --all-contexts', ['-A']], ['readiness --upgrade --all-contexts', ['--upgrade']]]) {
    const samples = [];
    for (let r = 0; r < runs; r++) {
      const res = spawnSync('/usr/bin/time', ['-f', '%e %M', bin, 'readiness', ...extra, '--all-contexts', '--kubeconfig', kubeconfig, '-o', 'json'], { encoding: 'utf8', maxBuffer: 1 << 30, env: { HOME: '/nonexistent', PATH: process.env.PATH } });
      const [wall, rssKb] = res.stderr.trim().split('\n').pop().split(' ').map(Number);
      const fleet = JSON.parse(res.stdout);
      samples.push({ wall, rssMB: Math.round(rssKb / 1024), exit: res.status, summary: fleet.summary });
    }
    const best = samples.reduce((a, b) => (b.wall < a.wall ? b : a));
    const peak = Math.max(...samples.map((s) => s.rssMB));
    results.runs.push({ name, bestWallSeconds: best.wall, peakRssMB: peak, exit: best.exit, summary: best.summary, samples: samples.length });
    console.log(`${name}: ${CLUSTERS} clusters x ${JOBS} jobs: best ${best.wall} s, peak RSS ${peak} MB over ${samples.length} run(s), exit ${best.exit}, ${JSON.stringify(best.summary)}`);
  }
  mkdirSync(path.join(root, 'bench/out'), { recursive: true });
  writeFileSync(path.join(root, 'bench/out/fleet.json'), JSON.stringify(results, null, 2));
} finally {
  for (const p of planes) await p.stop();
}
