// `readiness --upgrade`: can Training Operator v1 be removed from this cluster? Answers with blocking and
// advisory items in the vocabulary of the platform's own lint (kubectl-odh lint blocks the Red Hat OpenShift
// AI 3.6 upgrade while the trainingoperator component is enabled or v1 jobs still run): the
// DataScienceCluster's components and conditions, live v1 jobs of every kind by state, the v1 CRDs and
// operator, Kueue's v1 integrations and its version coupling with Trainer, and producers that would
// re-create v1 jobs. Collection reads only; evaluation is pure (evaluateUpgrade).
import { discoverTrainer, Resources, type Cluster, type ResourceRef } from '../cluster/index.js';
import { crdName, kindRef, V1_JOB_KINDS } from '../live/kinds.js';
import { v1JobState } from '../live/state.js';
import { findDeployment, guard, isAbsent, readCrd, readWebhooks } from './collect.js';
import { isDenied, type CrdFact, type Denied, type DeploymentSearch, type ProducerRow } from './facts.js';
import { KUEUE_TRAINJOB_FRAMEWORK, readKueueIntegrations, v1FrameworksIn, type KueueIntegrationsFact } from './kueue.js';
import { ProducerTally } from './producers.js';
import { fail, notPermitted, pass, skippedBecause, sortChecks, summarize, warn, type CheckResult, type ReadinessReport } from './types.js';

