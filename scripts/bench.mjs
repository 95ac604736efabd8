#!/usr/bin/env node
// `npm run bench`: the speed and memory benchmark of convert (a benchmark, not a timed test).
//   1. generates realistic PyTorchJob streams of 10,000 and 100,000 jobs (scripts/gen-bench-input.mjs),
//   2. converts each with the built single executable (dist/kubectl-trainjob), measuring wall time and
//      peak RSS with GNU time, best of RUNS runs,
//   3. measures `kubectl trainjob --help` start time with hyperfine (or a loop when it is missing).
// Targets (issue 2): 10k jobs ≤ 3 s on 2 cores; peak RSS < 250 MB for 10k and 100k; --help < 100 ms.
// Issue 10: 10k jobs of mixed kinds (half PyTorchJobs, a quarter XGBoostJobs, a quarter JAXJobs, the
// same pods) within 10% of the PyTorchJob-only time: measured in turns, the ratio of each pair quoted.
// Usage: npm run bench [-- --runs 3 --skip-100k]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1] || 3) || 3;
const skip100k = args.includes('--skip-100k');
const bin = 'dist/kubectl-trainjob';
mkdirSync('bench/out', { recursive: true });
if (!existsSync(bin)) execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });

function input(n, mode = '') {
  const file = `bench/out/${n}${mode ? `-${mode}` : ''}.yaml`;
  if (!existsSync(file)) execFileSync(process.execPath, ['scripts/gen-bench-input.mjs', String(n), file, ...(mode ? [mode] : [])], { stdio: 'inherit' });
  return file;
}

function measure(cmd, argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, rssKb] = last.split(' ').map(Number);
  return { wall, rssMb: Math.round(rssKb / 1024), exit: r.status };
}

const results = { machine: `${process.platform} ${process.arch}, node ${process.version}`, date: new Date().toISOString(), convert: [] };
for (const n of skip100k ? [10000] : [10000, 100000]) {
  const file = input(n);
  const mb = (statSync(file).size / 1e6).toFixed(1);
  const samples = [];
  for (let i = 0; i < (n > 10000 ? 1 : runs); i++) samples.push(measure(bin, ['convert', '-f', file, '--report', 'none']));
  const best = samples.reduce((a, b) => (b.wall < a.wall ? b : a));
  const peak = Math.max(...samples.map((s) => s.rssMb));
  results.convert.push({ jobs: n, inputMB: Number(mb), wallSeconds: best.wall, peakRssMB: peak, runs: samples.length });
  console.log(`convert ${n} jobs (${mb} MB): best ${best.wall} s, peak RSS ${peak} MB over ${samples.length} run(s)`);
}

// Mixed kinds against PyTorchJob-only, in turns (A B A B ...), so drift of a shared machine hits both alike.
{
  const pt = input(10000);
  const mixedFile = input(10000, 'mixed');
  const ratios = [];
  const walls = { pytorch: [], mixed: [] };
  for (let i = 0; i < Math.max(runs, 5); i++) {
    const a = measure(bin, ['convert', '-f', mixedFile, '--report', 'none']);
    const b = measure(bin, ['convert', '-f', pt, '--report', 'none']);
    walls.mixed.push(a.wall);
    walls.pytorch.push(b.wall);
    ratios.push(a.wall / b.wall);
  }
  const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  results.mixedKinds = { jobs: 10000, pytorchOnlyMedianSeconds: median(walls.pytorch), mixedMedianSeconds: median(walls.mixed), ratioMedian: Number(median(ratios).toFixed(3)), ratios: ratios.map((r) => Number(r.toFixed(3))) };
  console.log(`convert 10000 mixed-kind jobs: median ${median(walls.mixed)} s vs ${median(walls.pytorch)} s PyTorchJob-only; paired ratio median ${median(ratios).toFixed(3)} (${ratios.map((r) => r.toFixed(2)).join(' ')})`);
}

let help;
if (spawnSync('hyperfine', ['--version']).status === 0) {
  const out = execFileSync('hyperfine', ['-N', '--warmup', '3', '--runs', '30', '--export-json', 'bench/out/help.json', `${bin} --help`], { encoding: 'utf8' });
  const h = JSON.parse(execFileSync('cat', ['bench/out/help.json'], { encoding: 'utf8' })).results[0];
  help = { meanMs: Math.round(h.mean * 1000), stddevMs: Math.round(h.stddev * 1000) };
  void out;
} else {
  const t = [];
  for (let i = 0; i < 20; i++) {
    const s = process.hrtime.bigint();
    spawnSync(bin, ['--help']);
    t.push(Number(process.hrtime.bigint() - s) / 1e6);
  }
  t.sort((a, b) => a - b);
  help = { medianMs: Math.round(t[10]) };
}
results.help = help;
console.log(`--help start: ${JSON.stringify(help)}`);
writeFileSync('bench/out/results.json', JSON.stringify(results, null, 2));
console.log('results written to bench/out/results.json');
