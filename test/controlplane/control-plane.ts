// A real etcd + kube-apiserver on loopback, started the way controller-runtime envtest starts them
// (docs: /work/shared/docs/control-plane.md §3), but from TypeScript so no Go launcher is built.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CertFiles, createControlPlanePki, mintClientCert } from './certs.js';
import { KubeClient } from './kube-client.js';
import { writeKubeconfig } from './kubeconfig.js';
import { findBinaries, workRoot, type ControlPlaneBinaries } from './paths.js';
import { KEPT_MARKER, reapStalePlanes, selfIdentity, spawnTied, terminate, waitForExit, writeOwner, killNow } from './processes.js';

/** Options for ControlPlane.start. */
export interface ControlPlaneOptions {
  /** Extra kube-apiserver flags, appended last so they override defaults (e.g. --max-requests-inflight=2). */
  apiserverFlags?: readonly string[];
  /** Give up if the plane is not ready within this many ms (default 60 s; slow CI needs it, see doc §3.6). */
  startTimeoutMs?: number;
  /** Per-process stop timeout before SIGKILL (default 20 s, as envtest). */
  stopTimeoutMs?: number;
  /** Binaries to run; default: findBinaries(). */
  binaries?: ControlPlaneBinaries;
  /** Parent dir of the plane's work dir; default: workRoot(). */
  workRoot?: string;
  /** Short label used in the work dir name (e.g. "main", "throttled"). */
  label?: string;
}

/** What a running plane records in <workDir>/state.json (read by Jest workers and by debugging humans). */
export interface ControlPlaneState {
  workDir: string;
  certDir: string;
  apiserverUrl: string;
  adminKubeconfig: string;
  owner: { pid: number; startTime: string };
  pids: { etcd?: number; kubeApiserver?: number; attached?: Record<string, number> };
  ports: { etcdClient: number; etcdPeer: number; apiserver: number };
  apiserverFlags: string[];
  startedInMs: number;
}

/** The group whose requests the plane's audit log records (see auditEvents in harness.ts). */
export const AUDITED_GROUP = 'ktj:audited';
/** The audit log's file name in the plane's work dir (JSON lines, one event per request at ResponseComplete). */
export const AUDIT_LOG = 'audit.log';
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived, ResponseStarted]
rules:
- level: Metadata
  userGroups: ["${AUDITED_GROUP}"]
