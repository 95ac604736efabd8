// Pure decisions: facts collected from the cluster → check results. No I/O here, so each rule is
// unit-tested with hand-written facts (test/unit/readiness/evaluate.test.ts).
import { isDenied, type BindingFact, type CrdFact, type Denied, type DeploymentSearch, type InventoryFact, type KueueFact, type PermissionFact, type ProducerRow, type RuntimeFact, type RuntimeUsage, type WebhookFact, type WebhookOwner } from './facts.js';
import { fail, notPermitted, pass, skippedBecause, warn, type CheckId, type CheckResult } from './types.js';

/** Frameworks whose ClusterTrainingRuntimes can run a converted PyTorchJob (kubeflow-api.md §9.5). */
export const TORCH_FRAMEWORKS = ['torch', 'training-hub'];

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const listSome = (xs: string[], max = 5) => (xs.length <= max ? xs.join(', ') : `${xs.slice(0, max).join(', ')} and ${xs.length - max} more`);

/** How a CRD check treats absence: `fail` (blocking), `warn` (advisory), or `pass` (absence is the good case). */
export type CrdAbsence = 'fail' | 'warn' | 'pass';

/** Evaluates a CRD presence check. */
export function evaluateCrd(id: CheckId, fact: CrdFact | Denied, absent: CrdAbsence, remediation: string): CheckResult {
  if (isDenied(fact)) return notPermitted(id, fact.denied);
  const via = fact.via === 'discovery' ? ' (seen through API discovery; CRDs not readable)' : '';
  if (id === 'v2.crd.legacy-trainjobs') {
    return fact.present
      ? warn(id, `the pre-release CRD ${fact.name} (Training Operator v1.9.0-v1.9.2, v2alpha1) is installed: "kubectl get trainjob" is ambiguous between it and trainjobs.trainer.kubeflow.org${via}`, remediation, { servedVersions: fact.servedVersions })
      : pass(id, `${fact.name} (pre-release) is not installed`);
  }
  if (!fact.present) {
    const msg = `${fact.name} is not installed`;
    if (absent === 'fail') return fail(id, msg, remediation);
    if (absent === 'warn') return warn(id, msg, remediation);
    return pass(id, msg);
  }
  const served = fact.servedVersions.length ? fact.servedVersions.join(', ') : 'none';
  if (fact.servedVersions.length === 0) return fail(id, `${fact.name} is installed but serves no version`, remediation);
  return pass(id, `${fact.name} installed, serving ${served}${fact.storageVersion ? ` (storage ${fact.storageVersion})` : ''}${via}`, {
    servedVersions: fact.servedVersions,
    ...(fact.storageVersion ? { storageVersion: fact.storageVersion } : {}),
  });
}

/** Words for each operator, used in messages. */
const OPERATOR: Record<WebhookOwner, { what: string; hint: string }> = {
  v1: { what: 'Training Operator (v1)', hint: 'kubectl get deploy -A -l control-plane=kubeflow-training-operator' },
  v2: { what: 'Trainer controller (v2)', hint: 'kubectl get deploy -A | grep trainer-controller-manager' },
  jobset: { what: 'JobSet controller', hint: 'kubectl get deploy -A | grep jobset-controller-manager' },
};

/**
 * Evaluates an operator Deployment: found and Available passes; missing or unavailable is blocking for the
 * v2 side (TrainJobs would neither be admitted nor run) and advisory for v1 (only existing jobs suffer).
 */
