#!/usr/bin/env node
// Builds kubectl-trainjob.
//   node scripts/build.mjs               bundle (dist/cli.cjs) + single executable (dist/kubectl-trainjob)
//   node scripts/build.mjs --bundle-only only dist/cli.cjs (runs with `node dist/cli.cjs`)
//   node scripts/build.mjs --bundle-only --target=node22 --out=FILE
//                                        the bundle for another Node and file (scripts/pack-npm.mjs)
// Under `npm run`, `node` is the pinned Node 24 (node_modules/.bin/node); see docs/packaging.md.
// The bundle alone needs any Node >= 22 and no pinned binary (it runs on macOS too).
//
// The bundle is one CommonJS file because Node SEA can only embed a CJS script. Two things
// keep `kubectl trainjob --help` fast, and this script checks both after bundling:
//   - @kubernetes/client-node is only reachable through dynamic import(): esbuild then wraps it
//     in a lazy init function instead of evaluating it at start-up;
//   - large JSON files (Trainer schemas) are emitted as JSON.parse('...') inside lazy modules.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const bundleOnly = process.argv.includes('--bundle-only');
const option = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
/** esbuild's target: the oldest Node the bundle must run on (the SEA embeds Node 24). */
const target = option('target', 'node24');
const bundleFile = option('out', join(dist, 'cli.cjs'));
if (bundleFile !== join(dist, 'cli.cjs') && !bundleOnly) {
  console.error('build: --out needs --bundle-only (the single executable embeds dist/cli.cjs)');
  process.exit(2);
}

