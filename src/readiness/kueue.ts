// Kueue's v1 job integrations: which `kubeflow.org/*job` frameworks Kueue's Configuration still enables.
// Kueue 0.19 turned them off by default and plans to remove them in 0.20 (kueue PR #12606), so a cluster
// that still relies on them must move its queued v1 jobs to TrainJobs (framework trainer.kubeflow.org/trainjob)
// first. Parsing and judging are pure; reading the Configuration is in readKueueIntegrations.
import { isForbidden, isNotFound, Resources, type Cluster, type KubeObject } from '../cluster/index.js';
import { parseDocument, YamlSyntaxError } from '../yaml/index.js';
import type { Denied } from './facts.js';
import { notPermitted, pass, warn, type CheckResult } from './types.js';

/** Kueue's framework names of the Training Operator v1 kinds, with the kind each one manages. */
export const KUEUE_V1_FRAMEWORKS: Readonly<Record<string, string>> = {
  'kubeflow.org/pytorchjob': 'PyTorchJob',
  'kubeflow.org/mpijob': 'MPIJob',
  'kubeflow.org/xgboostjob': 'XGBoostJob',
  'kubeflow.org/jaxjob': 'JAXJob',
  'kubeflow.org/tfjob': 'TFJob',
  'kubeflow.org/paddlejob': 'PaddleJob',
};

/** Kueue's framework name of TrainJobs. */
export const KUEUE_TRAINJOB_FRAMEWORK = 'trainer.kubeflow.org/trainjob';

/** Where Kueue's manager ConfigMap lives: upstream install, the OpenShift Kueue operator, RHOAI/ODH's embedded Kueue. */
export const KUEUE_CONFIG_LOCATIONS: ReadonlyArray<[namespace: string, name: string]> = [
  ['kueue-system', 'kueue-manager-config'],
  ['openshift-kueue-operator', 'kueue-manager-config'],
  ['redhat-ods-applications', 'kueue-manager-config'],
  ['opendatahub', 'kueue-manager-config'],
];

/** What Kueue's Configuration says about its integrations. */
export interface KueueIntegrationsFact {
  /** Where the Configuration was read (`ConfigMap kueue-system/kueue-manager-config`). */
  source: string;
  /** `integrations.frameworks` as written; undefined when the Configuration does not set it (Kueue's defaults apply). */
  frameworks?: string[];
}

/**
 * Reads `integrations.frameworks` from a Kueue Configuration document (the `controller_manager_config.yaml`
 * key of kueue-manager-config). Returns undefined for text that is not a Configuration with integrations;
 * `{ frameworks: undefined }` when it is one but sets no framework list.
 */
export function frameworksOf(text: string): { frameworks?: string[] } | undefined {
  let doc: unknown;
  try {
    doc = parseDocument(text).value;
  } catch (e) {
    if (e instanceof YamlSyntaxError) return undefined;
    throw e;
  }
  if (!doc || typeof doc !== 'object') return undefined;
  const cfg = doc as { kind?: unknown; integrations?: { frameworks?: unknown } };
  if (cfg.kind !== 'Configuration' && cfg.integrations === undefined) return undefined;
  const fw = cfg.integrations?.frameworks;
  return Array.isArray(fw) ? { frameworks: fw.map(String) } : {};
}

/**
 * The frameworks of an OpenShift `Kueue` operator CR (kueue.openshift.io, spec.config.integrations.frameworks),
 * whose names are kinds (`PyTorchJob`, `MPIJob`, `BatchJob`, ...): mapped to Kueue's framework names where
 * they are v1 kinds or TrainJob; other names are kept as written.
 */
export function frameworksOfOperatorCr(cr: KubeObject): string[] | undefined {
  const fw = (cr.spec as { config?: { integrations?: { frameworks?: unknown } } } | undefined)?.config?.integrations?.frameworks;
  if (!Array.isArray(fw)) return undefined;
  const byKind = new Map(Object.entries(KUEUE_V1_FRAMEWORKS).map(([f, k]) => [k.toLowerCase(), f]));
  return fw.map(String).map((n) => byKind.get(n.toLowerCase()) ?? (n.toLowerCase() === 'trainjob' ? KUEUE_TRAINJOB_FRAMEWORK : n));
}

/** The v1 frameworks among a list, in KUEUE_V1_FRAMEWORKS order. */
export function v1FrameworksIn(frameworks: readonly string[]): string[] {
  const set = new Set(frameworks.map((f) => f.trim().toLowerCase()));
  return Object.keys(KUEUE_V1_FRAMEWORKS).filter((f) => set.has(f));
}