export function evaluateDeployment(id: CheckId, owner: WebhookOwner, search: DeploymentSearch): CheckResult {
  const { what, hint } = OPERATOR[owner];
  const bad = owner === 'v1' ? warn : fail;
  const d = search.found;
  if (!d) {
    if (search.denied.length > 0 && search.denied.length >= search.searched.length) return notPermitted(id, search.denied[0]!);
    const where = search.searched.length ? ` (looked at ${listSome(search.searched, 6)})` : '';
    const partial = search.denied.length ? `; could not look everywhere (${search.denied[0]})` : '';
    const remediation =
      owner === 'v1'
        ? 'Running PyTorchJobs are not reconciled without it; keep it running until the migration is done (rollback re-creates PyTorchJobs).'
        : owner === 'v2'
          ? 'Install Trainer v2 (kubectl apply --server-side -k "github.com/kubeflow/trainer.git/manifests/overlays/manager?ref=v2.3.0"), or on RHOAI set the DataScienceCluster component trainer to Managed.'
          : 'Install JobSet (Trainer v2 needs it); on RHOAI install the Job Set Operator and its JobSetOperator CR "cluster".';
    return bad(id, `${what} Deployment not found${where}${partial}`, `${remediation} Check: ${hint}`, { searched: search.searched });
  }
  const ref = `${d.namespace}/${d.name}`;
  const details = { namespace: d.namespace, name: d.name, serviceAccount: d.serviceAccount, foundBy: d.via, available: d.available, ...(d.replicas !== undefined ? { replicas: d.replicas } : {}), ...(d.readyReplicas !== undefined ? { readyReplicas: d.readyReplicas } : {}) };
  if (d.available) return pass(id, `${what} Deployment ${ref} is Available (${d.readyReplicas ?? 0}/${d.replicas ?? 0} ready; found by ${d.via})`, details);
  return bad(
    id,
    `${what} Deployment ${ref} is not Available${d.detail ? `: ${d.detail}` : ''} (found by ${d.via})`,
    `Check its pods: kubectl -n ${d.namespace} describe deploy ${d.name}; kubectl -n ${d.namespace} logs deploy/${d.name}.`,
    details,
  );
}

/** What is wrong with one webhook's backend, or undefined when nothing is. */
export function webhookProblem(w: WebhookFact): string | undefined {
  const problems: string[] = [];
  if (w.service) {
    const svc = `${w.service.namespace}/${w.service.name}`;
    if (w.serviceExists === false) {
      problems.push(w.namespaceExists === false ? `its Service ${svc} does not exist: namespace "${w.service.namespace}" does not exist` : `its Service ${svc} does not exist`);
    } else if (w.serviceExists === true && typeof w.readyEndpoints === 'number' && w.readyEndpoints === 0) {
      problems.push(`Service ${svc} has no ready endpoints`);
    }
  }
  if (!w.caBundleSet && !w.url) problems.push('clientConfig.caBundle is empty');
  return problems.length ? problems.join('; ') : undefined;
}

/**
 * Evaluates the admission webhooks of one operator. A broken backend behind `failurePolicy: Fail` is
 * blocking: the API server rejects every create/update of those kinds (rollbacks and cleanup included).
 * Behind `Ignore` it is advisory: writes pass without validation or defaulting.
 */
