// Child-process bookkeeping for the test control plane: no orphans, even after kill -9.
//
// Three layers, because each one alone has a hole:
// 1. Children are spawned through `setpriv --pdeathsig=KILL --`, so the kernel kills them when the
//    spawning process dies for any reason (including SIGKILL, where no JS cleanup runs).
// 2. Each plane's work dir holds owner.json (pid + kernel start time of the spawning process) and
//    the pids of its children; the next run kills children of any plane whose owner is gone. This
//    covers machines without setpriv and processes that escaped layer 1.
// 3. Stale processes are recognised only by their /proc/<pid>/cmdline containing that plane's work
//    dir, so a recycled pid or another developer's concurrent run is never touched.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** Marker file that stops stale-plane cleanup from deleting a work dir kept for debugging. */
export const KEPT_MARKER = 'KEPT';

/** Identity of the process that owns a control plane (pid plus kernel start time, so pid reuse is detected). */
export interface ProcessIdentity {
  pid: number;
  startTime: string;
}

/** Kernel start time of a process (field 22 of /proc/<pid>/stat), or undefined if it is gone. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields after the last ')' are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

/** This process's identity, recorded as the owner of the planes it starts. */
export function selfIdentity(): ProcessIdentity {
  return { pid: process.pid, startTime: processStartTime(process.pid) ?? 'unknown' };
}

/** Whether the recorded owner is still the same live process. */
export function isAlive(owner: ProcessIdentity): boolean {
  return processStartTime(owner.pid) === owner.startTime;
}

function cmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return undefined;
  }
}

/** Pids of live processes whose command line mentions `marker` (never this process). */
export function pidsMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    if (cmdline(pid)?.includes(marker)) pids.push(pid);
  }
  return pids;
}

let setprivAvailable: boolean | undefined;
function hasSetpriv(): boolean {
  setprivAvailable ??= ['/usr/bin/setpriv', '/bin/setpriv'].some((p) => existsSync(p));
  return setprivAvailable;
}

/** Spawns `binary args` with stdout+stderr appended to `logFile`, killed by the kernel if we die. */
export function spawnTied(binary: string, args: string[], logFile: string, env: NodeJS.ProcessEnv = process.env): ChildProcess {
  const fd = openSync(logFile, 'a');
  try {
    const [cmd, argv] = hasSetpriv() ? ['setpriv', ['--pdeathsig=KILL', '--', binary, ...args]] : [binary, args];
    // detached: a terminal Ctrl-C goes to our process group only, so we stop the apiserver before
    // etcd instead of both dying at once (envtest sets Setpgid for the same reason).
    return spawn(cmd as string, argv as string[], { stdio: ['ignore', fd, fd], detached: true, env });
  } finally {
    closeSync(fd);
  }
}

/** Waits until `child` has exited, or `timeoutMs` passed; resolves true if it exited. */
export function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => { clearTimeout(timer); resolve(true); });
  });
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves when the process is gone. */
export async function terminate(child: ChildProcess, timeoutMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, timeoutMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}

/** Synchronous best-effort kill for signal handlers, where no await is possible. */
export function killNow(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try { process.kill(pid, signal); } catch { /* already gone */ }
}

/** Writes the owner file of a new plane work dir. */
export function writeOwner(workDir: string): void {
  writeFileSync(path.join(workDir, 'owner.json'), JSON.stringify(selfIdentity()));
}

function readOwner(workDir: string): ProcessIdentity | undefined {
  try {
    return JSON.parse(readFileSync(path.join(workDir, 'owner.json'), 'utf8')) as ProcessIdentity;
  } catch {
    return undefined;
  }
}

/**
 * Kills processes of planes under `workRoot` whose owner process is gone, and removes their work
 * dirs (except dirs kept for debugging). Returns the work dirs it cleaned.
 */
export function reapStalePlanes(workRoot: string): string[] {
  if (!existsSync(workRoot)) return [];
  const cleaned: string[] = [];
  for (const name of readdirSync(workRoot)) {
    if (!name.startsWith('cp-')) continue; // only plane dirs (ControlPlane.start names them cp-*)
    const workDir = path.join(workRoot, name);
    if (!statSync(workDir).isDirectory()) continue;
    const owner = readOwner(workDir);
    if (owner && isAlive(owner)) continue;
    // A plane being created right now has its dir but not yet its owner file: leave young dirs alone.
    if (!owner && Date.now() - statSync(workDir).mtimeMs < 60_000) continue;
    const marker = `${workDir}/`;
    for (const pid of pidsMentioning(marker)) killNow(pid, 'SIGKILL');
    if (!existsSync(path.join(workDir, KEPT_MARKER))) rmSync(workDir, { recursive: true, force: true });
    cleaned.push(workDir);
  }
  return cleaned;
}
