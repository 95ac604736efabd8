#!/usr/bin/env node
// Extracts the stock torch-distributed ClusterTrainingRuntime of each Trainer release from the
// project's upstream/ copies into src/convert/targets/<target>/runtime.json (embedded in the
// binary; a generated TrainingRuntime is derived from it). `--check` fails when a file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';

const targets = { 'trainer-v2.0': 'trainer-v2.0.0', 'trainer-v2.1': 'trainer-v2.1.0', 'trainer-v2.2': 'trainer-v2.2.1', 'trainer-v2.3': 'trainer-v2.3.0' };
const check = process.argv.includes('--check');
let stale = 0;
for (const [target, dir] of Object.entries(targets)) {
  const src = `upstream/${dir}/runtimes/torch_distributed.yaml`;
  const out = `src/convert/targets/${target}/runtime.json`;
  const text = JSON.stringify(parse(readFileSync(src, 'utf8')), null, 2) + '\n';
  if (check) {
    let cur = '';
    try { cur = readFileSync(out, 'utf8'); } catch { /* missing counts as stale */ }
    if (cur !== text) { console.error(`${out} is stale: run node scripts/gen-stock-runtimes.mjs`); stale++; }
  } else writeFileSync(out, text);
}
process.exit(stale ? 1 : 0);
