// References to the labels the v1 operator put on its pods (training.kubeflow.org/job-name, replica-type,
// replica-index). Trainer v2 pods do not carry them: a pod selector on them selects nothing (an anti-affinity
// or spread constraint silently stops working) and a fieldRef on them resolves to "". Each reference is
// rewritten to the label Trainer's pods carry where one means the same, and reported where none does.
import { finding } from '../../codes.js';
import { clone, isObject, joinPath, type JsonObject } from '../../model.js';
import type { ConversionPlan } from '../../plan.js';
import type { PyTorchJob } from './reader.js';

const V1_PREFIX = 'training.kubeflow.org/';
const V1_JOB_NAME = 'training.kubeflow.org/job-name';
const V1_REPLICA_INDEX = 'training.kubeflow.org/replica-index';
/** The label JobSet puts on every pod of a TrainJob: the JobSet (= TrainJob) name. */
export const JOBSET_NAME_LABEL = 'jobset.sigs.k8s.io/jobset-name';
/** The node index of a Trainer v2 pod (0 = the node behind PET_MASTER_ADDR), as a fieldRef path. */
const COMPLETION_INDEX_PATH = "metadata.annotations['batch.kubernetes.io/job-completion-index']";
const FIELD_LABEL = /^metadata\.labels\['([^']+)'\]$/;

/**
 * Rewrites the v1 pod-label references of the plan: pod (anti-)affinity terms and topology spread constraints
 * in the pod spec, and env fieldRefs of the training container and the sidecars. Runs after the environment
 * contract (trainer.env is final). Never mutates the input: rewritten parts are copies.
 */