/**
 * Judges Kueue's v1 integrations (check `kueue.v1-integrations`): none enabled passes; enabled ones are
 * advisory, naming each framework and what to do (they keep admitting v1 jobs until the migration is done,
 * then go: Kueue 0.20 is planned to drop them), and whether TrainJobs are integrated yet.
 */
export function evaluateKueueIntegrations(fact: KueueIntegrationsFact | Denied | undefined, kueueInstalled: boolean | undefined): CheckResult {
  const id = 'kueue.v1-integrations' as const;
  if (fact && 'denied' in fact) return notPermitted(id, fact.denied);
  if (!fact) {
    if (kueueInstalled === false) return pass(id, 'Kueue is not installed: no v1 job integrations');
    return warn(
      id,
      `Kueue is installed, but its Configuration was not found (looked for ${KUEUE_CONFIG_LOCATIONS.map(([ns, n]) => `${ns}/${n}`).join(', ')} and the OpenShift Kueue CR "cluster")`,
      'Check integrations.frameworks of your Kueue Configuration yourself: kubeflow.org/*job entries must go after the migration, trainer.kubeflow.org/trainjob must be there.',
    );
  }
  if (fact.frameworks === undefined) {
    return warn(
      id,
      `${fact.source} sets no integrations.frameworks: Kueue's defaults apply, which enable every kubeflow.org v1 job integration before Kueue 0.19 and none from 0.19`,
      `List the frameworks explicitly: keep the kubeflow.org/*job entries only while v1 jobs are queued, and add ${KUEUE_TRAINJOB_FRAMEWORK}.`,
      { source: fact.source },
    );
  }
  const v1 = v1FrameworksIn(fact.frameworks);
  const trainJob = fact.frameworks.some((f) => f.trim().toLowerCase() === KUEUE_TRAINJOB_FRAMEWORK);
  const details = { source: fact.source, frameworks: fact.frameworks, v1Integrations: v1, trainJobIntegration: trainJob };
  const tj = trainJob ? `${KUEUE_TRAINJOB_FRAMEWORK} is enabled` : `${KUEUE_TRAINJOB_FRAMEWORK} is not enabled`;
  if (v1.length === 0) return pass(id, `no kubeflow.org v1 job integration is enabled in ${fact.source}; ${tj}`, details);
  return warn(
    id,
    `${fact.source} still enables ${v1.length} v1 job integration${v1.length === 1 ? '' : 's'}: ${v1.join(', ')} (${v1.map((f) => KUEUE_V1_FRAMEWORKS[f]).join(', ')}); ${tj}`,
    `Kueue 0.19 turned these off by default and plans to remove them in 0.20: migrate the queued v1 jobs, then remove the kubeflow.org/*job entries from integrations.frameworks${trainJob ? '' : ` and add ${KUEUE_TRAINJOB_FRAMEWORK}`} (TrainJobs need Trainer v2.2+ with Kueue 0.17+).`,
    details,
  );
}

/**
 * Reads Kueue's Configuration: the kueue-manager-config ConfigMap in the usual namespaces, then the
 * OpenShift Kueue operator's CR. Undefined when none was found; Denied when every place was forbidden.
 */
export async function readKueueIntegrations(cluster: Cluster): Promise<KueueIntegrationsFact | Denied | undefined> {
  let denied: Denied | undefined;
  for (const [ns, name] of KUEUE_CONFIG_LOCATIONS) {
    let cm: KubeObject | undefined;
    try {
      cm = await cluster.tryGet(Resources.configmaps, name, ns);
    } catch (e) {
      if (!isForbidden(e)) throw e;
      denied ??= { denied: `kubectl auth can-i get configmaps/${name} -n ${ns}` };
      continue;
    }
    if (!cm) continue;
    for (const [key, text] of Object.entries((cm.data as Record<string, string> | undefined) ?? {})) {
      const found = frameworksOf(text);
      if (found) return { source: `ConfigMap ${ns}/${name} (${key})`, ...found };
    }
  }
  try {
    const api = await cluster.discoverResource('kueue.openshift.io', 'v1', 'kueues');
    if (api) {
      const ref = { group: 'kueue.openshift.io', version: 'v1', plural: 'kueues', kind: 'Kueue', namespaced: false };
      const cr = await cluster.tryGet(ref, 'cluster');
      if (cr) {
        const frameworks = frameworksOfOperatorCr(cr);
        return { source: 'Kueue kueue.openshift.io/cluster', ...(frameworks ? { frameworks } : {}) };
      }
    }
  } catch (e) {
    if (!isForbidden(e) && !isNotFound(e)) throw e;
    denied ??= isForbidden(e) ? { denied: 'kubectl auth can-i get kueues.kueue.openshift.io/cluster' } : undefined;
  }
  return denied;
}
