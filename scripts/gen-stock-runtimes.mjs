#!/usr/bin/env node
// Writes each target's stock ClusterTrainingRuntimes from the verbatim upstream copies: runtime.json
// (torch-distributed, the PyTorchJob default) and runtimes.json (the others a v1 kind may use:
// deepspeed-distributed, mlx-distributed, jax-distributed, xgboost-distributed, mpi-distributed),
// keyed by name. `--check` exits 1 when a committed file differs from what would be written.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const targets = { 'trainer-v2.0': 'trainer-v2.0.0', 'trainer-v2.1': 'trainer-v2.1.0', 'trainer-v2.2': 'trainer-v2.2.1', 'trainer-v2.3': 'trainer-v2.3.0' };
const check = process.argv.includes('--check');
let stale = 0;
function emit(out, text) {
  if (check) {
    let cur = '';
    try { cur = readFileSync(out, 'utf8'); } catch { /* missing counts as stale */ }
    if (cur !== text) { console.error(`${out} is stale: run node scripts/gen-stock-runtimes.mjs`); stale++; }
  } else writeFileSync(out, text);
}
for (const [target, dir] of Object.entries(targets)) {
  emit(`src/convert/targets/${target}/runtime.json`, JSON.stringify(parse(readFileSync(`upstream/${dir}/runtimes/torch_distributed.yaml`, 'utf8')), null, 2) + '\n');
  const others = {};
  for (const file of readdirSync(`upstream/${dir}/runtimes`).filter((f) => f.endsWith('_distributed.yaml') && f !== 'torch_distributed.yaml').sort()) {
    const runtime = parse(readFileSync(`upstream/${dir}/runtimes/${file}`, 'utf8'));
    others[runtime.metadata.name] = runtime;
  }
  emit(`src/convert/targets/${target}/runtimes.json`, JSON.stringify(others, null, 2) + '\n');
}
process.exit(stale ? 1 : 0);