export function evaluateWebhooks(id: CheckId, owner: WebhookOwner, facts: WebhookFact[] | Denied, expected: boolean): CheckResult {
  if (isDenied(facts)) return notPermitted(id, facts.denied);
  const mine = facts.filter((w) => w.owner === owner);
  const { what } = OPERATOR[owner];
  if (mine.length === 0) {
    if (!expected) return pass(id, `no admission webhooks of the ${what}`);
    return warn(
      id,
      `no admission webhook configuration of the ${what} found: its objects are admitted without validation`,
      owner === 'v1' ? 'Expected validator.training-operator.kubeflow.org (upstream) or kubeflow-validator.training-operator.kubeflow.org (RHOAI); reinstall the operator manifests.' : 'Reinstall the operator manifests (they include the webhook configurations).',
    );
  }
  const blocking: string[] = [];
  const advisory: string[] = [];
  const unknown: string[] = [];
  for (const w of mine) {
    const label = `${w.configKind === 'MutatingWebhookConfiguration' ? 'mutating' : 'validating'} webhook ${w.webhook} (${w.config}, failurePolicy ${w.failurePolicy})`;
    const p = webhookProblem(w);
    if (p) (w.failurePolicy === 'Fail' ? blocking : advisory).push(`${label}: ${p}`);
    else if (isDenied(w.serviceExists)) unknown.push(w.serviceExists.denied);
    else if (isDenied(w.readyEndpoints)) unknown.push(w.readyEndpoints.denied);
  }
  const services = [...new Set(mine.map((w) => (w.service ? `${w.service.namespace}/${w.service.name}` : (w.url ?? '?'))))];
  const details = {
    webhooks: mine.map((w) => ({
      configuration: w.config,
      kind: w.configKind,
      name: w.webhook,
      failurePolicy: w.failurePolicy,
      caBundleSet: w.caBundleSet,
      ...(w.service ? { service: `${w.service.namespace}/${w.service.name}` } : {}),
      ...(w.url ? { url: w.url } : {}),
      ...(typeof w.readyEndpoints === 'number' ? { readyEndpoints: w.readyEndpoints } : {}),
      ...(w.serviceExists === false ? { serviceMissing: true } : {}),
    })),
  };
  const fix = (ns: string | undefined) =>
    `Point clientConfig.service at the namespace the controller runs in (a webhook namespace "system" is the unreplaced kustomize placeholder of manifests/base: install an overlay), and make sure the controller is running${ns ? ` (kubectl -n ${ns} get endpointslices)` : ''}. Until then every create/update of these kinds fails, including rollbacks.`;
  if (blocking.length) return fail(id, `${plural(blocking.length, 'webhook')} with failurePolicy Fail cannot be served: ${listSome(blocking, 3)}`, fix(mine[0]?.service?.namespace), details);
  if (advisory.length) return warn(id, `${plural(advisory.length, 'webhook')} cannot be served and are skipped (failurePolicy Ignore): ${listSome(advisory, 3)}`, fix(mine[0]?.service?.namespace), details);
  if (unknown.length) return notPermitted(id, unknown[0]!);
  return pass(id, `${plural(mine.length, 'webhook')} served by ${services.join(', ')} with ready endpoints and a CA bundle`, details);
}

/**
 * Evaluates an operator's ClusterRoleBindings: every ServiceAccount subject must exist in the namespace
 * the binding names, and the Deployment's own ServiceAccount must be among them.
 */
export function evaluateBindings(id: CheckId, owner: WebhookOwner, bindings: BindingFact[] | Denied, deployment: DeploymentSearch, expected: boolean): CheckResult {
  if (isDenied(bindings)) return notPermitted(id, bindings.denied);
  const { what } = OPERATOR[owner];
  const bad = owner === 'v1' ? warn : fail;
  if (bindings.length === 0) {
    if (!expected) return skippedBecause(id, `the ${what} is not installed`);
    return bad(id, `no ClusterRoleBinding of the ${what} found`, `Reinstall the operator manifests; the controller cannot read or write cluster objects without its ClusterRole binding.`);
  }
  const problems: string[] = [];
  const denied: string[] = [];
  for (const b of bindings) {
    for (const s of b.subjects) {
      if (!s.namespace) problems.push(`ClusterRoleBinding ${b.binding} names ServiceAccount ${s.name} without a namespace`);
      else if (s.exists === false) problems.push(`ClusterRoleBinding ${b.binding} names ServiceAccount ${s.namespace}/${s.name}, which does not exist`);
      else if (isDenied(s.exists)) denied.push(s.exists.denied);
    }
  }
  const d = deployment.found;
  if (d) {
    const bound = bindings.some((b) => b.subjects.some((s) => s.name === d.serviceAccount && s.namespace === d.namespace));
    if (!bound) problems.push(`the Deployment ${d.namespace}/${d.name} runs as ServiceAccount ${d.namespace}/${d.serviceAccount}, which no ClusterRoleBinding of the operator names`);
  }
  const details = { bindings: bindings.map((b) => ({ name: b.binding, roleRef: b.roleRef, subjects: b.subjects.map((s) => `${s.namespace ?? '(no namespace)'}/${s.name}`) })) };
  if (problems.length) {
    return bad(
      id,
      listSome(problems, 3),
      `Make each subject's namespace the one the controller runs in${d ? ` (${d.namespace})` : ''}, e.g. kubectl patch clusterrolebinding ${bindings[0]!.binding} --type=json -p '[{"op":"replace","path":"/subjects/0/namespace","value":"${d?.namespace ?? '<namespace>'}"}]'.`,
      details,
    );
  }
  if (denied.length) return notPermitted(id, denied[0]!);
  return pass(id, `${plural(bindings.length, 'ClusterRoleBinding')} (${listSome(bindings.map((b) => b.binding), 3)}) name existing ServiceAccounts`, details);
}

