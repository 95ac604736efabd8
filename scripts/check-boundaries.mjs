#!/usr/bin/env node
// Keeps the architecture honest (style.md §2 "Guarding the boundary"):
//  - src/convert/** and src/schema/** and src/yaml/** are pure: no node:* modules, no process, no
//    client-node, no clock (Date.now / new Date()) — they take everything as arguments;
//  - only src/cluster/** imports @kubernetes/client-node;
//  - process.exit appears only in src/main.ts (the single exit point).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function* walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts')) yield p;
  }
}
const problems = [];
const PURE = ['src/convert/', 'src/schema/', 'src/yaml/', 'src/text/', 'src/inplace/'];
for (const file of walk('src')) {
  const text = readFileSync(file, 'utf8');
  const imports = [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  if (PURE.some((d) => file.startsWith(d))) {
    for (const i of imports) if (i.startsWith('node:') || ['fs', 'path', 'os', 'child_process'].includes(i)) problems.push(`${file}: imports ${i}; conversion code is pure, pass the data in instead`);
    if (/\bprocess\.(env|argv|cwd|exit|stdout|stderr)\b/.test(text)) problems.push(`${file}: uses process.*; pure code takes env, streams and arguments from its caller`);
    if (/\bDate\.now\(\)|new Date\(\)/.test(text)) problems.push(`${file}: reads the clock; pass a timestamp in (deps.now) instead`);
  }
  if (!file.startsWith('src/cluster/') && imports.some((i) => i.startsWith('@kubernetes/client-node'))) problems.push(`${file}: imports @kubernetes/client-node; only src/cluster/ may (add what you need to the cluster layer)`);
  if (file !== 'src/main.ts' && /\bprocess\.exit\(/.test(text)) problems.push(`${file}: calls process.exit; throw a CliError (src/errors.ts) and let src/main.ts exit`);
}
if (problems.length) {
  console.error(`Code boundary check failed (see docs/project-layout.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('code boundaries ok');
