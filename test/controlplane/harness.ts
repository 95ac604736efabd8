// What integration tests import: access to the run's control plane (started by global-setup.ts),
// per-file namespaces, extra users, object application and Trainer version switching.
//
// Isolation rules (docs/testing.md): one fresh namespace per test file; prefix cluster-scoped
// objects with that namespace's name and delete them yourself; never wait for namespace deletion
// (no namespace controller runs); wrap tests that depend on a Trainer version in withTrainerVersion.
import { KubeConfig } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CertFiles, mintClientCert } from './certs.js';
import { AUDIT_LOG, AUDITED_GROUP, ControlPlane } from './control-plane.js';
import { HarnessEnv } from './env.js';
import { KubeClient } from './kube-client.js';
import { writeKubeconfig } from './kubeconfig.js';
import { parseYamlObjects, serverSideApply, type KubeObject } from './objects.js';
import {
  DEFAULT_TRAINER_VERSION, installBaseCrds, servedTrainJobSchema, switchTrainerVersion, withTrainerLease, type TrainerVersion,
} from './trainer.js';

export { KubeApiError, KubeClient } from './kube-client.js';
export type { KubeResponse } from './kube-client.js';
export type { KubeObject } from './objects.js';
export type { TrainerVersion } from './trainer.js';
export { DEFAULT_TRAINER_VERSION };

function requiredEnv(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run integration tests through Jest's "integration" project (its globalSetup starts the control plane)`);
  return v;
}

/** Path of the admin kubeconfig (CN=admin, O=system:masters) of this run's control plane. */
export function adminKubeconfigPath(): string {
  return requiredEnv(HarnessEnv.kubeconfig);
}

/** A @kubernetes/client-node KubeConfig loaded from the admin kubeconfig. */
export function adminKubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(adminKubeconfigPath());
  return kc;
}

let adminClientPromise: Promise<KubeClient> | undefined;

/** A shared raw HTTPS client authenticated as admin (see KubeClient for request/ok). */
export function adminClient(): Promise<KubeClient> {
  adminClientPromise ??= KubeClient.fromKubeconfig(adminKubeconfigPath());
  return adminClientPromise;
}

/** A raw HTTPS client for any kubeconfig file, e.g. one from userKubeconfig. */
export function clientFor(kubeconfigPath: string): Promise<KubeClient> {
  return KubeClient.fromKubeconfig(kubeconfigPath);
}

/** Base URL of the apiserver the tests talk to. */
export function apiserverUrl(): string {
  const server = adminKubeConfig().getCurrentCluster()?.server;
  if (!server) throw new Error(`${adminKubeconfigPath()}: no current cluster`);
  return server;
}

/** Work dir of this run's control plane (certs, logs, state.json); throws when using an existing cluster. */
export function controlPlaneWorkDir(): string {
  const dir = process.env[HarnessEnv.workDir];
  if (!dir) {
    throw new Error(`${HarnessEnv.workDir} is not set: with USE_EXISTING_CLUSTER there is no local control plane (and no client CA to mint users with)`);
  }
  return dir;
}

/** Whether userKubeconfig works: true for the local plane, false with USE_EXISTING_CLUSTER (no client CA key). */
export function canMintUsers(): boolean {
  return Boolean(process.env[HarnessEnv.workDir]);
}

/** Creates a fresh, uniquely named namespace (`<prefix>-<worker>-<random>`) for one test file and returns its name. */
export async function testNamespace(prefix = 'ktj'): Promise<string> {
  const clean = prefix.toLowerCase().replace(/[^a-z0-9-]/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'ktj';
  const name = `${clean}-${process.env.JEST_WORKER_ID ?? '0'}-${randomBytes(3).toString('hex')}`;
  const client = await adminClient();
  // Never deleted: no namespace controller runs, and etcd is thrown away after the run.
  await client.ok('POST', '/api/v1/namespaces', {
    body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'test.kubectl-trainjob.dev/test-namespace': 'true' } } },
  });
  return name;
}

/** Options for userKubeconfig. */
export interface UserKubeconfigOptions {
  /** Names of the kubeconfig's cluster, user and context entries (default `envtest`). */
  clusterName?: string;
  userName?: string;
  contextName?: string;
  /** Default namespace of the context. */
  namespace?: string;
  /** Where to write the file (default: a unique file in the plane's work dir). */
  file?: string;
}

