// Installing the project's CRDs (from upstream/) into the test control plane, and switching the
// cluster-scoped Trainer CRDs between Trainer versions safely while two Jest workers run.
//
// Concurrency design. The three Trainer CRDs are cluster-scoped, so a test file that switches to
// v2.1 changes what every other test sees. Tests that depend on a version therefore run inside
// `withTrainerVersion(v, fn)`, which holds a cross-process *shared* lease on version v: any number of
// holders may share one version; a different version waits until they are all gone. When the last
// holder leaves, the default (v2.3) is put back, so tests that take no lease still normally see
// v2.3. The lease table is a JSON file guarded by a mkdir-mutex in the plane's work dir; holders are
// recorded with pid + kernel start time, so a crashed worker's lease is dropped automatically.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KubeClient } from './kube-client.js';
import { createOrReplace, pollUntil, readYamlObjects, serverSideApply, waitForCrd, type KubeObject } from './objects.js';
import { REPO_ROOT } from './paths.js';
import { isAlive, selfIdentity, type ProcessIdentity } from './processes.js';

/** Trainer versions whose CRDs the harness can install. */
export type TrainerVersion = 'v2.0' | 'v2.1' | 'v2.2' | 'v2.3';

/** The Trainer version installed at start and restored after every switch. */
export const DEFAULT_TRAINER_VERSION: TrainerVersion = 'v2.3';

/** upstream/ directory of each Trainer version (the newest patch release the project keeps). */
export const TRAINER_DIRS: Record<TrainerVersion, string> = {
  'v2.0': 'trainer-v2.0.0',
  'v2.1': 'trainer-v2.1.0',
  'v2.2': 'trainer-v2.2.1',
  'v2.3': 'trainer-v2.3.0',
};

/** Annotation the harness puts on the Trainer CRDs it installs, so any process can read the current version. */
export const TRAINER_VERSION_ANNOTATION = 'test.kubectl-trainjob.dev/trainer-version';

const UPSTREAM = path.join(REPO_ROOT, 'upstream');

/** The v1 kinds whose Training Operator v1.9.2 CRDs every plane serves, as a real Training Operator install does. */
export const V1_CRD_PLURALS = ['pytorchjobs', 'mpijobs', 'xgboostjobs', 'jaxjobs', 'tfjobs', 'paddlejobs'] as const;

/** Files of the CRDs that stay fixed for the whole run: every v1 kind (training-operator v1.9.2) and JobSet v0.12.0. */
export const BASE_CRD_FILES = [
  ...V1_CRD_PLURALS.map((p) => path.join(UPSTREAM, `training-operator-v1.9.2/crds/kubeflow.org_${p}.yaml`)),
  path.join(UPSTREAM, 'trainer-v2.3.0/jobset-v0.12.0/crds/jobset.x-k8s.io_jobsets.yaml'),
];

// TrainJob last: CRD update events reach the apiserver's CRD handler in order, so once the TrainJob
// probe sees the new schema the two runtime CRDs' schemas are live too.
const TRAINER_CRD_FILES = [
  'trainer.kubeflow.org_trainingruntimes.yaml',
  'trainer.kubeflow.org_clustertrainingruntimes.yaml',
  'trainer.kubeflow.org_trainjobs.yaml',
];

/** Parses 'v2.1', '2.1', 'v2.1.0' into a TrainerVersion, or throws listing the valid ones. */
export function parseTrainerVersion(v: string): TrainerVersion {
  const m = /^v?(2\.[0-3])(\.\d+)?$/.exec(v.trim());
  if (!m) throw new Error(`unknown Trainer version "${v}"; expected one of ${Object.keys(TRAINER_DIRS).join(', ')}`);
  return `v${m[1]}` as TrainerVersion;
}

/** Installs the fixed CRDs (every v1 kind, JobSet) and waits for them. */
export async function installBaseCrds(client: KubeClient): Promise<void> {
  const crds = BASE_CRD_FILES.flatMap(readYamlObjects);
  for (const crd of crds) await createOrReplace(client, crd);
  for (const crd of crds) await waitForCrd(client, crd);
}

/**
 * A dry-run TrainJob carrying each version's signature field; pruning tells which schema is live:
 * v2.0 keeps podSpecOverrides, v2.1 podTemplateOverrides, v2.2+ runtimePatches, and only v2.3 keeps
 * runtimePatches[].…terminationGracePeriodSeconds.
 */
