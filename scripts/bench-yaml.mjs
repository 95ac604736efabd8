#!/usr/bin/env node
// Parse+emit microbenchmark of src/yaml on a YAML stream (see gen-bench-input.mjs), against the
// `yaml` package. Usage: node scripts/bench-yaml.mjs FILE [--baseline] [--no-emit]
import { build } from 'esbuild';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseAllDocuments } from 'yaml';

const args = process.argv.slice(2);
const file = args.find((a) => !a.startsWith('--'));
if (!file) {
  console.error('usage: node scripts/bench-yaml.mjs FILE [--baseline] [--no-emit]');
  process.exit(2);
}
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// Bundle the TypeScript sources to a temporary module (kept inside the repo so `yaml` resolves).
const out = join(root, 'node_modules', '.cache', `bench-yaml-${process.pid}.mjs`);
await build({ entryPoints: [join(root, 'src/yaml/index.ts')], bundle: true, platform: 'node', format: 'esm', external: ['yaml'], outfile: out, logLevel: 'warning' });
const { readDocuments, parseDocument, toYaml } = await import(pathToFileURL(out).href);
rmSync(out);

const mb = (b) => (b / 1024 / 1024).toFixed(1);
let docs = 0, fast = 0, bytes = 0, parseMs = 0, emitMs = 0;
const t0 = performance.now();
for await (const d of readDocuments(createReadStream(file, { highWaterMark: 256 * 1024 }), { source: file })) {
  const a = performance.now();
  const r = parseDocument(d.text, { source: file, document: d.index, startLine: d.startLine });
  const b = performance.now();
  parseMs += b - a;
  docs++;
  if (r.fast) fast++;
  if (!args.includes('--no-emit') && r.value !== null) {
    bytes += toYaml(r.value).length;
    emitMs += performance.now() - b;
  }
}
const wall = performance.now() - t0;
console.log(`src/yaml: ${docs} docs (${fast} fast), wall ${wall.toFixed(0)} ms (${Math.round(docs / (wall / 1000))} docs/s), parse ${parseMs.toFixed(0)} ms, emit ${emitMs.toFixed(0)} ms (${mb(bytes)} MB out), split+read ${(wall - parseMs - emitMs).toFixed(0)} ms, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`);

if (args.includes('--baseline')) {
  // The `yaml` package reads the whole file; that is its API, and part of why it is slower.
  const { readFileSync } = await import('node:fs');
  const t1 = performance.now();
  const all = parseAllDocuments(readFileSync(file, 'utf8'), { uniqueKeys: true });
  let n = 0;
  for (const d of all) { const v = d.toJS({ maxAliasCount: 100 }); if (v !== null) n++; }
  const t2 = performance.now();
  console.log(`yaml package: ${n} docs, parse ${(t2 - t1).toFixed(0)} ms, peak RSS ${mb(process.resourceUsage().maxRSS * 1024)} MB`);
}
