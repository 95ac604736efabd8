#!/usr/bin/env node
// Benchmark of `kubectl trainjob migrate` on a real control plane (not a timed test; see docs/migrate.md).
//   npm exec -- node scripts/bench-migrate.mjs [--jobs 1000] [--baseline 50]
// KTJ_BENCH_NODE_FLAGS="--max-semi-space-size=16" passes V8/Node flags to the CLI child (see docs/migrate.md).
// Starts a private etcd + kube-apiserver with the test harness's control-plane module, creates the jobs,
// migrates them side by side and with replacement (each in a fresh namespace), and runs the hand-written
// baseline loop (kubectl get → kubectl trainjob convert → kubectl apply, per job) on a sample, extrapolated.
// The CLI runs as a child process (the same bundle settings as scripts/build.mjs) so its peak RSS is its own.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const JOBS = arg('jobs', 1000);
const SAMPLE = arg('baseline', 50);
const nodeFlags = (process.env.KTJ_BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const work = mkdtempSync(join(tmpdir(), 'ktj-bench-'));
const shim = { 'import.meta.url': '__import_meta_url', 'import.meta.resolve': '__import_meta_resolve' };
const banner = { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;\nconst __import_meta_resolve = (s) => { throw new Error(s); };" };

// 1. Bundles: the CLI, and the harness pieces that start a control plane (esbuild resolves the .js → .ts imports).
await build({ absWorkingDir: root, entryPoints: ['src/main.ts'], bundle: true, platform: 'node', target: 'node24', format: 'cjs', outfile: join(work, 'cli.cjs'), define: shim, banner, external: ['encoding', 'bufferutil', 'utf-8-validate'], logLevel: 'error' });
writeFileSync(join(work, 'plane-entry.ts'), `export { ControlPlane } from '${root}/test/controlplane/control-plane.js';\nexport { KubeClient } from '${root}/test/controlplane/kube-client.js';\nexport { installBaseCrds, switchTrainerVersion, DEFAULT_TRAINER_VERSION } from '${root}/test/controlplane/trainer.js';\n`);
await build({ absWorkingDir: root, entryPoints: [join(work, 'plane-entry.ts')], bundle: true, platform: 'node', target: 'node24', format: 'cjs', outfile: join(work, 'plane.cjs'), define: shim, banner, external: ['encoding', 'bufferutil', 'utf-8-validate'], logLevel: 'error' });
const { ControlPlane, KubeClient, installBaseCrds, switchTrainerVersion, DEFAULT_TRAINER_VERSION } = (await import(pathToFileURL(join(work, 'plane.cjs')).href)).default;
writeFileSync(join(work, 'rss.cjs'), "process.on('exit', () => process.stderr.write(`\\nMAXRSS_KB ${process.resourceUsage().maxRSS}\\n`));\n");

const plane = await ControlPlane.start({ label: 'bench' });
const kubeconfig = plane.adminKubeconfig;
const client = await KubeClient.fromKubeconfig(kubeconfig);
try {
  await installBaseCrds(client);
  await switchTrainerVersion(client, DEFAULT_TRAINER_VERSION);

  const job = (name, ns) => ({
    apiVersion: 'kubeflow.org/v1', kind: 'PyTorchJob', metadata: { name, namespace: ns, labels: { app: 'bench' } },
    spec: { pytorchReplicaSpecs: Object.fromEntries(['Master', 'Worker'].map((r) => [r, { replicas: r === 'Master' ? 1 : 3, restartPolicy: 'OnFailure', template: { spec: { containers: [{ name: 'pytorch', image: 'docker.io/kubeflow/pytorch-dist-mnist:v1', command: ['torchrun', 'train.py'], resources: { limits: { cpu: '4', memory: '16Gi' } } }] } } }])) },
  });
  async function populate(ns, n) {
    await client.ok('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    const names = Array.from({ length: n }, (_, i) => `job-${String(i).padStart(5, '0')}`);
    for (let i = 0; i < names.length; i += 32) await Promise.all(names.slice(i, i + 32).map((x) => client.ok('POST', `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs`, { body: job(x, ns) })));
    return names;
  }
  function cli(args) {
    return new Promise((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      const p = spawn(process.execPath, [...nodeFlags, '-r', join(work, 'rss.cjs'), join(work, 'cli.cjs'), '--kubeconfig', kubeconfig, ...args], { env: { HOME: work, PATH: process.env.PATH } });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('error', reject);
      p.on('close', (code) => {
        const ms = Number(process.hrtime.bigint() - t0) / 1e6;
        resolve({ code, ms, out, err, rssMiB: Number(/MAXRSS_KB (\d+)/.exec(err)?.[1] ?? 0) / 1024 });
      });
    });
  }
  const results = [];
  async function migrate(label, ns, n, extra) {
    await populate(ns, n);
    const r = await cli(['migrate', '-n', ns, '--all', '--yes', '--backup-dir', join(work, `backup-${ns}`), '--concurrency', '16', '--qps', '500', '--burst', '500', '-o', 'json', ...extra]);
    if (r.code !== 0) throw new Error(`${label}: exit ${r.code}\n${r.err.slice(-2000)}`);
    const rep = JSON.parse(r.out);
    const req = rep.summary.requests;
    const row = { label, jobs: n, seconds: +(r.ms / 1000).toFixed(2), jobsPerSecond: Math.round(n / (r.ms / 1000)), peakRssMiB: +r.rssMiB.toFixed(0), requestsPerJob: +(req.total / n).toFixed(2), writesPerJob: +(rep.summary.writes / n).toFixed(2), byVerb: req.byVerb, retries: req.retries };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  await migrate('migrate side-by-side', 'sbs-small', Math.max(1, Math.round(JOBS / 4)), []);
  await migrate('migrate side-by-side', 'sbs', JOBS, []);
  await migrate('migrate replace', 'rep', JOBS, ['--strategy', 'replace']);

  // 2. Baseline: what hand-written scripts do per job, on a sample.
  const names = await populate('loop', SAMPLE);
  const script = `set -euo pipefail\nfor j in ${names.join(' ')}; do kubectl --kubeconfig ${kubeconfig} get pytorchjob "$j" -n loop -o yaml | ${process.execPath} ${join(work, 'cli.cjs')} convert -f - --report none | kubectl --kubeconfig ${kubeconfig} apply -f - >/dev/null; done\n`;
  writeFileSync(join(work, 'loop.sh'), script);
  const t0 = process.hrtime.bigint();
  const loop = spawnSync('bash', [join(work, 'loop.sh')], { encoding: 'utf8', env: { HOME: work, PATH: process.env.PATH } });
  const loopMs = Number(process.hrtime.bigint() - t0) / 1e6;
  if (loop.status !== 0) throw new Error(`baseline loop failed: ${loop.stderr.slice(-2000)}`);
  const perJob = loopMs / SAMPLE;
  const baseline = { label: 'baseline shell loop (kubectl get | convert | kubectl apply)', sample: SAMPLE, seconds: +(loopMs / 1000).toFixed(2), msPerJob: Math.round(perJob), extrapolatedSecondsFor: { jobs: JOBS, seconds: +((perJob * JOBS) / 1000).toFixed(0) } };
  console.log(JSON.stringify(baseline));
  for (const r of results.filter((x) => x.jobs === JOBS)) console.log(`${r.label}: ${((perJob * JOBS) / 1000 / r.seconds).toFixed(0)}x faster than the extrapolated loop`);
} finally {
  client.close();
  await plane.stop();
  rmSync(work, { recursive: true, force: true });
}
