#!/usr/bin/env node
// Writes docs/findings.md from the finding-code catalogue (src/convert/codes.ts), so the documented
// codes are always the ones the converter emits. `--check` fails when the file is stale (run by npm test).
import { readFileSync, writeFileSync } from 'node:fs';

const src = readFileSync('src/convert/codes.ts', 'utf8');
const rows = [...src.matchAll(/^\s*'(KTJ-[A-Z0-9]+-\d+)': \{ severity: '(\w+)', title: '((?:[^'\\]|\\.)*)' \}/gm)].map((m) => ({ code: m[1], severity: m[2], title: m[3].replace(/\\'/g, "'") }));
const areas = {
  IN: 'Input: what was read and what was left out',
  DUP: 'Duplicates: one identity, two objects',
  YAML: 'YAML read as kubectl reads it',
  SCHEMA: 'The input against the PyTorchJob v1 schema',
  V1: 'The v1 operator\'s own rules',
  META: 'Metadata',
  NAME: 'Names',
  ROLE: 'Master and Worker become one node template',
  CTR: 'The training container',
  POD: 'Pod settings',
  RT: 'Generated TrainingRuntime',
  RUN: 'runPolicy',
  SCHED: 'Gang scheduling (schedulingPolicy)',
  KUEUE: 'Kueue',
  ELASTIC: 'Elastic training',
  NPROC: 'Processes per node',
  ENV: 'The environment contract (v1 injected RANK, WORLD_SIZE, MASTER_*; v2 injects PET_*)',
};
let out = `# Finding codes

Generated from \`src/convert/codes.ts\` by \`node scripts/gen-findings-doc.mjs\`; do not edit by hand.
Codes are stable (they are part of the \`--report json\` contract): never renumbered, only retired.

Every finding has a \`code\`, a \`severity\` (error refuses the job unless \`--force\`; warning converts with a
caveat and makes the exit code 3; info is advice), the \`path\` in the input object, a one-sentence
\`message\` and usually a \`hint\`. Some error codes cannot be forced because the input itself is not a
valid PyTorchJob or the output could not be valid: KTJ-V1-001, KTJ-SCHEMA-001, KTJ-NAME-002, KTJ-NAME-004, KTJ-IN-005.
`;
let area = '';
for (const r of rows) {
  const a = r.code.split('-')[1];
  if (a !== area) {
    area = a;
    out += `\n## ${areas[a] ?? a}\n\n| code | default severity | meaning |\n|---|---|---|\n`;
  }
  // The anchor is what SARIF rule help links (helpUri) point at.
  out += `| <a id="${r.code.toLowerCase()}"></a>${r.code} | ${r.severity} | ${r.title} |\n`;
}
if (process.argv.includes('--check')) {
  let cur = '';
  try { cur = readFileSync('docs/findings.md', 'utf8'); } catch { /* missing = stale */ }
  if (cur !== out) { console.error('docs/findings.md is stale: run node scripts/gen-findings-doc.mjs'); process.exit(1); }
} else writeFileSync('docs/findings.md', out);
console.log(`${rows.length} codes`);
