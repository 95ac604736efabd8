#!/usr/bin/env node
// `npm run bench`: the speed and memory benchmark of convert (a benchmark, not a timed test).
//   1. generates realistic PyTorchJob streams of 10,000 and 100,000 jobs (scripts/gen-bench-input.mjs),
//   2. converts each with the built single executable (dist/kubectl-trainjob), measuring wall time and
//      peak RSS with GNU time, best of RUNS runs, with `--report none` and with the default findings
//      table (the path users run), and the same 2,000 jobs as a stream and as a directory of files,
//   3. measures `kubectl trainjob --help` start time with hyperfine (or a loop when it is missing).
// Targets (issue 2): 10k jobs ≤ 3 s on 2 cores; peak RSS < 250 MB for 10k and 100k; --help < 100 ms.
// Issue 9: the same jobs as one 10,000- and 100,000-item `kind: List` (peak RSS < 250 MB, speed per job as the stream).
// Issue 10: 10k jobs of mixed kinds (half PyTorchJobs; TFJobs, XGBoostJobs, JAXJobs, PaddleJobs, MPIJobs v1 and
// v2beta1 for the rest, with the same pods: scripts/gen-bench-input.mjs MIX) within 10% of the PyTorchJob-only
// time: measured in turns, the ratio of each pair quoted.
//   4. runs readiness over 5 clusters x 2,000 jobs (scripts/bench-fleet.mjs; --skip-fleet skips it).
// Usage: npm run bench [-- --runs 3 --skip-100k --skip-fleet]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

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
  // -o: GNU time's own figures go to a file, so the findings table on stderr does not mix with them.
  const r = spawnSync('/usr/bin/time', ['-o', 'bench/out/time.txt', '-f', '%e %U %S %M', cmd, ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'ignore'] });
  const last = readFileSync('bench/out/time.txt', 'utf8').trim().split('\n').pop() ?? '';
  const [wall, user, sys, rssKb] = last.split(' ').map(Number);
  return { wall, cpu: Math.round((user + sys) * 100) / 100, rssMb: Math.round(rssKb / 1024), exit: r.status };
}

