#!/usr/bin/env node
// Keeps the architecture honest (style.md §2 "Guarding the boundary"):
//  - src/convert/** and src/schema/** and src/yaml/** are pure: no node:* modules, no process, no
//    client-node, no clock (Date.now / new Date()) — they take everything as arguments;
//  - only src/cluster/** imports @kubernetes/client-node;
//  - process.exit appears only in src/main.ts (the single exit point);
//  - arrows point down: nothing below the verb layer imports src/verbs/ (only src/cli.ts, src/run.ts,
//    src/completion-protocol.ts and src/main.ts sit above it), and no chain of imports (static, type-only or lazy `import()`) comes back
//    to where it started.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';

function* walk(dir) {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) yield* walk(p);
    else if (p.endsWith('.ts')) yield p;
  }
}
const problems = [];
/** file -> the project files it imports. */
const graph = new Map();
const ABOVE_VERBS = ['src/cli.ts', 'src/run.ts', 'src/main.ts', 'src/completion-protocol.ts'];
const PURE = ['src/convert/', 'src/schema/', 'src/yaml/', 'src/text/'];
for (const file of walk('src')) {
  const text = readFileSync(file, 'utf8');
  const imports = [...text.matchAll(/^\s*(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  // Comments mention modules too (e.g. "verbs load it with import('../cluster/index.js')"): not arrows.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const lazy = [...code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]);
  const local = [...imports, ...lazy].filter((i) => i.startsWith('.')).map((i) => normalize(join(dirname(file), i)).replace(/\.js$/, '.ts'));
  graph.set(file, [...new Set(local)]);
  if (!file.startsWith('src/verbs/') && !ABOVE_VERBS.includes(file)) {
    for (const target of local) if (target.startsWith('src/verbs/')) problems.push(`${file}: imports ${target}; arrows point down, nothing below the verb layer imports it (move the shared type or helper down, e.g. into src/cluster/config-flags.ts)`);
  }
  if (PURE.some((d) => file.startsWith(d))) {
    for (const i of imports) if (i.startsWith('node:') || ['fs', 'path', 'os', 'child_process'].includes(i)) problems.push(`${file}: imports ${i}; conversion code is pure, pass the data in instead`);
    if (/\bprocess\.(env|argv|cwd|exit|stdout|stderr)\b/.test(text)) problems.push(`${file}: uses process.*; pure code takes env, streams and arguments from its caller`);
    if (/\bDate\.now\(\)|new Date\(\)/.test(text)) problems.push(`${file}: reads the clock; pass a timestamp in (deps.now) instead`);
  }
  if (!file.startsWith('src/cluster/') && imports.some((i) => i.startsWith('@kubernetes/client-node'))) problems.push(`${file}: imports @kubernetes/client-node; only src/cluster/ may (add what you need to the cluster layer)`);
  if (file !== 'src/main.ts' && /\bprocess\.exit\(/.test(text)) problems.push(`${file}: calls process.exit; throw a CliError (src/errors.ts) and let src/main.ts exit`);
}
// Import cycles: a depth-first search that reports each cycle once, as the chain of files.
const state = new Map();
const stack = [];
const seenCycles = new Set();
function visit(file) {
  state.set(file, 'open');
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (!graph.has(next)) continue;
    if (state.get(next) === 'open') {
      const cycle = stack.slice(stack.indexOf(next));
      const key = [...cycle].sort().join(' ');
      if (!seenCycles.has(key)) {
        seenCycles.add(key);
        problems.push(`import cycle: ${[...cycle, next].join(' -> ')}; break it by moving the shared part into the lower module`);
      }
    } else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(file, 'done');
}
for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);

if (problems.length) {
  console.error(`Code boundary check failed (see docs/project-layout.md):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('code boundaries ok');