/** Modules that must never be evaluated by `--help`: matched against bundle input paths. */
const LAZY_ONLY = [/node_modules\/@kubernetes\/client-node\//, /node_modules\/undici\//, /node_modules\/openid-client\//];
/** JSON files above this size must also be reachable only through dynamic import(). */
const LAZY_JSON_BYTES = 64 * 1024;

// node-fetch/ws `try { require('encoding') } catch {}`-style optional dependencies. Left as bare
// require() calls, the SEA prints "require() ... only supports loading built-in modules" on every run.
const optionalStub = {
  name: 'optional-stub',
  setup(b) {
    b.onResolve({ filter: /^(encoding|bufferutil|utf-8-validate)$/ }, (a) => ({ path: a.path, namespace: 'optional-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'optional-stub' }, (a) => ({
      loader: 'js',
      contents: `throw Object.assign(new Error("Cannot find module '${a.path}'"), { code: 'MODULE_NOT_FOUND' });`,
    }));
  },
};

// A JSON object literal costs V8 a full parse; a string literal handed to JSON.parse is scanned
// much faster. Only the default export is provided, which is all NodeNext allows for JSON anyway.
// Only the project's own JSON: a package doing require('./x.json') expects the object itself.
const jsonAsParse = {
  name: 'json-as-parse',
  setup(b) {
    b.onLoad({ filter: /\.json$/ }, (a) => {
      if (a.path.includes('/node_modules/')) return undefined;
      const text = readFileSync(a.path, 'utf8');
      JSON.parse(text); // fail the build on invalid JSON, with esbuild's file name in the stack
      return { loader: 'js', contents: `export default JSON.parse(${JSON.stringify(JSON.stringify(JSON.parse(text)))});` };
    });
  },
};

const started = Date.now();
mkdirSync(dirname(bundleFile), { recursive: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  bundle: true,
  platform: 'node',
  target,
  format: 'cjs',
  // Written under a private name and renamed below, so a concurrent build never reads half a file.
  outfile: join(dirname(bundleFile), `.cli.${process.pid}.cjs`),
  // yargs 18, yargs-parser and y18n call createRequire(import.meta.url); CJS output has no import.meta.
  define: { 'import.meta.url': '__import_meta_url', 'import.meta.resolve': '__import_meta_resolve' },
  banner: {
    js:
      "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;\n" +
      "const __import_meta_resolve = (s) => { throw new Error('import.meta.resolve unsupported: ' + s); };",
  },
  legalComments: 'none',
  minify: process.env.MINIFY !== '0',
  keepNames: false,
  metafile: true,
  plugins: [optionalStub, jsonAsParse],
  logLevel: 'warning',
  // Any import.meta left in the bundle would crash at run time: fail the build instead.
  logOverride: { 'empty-import-meta': 'error' },
});

const tmpOut = join(dirname(bundleFile), `.cli.${process.pid}.cjs`);
let eager;
try {
  eager = checkLazy(result.metafile);
} catch (e) {
  rmSync(tmpOut, { force: true }); // never leave a bundle that failed the check
  console.error(e.message);
  process.exit(1);
}
renameSync(tmpOut, bundleFile);
writeFileSync(join(dirname(bundleFile), 'meta.json'), JSON.stringify(result.metafile));
const bundleBytes = statSync(bundleFile).size;
console.log(
  `bundle: ${relative(root, bundleFile)} (${target}) ${(bundleBytes / 1024 / 1024).toFixed(2)} MiB in ${Date.now() - started} ms; ` +
    `evaluated at every start: ${eager.files} modules, ${(eager.bytes / 1024).toFixed(0)} KiB of input (keep this small for --help)`,
);

if (!bundleOnly && (process.platform !== 'linux' || process.arch !== 'x64')) {
  // The executables of every platform are built on linux/amd64 (scripts/release.sh); elsewhere
  // the bundle is the product: node dist/cli.cjs, or the npm package.
  console.error(
    `build: the single executable is built on linux/amd64 (this is ${process.platform}/${process.arch}).\n` +
      `  dist/cli.cjs is built: run it with node dist/cli.cjs, or install the npm package:\n` +
      `  npm run pack:npm && npm install -g dist/npm/kubectl-trainjob-*.tgz   (docs/install.md)`,
  );
  process.exit(1);
}
if (!bundleOnly) {
  const r = spawnSync('bash', [join(root, 'scripts/build-sea.sh')], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: scripts/build-sea.sh failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

/**
 * Walks the bundle's import graph from src/main.ts along static edges only (import, require)
 * and reports modules that should stay lazy but are reachable: esbuild would then evaluate
 * them at start-up, and `--help` would pay for them.
 *   - client-node and its HTTP stack (50-100 ms): always a build error;
 *   - JSON files over LAZY_JSON_BYTES (schemas): a warning, an error with LAZY_CHECK=strict.
 */
function checkLazy(meta) {
  const seen = new Set();
  const via = new Map();
  const queue = ['src/main.ts'];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    for (const imp of meta.inputs[file]?.imports ?? []) {
      if (imp.external || imp.kind === 'dynamic-import' || !meta.inputs[imp.path]) continue;
      if (!via.has(imp.path)) via.set(imp.path, file);
      queue.push(imp.path);
    }
  }
  const chain = (f) => {
    const out = [f];
    while (via.has(out[0])) out.unshift(via.get(out[0]));
    return out.join('\n    -> ');
  };
  const report = (bad, what) =>
    `build: ${bad.length} ${what} would be evaluated on every start (also by --help):\n` +
    `  e.g. ${chain(bad[0])}\n` +
    `fix: load them with \`await import('...')\` inside the verb handler that needs them, and import\n` +
    `     only types (\`import type\`) statically (docs/packaging.md, "Lazy loading").`;
  const client = [...seen].filter((f) => LAZY_ONLY.some((re) => re.test(f)));
  if (client.length) throw new Error(report(client, 'module(s) of @kubernetes/client-node or its HTTP stack'));
  const json = [...seen].filter((f) => f.endsWith('.json') && meta.inputs[f].bytes > LAZY_JSON_BYTES);
  if (json.length) {
    const message = report(json, `JSON file(s) over ${LAZY_JSON_BYTES / 1024} KiB`);
    if (process.env.LAZY_CHECK === 'strict') throw new Error(message);
    console.warn(`warning: ${message}`);
  }
  return { files: seen.size, bytes: [...seen].reduce((n, f) => n + meta.inputs[f].bytes, 0) };
}