- level: None
`;

const MAX_ATTEMPTS = 5; // envtest retries the whole plane 5 times on port races

/** Asks the kernel for a currently free loopback port (it may be taken again before we use it; we retry). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function httpGetStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: 2_000 }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** The last `lines` lines of a log file (for error messages). */
export function tail(file: string, lines = 30): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** Thrown when a child died because its port was taken between our probe and its bind; triggers a retry. */
class PortRaceError extends Error {}

function exitedBecauseOfPort(logFile: string): boolean {
  return /address already in use|bind: address/i.test(tail(logFile, 80));
}

// Planes of this process that are started or starting. While any exists, SIGINT/SIGTERM/SIGHUP and
// process exit kill their children and remove their work dirs synchronously (pdeathsig would kill
// the children anyway, but not clean up); the handlers are removed again with the last plane, so a
// Jest process keeps its normal signal behaviour outside the plane's lifetime.
const livePlanes = new Set<ControlPlane>();
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

function stopAllNow(): void {
  for (const plane of livePlanes) plane.stopNow();
}

function onStopSignal(signal: NodeJS.Signals): void {
  stopAllNow();
  untrackAll();
  // Re-raise so the default action (exit) happens, unless someone else (e.g. Jest) handles it.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function untrackAll(): void {
  livePlanes.clear();
  for (const s of STOP_SIGNALS) process.off(s, onStopSignal);
  process.off('exit', stopAllNow);
}

function track(plane: ControlPlane): void {
  if (livePlanes.size === 0) {
    for (const s of STOP_SIGNALS) process.on(s, onStopSignal);
    process.on('exit', stopAllNow);
  }
  livePlanes.add(plane);
}

function untrack(plane: ControlPlane): void {
  if (livePlanes.delete(plane) && livePlanes.size === 0) untrackAll();
}

/** One etcd + kube-apiserver pair with TLS, client-cert auth and RBAC. */
export class ControlPlane {
  readonly state: ControlPlaneState;
  private readonly children: { etcd?: ChildProcess; kubeApiserver?: ChildProcess };
  private readonly stopTimeoutMs: number;
  private readonly attached = new Map<string, ChildProcess>();
  private stopped = false;

  private constructor(state: ControlPlaneState, children: { etcd?: ChildProcess; kubeApiserver?: ChildProcess }, stopTimeoutMs: number) {
    this.state = state;
    this.children = children;
    this.stopTimeoutMs = stopTimeoutMs;
    track(this);
  }

  /** Starts a fresh plane (new work dir, new PKI, empty etcd) and resolves once `default` namespace exists. */
  static async start(opts: ControlPlaneOptions = {}): Promise<ControlPlane> {
    const started = Date.now();
    const binaries = opts.binaries ?? findBinaries();
    const root = opts.workRoot ?? workRoot();
    mkdirSync(root, { recursive: true });
    reapStalePlanes(root);
    const workDir = path.join(root, `cp-${opts.label ?? 'plane'}-${process.pid}-${randomBytes(3).toString('hex')}`);
    mkdirSync(workDir, { mode: 0o700 });
    writeOwner(workDir);
    const certDir = path.join(workDir, 'certs');
    createControlPlanePki(certDir);
    const admin = mintClientCert(certDir, 'admin', ['system:masters']);
    const deadline = started + (opts.startTimeoutMs ?? 60_000);
    const stopTimeoutMs = opts.stopTimeoutMs ?? 20_000;

    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const ports = { etcdClient: await freePort(), etcdPeer: await freePort(), apiserver: await freePort() };
      const apiserverUrl = `https://127.0.0.1:${ports.apiserver}`;
      const adminKubeconfig = path.join(workDir, 'admin.kubeconfig');
      writeKubeconfig(adminKubeconfig, {
        server: apiserverUrl,
        caPem: readFileSync(path.join(certDir, CertFiles.servingCa), 'utf8'),
        ...admin,
        userName: 'admin',
      });
      const state: ControlPlaneState = {
        workDir, certDir, apiserverUrl, adminKubeconfig, owner: selfIdentity(), pids: {}, ports,
        apiserverFlags: [...(opts.apiserverFlags ?? [])], startedInMs: 0,
      };
      const plane = new ControlPlane(state, {}, stopTimeoutMs);
      try {
        await plane.launch(binaries, attempt, admin, deadline);
        state.startedInMs = Date.now() - started;
        plane.writeState();
        return plane;
      } catch (err) {
        lastError = err;
        await plane.stopChildren();
        untrack(plane);
        if (!(err instanceof PortRaceError) || Date.now() > deadline) break;
      }
    }
    if (process.env.KTJ_KEEP_CP !== '1') rmSync(workDir, { recursive: true, force: true });
    throw lastError instanceof Error ? lastError : new Error(String(lastError));
  }

  /** Base URL of the apiserver, e.g. https://127.0.0.1:40123. */
  get apiserverUrl(): string {
    return this.state.apiserverUrl;
  }

  /** Path of the kubeconfig for CN=admin,O=system:masters. */
  get adminKubeconfig(): string {
    return this.state.adminKubeconfig;
  }

  /** The plane's private scratch directory (certs, etcd data, logs, state.json). */
  get workDir(): string {
    return this.state.workDir;
  }

  /**
   * Starts a process that belongs to this plane (e.g. a controller): its output goes to
   * `<workDir>/<name>.log`, its pid to state.json, and it is stopped before the apiserver (and
   * killed with the plane on signals). `name` must be unique within the plane.
   */
  spawnAttached(name: string, binary: string, args: string[], env: NodeJS.ProcessEnv = process.env): ChildProcess {
    if (this.stopped) throw new Error(`${name}: the control plane is stopped`);
    if (this.attached.has(name)) throw new Error(`${name}: already running in this control plane`);
    const child = spawnTied(binary, args, this.logFile(name), env);
    this.attached.set(name, child);
    this.state.pids.attached = { ...this.state.pids.attached, [name]: child.pid ?? -1 };
    this.writeState();
    return child;
  }

  /** Stops one attached process (SIGTERM, then SIGKILL after the stop timeout); no-op if unknown. */
  async stopAttached(name: string): Promise<void> {
    const child = this.attached.get(name);
    if (!child) return;
    await terminate(child, this.stopTimeoutMs);
    this.attached.delete(name);
    const { [name]: _gone, ...rest } = this.state.pids.attached ?? {};
    this.state.pids.attached = rest;
    if (!this.stopped) this.writeState();
  }

  /** Path of the log file of an attached process (or of `etcd` / `kube-apiserver`). */
  logFile(name: string): string {
    return path.join(this.state.workDir, `${name}.log`);
  }

  private writeState(): void {
    writeFileSync(path.join(this.state.workDir, 'state.json'), JSON.stringify(this.state, null, 2));
  }

  private async launch(binaries: ControlPlaneBinaries, attempt: number, admin: { certPem: string; keyPem: string }, deadline: number): Promise<void> {
    const { workDir, certDir, ports } = this.state;
    const etcdLog = path.join(workDir, 'etcd.log');
    const apiLog = path.join(workDir, 'kube-apiserver.log');
    const etcdClientUrl = `http://127.0.0.1:${ports.etcdClient}`;
    const etcdPeerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
    // A fresh data dir per attempt: etcd remembers its peer URL, which changes with the ports.
    const dataDir = path.join(workDir, `etcd-data-${attempt}`);

    // etcd flags: envtest etcd.go defaultArgs + kwok's explicit single-member cluster (doc §3.1).
    const etcd = spawnTied(binaries.etcd, [
      `--data-dir=${dataDir}`,
      '--name=node0',
      `--listen-client-urls=${etcdClientUrl}`, `--advertise-client-urls=${etcdClientUrl}`,
      `--listen-peer-urls=${etcdPeerUrl}`, `--initial-advertise-peer-urls=${etcdPeerUrl}`,
      `--initial-cluster=node0=${etcdPeerUrl}`,
      '--unsafe-no-fsync=true', // throw-away data; fsync would dominate start time
      '--log-level=warn',
    ], etcdLog);
    this.children.etcd = etcd;
    this.state.pids.etcd = etcd.pid;
    this.writeState();
    await this.waitUntil('etcd', etcd, etcdLog, deadline, async () => (await httpGetStatus(`${etcdClientUrl}/health`)) === 200);

    // apiserver flags: envtest apiserver.go defaults + auth.go + the doc's recommended additions (§3.2).
    const c = (f: string): string => path.join(certDir, f);
    // The audit log records the requests of users in the AUDITED_GROUP only (tests that prove a dry run writes
    // nothing run as such a user); everyone else's requests are not logged, so the file stays small.
    const auditPolicy = path.join(workDir, 'audit-policy.yaml');
    writeFileSync(auditPolicy, AUDIT_POLICY);
    const apiserver = spawnTied(binaries.kubeApiserver, [
      `--etcd-servers=${etcdClientUrl}`,
      `--cert-dir=${path.join(workDir, 'apiserver-certs')}`,
      `--tls-cert-file=${c(CertFiles.apiserverCert)}`, `--tls-private-key-file=${c(CertFiles.apiserverKey)}`,
      `--secure-port=${ports.apiserver}`, '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1', // otherwise it picks the default-route interface, or fails without one
      '--endpoint-reconciler-type=none', // loopback IPs are invalid in the kubernetes Service endpoints
      '--service-cluster-ip-range=10.0.0.0/24',
      '--allow-privileged=true',
      '--disable-admission-plugins=ServiceAccount', // no controller creates default ServiceAccounts
      '--authorization-mode=RBAC',
      `--client-ca-file=${c(CertFiles.clientCa)}`,
      `--service-account-issuer=https://127.0.0.1:${ports.apiserver}/`,
      `--service-account-key-file=${c(CertFiles.saSignerCert)}`,
      `--service-account-signing-key-file=${c(CertFiles.saSignerKey)}`,
      '--profiling=false',
      `--audit-policy-file=${auditPolicy}`, `--audit-log-path=${path.join(workDir, AUDIT_LOG)}`, '--audit-log-format=json', '--audit-log-mode=blocking',
      ...this.state.apiserverFlags,
    ], apiLog);
    this.children.kubeApiserver = apiserver;
    this.state.pids.kubeApiserver = apiserver.pid;
    this.writeState();

    // Poll /readyz as admin: anonymous probes get 401/403 until the RBAC bootstrap hook is done.
    const client = new KubeClient({ server: this.state.apiserverUrl, ca: readFileSync(c(CertFiles.servingCa)), ...{ cert: admin.certPem, key: admin.keyPem } });
    try {
      await this.waitUntil('kube-apiserver', apiserver, apiLog, deadline, async () => {
        const res = await client.request('GET', '/readyz', { timeoutMs: 5_000 }).catch(() => undefined);
        return res?.status === 200;
      });
      // envtest's waitForDefaultNamespace: the namespace is created by a controller after readyz.
      await this.waitUntil('default namespace', apiserver, apiLog, deadline, async () => {
        const res = await client.request('GET', '/api/v1/namespaces/default', { timeoutMs: 5_000 }).catch(() => undefined);
        return res?.status === 200;
      });
    } finally {
      client.close();
    }
  }

  private async waitUntil(what: string, child: ChildProcess, logFile: string, deadline: number, ready: () => Promise<boolean>): Promise<void> {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        if (exitedBecauseOfPort(logFile)) throw new PortRaceError(`${what}: port taken, retrying`);
        throw new Error(`${what} exited (code ${child.exitCode}, signal ${child.signalCode}) before it was ready.\n`
          + `Last lines of ${logFile}:\n${tail(logFile)}`);
      }
      if (await ready()) return;
      if (Date.now() > deadline) {
        throw new Error(`${what} not ready in time. Last lines of ${logFile}:\n${tail(logFile)}`);
      }
      await sleep(100);
    }
  }

  private async stopChildren(): Promise<void> {
    // Attached processes (controllers) first, newest first: they talk to the apiserver.
    for (const name of [...this.attached.keys()].reverse()) await this.stopAttached(name);
    // The apiserver first: stopping etcd under a live apiserver makes it log errors and retry.
    if (this.children.kubeApiserver) await terminate(this.children.kubeApiserver, this.stopTimeoutMs);
    if (this.children.etcd) await terminate(this.children.etcd, this.stopTimeoutMs);
  }

  /** Stops the apiserver, then etcd (SIGTERM, SIGKILL after the stop timeout), then removes the work dir unless KTJ_KEEP_CP=1. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.stopChildren();
    this.cleanUpWorkDir();
    untrack(this);
  }

  /** Synchronous emergency stop for signal handlers: SIGKILLs both children and removes the work dir. */
  stopNow(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const child of this.attached.values()) killNow(child.pid);
    killNow(this.children.kubeApiserver?.pid);
    killNow(this.children.etcd?.pid);
    this.cleanUpWorkDir();
  }

  private cleanUpWorkDir(): void {
    if (process.env.KTJ_KEEP_CP === '1') {
      writeFileSync(path.join(this.state.workDir, KEPT_MARKER), 'kept because KTJ_KEEP_CP=1\n');
      return;
    }
    if (existsSync(this.state.workDir)) rmSync(this.state.workDir, { recursive: true, force: true });
  }

  /** Resolves when both children have exited (used by tests of the harness itself). */
  async exited(timeoutMs: number): Promise<boolean> {
    const all = [this.children.kubeApiserver, this.children.etcd].filter((c): c is ChildProcess => !!c);
    const results = await Promise.all(all.map((c) => waitForExit(c, timeoutMs)));
    return results.every(Boolean);
  }
}
