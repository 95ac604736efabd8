#!/usr/bin/env node
// Benchmark of `kubectl trainjob readiness -A` (not a timed test): starts a private control plane with
// the test harness (test/controlplane, binaries from test/controlplane/build.sh), installs the
// PyTorchJob, JobSet and Trainer v2.3 CRDs, creates JOBS PyTorchJobs in NAMESPACES namespaces, then
// measures readiness in a fresh child process: wall time, peak RSS and API requests (Cluster.stats()).
// When dist/kubectl-trainjob exists it is timed too (end to end, process start included).
//
// Usage: npx node scripts/bench-readiness.mjs [JOBS=5000] [NAMESPACES=100]
// The harness is TypeScript; esbuild (a dev dependency) bundles the two entry points into
// node_modules/.cache/bench-readiness/ so that plain Node can run them.
import { build } from 'esbuild';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'node_modules/.cache/bench-readiness');
const [jobsArg = '5000', nsArg = '100'] = process.argv.slice(2).filter((a) => !a.startsWith('--'));

if (process.argv[2] === '--child') {
  // Child mode: run readiness in-process and print the measurements as JSON (RSS is this process's alone).
  const bundle = await import(path.join(outDir, 'bench-child.mjs'));
  console.log(JSON.stringify(await bundle.measure(process.argv[3])));
  process.exit(0);
}

const JOBS = Number(jobsArg);
const NAMESPACES = Number(nsArg);
mkdirSync(outDir, { recursive: true });
const common = { bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', logLevel: 'warning', absWorkingDir: root };
await build({
  ...common,
  stdin: {
    resolveDir: root,
    sourcefile: 'bench-setup.ts',
    loader: 'ts',
    contents: `
      export { ControlPlane } from './test/controlplane/control-plane.ts';
      export { KubeClient } from './test/controlplane/kube-client.ts';
      export { installBaseCrds, installTrainerCrds } from './test/controlplane/trainer.ts';
      export { connect, mapConcurrent, Resources } from './src/cluster/index.ts';`,
  },
  outfile: path.join(outDir, 'bench-setup.mjs'),
});
await build({
  ...common,
  stdin: {
    resolveDir: root,
    sourcefile: 'bench-child.ts',
    loader: 'ts',
    contents: `
      import { connect } from './src/cluster/index.ts';
      import { runReadiness } from './src/readiness/index.ts';
      export async function measure(kubeconfig: string) {
        const started = performance.now();
        const cluster = await connect({ kubeconfig, asGroups: [], requestTimeoutMs: 0 }, { HOME: '/nonexistent' });
        const report = await runReadiness(cluster, { allNamespaces: true, namespace: 'default', runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' }, concurrency: 8 });
        const wallMs = Math.round(performance.now() - started);
        cluster.close();
        const inv = report.checks.find((c) => c.id === 'inventory.pytorchjobs');
        return { wallMs, maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024), stats: cluster.stats(), verdict: report.summary.verdict, inventory: inv?.message, pages: inv?.details?.pages };
      }`,
  },
  outfile: path.join(outDir, 'bench-child.mjs'),
});

const h = await import(path.join(outDir, 'bench-setup.mjs'));
const t0 = Date.now();
const plane = await h.ControlPlane.start({ label: 'bench' });
try {
  const client = await h.KubeClient.fromKubeconfig(plane.adminKubeconfig);
  await h.installBaseCrds(client);
  await h.installTrainerCrds(client, 'v2.3');
  client.close();
  console.error(`plane + CRDs ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

  // Writes go through our own client with the limiter off: setup speed is not what is measured.
  const writer = await h.connect({ kubeconfig: plane.adminKubeconfig, asGroups: [], requestTimeoutMs: 0 }, { HOME: '/nonexistent' }, { qps: 0 });
  const t1 = Date.now();
  const nss = Array.from({ length: NAMESPACES }, (_, i) => `bench-${String(i).padStart(3, '0')}`);
  await h.mapConcurrent(nss, 16, (name) => writer.create(h.Resources.namespaces, { metadata: { name } }));
  const job = (i) => {
    const pod = { spec: { containers: [{ name: 'pytorch', image: 'docker.io/kubeflowkatib/pytorch-mnist:v1beta1-45c5727', command: ['python3', '/opt/pytorch-mnist/mnist.py', '--epochs=1'] }] } };
    return {
      metadata: { name: `job-${i}`, namespace: nss[i % NAMESPACES], labels: { team: `t${i % 7}` } },
      spec: { pytorchReplicaSpecs: { Master: { replicas: 1, restartPolicy: 'OnFailure', template: pod }, Worker: { replicas: 1 + (i % 4), restartPolicy: 'OnFailure', template: pod } } },
    };
  };
  await h.mapConcurrent(Array.from({ length: JOBS }, (_, i) => i), 32, (i) => writer.create(h.Resources.pytorchjobs, job(i)));
  writer.close();
  console.error(`created ${JOBS} PyTorchJobs in ${NAMESPACES} namespaces in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

  const runChild = () =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--child', plane.adminKubeconfig], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`child exited ${code}`))));
    });
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await runChild());
  for (const r of runs) console.log(`in-process readiness -A: ${r.wallMs} ms, peak RSS ${r.maxRssMB} MB, ${r.stats.total} requests ${JSON.stringify(r.stats.byVerb)}, ${r.pages} pages, verdict ${r.verdict}`);
  console.log(`inventory: ${runs[0].inventory}`);

  const bin = path.join(root, 'dist/kubectl-trainjob');
  if (existsSync(bin)) {
    const hasTime = existsSync('/usr/bin/time');
    const args = ['readiness', '-A', '--kubeconfig', plane.adminKubeconfig, '-o', 'json'];
    const s = Date.now();
    const r = hasTime ? spawnSync('/usr/bin/time', ['-v', bin, ...args], { encoding: 'utf8', env: { HOME: '/nonexistent', PATH: process.env.PATH } }) : spawnSync(bin, args, { encoding: 'utf8', env: { HOME: '/nonexistent' } });
    const wall = Date.now() - s;
    const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr ?? '')?.[1];
    console.log(`dist/kubectl-trainjob readiness -A: exit ${r.status}, ${wall} ms wall (process start included)${rss ? `, peak RSS ${Math.round(Number(rss) / 1024)} MB` : ''}`);
  }
} finally {
  await plane.stop();
}