/** Evaluates which ClusterTrainingRuntimes exist: at least one for PyTorch (torch or training-hub) is needed. */
export function evaluateRuntimes(runtimes: RuntimeFact[] | Denied, trainerInstalled: boolean): CheckResult {
  const id: CheckId = 'runtimes.available';
  if (!trainerInstalled) return skippedBecause(id, 'Trainer v2 (ClusterTrainingRuntime CRD) is not installed');
  if (isDenied(runtimes)) return notPermitted(id, runtimes.denied);
  const torch = runtimes.filter((r) => r.framework !== undefined && TORCH_FRAMEWORKS.includes(r.framework));
  const names = runtimes.map((r) => `${r.name}${r.framework ? ` (${r.framework})` : ''}`);
  const details = { runtimes: runtimes.map((r) => ({ name: r.name, ...(r.framework ? { framework: r.framework } : {}) })) };
  if (torch.length === 0) {
    return fail(
      id,
      runtimes.length ? `no ClusterTrainingRuntime for PyTorch (label trainer.kubeflow.org/framework in torch, training-hub); found ${listSome(names, 6)}` : 'no ClusterTrainingRuntime exists',
      'Install the stock runtimes (kubectl apply --server-side -k "github.com/kubeflow/trainer.git/manifests/overlays/runtimes?ref=v2.3.0") or your platform\'s runtimes.',
      details,
    );
  }
  return pass(id, `${plural(runtimes.length, 'ClusterTrainingRuntime')}: ${listSome(names, 8)}`, details);
}

/** Evaluates, for the jobs in scope, whether the runtime each would reference after conversion exists. */
export function evaluateRuntimeUsage(usage: RuntimeUsage[] | undefined, reason: string | undefined, refused: number): CheckResult {
  const id: CheckId = 'runtimes.per-job';
  if (!usage) return skippedBecause(id, reason ?? 'no inventory');
  const jobs = usage.reduce((n, u) => n + u.jobs, 0);
  if (jobs === 0) return pass(id, refused ? `no convertible PyTorchJob in scope (${plural(refused, 'refused job')})` : 'no PyTorchJob in scope');
  const label = (u: RuntimeUsage) => `${u.kind} ${u.namespace ? `${u.namespace}/` : ''}${u.name}`;
  const missing = usage.filter((u) => u.exists === false);
  const denied = usage.filter((u) => isDenied(u.exists));
  const generated = usage.reduce((n, u) => n + u.generated, 0);
  const byRuntime = usage.map((u) => `${label(u)}: ${plural(u.jobs, 'job')}`);
  const details = {
    runtimes: usage.map((u) => ({ kind: u.kind, name: u.name, ...(u.namespace ? { namespace: u.namespace } : {}), jobs: u.jobs, generated: u.generated, ...(typeof u.exists === 'boolean' ? { exists: u.exists } : {}) })),
    generatedRuntimes: generated,
    refused,
  };
  const gen = generated ? `; ${plural(generated, 'job')} get a TrainingRuntime generated from it` : '';
  if (missing.length) {
    const affected = missing.reduce((n, u) => n + u.jobs, 0);
    return fail(id, `${plural(affected, 'job')} would reference a runtime that does not exist: ${listSome(missing.map((u) => `${label(u)} (${plural(u.jobs, 'job')})`), 4)}`, 'Install the runtime, or pick an existing one with --runtime NAME (see runtimes.available).', details);
  }
  if (denied.length) return notPermitted(id, (denied[0]!.exists as Denied).denied);
  return pass(id, `${plural(jobs, 'job')} map to existing runtimes (${listSome(byRuntime, 4) || 'none shared'})${gen}`, details);
}