/** A condition as operators write them. */
export interface ConditionFact {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

/** The DataScienceCluster (OpenShift AI / Open Data Hub) as far as the upgrade cares. */
export interface DscFact {
  name: string;
  apiVersion: string;
  /** spec.components.<name>.managementState (Managed, Removed, Unmanaged; undefined = not set). */
  trainingOperator?: string;
  trainer?: string;
  conditions: ConditionFact[];
  /** status.release (name and version), when the operator reports it. */
  release?: string;
}

/** Live objects of one kubeflow.org/v1 kind. */
export interface V1KindFact {
  kind: string;
  /** Whether its CRD is served. */
  installed: boolean;
  total: number;
  /** created, running or restarting: still work for the v1 operator. */
  active: number;
  suspended: number;
  finished: number;
  namespaces: number;
  /** The can-i line when they could not be listed. */
  denied?: string;
}

/** Kueue, for the upgrade: its version, and which integrations its configuration enables. */
export interface KueueUpgradeFact {
  installed: boolean;
  /** From the controller image tag, e.g. `0.17.1`. */
  version?: string;
  deployment?: string;
  /** `kubeflow.org/pytorchjob`, ... enabled in kueue-manager-config (undefined when the config was not read). */
  v1Frameworks?: string[];
  trainJobFramework?: boolean;
}

/** Everything the upgrade verdict is decided from. */
export interface UpgradeFacts {
  /** null: no DataScienceCluster API or object (not OpenShift AI / Open Data Hub). */
  dsc: DscFact | Denied | null;
  jobs: V1KindFact[];
  crds: Array<CrdFact | Denied>;
  operator?: DeploymentSearch;
  kueue: KueueUpgradeFact;
  trainerInstalled: boolean;
  trainerSchema?: string;
  /** Producers of the live v1 jobs (every kind). */
  producers: ProducerRow[];
}

/** The v1 kinds Training Operator v1 serves, with their CRD names (the shared list, src/live/kinds.ts; at Training Operator's version v1). */
export const V1_KINDS: ReadonlyArray<{ ref: ResourceRef; crd: string }> = V1_JOB_KINDS.map((k) => ({ ref: kindRef(k), crd: crdName(k) }));

const KUEUE_DEPLOYMENTS: Array<[string, string]> = [
  ['kueue-system', 'kueue-controller-manager'],
  ['openshift-kueue-operator', 'kueue-controller-manager'],
  ['redhat-ods-applications', 'kueue-controller-manager'],
  ['opendatahub', 'kueue-controller-manager'],
];

function conditions(obj: object): ConditionFact[] {
  const raw = (((obj as { status?: unknown }).status as { conditions?: Array<Record<string, unknown>> } | undefined)?.conditions ?? []);
  return raw.map((c) => ({ type: String(c.type ?? ''), status: String(c.status ?? ''), ...(c.reason ? { reason: String(c.reason) } : {}), ...(c.message ? { message: String(c.message) } : {}) }));
}

/** Reads the DataScienceCluster (v2, else v1 API); null when the API or the object does not exist. */
export async function readDsc(cluster: Cluster): Promise<DscFact | Denied | null> {
  for (const version of ['v2', 'v1']) {
    const served = await guard(() => cluster.discoverResource('datasciencecluster.opendatahub.io', version, 'datascienceclusters'));
    if (isDenied(served)) return served;
    if (!served) continue;
    const ref: ResourceRef = { group: 'datasciencecluster.opendatahub.io', version, plural: 'datascienceclusters', kind: 'DataScienceCluster', namespaced: false };
    const all = await guard(() => cluster.listAll(ref));
    if (isDenied(all)) return all;
    const dsc = all[0];
    if (!dsc) return null;
    const comps = ((dsc.spec as { components?: Record<string, { managementState?: string }> } | undefined)?.components ?? {});
    const release = (dsc.status as { release?: { name?: string; version?: string } } | undefined)?.release;
    return {
      name: dsc.metadata?.name ?? '',
      apiVersion: `datasciencecluster.opendatahub.io/${version}`,
      ...(comps.trainingoperator?.managementState ? { trainingOperator: comps.trainingoperator.managementState } : {}),
      ...(comps.trainer?.managementState ? { trainer: comps.trainer.managementState } : {}),
      conditions: conditions(dsc),
      ...(release?.name || release?.version ? { release: [release.name, release.version].filter(Boolean).join(' ') } : {}),
    };
  }
  return null;
}

/** Reads Kueue's controller version and the integrations its manager configuration enables. */
export async function readKueueForUpgrade(cluster: Cluster): Promise<KueueUpgradeFact> {
  const served = await guard(() => cluster.discoverResource('kueue.x-k8s.io', 'v1beta1', 'clusterqueues'));
  const served2 = isDenied(served) || !served ? await guard(() => cluster.discoverResource('kueue.x-k8s.io', 'v1beta2', 'clusterqueues')) : served;
  const fact: KueueUpgradeFact = { installed: !isDenied(served2) && Boolean(served2) };
  if (!fact.installed) return fact;
  for (const [ns, name] of KUEUE_DEPLOYMENTS) {
    const d = await guard(() => cluster.tryGet(Resources.deployments, name, ns));
    if (isDenied(d) || !d) continue;
    fact.deployment = `${ns}/${name}`;
    const images = ((d.spec as { template?: { spec?: { containers?: Array<{ image?: string }> } } } | undefined)?.template?.spec?.containers ?? []).map((c) => c.image ?? '');
    const tag = images.map((i) => /:v?(\d+\.\d+(?:\.\d+)?)/.exec(i)?.[1]).find(Boolean);
    if (tag) fact.version = tag;
    break;
  }
  // The integrations as readiness reads them (kueue.ts): the manager ConfigMap in the usual places, or the OpenShift Kueue CR.
  const integrations = await readKueueIntegrations(cluster);
  if (integrations && !isDenied(integrations)) Object.assign(fact, kueueUpgradeFrameworks(integrations));
  return fact;
}

/**
 * The v1 frameworks and whether TrainJobs are integrated, from Kueue's Configuration; a Configuration that
 * lists no frameworks enables Kueue's defaults, which have no v1 framework from 0.19 on (reported by version).
 */
export function kueueUpgradeFrameworks(integrations: KueueIntegrationsFact): { v1Frameworks: string[]; trainJobFramework: boolean } {
  const frameworks = integrations.frameworks ?? [];
  return { v1Frameworks: v1FrameworksIn(frameworks), trainJobFramework: frameworks.some((f) => f.trim().toLowerCase() === KUEUE_TRAINJOB_FRAMEWORK) };
}

/** Streams every live v1 job of every installed kind (all namespaces), counting states and producers. */
export async function scanV1Jobs(cluster: Cluster, crds: Array<CrdFact | Denied>, onPage?: (seen: number) => void): Promise<{ jobs: V1KindFact[]; producers: ProducerRow[] }> {
  const tally = new ProducerTally();
  const jobs: V1KindFact[] = [];
  let seen = 0;
  for (const [i, { ref }] of V1_KINDS.entries()) {
    const crd = crds[i]!;
    const installed = !isDenied(crd) && crd.present;
    const fact: V1KindFact = { kind: ref.kind, installed, total: 0, active: 0, suspended: 0, finished: 0, namespaces: 0 };
    jobs.push(fact);
    if (!installed && !isDenied(crd)) continue;
    const nss = new Set<string>();
    const listed = await guard(async () => {
      for await (const page of cluster.list(ref, { allNamespaces: true, limit: 500 })) {
        for (const job of page.items) {
          const state = v1JobState(job);
          fact.total++;
          if (state === 'succeeded' || state === 'failed') fact.finished++;
          else if (state === 'suspended') fact.suspended++;
          else fact.active++;
          nss.add(job.metadata?.namespace ?? '');
          tally.add(job, state, ref.kind);
        }
        seen += page.items.length;
        onPage?.(seen);
      }
    }).catch((e: unknown) => {
      // A CRD we could not read, whose kind is not served: nothing to count.
      if (isAbsent(e)) return 'absent' as const;
      throw e;
    });
    if (isDenied(listed)) fact.denied = listed.denied;
    else if (listed === 'absent') fact.installed = false;
    else if (isDenied(crd)) fact.installed = true;
    fact.namespaces = nss.size;
  }
  return { jobs, producers: tally.producers() };
}

/** Collects the upgrade facts (all namespaces: the question is about the whole cluster). */
export async function collectUpgradeFacts(cluster: Cluster, progress: (line: string) => void = () => {}): Promise<UpgradeFacts> {
  progress('reading the DataScienceCluster and the v1 CRDs');
  const dsc = await readDsc(cluster);
  const crds = await Promise.all(V1_KINDS.map(({ ref, crd }) => readCrd(cluster, crd, ref.group, ref.version, ref.plural)));
  const trainjobs = await readCrd(cluster, 'trainjobs.trainer.kubeflow.org', 'trainer.kubeflow.org', 'v1alpha1', 'trainjobs');
  const trainerInstalled = !isDenied(trainjobs) && trainjobs.present;
  const discovery = trainerInstalled ? await guard(() => discoverTrainer(cluster)) : undefined;
  const anyV1 = crds.some((c) => isDenied(c) || c.present);
  const operator = anyV1 ? await findDeployment(cluster, 'v1', await readWebhooks(cluster)) : undefined;
  progress('listing v1 jobs in all namespaces');
  const { jobs, producers } = await scanV1Jobs(cluster, crds, (n) => progress(`  ${n} v1 jobs`));
  progress('checking Kueue');
  const kueue = await readKueueForUpgrade(cluster);
  return {
    dsc,
    jobs,
    crds,
    ...(operator ? { operator } : {}),
    kueue,
    trainerInstalled,
    ...(discovery && !isDenied(discovery) && discovery.schema ? { trainerSchema: discovery.schema } : {}),
    producers,
  };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const listSome = (xs: string[], max = 4) => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`);

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a, b] = v.replace(/^v/, '').split('.').map(Number);
  return (a ?? 0) > major || ((a ?? 0) === major && (b ?? 0) >= minor);
}

/** Decides the upgrade items from the facts (pure). */
export function evaluateUpgrade(f: UpgradeFacts): CheckResult[] {
  const out: CheckResult[] = [];

  // DataScienceCluster components, as kubectl-odh lint reads them.
  if (f.dsc === null) {
    out.push(pass('upgrade.dsc.trainingoperator', 'no DataScienceCluster (not OpenShift AI / Open Data Hub): nothing manages Training Operator v1 from a platform operator'));
    out.push(skippedBecause('upgrade.dsc.trainer', 'no DataScienceCluster'));
  } else if (isDenied(f.dsc)) {
    out.push(notPermitted('upgrade.dsc.trainingoperator', f.dsc.denied));
    out.push(notPermitted('upgrade.dsc.trainer', f.dsc.denied));
  } else {
    const d = f.dsc;
    const where = `DataScienceCluster ${d.name} (${d.apiVersion})`;
    const cond = (kind: string) => d.conditions.find((c) => c.type === `${kind}Ready`);
    const details = { dataScienceCluster: d.name, apiVersion: d.apiVersion, trainingoperator: d.trainingOperator ?? null, trainer: d.trainer ?? null, conditions: d.conditions, ...(d.release ? { release: d.release } : {}) };
    const to = d.trainingOperator;
    const patch = `kubectl patch datasciencecluster ${d.name} --type merge -p '{"spec":{"components":{"trainingoperator":{"managementState":"Removed"}}}}'`;
    if (to === 'Managed') {
      out.push(fail('upgrade.dsc.trainingoperator', `${where}: component trainingoperator is Managed: the OpenShift AI 3.6 upgrade is blocked while Training Operator v1 is enabled`, `Migrate every v1 job first (kubectl trainjob migrate), then: ${patch}; then delete the TrainingOperator CR.`, details));
    } else if (to === 'Unmanaged') {
      out.push(warn('upgrade.dsc.trainingoperator', `${where}: component trainingoperator is Unmanaged: the platform leaves whatever is installed in place`, `Set it to Removed once no v1 job is left: ${patch}`, details));
    } else {
      out.push(pass('upgrade.dsc.trainingoperator', `${where}: component trainingoperator is ${to ?? 'not set (Removed)'}`, details));
    }
    const tr = d.trainer;
    const trReady = cond('Trainer');
    if (tr !== 'Managed') {
      out.push(warn('upgrade.dsc.trainer', `${where}: component trainer is ${tr ?? 'not set (Removed)'}: Trainer v2 is not enabled, so migrated TrainJobs have no controller`, `kubectl patch datasciencecluster ${d.name} --type merge -p '{"spec":{"components":{"trainer":{"managementState":"Managed"}}}}'`, details));
    } else if (trReady && trReady.status !== 'True') {
      out.push(warn('upgrade.dsc.trainer', `${where}: component trainer is Managed but TrainerReady=${trReady.status}${trReady.reason ? ` (${trReady.reason})` : ''}${trReady.message ? `: ${trReady.message}` : ''}`, 'Fix the Trainer component (see the operator\'s conditions and the Trainer controller logs) before migrating.', details));
    } else {
      out.push(pass('upgrade.dsc.trainer', `${where}: component trainer is Managed${trReady ? ', TrainerReady=True' : ''}`, details));
    }
  }

  // Live v1 jobs, per kind and state.
  const jobs = f.jobs.filter((j) => j.installed || j.denied);
  const denied = jobs.find((j) => j.denied);
  const withJobs = jobs.filter((j) => j.total > 0);
  const jobDetails = { kinds: f.jobs };
  const byKind = withJobs.map((j) => `${plural(j.total, j.kind)} (${j.active} active, ${j.suspended} suspended, ${j.finished} finished; ${plural(j.namespaces, 'namespace')})`);
  const active = withJobs.reduce((n, j) => n + j.active, 0);
  if (active > 0) {
    out.push(fail('upgrade.v1.jobs', `v1 jobs still run or wait to: ${listSome(byKind)}`, 'Migrate them (kubectl trainjob migrate -A --all --strategy replace --wait) or let them finish; the platform lint blocks the upgrade while PyTorchJobs run.', jobDetails));
  } else if (withJobs.length) {
    out.push(warn('upgrade.v1.jobs', `finished or suspended v1 jobs remain: ${listSome(byKind)}; removing the v1 CRDs deletes them`, 'Back them up (kubectl trainjob backup -A --all) and migrate or delete them (kubectl trainjob cleanup -A --delete-migrated).', jobDetails));
  } else if (denied) {
    out.push(notPermitted('upgrade.v1.jobs', denied.denied!));
  } else {
    out.push(pass('upgrade.v1.jobs', jobs.length ? 'no v1 job in any namespace' : 'no kubeflow.org/v1 job kind is served', jobDetails));
  }

  // The v1 CRDs and the operator Deployment: what removing v1 removes.
  const present = f.crds.filter((c): c is CrdFact => !isDenied(c) && c.present).map((c) => c.name);
  const dep = f.operator?.found;
  const opDetails = { crds: present, ...(dep ? { deployment: `${dep.namespace}/${dep.name}`, available: dep.available } : {}) };
  if (!present.length && !dep) out.push(pass('upgrade.v1.operator', 'Training Operator v1 is not installed (no kubeflow.org/v1 job CRD, no operator Deployment)', opDetails));
  else {
    const what = [present.length ? `CRDs ${listSome(present, 6)}` : '', dep ? `Deployment ${dep.namespace}/${dep.name}${dep.available ? '' : ' (not Available)'}` : ''].filter(Boolean).join('; ');
    const how = f.dsc && !isDenied(f.dsc) ? 'the DataScienceCluster removes them when trainingoperator is Removed' : 'remove them with the manifests they were installed from (kubectl delete -k "github.com/kubeflow/training-operator.git/manifests/overlays/standalone?ref=v1.9.2"), CRDs last';
    out.push(pass('upgrade.v1.operator', `installed: ${what}; ${how}`, opDetails));
  }

  // Kueue: v1 integrations and the version coupling with Trainer.
  const k = f.kueue;
  const kDetails = { installed: k.installed, ...(k.version ? { version: k.version } : {}), ...(k.deployment ? { deployment: k.deployment } : {}), ...(k.v1Frameworks ? { v1Frameworks: k.v1Frameworks } : {}), ...(k.trainJobFramework !== undefined ? { trainJobFramework: k.trainJobFramework } : {}), ...(f.trainerSchema ? { trainerSchema: f.trainerSchema } : {}) };
  if (!k.installed) out.push(pass('upgrade.kueue', 'Kueue is not installed', kDetails));
  else {
    const block: string[] = [];
    const advise: string[] = [];
    if (k.version && versionAtLeast(k.version, 0, 17) && f.trainerSchema && ['v2.0', 'v2.1'].includes(f.trainerSchema)) block.push(`Kueue ${k.version} needs Trainer v2.2 or newer, the cluster serves TrainJob schema ${f.trainerSchema}`);
    if (k.v1Frameworks?.length) advise.push(`kueue-manager-config still enables ${k.v1Frameworks.join(', ')} (Kueue 0.19 turned the v1 integrations off by default and 0.20 drops them)`);
    if (k.trainJobFramework === false && f.trainerInstalled) advise.push('trainer.kubeflow.org/trainjob is not in integrations.frameworks: TrainJobs are not queued');
    if (!k.version) advise.push(`Kueue's version is unknown${k.deployment ? '' : ' (controller Deployment not found)'}: check that it works with the Trainer release (Kueue 0.17+ needs Trainer v2.2+)`);
    const head = `Kueue${k.version ? ` ${k.version}` : ''}${k.deployment ? ` (${k.deployment})` : ''}`;
    const fix = 'Use Trainer v2.2+ with Kueue 0.17+; in kueue-manager-config replace the kubeflow.org/* frameworks by trainer.kubeflow.org/trainjob.';
    if (block.length) out.push(fail('upgrade.kueue', `${head}: ${[...block, ...advise].join('; ')}`, fix, kDetails));
    else if (advise.length) out.push(warn('upgrade.kueue', `${head}: ${advise.join('; ')}`, fix, kDetails));
    else out.push(pass('upgrade.kueue', `${head}: no v1 integration enabled${k.trainJobFramework ? ', trainjob integration enabled' : ''}`, kDetails));
  }