/** Best of `n` runs of each command, run in turn (A B A B ...) so drift hits both alike. */
function paired(n, a, b) {
  const sa = [];
  const sb = [];
  for (let i = 0; i < n; i++) {
    sa.push(measure(bin, a));
    sb.push(measure(bin, b));
  }
  const best = (s) => s.reduce((x, y) => (y.cpu < x.cpu ? y : x));
  const ratios = sa.map((x, i) => x.cpu / sb[i].cpu).sort((x, y) => x - y);
  return { a: best(sa), b: best(sb), cpuRatioMedian: Math.round(ratios[Math.floor(ratios.length / 2)] * 100) / 100 };
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

// One `kind: List` holding the same jobs (issue 9, what `kubectl get pytorchjobs -A -o yaml` prints on a big
// cluster): read and converted item by item, so peak RSS must stay flat (< 250 MB for 100,000 items) and the
// time per job must match the stream's. 10,000: paired with the stream; 100,000: one run, against the stream's.
{
  const p = paired(runs, ['convert', '-f', input(10000, 'list'), '--report', 'none'], ['convert', '-f', input(10000), '--report', 'none']);
  results.list = { jobs: 10000, listCpuSeconds: p.a.cpu, streamCpuSeconds: p.b.cpu, listPeakRssMB: p.a.rssMb, streamPeakRssMB: p.b.rssMb, cpuRatioMedian: p.cpuRatioMedian };
  console.log(`10000-item List vs the same jobs as a stream: ${p.a.cpu} s vs ${p.b.cpu} s CPU (paired median ratio ${p.cpuRatioMedian}), peak RSS ${p.a.rssMb} vs ${p.b.rssMb} MB`);
  if (!skip100k) {
    const file = input(100000, 'list');
    const m = measure(bin, ['convert', '-f', file, '--report', 'none']);
    const stream = results.convert.find((c) => c.jobs === 100000);
    results.list100k = { jobs: 100000, inputMB: Number((statSync(file).size / 1e6).toFixed(1)), wallSeconds: m.wall, cpuSeconds: m.cpu, peakRssMB: m.rssMb, exit: m.exit, streamWallSeconds: stream?.wallSeconds };
    console.log(`convert a 100000-item List (${results.list100k.inputMB} MB, one document): ${m.wall} s, ${m.cpu} s CPU, peak RSS ${m.rssMb} MB (the stream: ${stream?.wallSeconds} s)`);
  }
}

// Mixed kinds against PyTorchJob-only (issue 10), in turns, so drift of a shared machine hits both alike.
{
  const p = paired(Math.max(runs, 5), ['convert', '-f', input(10000, 'mixed'), '--report', 'none'], ['convert', '-f', input(10000), '--report', 'none']);
  results.mixedKinds = { jobs: 10000, mixedCpuSeconds: p.a.cpu, pytorchOnlyCpuSeconds: p.b.cpu, mixedWallSeconds: p.a.wall, pytorchOnlyWallSeconds: p.b.wall, cpuRatioMedian: p.cpuRatioMedian };
  console.log(`10000 mixed-kind jobs vs 10000 PyTorchJobs: ${p.a.cpu} s vs ${p.b.cpu} s CPU (paired median ratio ${p.cpuRatioMedian})`);
}

// The default path (findings table on stderr) against --report none, on the same 10,000 jobs.
{
  const file = input(10000);
  const p = paired(runs, ['convert', '-f', file], ['convert', '-f', file, '--report', 'none']);
  results.reportTable = { jobs: 10000, tableCpuSeconds: p.a.cpu, noneCpuSeconds: p.b.cpu, tableWallSeconds: p.a.wall, noneWallSeconds: p.b.wall, cpuRatioMedian: p.cpuRatioMedian };
  console.log(`default findings table vs --report none, 10000 jobs: ${p.a.cpu} s vs ${p.b.cpu} s CPU (paired median ratio ${p.cpuRatioMedian})`);
}

// The same 2,000 jobs as one stream and as a directory of one-document files (per-file overhead).
{
  const file = input(2000);
  const dir = 'bench/out/dir-2000';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const docs = readFileSync(file, 'utf8').split(/^---\n/m).filter((d) => d.trim());
  docs.forEach((d, i) => writeFileSync(`${dir}/job-${String(i).padStart(5, '0')}.yaml`, d));
  const p = paired(runs, ['convert', '-f', dir, '--report', 'none'], ['convert', '-f', file, '--report', 'none']);
  rmSync('bench/out/out-2000', { recursive: true, force: true });
  const outDir = measure(bin, ['convert', '-f', dir, '--report', 'none', '--output-dir', 'bench/out/out-2000']);
  rmSync('bench/out/out-2000', { recursive: true, force: true });
  results.directory = { files: docs.length, dirCpuSeconds: p.a.cpu, streamCpuSeconds: p.b.cpu, cpuRatioMedian: p.cpuRatioMedian, outputDirCpuSeconds: outDir.cpu };
  console.log(`directory of ${docs.length} files vs one stream (same jobs): ${p.a.cpu} s vs ${p.b.cpu} s CPU (paired median ratio ${p.cpuRatioMedian}); with --output-dir ${outDir.cpu} s`);
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
// In-place conversion of a 1,000-file repository (scripts/bench-inplace.mjs, issue 9).
execFileSync(process.execPath, ['scripts/bench-inplace.mjs', '--runs', String(runs)], { stdio: 'inherit' });

// readiness over 5 clusters x 2,000 jobs (issue 12): separate API servers from the test harness.
if (!args.includes('--skip-fleet')) {
  const r = spawnSync(process.execPath, ['scripts/bench-fleet.mjs', '5', '2000'], { stdio: 'inherit' });
  if (r.status === 0 && existsSync('bench/out/fleet.json')) results.fleet = JSON.parse(execFileSync('cat', ['bench/out/fleet.json'], { encoding: 'utf8' }));
  else console.log('fleet benchmark failed (does test/controlplane/bin exist? run bash test/controlplane/build.sh)');
}
writeFileSync('bench/out/results.json', JSON.stringify(results, null, 2));
console.log('results written to bench/out/results.json');