const VERSION_PROBE: KubeObject = {
  apiVersion: 'trainer.kubeflow.org/v1alpha1',
  kind: 'TrainJob',
  metadata: { name: 'ktj-trainer-version-probe', namespace: 'default' },
  spec: {
    runtimeRef: { name: 'torch-distributed' },
    podSpecOverrides: [{ targetJobs: [{ name: 'node' }] }],
    podTemplateOverrides: [{ targetJobs: [{ name: 'node' }] }],
    runtimePatches: [{
      manager: 'test.kubectl-trainjob.dev/probe',
      trainingRuntimeSpec: { template: { spec: { replicatedJobs: [{ name: 'node', template: { spec: { template: { spec: { terminationGracePeriodSeconds: 1 } } } } }] } } },
    }],
  },
};

/** Which Trainer TrainJob schema the apiserver is enforcing right now (by dry-run pruning, not by labels). */
export async function servedTrainJobSchema(client: KubeClient): Promise<TrainerVersion> {
  const out = await client.ok<{ spec: Record<string, any> }>('POST', '/apis/trainer.kubeflow.org/v1alpha1/namespaces/default/trainjobs', {
    body: VERSION_PROBE, query: { dryRun: 'All' },
  });
  const spec = out.spec;
  if (spec.runtimePatches?.[0]?.trainingRuntimeSpec?.template?.spec?.replicatedJobs?.[0]?.template?.spec?.template?.spec?.terminationGracePeriodSeconds !== undefined) return 'v2.3';
  if (spec.runtimePatches) return 'v2.2';
  if (spec.podTemplateOverrides) return 'v2.1';
  if (spec.podSpecOverrides) return 'v2.0';
  throw new Error(`cannot tell the Trainer version from the probe: ${JSON.stringify(spec)}`);
}

/** Replaces the three Trainer CRDs with `version`'s, waits until the new schema is enforced, and re-applies its torch-distributed runtime. Takes no lease. */
export async function installTrainerCrds(client: KubeClient, version: TrainerVersion): Promise<void> {
  const dir = path.join(UPSTREAM, TRAINER_DIRS[version]);
  const crds = TRAINER_CRD_FILES.flatMap((f) => readYamlObjects(path.join(dir, 'crds', f)));
  for (const crd of crds) {
    crd.metadata.annotations = { ...(crd.metadata.annotations as object | undefined), [TRAINER_VERSION_ANNOTATION]: version };
    await createOrReplace(client, crd);
  }
  for (const crd of crds) await waitForCrd(client, crd);
  await pollUntil(`the ${version} TrainJob schema to be served`, 30_000,
    async () => ((await servedTrainJobSchema(client)) === version ? true : undefined));
  for (const runtime of readYamlObjects(path.join(dir, 'runtimes/torch_distributed.yaml'))) await serverSideApply(client, runtime);
}

