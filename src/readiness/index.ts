// `readiness` end to end: collect facts (collect.ts, inventory.ts), decide (evaluate.ts), report (types.ts).
// Independent reads run concurrently; everything shares the cluster's rate limiter.
import { discoverTrainer, isForbidden, type Cluster, type TrainerDiscovery } from '../cluster/index.js';
import type { RuntimeChoice } from '../convert/index.js';
import { getTarget, newestTarget } from '../convert/targets/index.js';
import type { Target } from '../convert/targets/types.js';
import { canILine, checkRuntimeUsage, findDeployment, guard, kueueServed, migrationPermissions, MIGRATION_PERMISSIONS, readBindings, readCrd, readKueue, readPermissions, readRuntimes, readWebhooks } from './collect.js';
import { evaluateBindings, evaluateCrd, evaluateDeployment, evaluateInventory, evaluateKueue, evaluatePermissions, evaluateProducers, evaluateRuntimes, evaluateRuntimeUsage, evaluateWebhooks } from './evaluate.js';
import { isDenied, type CrdFact, type Denied, type DeploymentSearch, type InventoryFact } from './facts.js';
import { InventoryCounter, scanJobs } from './inventory.js';
import { evaluateKueueIntegrations, readKueueIntegrations } from './kueue.js';
import { crdName, discoverServedKinds, kindRef, V1_JOB_KINDS, type V1JobKind } from '../live/kinds.js';
import { fail, notPermitted, pass, skippedBecause, sortChecks, summarize, type CheckId, type CheckResult, type ReadinessReport } from './types.js';

export * from './types.js';
export type * from './facts.js';
export { renderReadinessTable, renderReadiness, type ReadinessFormat } from './render.js';

/** What to check and how hard to push the API server. */
export interface ReadinessOptions {
  allNamespaces: boolean;
  /** The namespace in scope without -A (the -n value or the context's namespace). */
  namespace: string;
  /** The runtime converted jobs reference (convert's --runtime/--runtime-kind). */
  runtime: RuntimeChoice;
  /** A fixed dry-conversion target; undefined means the detected Trainer schema, else the newest. */
  target?: Target;
  /** SelfSubjectAccessReviews and lookups in flight at once. */
  concurrency: number;
  /** Progress lines for stderr. */
  progress?: (line: string) => void;
  /** Called between pages of the inventory so garbage does not pile up (Deps.relieveMemory). */
  relieveMemory?: () => void;
}

const present = (c: CrdFact | Denied) => !isDenied(c) && c.present;