/** Evaluates the SelfSubjectAccessReviews of the migration: required ones are blocking, the rest advisory. */
export function evaluatePermissions(perms: PermissionFact[] | undefined, reason?: string): CheckResult {
  const id: CheckId = 'permissions.migrate';
  if (!perms) return skippedBecause(id, reason ?? 'no namespace in scope');
  const line = (p: PermissionFact) => `${p.verb} ${p.resource}${p.group ? `.${p.group}` : ''}`;
  const deniedReq = perms.filter((p) => p.required && p.deniedIn.length);
  const deniedOpt = perms.filter((p) => !p.required && p.deniedIn.length);
  const where = (p: PermissionFact) => (p.deniedIn.includes('*') ? 'cluster-wide' : `in ${listSome(p.deniedIn, 4)}`);
  const details = { permissions: perms.map((p) => ({ verb: p.verb, resource: `${p.resource}${p.group ? `.${p.group}` : ''}`, required: p.required, deniedIn: p.deniedIn, namespacesChecked: p.checked })) };
  const canI = (p: PermissionFact) => `kubectl auth can-i ${line(p)}${p.deniedIn[0] && p.deniedIn[0] !== '*' ? ` -n ${p.deniedIn[0]}` : ''}`;
  if (deniedReq.length) {
    return fail(id, `you may not ${deniedReq.map((p) => `${line(p)} ${where(p)}`).join('; ')}`, `Ask an admin for these permissions (on RHOAI the training-edit ClusterRole is not aggregated to edit); check with: ${canI(deniedReq[0]!)}.`, details);
  }
  if (deniedOpt.length) {
    return warn(id, `you may not ${deniedOpt.map((p) => `${line(p)} ${where(p)}`).join('; ')}`, `Needed for some steps only (generated runtimes, cleanup of PyTorchJobs); check with: ${canI(deniedOpt[0]!)}.`, details);
  }
  const n = Math.max(0, ...perms.map((p) => p.checked));
  return pass(id, `allowed: ${perms.map(line).join(', ')}${n > 1 ? ` (${n} namespaces)` : ''}`, details);
}

/** Evaluates Kueue: jobs with queue labels need Kueue, a LocalQueue of that name, the trainjob framework and Trainer ≥ v2.2. */
export function evaluateKueue(k: KueueFact | undefined, reason?: string): CheckResult {
  const id: CheckId = 'kueue.queues';
  if (!k) return skippedBecause(id, reason ?? 'no inventory');
  const queues = Object.entries(k.queues);
  if (queues.length === 0) return pass(id, 'no PyTorchJob in scope carries kueue.x-k8s.io/queue-name');
  const jobs = queues.reduce((n, [, c]) => n + c, 0);
  const details = { queues: k.queues, kueueInstalled: k.installed, ...(k.trainJobFramework !== undefined ? { trainJobFramework: k.trainJobFramework } : {}) };
  const head = `${plural(jobs, 'job')} use Kueue queues ${listSome(queues.map(([q]) => q), 4)}`;
  if (!k.installed) return warn(id, `${head}, but Kueue (LocalQueue API) is not installed: TrainJobs would run unqueued`, 'Install Kueue with the trainer.kubeflow.org/trainjob integration, or drop the queue label.', details);
  const problems: string[] = [];
  const missing = Object.entries(k.localQueues).filter(([, v]) => v === false).map(([q]) => q);
  if (missing.length) problems.push(`LocalQueue ${listSome(missing, 4)} does not exist`);
  if (k.trainJobFramework === false) problems.push('Kueue\'s integrations.frameworks lacks trainer.kubeflow.org/trainjob');
  if (k.trainerSchema && ['v2.0', 'v2.1'].includes(k.trainerSchema)) problems.push(`Trainer schema ${k.trainerSchema}: Kueue 0.17+ requires Trainer v2.2 or newer`);
  if (problems.length) return warn(id, `${head}: ${problems.join('; ')}`, 'Create the LocalQueues, add trainer.kubeflow.org/trainjob to Kueue\'s integrations.frameworks (kueue-manager-config), and use Trainer v2.2+ with Kueue 0.17+.', details);
  const unknown = Object.values(k.localQueues).find(isDenied);
  if (unknown) return notPermitted(id, unknown.denied);
  return pass(id, `${head}; LocalQueues exist${k.trainJobFramework ? ' and the trainjob integration is enabled' : ''}`, details);
}