/**
 * Mints a client certificate (CN=name, O=each group) signed by the plane's client CA and writes a
 * kubeconfig for it; returns the kubeconfig path. Works in any Jest worker (openssl on work-dir files).
 */
export function userKubeconfig(name: string, groups: readonly string[] = [], opts: UserKubeconfigOptions = {}): string {
  const workDir = controlPlaneWorkDir();
  const certDir = path.join(workDir, 'certs');
  const cert = mintClientCert(certDir, name, groups);
  const dir = path.join(workDir, 'kubeconfigs');
  mkdirSync(dir, { recursive: true });
  const safe = name.replace(/[^A-Za-z0-9_.-]/g, '_');
  const file = opts.file ?? path.join(dir, `${safe}-${process.pid}-${randomBytes(3).toString('hex')}.kubeconfig`);
  writeKubeconfig(file, {
    server: apiserverUrl(),
    caPem: readFileSync(path.join(certDir, CertFiles.servingCa), 'utf8'),
    ...cert,
    clusterName: opts.clusterName,
    userName: opts.userName,
    contextName: opts.contextName,
    namespace: opts.namespace,
  });
  return file;
}

/** One request as the plane's audit log recorded it (audit.k8s.io/v1 Event, the fields tests read). */
export interface AuditEvent {
  verb: string;
  requestURI: string;
  userAgent?: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
}

/**
 * Mints a kubeconfig for a user whose every request the plane's audit log records (cluster-admin rights through
 * system:masters); read them back with auditEvents(name).
 */
export function auditedUserKubeconfig(name: string): string {
  return userKubeconfig(name, ['system:masters', AUDITED_GROUP]);
}

/** The audit events of one user (see auditedUserKubeconfig), in order. The log is written before each response. */
export function auditEvents(username: string): AuditEvent[] {
  const file = path.join(controlPlaneWorkDir(), AUDIT_LOG);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`"username":${JSON.stringify(username)}`))
    .map((l) => JSON.parse(l) as AuditEvent)
    .filter((e) => e.user.username === username);
}

/** Requests that change stored state: write verbs, except reviews (which store nothing) and server-side dry runs. */
export function persistingWrites(events: readonly AuditEvent[]): AuditEvent[] {
  return events.filter(
    (e) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(e.verb)
      && !/[?&]dryRun=All(&|$)/.test(e.requestURI)
      && !['selfsubjectaccessreviews', 'selfsubjectreviews', 'selfsubjectrulesreviews'].includes(e.objectRef?.resource ?? ''),
  );
}

/** Options for applyObjects. */
export interface ApplyOptions {
  /** Namespace for namespaced objects that carry none. */
  namespace?: string;
  /** Server-side dry-run (dryRun=All): validate and default, store nothing. */
  dryRun?: boolean;
}

/** Server-side applies objects (or multi-document YAML) as admin, in order, and returns what the server stored. */
export async function applyObjects(objs: KubeObject | readonly KubeObject[] | string, opts: ApplyOptions = {}): Promise<KubeObject[]> {
  const list = typeof objs === 'string' ? parseYamlObjects(objs) : Array.isArray(objs) ? objs : [objs as KubeObject];
  const client = await adminClient();
  const applied: KubeObject[] = [];
  for (const obj of list) applied.push(await serverSideApply(client, obj, opts));
  return applied;
}

/**
 * Replaces the three Trainer CRDs with `version`'s and re-applies its torch-distributed runtime,
 * after waiting for test files that hold another version; the version stays until changed again.
 */
export async function installTrainer(version: TrainerVersion): Promise<void> {
  await switchTrainerVersion(await adminClient(), version);
}

/**
 * Runs `fn` with Trainer `version` installed, sharing the cluster with concurrent tests of the same
 * version only; v2.3 is restored when the last holder finishes. Use it for any version-dependent test.
 */
export async function withTrainerVersion<T>(version: TrainerVersion, fn: () => Promise<T>): Promise<T> {
  // A test file holds the default version for its whole run (test/controlplane/hold-default-version.ts);
  // give that up while another version is needed, or the file would wait for itself.
  const held = defaultLease !== undefined && version !== DEFAULT_TRAINER_VERSION;
  if (held) await releaseDefaultTrainerVersion();
  try {
    return await withTrainerLease(await adminClient(), version, fn);
  } finally {
    if (held) await holdDefaultTrainerVersion();
  }
}

let defaultLease: { release: () => void; done: Promise<unknown> } | undefined;