  // Producers that would re-create v1 jobs once they are migrated, or fail once v1 is gone.
  const recreating = f.producers.filter((p) => p.recreates);
  const pDetails = { producers: f.producers };
  if (recreating.length) {
    out.push(fail('upgrade.producers', `${plural(recreating.reduce((n, p) => n + p.jobs, 0), 'v1 job')} come from producers that will create v1 jobs again: ${listSome(recreating.map((p) => `${p.kind} ${p.name} (${plural(p.jobs, 'job')})`))}`, 'Change each producer to create TrainJobs first (see "Who creates your PyTorchJobs"); after v1 is removed they fail, before it they re-create what was migrated.', pDetails));
  } else out.push(pass('upgrade.producers', f.producers.length ? `no producer would re-create v1 jobs (${listSome(f.producers.map((p) => `${p.kind} ${p.name}`))})` : 'no v1 job, no producer', pDetails));
  return out;
}

/** Runs the upgrade verdict against the cluster and returns it as a readiness report (mode `upgrade`). */
export async function runUpgradeReadiness(cluster: Cluster, progress?: (line: string) => void): Promise<ReadinessReport> {
  const checks: CheckResult[] = [];
  const version = (await cluster.serverVersion()).gitVersion;
  checks.push(pass('cluster.apiserver.reachable', `${cluster.target.server} answers, Kubernetes ${version}`, { server: cluster.target.server, version }));
  const facts = await collectUpgradeFacts(cluster, progress);
  checks.push(...evaluateUpgrade(facts));
  const sorted = sortChecks(checks);
  return {
    apiVersion: 'kubectl-trainjob.io/v1alpha1',
    kind: 'ReadinessReport',
    mode: 'upgrade',
    cluster: { server: cluster.target.server, ...(cluster.target.contextName ? { context: cluster.target.contextName } : {}), kubernetesVersion: version, ...(facts.trainerSchema ? { trainerSchema: facts.trainerSchema } : {}) },
    scope: { allNamespaces: true },
    target: facts.trainerSchema ?? '-',
    summary: summarize(sorted),
    checks: sorted,
    producers: facts.producers,
  };
}