/**
 * Evaluates the inventory of one v1 kind (`inventory.<plural>`): counts by state and convertibility (the dry
 * conversion of every job); refused jobs are advisory (they need hand work).
 */
export function evaluateInventory(inv: InventoryFact | Denied | undefined, reason?: string, kind = 'PyTorchJob', id: CheckId = 'inventory.pytorchjobs'): CheckResult {
  if (!inv) return skippedBecause(id, reason ?? `${kind} CRD not installed`);
  if (isDenied(inv)) return notPermitted(id, inv.denied);
  const nss = Object.keys(inv.namespaces).length;
  const s = inv.states;
  const c = inv.conversion;
  const details = { kind, total: inv.total, states: s, conversion: c, target: inv.target, namespaces: inv.namespaces, refusedSample: inv.refusedSample, pages: inv.pages };
  if (inv.total === 0) return pass(id, `no ${kind} in scope`, details);
  const msg = `${plural(inv.total, kind)} in ${plural(nss, 'namespace')}: ${s.running} running, ${s.suspended} suspended, ${s.finished} finished, ${s.created} created; dry conversion to ${inv.target}: ${c.clean} clean, ${c.warnings} with warnings, ${c.refused} refused`;
  if (c.refused > 0) {
    const sample = inv.refusedSample.map((r) => `${r.namespace}/${r.name} (${r.code})`);
    const resource = `${kind.toLowerCase()}`;
    return warn(id, `${msg} (e.g. ${listSome(sample, 3)})`, `See why with: kubectl get ${resource} -n NS NAME -o yaml | kubectl trainjob convert -f -; fix the job or convert it by hand.`, details);
  }
  return pass(id, msg, details);
}

/**
 * Evaluates who creates the jobs: producers that would re-create deleted PyTorchJobs (controlling owners,
 * GitOps, Helm) are advisory for the migration: `migrate --strategy replace` and `cleanup --delete-migrated`
 * refuse their jobs until the producer creates TrainJobs (or --force).
 */
export function evaluateProducers(rows: ProducerRow[] | undefined, reason?: string): CheckResult {
  const id: CheckId = 'producers.pytorchjobs';
  if (!rows) return skippedBecause(id, reason ?? 'no inventory');
  const details = { producers: rows };
  if (rows.length === 0) return pass(id, 'no PyTorchJob in scope', details);
  const recreating = rows.filter((r) => r.recreates);
  const label = (r: ProducerRow) => `${r.kind} ${r.name} (${plural(r.jobs, 'job')})`;
  if (recreating.length) {
    const jobs = recreating.reduce((n, r) => n + r.jobs, 0);
    return warn(
      id,
      `${plural(jobs, 'PyTorchJob')} come from producers that would re-create them after deletion: ${listSome(recreating.map(label), 4)}`,
      'Change each producer to create TrainJobs first (see "Who creates your PyTorchJobs" and its ACTION column); until then migrate side by side, since --strategy replace and cleanup --delete-migrated refuse these jobs without --force.',
      details,
    );
  }
  return pass(id, `no producer would re-create deleted PyTorchJobs; created by ${listSome(rows.map(label), 4)}`, details);
}