/** The Trainer version whose CRDs are installed, from the harness annotation (undefined if none or foreign). */
export async function installedTrainerVersion(client: KubeClient): Promise<TrainerVersion | undefined> {
  const res = await client.request<KubeObject>('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/trainjobs.trainer.kubeflow.org');
  if (res.status !== 200) return undefined;
  const v = (res.body.metadata.annotations as Record<string, string> | undefined)?.[TRAINER_VERSION_ANNOTATION];
  return v ? parseTrainerVersion(v) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Cross-process lease (see the file comment).

interface Holder extends ProcessIdentity {
  token: string;
  version: TrainerVersion;
}

interface LeaseTable {
  installed?: TrainerVersion;
  holders: Holder[];
  /** Processes waiting for a version, first come first served (so a file that needs another version is not starved by files that keep taking the default). */
  waiters?: Holder[];
}

/** Directory holding one apiserver's lease table: under the run's work dir, or in the temp dir for existing clusters. */
function leaseDir(server: string): string {
  const key = `trainer-lease-${Buffer.from(server).toString('base64url')}`;
  const dir = path.join(process.env.KTJ_CP_WORKDIR ?? os.tmpdir(), key);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function withMutex<T>(dir: string, fn: () => Promise<T>): Promise<T> {
  const mutex = path.join(dir, 'trainer-version.mutex');
  const deadline = Date.now() + 5 * 60_000;
  for (;;) {
    try {
      mkdirSync(mutex); // atomic: exactly one process creates it
      writeFileSync(path.join(mutex, 'owner.json'), JSON.stringify(selfIdentity()));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner: ProcessIdentity | undefined;
      try { owner = JSON.parse(readFileSync(path.join(mutex, 'owner.json'), 'utf8')) as ProcessIdentity; } catch { /* being written */ }
      // A dead owner (crashed worker) cannot unlock; break its lock. (Two processes breaking the same
      // dead lock at the same instant could both enter; a crash inside an install is rare enough.)
      if (owner && !isAlive(owner)) rmSync(mutex, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${mutex}`);
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    rmSync(mutex, { recursive: true, force: true });
  }
}

function readTable(dir: string): LeaseTable {
  try {
    const t = JSON.parse(readFileSync(path.join(dir, 'trainer-version.json'), 'utf8')) as LeaseTable;
    return { installed: t.installed, holders: t.holders.filter(isAlive), waiters: (t.waiters ?? []).filter(isAlive) };
  } catch {
    return { holders: [] };
  }
}

function writeTable(dir: string, table: LeaseTable): void {
  writeFileSync(path.join(dir, 'trainer-version.json'), JSON.stringify(table, null, 2));
}

/** Waits until no live holder needs another version, then (under the mutex) installs `version` if needed and calls `then`. */
async function whenVersionFree<T>(client: KubeClient, version: TrainerVersion, timeoutMs: number,
  then: (table: LeaseTable) => T): Promise<T> {
  const dir = leaseDir(client.endpoint.server);
  const deadline = Date.now() + timeoutMs;
  const me: Holder = { ...selfIdentity(), token: randomBytes(8).toString('hex'), version };
  await withMutex(dir, async () => {
    const table = readTable(dir);
    table.waiters = [...(table.waiters ?? []), me];
    writeTable(dir, table);
  });
  for (;;) {
    const result = await withMutex(dir, async () => {
      const table = readTable(dir);
      const waiters = table.waiters ?? [];
      const ahead = waiters.slice(0, Math.max(0, waiters.findIndex((w) => w.token === me.token)));
      // A process that already holds `version` joins at once (a shared lease is re-entrant): queueing it
      // behind a waiter for another version would deadlock, since that waiter waits for this very holder.
      const reentrant = table.holders.some((h) => h.pid === me.pid && h.startTime === me.startTime && h.version === version);
      if (table.holders.some((h) => h.version !== version) || (!reentrant && ahead.some((w) => w.version !== version))) return undefined;
      table.waiters = waiters.filter((w) => w.token !== me.token);
      // The CRD annotation is the truth; the table's copy is only for humans reading the file.
      table.installed = await installedTrainerVersion(client);
      if (table.installed !== version) {
        await installTrainerCrds(client, version);
        table.installed = version;
      }
      const value = then(table);
      writeTable(dir, table);
      return { value };
    });
    if (result) return result.value;
    if (Date.now() > deadline) {
      await withMutex(dir, async () => {
        const table = readTable(dir);
        table.waiters = (table.waiters ?? []).filter((w) => w.token !== me.token);
        writeTable(dir, table);
      });
      throw new Error(`waited ${timeoutMs} ms for other test files to finish with Trainer ${readTable(dir).holders.map((h) => h.version).join(', ')}`);
    }
    await sleep(250);
  }
}

/** Installs `version` (waiting for tests that hold another version to finish) and leaves it installed; prefer withTrainerVersion. */
export async function switchTrainerVersion(client: KubeClient, version: TrainerVersion, timeoutMs = 4 * 60_000): Promise<void> {
  await whenVersionFree(client, version, timeoutMs, () => undefined);
}

/** Runs `fn` while holding a shared lease on Trainer `version`; restores the default when the last holder leaves. */
export async function withTrainerLease<T>(client: KubeClient, version: TrainerVersion, fn: () => Promise<T>, timeoutMs = 4 * 60_000): Promise<T> {
  const token = randomBytes(8).toString('hex');
  await whenVersionFree(client, version, timeoutMs, (table) => {
    table.holders.push({ ...selfIdentity(), token, version });
  });
  try {
    return await fn();
  } finally {
    const dir = leaseDir(client.endpoint.server);
    await withMutex(dir, async () => {
      const table = readTable(dir);
      table.holders = table.holders.filter((h) => h.token !== token);
      table.installed = await installedTrainerVersion(client);
      if (table.holders.length === 0 && table.installed !== DEFAULT_TRAINER_VERSION) {
        await installTrainerCrds(client, DEFAULT_TRAINER_VERSION);
        table.installed = DEFAULT_TRAINER_VERSION;
      }
      writeTable(dir, table);
    });
  }
}
