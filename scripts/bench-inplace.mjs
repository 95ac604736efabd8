#!/usr/bin/env node
// Benchmark of `convert --in-place` (issue 9): a generated repository of N manifest files (default 1,000),
// each a commented ConfigMap and a commented PyTorchJob as teams keep them in Git, rewritten in place by the
// built executable; wall time and peak RSS with GNU time, best of RUNS runs on a fresh copy each time. The
// same repository converted to stdout (`convert -R -f repo`) is measured alongside for comparison.
// Usage: node scripts/bench-inplace.mjs [--files 1000] [--runs 3]   (npm run bench runs it too)
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const files = Number(args[args.indexOf('--files') + 1] || 1000) || 1000;
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const bin = 'dist/kubectl-trainjob';
if (!existsSync(bin)) throw new Error('build first: npm run build');

function file(i) {
  const team = `team-${i % 17}`;
  const gpus = 1 + (i % 8);
  return `# ${team}: nightly fine-tune ${i}
# owner: ml-platform
apiVersion: v1
kind: ConfigMap
metadata:
  name: job-${i}-config   # read by train.py
  namespace: ${team}
data:
  epochs: "${3 + (i % 5)}"
---
# the training job
apiVersion: kubeflow.org/v1
kind: PyTorchJob
metadata:
  name: job-${i} # keep in sync with the dashboard
  namespace: ${team}
  labels:
    team: ${team}
spec:
  nprocPerNode: "${gpus}" # one process per GPU
  pytorchReplicaSpecs:
    Master:
      replicas: 1
      template:
        spec:
          containers:
            - name: pytorch
              # pinned image
              image: ghcr.io/acme/train:${1 + (i % 9)}.0
              command: [torchrun, /workspace/train.py, --config=/etc/cfg/epochs]
              env:
                - name: NCCL_DEBUG # verbose while we debug
                  value: INFO
              resources:
                limits:
                  nvidia.com/gpu: ${gpus}
    Worker:
      replicas: ${1 + (i % 4)}
      template:
        spec:
          containers:
            - name: pytorch
              # pinned image
              image: ghcr.io/acme/train:${1 + (i % 9)}.0
              command: [torchrun, /workspace/train.py, --config=/etc/cfg/epochs]
              env:
                - name: NCCL_DEBUG # verbose while we debug
                  value: INFO
              resources:
                limits:
                  nvidia.com/gpu: ${gpus}
`;
}

const src = `bench/out/repo-${files}`;
if (!existsSync(src)) {
  for (let i = 0; i < files; i++) {
    const dir = `${src}/team-${i % 17}`;
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}/job-${i}.yaml`, file(i));
  }
}

function measure(argv, cwd) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', `${process.cwd()}/${bin}`, ...argv], { cwd, encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, rssKb] = last.split(' ').map(Number);
  return { wall, rssMb: Math.round(rssKb / 1024), exit: r.status };
}

const best = (samples) => ({ wallSeconds: Math.min(...samples.map((s) => s.wall)), peakRssMB: Math.max(...samples.map((s) => s.rssMb)), exit: samples[0].exit, runs: samples.length });
const inPlace = [];
const stdout = [];
for (let r = 0; r < runs; r++) {
  const work = `bench/out/repo-${files}-work`;
  rmSync(work, { recursive: true, force: true });
  cpSync(src, work, { recursive: true });
  stdout.push(measure(['convert', '-R', '-f', '.', '--report', 'none'], work));
  inPlace.push(measure(['convert', '--in-place', '-R', '-f', '.', '--report', 'none'], work));
  if (r === runs - 1 && !readFileSync(`${work}/team-0/job-0.yaml`, 'utf8').includes('kind: TrainJob')) throw new Error('in-place run did not rewrite the files');
  rmSync(work, { recursive: true, force: true });
}
const result = { files, inPlace: best(inPlace), stdout: best(stdout) };
console.log(`convert --in-place, ${files} files: best ${result.inPlace.wallSeconds} s, peak RSS ${result.inPlace.peakRssMB} MB (exit ${result.inPlace.exit}); same repository to stdout: ${result.stdout.wallSeconds} s, ${result.stdout.peakRssMB} MB`);
writeFileSync('bench/out/inplace.json', JSON.stringify(result, null, 2));
