// Server-side dry-run through the REAL Kubeflow Trainer admission webhooks of a given release.
//
//   import { dryRunThroughTrainer } from '../../controlplane/trainer-webhook.js';
//   const [runtime, job] = await dryRunThroughTrainer('v2.3', convertedYamlText);
//   expect(job).toMatchObject({ kind: 'TrainJob', allowed: true });
//
// The first call for a version starts a private control plane for this test file with the Trainer
// CRDs, the Trainer controller-manager of that release (its validating and, from v2.2, mutating
// webhooks served for real) and every stock ClusterTrainingRuntime of the release; it is stopped
// after the file (an afterAll registered when this module is imported). Costs about 10-20 s per
// version per file on 2 shared cores; see docs/testing.md.
import { afterAll } from '@jest/globals';
import { setTimeout as sleep } from 'node:timers/promises';
import { ControllerCluster, type ControllerTrainerVersion } from './controllers.js';
import { objectPath, parseYamlObjects, type KubeObject } from './objects.js';

export type { ControllerTrainerVersion } from './controllers.js';
export { CONTROLLER_TRAINER_VERSIONS } from './controllers.js';

/** What the apiserver (CRD schema, CEL rules and Trainer's webhooks) said about one object. */
export interface DryRunOutcome {
  kind: string;
  name: string;
  /** HTTP status of the create (201 accepted; 4xx rejected by the schema or a webhook). */
  status: number;
  allowed: boolean;
  /** The apiserver's message when rejected, e.g. `admission webhook "validator.trainjob.trainer.kubeflow.org" denied the request: ...`. */
  message?: string;
  /** Whether a Trainer webhook (rather than the CRD schema) produced the rejection. */
  deniedByWebhook: boolean;
  /** Warning headers (e.g. unknown fields dropped with fieldValidation=Warn). */
  warnings: string[];
  /** The object as admission left it (defaults, mutating webhook changes); undefined when rejected. */
  object?: KubeObject;
  /** TrainJobs are dry-run; runtimes are created for real, because the TrainJob webhook looks them up. */
  dryRun: boolean;
}

/** Options for dryRunThroughTrainer. */
export interface DryRunOptions {
  /** Namespace for namespaced objects (default: a fresh one per call). */
  namespace?: string;
  /** `Strict` (default) rejects unknown fields, `Warn` reports them as warnings, `Ignore` prunes silently. */
  fieldValidation?: 'Strict' | 'Warn' | 'Ignore';
}

const clusters = new Map<ControllerTrainerVersion, Promise<ControllerCluster>>();

/**
 * The webhook cluster of `version` for this test file, started on first use: Trainer CRDs and
 * controller with its webhooks, JobSet CRD (no JobSet controller), all stock runtimes of the release.
 */
export function trainerWebhookCluster(version: ControllerTrainerVersion): Promise<ControllerCluster> {
  let c = clusters.get(version);
  if (!c) {
    c = ControllerCluster.start({ trainer: version, jobset: false, runtimes: 'all', label: `webhook-${version}` });
    clusters.set(version, c);
    c.catch(() => clusters.delete(version)); // a failed start is retried by the next call
  }
  return c;
}

/** Stops every webhook cluster this file started (also registered as an afterAll on import). */
export async function stopTrainerWebhookClusters(): Promise<void> {
  const all = [...clusters.values()];
  clusters.clear();
  for (const c of all) await (await c.catch(() => undefined))?.stop();
}

afterAll(stopTrainerWebhookClusters);

const RUNTIME_KINDS = new Set(['TrainingRuntime', 'ClusterTrainingRuntime']);

/**
 * Sends converted objects through Trainer `version`'s admission chain, in order: runtimes
 * (TrainingRuntime, ClusterTrainingRuntime) are created for real so a following TrainJob can
 * reference them; TrainJobs and anything else are created with dryRun=All. Returns one outcome
 * per object; never throws for a rejection (only for transport errors or unknown kinds).
 */
export async function dryRunThroughTrainer(version: ControllerTrainerVersion, objects: string | KubeObject | readonly KubeObject[],
  opts: DryRunOptions = {}): Promise<DryRunOutcome[]> {
  const list = typeof objects === 'string' ? parseYamlObjects(objects) : Array.isArray(objects) ? objects : [objects as KubeObject];
  const cluster = await trainerWebhookCluster(version);
  const client = await cluster.client();
  const namespace = opts.namespace ?? await cluster.namespace(`dry-run-${version.replace('.', '')}`);
  const outcomes: DryRunOutcome[] = [];
  const createdRuntimes = new Set<string>();
  for (const original of list) {
    const obj: KubeObject = structuredClone(original);
    const real = RUNTIME_KINDS.has(obj.kind);
    if (obj.kind !== 'ClusterTrainingRuntime') obj.metadata = { ...obj.metadata, namespace };
    const itemPath = await objectPath(client, obj);
    const collection = itemPath.slice(0, itemPath.lastIndexOf('/'));
    if (real) await client.request('DELETE', itemPath); // a ClusterTrainingRuntime left by an earlier call
    const send = (): ReturnType<typeof client.request> => client.request('POST', collection, {
      body: obj,
      query: { dryRun: real ? undefined : 'All', fieldValidation: opts.fieldValidation ?? 'Strict' },
    });
    let res = await send();
    // Trainer's webhook reads runtimes from its informer cache: a runtime created a moment ago may
    // not be there yet. Retry (briefly) only a TrainJob that names a runtime created by this call.
    const ref = (obj.spec as { runtimeRef?: { name?: string } } | undefined)?.runtimeRef?.name;
    for (let i = 0; obj.kind === 'TrainJob' && ref && createdRuntimes.has(ref) && res.status >= 400 && i < 50; i++) {
      if (!/must be created|not ?found/i.test(String((res.body as { message?: string } | undefined)?.message ?? res.text))) break;
      await sleep(200);
      res = await send();
    }
    if (real && res.status < 300 && obj.metadata.name) createdRuntimes.add(obj.metadata.name);
    const warningHeader = res.headers.warning;
    const warnings = (Array.isArray(warningHeader) ? warningHeader : warningHeader ? [warningHeader] : [])
      .flatMap((w) => w.split(/,(?=\s*\d{3} )/)).map((w) => w.trim().replace(/^\d{3} \S+ "(.*)"$/, '$1'));
    const allowed = res.status >= 200 && res.status < 300;
    const message = allowed ? undefined : String((res.body as { message?: string } | undefined)?.message ?? res.text);
    outcomes.push({
      kind: obj.kind,
      name: obj.metadata.name ?? '',
      status: res.status,
      allowed,
      message,
      deniedByWebhook: !allowed && /admission webhook "[^"]*trainer\.kubeflow\.org" denied/.test(message ?? ''),
      warnings,
      object: allowed ? (res.body as KubeObject) : undefined,
      dryRun: !real,
    });
  }
  return outcomes;
}
