// Shared setup of the smoke tests: they run the BUILT single executable (dist/kubectl-trainjob)
// the way users do, through the real kubectl, with an empty environment: PATH holds only a
// temp dir with the binary, kubectl and the completion helper; HOME is a temp dir; cwd is /.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The executable `npm run build` produces. */
export const BINARY = path.join(ROOT, 'dist', 'kubectl-trainjob');

/** Fails (never skips) when the binary has not been built. */
export function requireBinary(): void {
  if (!existsSync(BINARY)) {
    throw new Error(`${path.relative(ROOT, BINARY)} does not exist: run npm run build first (npm test builds it before the tests)`);
  }
}

/** The kubectl on the test runner's PATH, resolved to a file. */
export function findKubectl(): string {
  const found = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
  if (!found) throw new Error('kubectl is not on PATH; the smoke tests run the plugin through kubectl');
  return realpathSync(found);
}

/** The result of one command. */
export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp PATH dir with kubectl-trainjob (a copy), kubectl and kubectl_complete-trainjob, plus a temp HOME. */
export interface Sandbox {
  dir: string;
  binDir: string;
  home: string;
  /** The complete environment the commands get (nothing else is inherited). */
  env: Record<string, string>;
  /** Runs `kubectl ARGS...` from cwd / with the sandbox environment. */
  kubectl(args: string[], extraEnv?: Record<string, string>): RunResult;
  /** Runs the binary directly under the given name in the sandbox bin dir. */
  exec(name: string, args: string[], extraEnv?: Record<string, string>): RunResult;
  cleanup(): void;
}

/** Creates the sandbox; call requireBinary() first. */
export function makeSandbox(): Sandbox {
  const dir = mkdtempSync(path.join(tmpdir(), 'trainjob-smoke-'));
  const binDir = path.join(dir, 'bin');
  const home = path.join(dir, 'home');
  execFileSync('mkdir', ['-p', binDir, home]);
  copyFileSync(BINARY, path.join(binDir, 'kubectl-trainjob'));
  execFileSync('chmod', ['0755', path.join(binDir, 'kubectl-trainjob')]);
  symlinkSync(findKubectl(), path.join(binDir, 'kubectl'));
  // The second name kubectl (>= 1.26) runs for completion, as docs/install.md tells users to create.
  symlinkSync(path.join(binDir, 'kubectl-trainjob'), path.join(binDir, 'kubectl_complete-trainjob'));
  const env = { PATH: binDir, HOME: home };
  const run = (file: string, args: string[], extraEnv: Record<string, string> = {}): RunResult => {
    const r = spawnSync(file, args, { cwd: '/', env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
    if (r.error) throw r.error;
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  return {
    dir,
    binDir,
    home,
    env,
    kubectl: (args, extraEnv) => run(path.join(binDir, 'kubectl'), args, extraEnv),
    exec: (name, args, extraEnv) => run(path.join(binDir, name), args, extraEnv),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Splits kubectl completion output into candidate words and the `:N` directive line. */
export function parseCompletion(stdout: string): { words: string[]; directive: string } {
  const lines = stdout.split('\n').filter((l) => l !== '');
  const directive = lines.pop() ?? '';
  return { words: lines.map((l) => l.split('\t')[0]!), directive };
}