/**
 * Holds a shared lease on the default Trainer version (v2.3) until releaseDefaultTrainerVersion():
 * test files that assume the default install take it in beforeAll, so a concurrent file cannot swap
 * the CRDs to v2.1 under them (it waits until they finish instead).
 */
export async function holdDefaultTrainerVersion(): Promise<void> {
  if (defaultLease) return;
  const client = await adminClient();
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let acquired!: () => void;
  const isAcquired = new Promise<void>((r) => (acquired = r));
  const done = withTrainerLease(client, DEFAULT_TRAINER_VERSION, async () => {
    acquired();
    await released;
  });
  await Promise.race([isAcquired, done]);
  defaultLease = { release, done };
}

/** Gives up the lease taken by holdDefaultTrainerVersion (no-op when none is held). */
export async function releaseDefaultTrainerVersion(): Promise<void> {
  const lease = defaultLease;
  if (!lease) return;
  defaultLease = undefined;
  lease.release();
  await lease.done;
}

/** The Trainer version whose TrainJob schema the apiserver enforces now (detected by a dry-run probe). */
export async function currentTrainerVersion(): Promise<TrainerVersion> {
  return servedTrainJobSchema(await adminClient());
}

/** A second, private control plane (e.g. with tight in-flight limits); stop it in afterAll. */
export interface ExtraControlPlane {
  apiserverUrl: string;
  adminKubeconfig: string;
  workDir: string;
  /** Mints a user kubeconfig for this plane (same contract as userKubeconfig). */
  userKubeconfig(name: string, groups?: readonly string[]): string;
  stop(): Promise<void>;
}

/**
 * Starts another etcd + kube-apiserver owned by this Jest worker, with `apiserverFlags` appended
 * (e.g. `--max-requests-inflight=2`); it costs one plane start (a few seconds), plus CRDs if asked.
 */
export async function startExtraControlPlane(apiserverFlags: readonly string[] = [], opts: { installCrds?: boolean } = {}): Promise<ExtraControlPlane> {
  const plane = await ControlPlane.start({ apiserverFlags, label: 'extra' });
  try {
    if (opts.installCrds) {
      const client = await KubeClient.fromKubeconfig(plane.adminKubeconfig);
      try {
        await installBaseCrds(client);
        await switchTrainerVersion(client, DEFAULT_TRAINER_VERSION);
      } finally {
        client.close();
      }
    }
  } catch (err) {
    await plane.stop();
    throw err;
  }
  return {
    apiserverUrl: plane.apiserverUrl,
    adminKubeconfig: plane.adminKubeconfig,
    workDir: plane.workDir,
    userKubeconfig: (name, groups = []) => {
      const certDir = path.join(plane.workDir, 'certs');
      const file = path.join(plane.workDir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${randomBytes(3).toString('hex')}.kubeconfig`);
      writeKubeconfig(file, {
        server: plane.apiserverUrl,
        caPem: readFileSync(path.join(certDir, CertFiles.servingCa), 'utf8'),
        ...mintClientCert(certDir, name, groups),
      });
      return file;
    },
    stop: () => plane.stop(),
  };
}

/** What a namespace-scoped ValidatingAdmissionPolicy denies: one resource, a CEL expression that must hold, the message. */
export interface DenyPolicy {
  /** Cluster-wide name of the policy and its binding (make it unique per test, e.g. prefix the namespace). */
  name: string;
  namespace: string;
  apiGroup: string;
  resource: string;
  operations: string[];
  /** CEL: the request is denied when this is false. */
  expression: string;
  message: string;
}

/**
 * Installs a ValidatingAdmissionPolicy and its binding, limited to one namespace, and returns the
 * function that removes both (policies are cluster-scoped: always call it, in a finally).
 */
export async function installDenyPolicy(p: DenyPolicy): Promise<() => Promise<void>> {
  await applyObjects([
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name: p.name },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [p.apiGroup], apiVersions: ['*'], operations: p.operations, resources: [p.resource] }] },
        validations: [{ expression: p.expression, message: p.message }],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: p.name },
      spec: { policyName: p.name, validationActions: ['Deny'], matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': p.namespace } } } },
    },
  ]);
  return async () => {
    const client = await adminClient();
    for (const plural of ['validatingadmissionpolicybindings', 'validatingadmissionpolicies']) {
      await client.request('DELETE', `/apis/admissionregistration.k8s.io/v1/${plural}/${p.name}`);
    }
  };
}