/** Runs every readiness check against the cluster and returns the report; throws only when the API server cannot be reached at all. */
export async function runReadiness(cluster: Cluster, opts: ReadinessOptions): Promise<ReadinessReport> {
  const checks: CheckResult[] = [];
  const progress = opts.progress ?? (() => {});

  // Reachability first: a transport or authentication failure here is an error (exit 1), not a check result.
  let kubernetesVersion: string | undefined;
  try {
    kubernetesVersion = (await cluster.serverVersion()).gitVersion;
    checks.push(pass('cluster.apiserver.reachable', `${cluster.target.server} answers, Kubernetes ${kubernetesVersion}`, { server: cluster.target.server, version: kubernetesVersion }));
  } catch (e) {
    if (!isForbidden(e)) throw e;
    checks.push(notPermitted('cluster.apiserver.reachable', canILine(e)));
  }
  const who = await guard(() => cluster.selfSubjectReview()).catch(() => undefined);
  const user = who && !isDenied(who) ? who.username : undefined;

  progress('checking CRDs');
  const [pytorch, trainjobs, trainingruntimes, ctrs, jobsets, legacy] = await Promise.all([
    readCrd(cluster, 'pytorchjobs.kubeflow.org', 'kubeflow.org', 'v1', 'pytorchjobs'),
    readCrd(cluster, 'trainjobs.trainer.kubeflow.org', 'trainer.kubeflow.org', 'v1alpha1', 'trainjobs'),
    readCrd(cluster, 'trainingruntimes.trainer.kubeflow.org', 'trainer.kubeflow.org', 'v1alpha1', 'trainingruntimes'),
    readCrd(cluster, 'clustertrainingruntimes.trainer.kubeflow.org', 'trainer.kubeflow.org', 'v1alpha1', 'clustertrainingruntimes'),
    readCrd(cluster, 'jobsets.jobset.x-k8s.io', 'jobset.x-k8s.io', 'v1alpha2', 'jobsets'),
    readCrd(cluster, 'trainjobs.kubeflow.org', 'kubeflow.org', 'v2alpha1', 'trainjobs'),
  ]);
  // Every Training Operator v1 kind counts: a cluster may run MPIJobs and no PyTorchJob at all.
  const servedKinds = await guard(() => discoverServedKinds(cluster));
  const pytorchServed = present(pytorch);
  const otherServed = isDenied(servedKinds) ? [] : servedKinds.filter((k) => k.kind.kind !== 'PyTorchJob').map((k) => k.kind.kind);
  const v1 = pytorchServed || otherServed.length > 0;
  const v2 = present(trainjobs);
  const installTrainer = 'Install Trainer v2 (CRDs, controller and runtimes): kubectl apply --server-side -k "github.com/kubeflow/trainer.git/manifests/overlays/manager?ref=v2.3.0"; on RHOAI set the DataScienceCluster component trainer to Managed.';
  checks.push(
    !pytorchServed && otherServed.length > 0 && !isDenied(pytorch)
      ? pass('v1.crd.pytorchjobs', `${pytorch.name} is not installed; other v1 kinds are: ${otherServed.join(', ')}`)
      : evaluateCrd('v1.crd.pytorchjobs', pytorch, 'warn', 'There is nothing to migrate without a Training Operator v1 job CRD (pytorchjobs, mpijobs, xgboostjobs, jaxjobs, tfjobs, paddlejobs .kubeflow.org); check the context (--context).'),
  );
  checks.push(evaluateCrd('v2.crd.trainjobs', trainjobs, 'fail', installTrainer));
  checks.push(evaluateCrd('v2.crd.trainingruntimes', trainingruntimes, 'fail', installTrainer));
  checks.push(evaluateCrd('v2.crd.clustertrainingruntimes', ctrs, 'fail', installTrainer));
  checks.push(evaluateCrd('v2.crd.jobsets', jobsets, 'fail', 'Install JobSet (Trainer v2 runs every TrainJob as a JobSet); on OpenShift install the Job Set Operator.'));
  checks.push(evaluateCrd('v2.crd.legacy-trainjobs', legacy, 'pass', 'Delete the pre-release CRD (kubectl delete crd trainjobs.kubeflow.org) once no object of it is left, or always spell the kind out: kubectl get trainjobs.trainer.kubeflow.org.'));

  let discovery: TrainerDiscovery | undefined;
  if (v2) {
    const found = await guard(() => discoverTrainer(cluster));
    if (isDenied(found)) checks.push(notPermitted('v2.schema.version', found.denied));
    else discovery = found;
    if (discovery) checks.push(
      discovery.schema
        ? pass('v2.schema.version', `TrainJob schema ${discovery.schema}${discovery.reportedVersion ? ` (Trainer reports ${discovery.reportedVersion} in ${discovery.reportedNamespace}/kubeflow-trainer-public)` : ''}`, { schema: discovery.schema, evidence: discovery.evidence, ...(discovery.reportedVersion ? { reportedVersion: discovery.reportedVersion } : {}) })
        : fail('v2.schema.version', `cannot tell the TrainJob schema: ${discovery.evidence.join('; ')}`, 'Reinstall the Trainer CRDs of one release (v2.0-v2.3).', { evidence: discovery.evidence }),
    );
  } else checks.push(skippedBecause('v2.schema.version', 'Trainer v2 (trainjobs.trainer.kubeflow.org) is not installed'));
  const target = opts.target ?? (discovery?.schema ? getTarget(discovery.schema) : newestTarget());

  progress('checking webhooks, controllers and RBAC');
  const webhooks = await readWebhooks(cluster);
  const [v1Dep, v2Dep] = await Promise.all([
    v1 ? findDeployment(cluster, 'v1', webhooks) : undefined,
    v2 ? findDeployment(cluster, 'v2', webhooks) : undefined,
  ]);
  const jsDep = present(jobsets) ? await findDeployment(cluster, 'jobset', webhooks, v2Dep?.found ? [v2Dep.found.namespace] : []) : undefined;
  checks.push(v1Dep ? evaluateDeployment('v1.operator.deployment', 'v1', v1Dep) : skippedBecause('v1.operator.deployment', 'no Training Operator v1 job CRD is installed'));
  checks.push(v2Dep ? evaluateDeployment('v2.operator.deployment', 'v2', v2Dep) : skippedBecause('v2.operator.deployment', 'Trainer v2 is not installed'));
  checks.push(jsDep ? evaluateDeployment('v2.jobset.deployment', 'jobset', jsDep) : skippedBecause('v2.jobset.deployment', 'the JobSet CRD is not installed'));
  checks.push(evaluateWebhooks('webhooks.v1.service', 'v1', webhooks, v1));
  checks.push(evaluateWebhooks('webhooks.v2.service', 'v2', webhooks, v2));
  checks.push(evaluateWebhooks('webhooks.jobset.service', 'jobset', webhooks, present(jobsets)));

  const sa = (d: DeploymentSearch | undefined) => d?.found?.serviceAccount;
  const bindings = await readBindings(cluster, { ...(sa(v1Dep) ? { v1: sa(v1Dep)! } : {}), ...(sa(v2Dep) ? { v2: sa(v2Dep)! } : {}) });
  const none: DeploymentSearch = { searched: [], denied: [] };
  checks.push(evaluateBindings('rbac.v1.serviceaccounts', 'v1', isDenied(bindings) ? bindings : bindings.v1, v1Dep ?? none, v1 && Boolean(v1Dep?.found)));
  checks.push(evaluateBindings('rbac.v2.serviceaccounts', 'v2', isDenied(bindings) ? bindings : bindings.v2, v2Dep ?? none, v2));

  const runtimes = present(ctrs) ? await readRuntimes(cluster) : [];
  checks.push(evaluateRuntimes(runtimes, present(ctrs)));

  // Inventory: stream the jobs of every served v1 kind once (one counter per kind, one shared runtime and
  // queue tally) and derive the per-job runtime, Kueue and namespace scope from the counters.
  const shared = new InventoryCounter(target, opts.runtime);
  const facts: InventoryFact[] = [];
  let listed = 0;
  let unlisted = 0;
  /** Kinds with jobs in scope: the migrate permissions are asked for these. */
  const kindsWithJobs: V1JobKind[] = [];
  for (const k of V1_JOB_KINDS) {
    const id = `inventory.${k.plural}` as CheckId;
    // Without discovery (denied), PyTorchJobs still go by their CRD check, as before other kinds were read.
    const ref = isDenied(servedKinds) ? (k.kind === 'PyTorchJob' && pytorchServed ? kindRef(k) : undefined) : servedKinds.find((x) => x.kind.kind === k.kind)?.ref;
    if (!ref) {
      checks.push(evaluateInventory(undefined, `the ${k.kind} CRD (${crdName(k)}) is not installed`, k.kind, id));
      continue;
    }
    progress(`listing ${k.kind}s ${opts.allNamespaces ? 'in all namespaces' : `in ${opts.namespace}`} (dry conversion to ${target.version})`);
    const c = new InventoryCounter(target, opts.runtime, shared);
    const scanned = await guard(() => scanJobs(cluster, ref, opts, c, (n) => {
      progress(`  ${n} ${k.kind}s`);
      opts.relieveMemory?.();
    }));
    if (isDenied(scanned)) unlisted++;
    else {
      listed++;
      facts.push(c.fact);
      if (c.fact.total > 0) kindsWithJobs.push(k);
    }
    checks.push(evaluateInventory(isDenied(scanned) ? scanned : c.fact, undefined, k.kind, id));
  }
  // Producers over every kind that could be listed (one shared tally).
  const producers = listed > 0 ? shared.producers() : undefined;
  checks.push(evaluateProducers(producers, listed + unlisted === 0 ? 'no Training Operator v1 job CRD is installed' : 'v1 jobs could not be listed (see the inventory.* checks)'));

  // Runtime usage, permissions and Kueue are judged over the kinds that could be listed; a kind that could
  // not be listed says so in its own inventory check (not permitted: advisory).
  const invOk = listed > 0;
  const noInv = unlisted === 0 ? 'no Training Operator v1 job CRD is installed' : 'v1 jobs could not be listed (see the inventory.* checks)';
  const refused = facts.reduce((n, f) => n + f.conversion.refused, 0);
  if (invOk && v2) {
    const usage = shared.runtimeUsage();
    await checkRuntimeUsage(cluster, usage, runtimes, opts.concurrency);
    checks.push(evaluateRuntimeUsage(usage, undefined, refused));
  } else checks.push(evaluateRuntimeUsage(undefined, v2 ? noInv : 'Trainer v2 is not installed', 0));

  // Namespaces in scope for permissions: -n's one, or with -A every namespace that holds PyTorchJobs.
  const namespaces = opts.allNamespaces ? (invOk ? [...new Set(facts.flatMap((f) => Object.keys(f.namespaces)))].sort() : []) : [opts.namespace];
  progress(`checking your permissions${namespaces.length > 1 ? ` in ${namespaces.length} namespaces` : ''}`);
  // Per kind present (PyTorchJob when none is): list/get/delete of each kind's resource, then the TrainJob writes.
  const permissions = kindsWithJobs.length ? migrationPermissions(kindsWithJobs) : MIGRATION_PERMISSIONS;
  checks.push(evaluatePermissions(await readPermissions(cluster, namespaces, opts.allNamespaces, opts.concurrency, permissions)));

  const kueue = invOk ? await readKueue(cluster, shared.queues, discovery?.schema, opts.concurrency) : undefined;
  checks.push(kueue ? evaluateKueue(kueue) : evaluateKueue(undefined, noInv));
  progress('checking Kueue\'s v1 job integrations');
  // readKueue looks Kueue up only when jobs carry queue names; otherwise ask discovery here.
  const kueueInstalled = kueue && Object.keys(kueue.queues).length > 0 ? kueue.installed : await kueueServed(cluster);
  checks.push(evaluateKueueIntegrations(kueueInstalled === false ? undefined : await readKueueIntegrations(cluster), kueueInstalled));

  const sorted = sortChecks(checks);
  return {
    apiVersion: 'kubectl-trainjob.io/v1alpha1',
    kind: 'ReadinessReport',
    cluster: {
      server: cluster.target.server,
      ...(cluster.target.contextName ? { context: cluster.target.contextName } : {}),
      ...(user ? { user } : {}),
      ...(kubernetesVersion ? { kubernetesVersion } : {}),
      ...(discovery?.schema ? { trainerSchema: discovery.schema } : {}),
      ...(discovery?.reportedVersion ? { trainerVersion: discovery.reportedVersion } : {}),
    },
    scope: opts.allNamespaces ? { allNamespaces: true } : { allNamespaces: false, namespace: opts.namespace },
    target: target.version,
    summary: summarize(sorted),
    checks: sorted,
    ...(producers ? { producers } : {}),
  };
}