export function rewriteV1LabelReferences(job: PyTorchJob, plan: ConversionPlan, templatePath: string): void {
  const trainJobName = plan.name ?? job.name ?? '';
  const suffix = plan.name && job.name && plan.name.startsWith(job.name) ? plan.name.slice(job.name.length) : '';
  const specPath = `${templatePath}.spec`;

  const selector = (sel: unknown, path: string): JsonObject | undefined => {
    if (!isObject(sel)) return undefined;
    const keys = [...Object.keys(isObject(sel.matchLabels) ? sel.matchLabels : {}), ...(Array.isArray(sel.matchExpressions) ? sel.matchExpressions.map((e) => String((e as JsonObject)?.key)) : [])];
    if (!keys.some((k) => k.startsWith(V1_PREFIX))) return undefined;
    const out = clone(sel);
    const rewritten: string[] = [];
    const dropped: string[] = [];
    const rename = (v: unknown): string => (String(v) === job.name ? trainJobName : `${String(v)}${suffix}`);
    if (isObject(out.matchLabels)) {
      const labels: JsonObject = {};
      for (const [k, v] of Object.entries(out.matchLabels)) {
        if (k === V1_JOB_NAME) {
          labels[JOBSET_NAME_LABEL] = rename(v);
          rewritten.push(`${k}=${String(v)}`);
        } else if (k.startsWith(V1_PREFIX)) dropped.push(`${k}=${String(v)}`);
        else labels[k] = v;
      }
      out.matchLabels = labels;
      if (!Object.keys(labels).length) delete out.matchLabels;
    }
    if (Array.isArray(out.matchExpressions)) {
      out.matchExpressions = (out.matchExpressions as JsonObject[]).flatMap((e) => {
        const k = String(e?.key);
        if (k === V1_JOB_NAME) {
          rewritten.push(`${k} ${String(e.operator)}`);
          return [{ ...e, key: JOBSET_NAME_LABEL, ...(Array.isArray(e.values) ? { values: e.values.map(rename) } : {}) }];
        }
        if (k.startsWith(V1_PREFIX)) {
          dropped.push(`${k} ${String(e.operator)}`);
          return [];
        }
        return [e];
      });
      if (!(out.matchExpressions as unknown[]).length) delete out.matchExpressions;
    }
    let emptied = false;
    if (!out.matchLabels && !out.matchExpressions) {
      // An empty selector matches every pod of the namespace: keep it to this job's pods instead.
      out.matchLabels = { [JOBSET_NAME_LABEL]: trainJobName };
      emptied = true;
    }
    if (rewritten.length) {
      plan.findings.push(
        finding('KTJ-POD-009', path, `The pod selector on the v1 label ${rewritten.join(', ')} selects ${JOBSET_NAME_LABEL} instead: Trainer v2 pods do not carry the v1 labels, JobSet labels them with the TrainJob name.`),
      );
    }
    if (dropped.length) {
      plan.findings.push(
        finding(
          'KTJ-POD-010',
          path,
          `The pod selector term(s) ${dropped.join(', ')} are dropped: Trainer v2 runs every node from one template and its pods carry no v1 replica labels, so the selector now applies to all nodes of the job${emptied ? ` (it selected nothing else, so it selects ${JOBSET_NAME_LABEL}=${trainJobName})` : ''}.`,
          'Check that the (anti-)affinity or spread constraint still means what it should when Master and Workers are alike.',
        ),
      );
    }
    return out;
  };

  const affinity = plan.podSpec.affinity;
  if (isObject(affinity)) {
    let changed = false;
    const copy = clone(affinity) as any;
    for (const kind of ['podAffinity', 'podAntiAffinity'] as const) {
      const a = copy[kind];
      if (!isObject(a)) continue;
      const required = a.requiredDuringSchedulingIgnoredDuringExecution;
      if (Array.isArray(required)) {
        required.forEach((term: any, i: number) => {
          const s = selector(term?.labelSelector, `${specPath}.affinity.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}].labelSelector`);
          if (s) ((term.labelSelector = s), (changed = true));
        });
      }
      const preferred = a.preferredDuringSchedulingIgnoredDuringExecution;
      if (Array.isArray(preferred)) {
        preferred.forEach((w: any, i: number) => {
          const s = selector(w?.podAffinityTerm?.labelSelector, `${specPath}.affinity.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}].podAffinityTerm.labelSelector`);
          if (s) ((w.podAffinityTerm.labelSelector = s), (changed = true));
        });
      }
    }
    if (changed) plan.podSpec.affinity = copy;
  }
  const spread = plan.podSpec.topologySpreadConstraints;
  if (Array.isArray(spread)) {
    let changed = false;
    const copy = clone(spread) as any[];
    copy.forEach((c, i) => {
      const s = selector(c?.labelSelector, `${specPath}.topologySpreadConstraints[${i}].labelSelector`);
      if (s) ((c.labelSelector = s), (changed = true));
    });
    if (changed) plan.podSpec.topologySpreadConstraints = copy;
  }

  const envRefs = (env: JsonObject[], container: string, path: string): JsonObject[] =>
    env.map((e) => {
      const fieldPath = (e.valueFrom as any)?.fieldRef?.fieldPath;
      const label = typeof fieldPath === 'string' ? FIELD_LABEL.exec(fieldPath)?.[1] : undefined;
      if (!label?.startsWith(V1_PREFIX)) return e;
      const at = joinPath(path, String(e.name));
      if (label === V1_JOB_NAME) {
        plan.findings.push(finding('KTJ-ENV-011', at, `${String(e.name)} (container ${container}) read the v1 label ${label}; it reads ${JOBSET_NAME_LABEL} (the TrainJob name) instead.`));
        return { ...e, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOBSET_NAME_LABEL}']` } } };
      }
      if (label === V1_REPLICA_INDEX) {
        const exact = job.master === undefined;
        plan.findings.push(
          finding(
            'KTJ-ENV-011',
            at,
            exact
              ? `${String(e.name)} (container ${container}) read the v1 label ${label}; it reads the node index (${COMPLETION_INDEX_PATH}) instead, which is the same number for a Worker-only job.`
              : `${String(e.name)} (container ${container}) read the v1 label ${label}; it reads the node index (${COMPLETION_INDEX_PATH}) instead, which counts the Master: v1 Worker k is node k+1 (the Master stays 0), so the value is one higher on every former Worker.`,
            exact ? undefined : 'If the script adds 1 for Workers to get the global rank, drop that: the node index already is the rank of the node.',
            exact ? 'info' : 'warning',
          ),
        );
        return { ...e, valueFrom: { fieldRef: { fieldPath: COMPLETION_INDEX_PATH } } };
      }
      plan.findings.push(
        finding(
          'KTJ-ENV-012',
          at,
          `${String(e.name)} (container ${container}) reads the v1 label ${label}, which Trainer v2 pods do not carry: it resolves to "" (every node runs one template, so there are no replica types).`,
          'Derive the value from the node index (batch.kubernetes.io/job-completion-index; 0 is the former Master) instead.',
        ),
      );
      return e;
    });
  plan.trainer.env = envRefs(plan.trainer.env, 'node', `${specPath}.containers[pytorch].env`);
  plan.sidecars = plan.sidecars.map((c) => (Array.isArray(c.env) ? { ...c, env: envRefs(c.env as JsonObject[], String(c.name), `${specPath}.containers[${String(c.name)}].env`) } : c));
}
