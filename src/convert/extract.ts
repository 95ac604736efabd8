import { finding } from './codes.js';
import type { Finding } from './findings.js';
import { SOURCE_KINDS, sourceKind, type SourceKind } from './kinds/index.js';
import { clone, isObject, type JsonObject } from './model.js';

/** A v1 job (of a registered kind) found in an input document, with the path it was found at. */
export interface FoundJob {
  raw: JsonObject;
  /** The registered kind that reads it. */
  kind: SourceKind;
  /** Path inside the document: `` (the document itself), `items[3]`, `spec.components[0].template`. */
  path: string;
}

/** What a document holds: v1 jobs to convert, and findings about everything else. */
export interface Extraction {
  jobs: FoundJob[];
  findings: Finding[];
}

/** Kubeflow v1 training kinds; those not registered in kinds/ are reported, so nothing is dropped silently. */
const OTHER_TRAINING_KINDS = new Set(['TFJob', 'MPIJob', 'XGBoostJob', 'PaddleJob', 'JAXJob', 'MXJob']);
const TRAINER_V2_KINDS = new Set(['TrainJob', 'TrainingRuntime', 'ClusterTrainingRuntime']);
const LIST_KINDS = /^(List|[A-Za-z]+List)$/;
const V1_API_VERSION = 'kubeflow.org/v1';

function describe(obj: JsonObject): string {
  const meta = isObject(obj.metadata) ? obj.metadata : {};
  const name = typeof meta.name === 'string' ? meta.name : '(unnamed)';
  return `${String(obj.kind)} ${typeof meta.namespace === 'string' ? `${meta.namespace}/` : ''}${name}`;
}

/**
 * Finds the v1 jobs of every registered kind in one parsed document: the document itself, the items
 * of a List or PyTorchJobList (what `kubectl get -o yaml` prints), and jobs embedded in CodeFlare
 * AppWrappers. Every other object is reported, never silently dropped.
 */
export function extractJobs(doc: unknown): Extraction {
  const out: Extraction = { jobs: [], findings: [] };
  if (doc === null || doc === undefined) return out; // an empty document is nothing, not an object
  visit(doc, '', out);
  return out;
}

/**
 * Finds the v1 jobs of one item of a List document, exactly as {@link extractJobs} finds them in the
 * whole List (paths `items[<index>]...`), so a List can be converted one item at a time.
 */
export function extractListItem(item: unknown, index: number): Extraction {
  const out: Extraction = { jobs: [], findings: [] };
  visit(item, `items[${index}]`, out);
  return out;
}

/**
 * Whether a parsed document is a List whose items extraction unpacks (`List`, `PyTorchJobList`, any
 * `<Kind>List` with apiVersion, kind and an `items` array); such a List adds nothing of its own.
 */
export function isListDocument(doc: unknown): doc is JsonObject & { items: unknown[] } {
  return isObject(doc) && isListHeader(doc) && Array.isArray(doc.items);
}

/** Whether a List's fields other than `items` (apiVersion, kind) make it a List that extraction unpacks. */
export function isListHeader(header: JsonObject): boolean {
  const { kind, apiVersion } = header;
  return typeof kind === 'string' && typeof apiVersion === 'string' && apiVersion !== '' && LIST_KINDS.test(kind);
}

function visit(value: unknown, path: string, out: Extraction): void {
  const at = path || '(document)';
  if (!isObject(value)) {
    out.findings.push(finding('KTJ-IN-001', at, `Expected a Kubernetes object, found ${Array.isArray(value) ? 'a list' : `a ${typeof value}`}.`, 'Each YAML document must be one object with apiVersion and kind.'));
    return;
  }
  const kind = value.kind;
  const apiVersion = value.apiVersion;
  if (typeof kind !== 'string' || kind === '' || typeof apiVersion !== 'string' || apiVersion === '') {
    out.findings.push(finding('KTJ-IN-001', at, 'The object has no apiVersion or kind.', 'Add apiVersion: kubeflow.org/v1 and kind: PyTorchJob.'));
    return;
  }
  if (LIST_KINDS.test(kind) && Array.isArray(value.items)) {
    value.items.forEach((item, i) => visit(item, `${path ? `${path}.` : ''}items[${i}]`, out));
    return;
  }
  const source = sourceKind(kind);
  if (source) {
    if (!apiVersion.startsWith('kubeflow.org/')) {
      out.findings.push(finding('KTJ-IN-002', at, `${describe(value)} (${apiVersion}) is not a Kubeflow ${kind}; left out.`));
      return;
    }
    if (!source.apiVersions.includes(apiVersion)) {
      out.findings.push(
        finding('KTJ-IN-005', at, `${describe(value)} uses ${apiVersion}; only ${source.supportedApiVersions} is supported.`, `Upgrade the manifest to ${source.apiVersions.join(' or ')} first.`),
      );
      return;
    }
    out.jobs.push({ raw: value, path, kind: source });
    return;
  }
  if (kind === 'AppWrapper' && apiVersion.startsWith('workload.codeflare.dev/')) {
    visitAppWrapper(value, path, out);
    return;
  }
  if (kind === 'Experiment' && apiVersion.startsWith('kubeflow.org/')) {
    const trialKind = (value.spec as any)?.trialTemplate?.trialSpec?.kind;
    out.findings.push(
      finding(
        'KTJ-IN-008',
        at,
        `${describe(value)} is a Katib Experiment${trialKind ? ` whose trial template is a ${String(trialKind)}` : ''}; trial templates are not converted.`,
        'Rewrite the trialSpec as a TrainJob by hand (primaryContainerName: node, successCondition on the TrainJob Complete condition).',
      ),
    );
    return;
  }
  if (apiVersion === V1_API_VERSION && OTHER_TRAINING_KINDS.has(kind)) {
    out.findings.push(finding('KTJ-IN-003', at, `${describe(value)} is a Training Operator v1 ${kind}; this version converts ${SOURCE_KINDS.map((k) => `${k.kind}s`).join(', ')}, so it is left out.`, `Migrate ${kind}s separately; they also stop working when Training Operator v1 is removed.`));
    return;
  }
  if (apiVersion.startsWith('trainer.kubeflow.org/') && TRAINER_V2_KINDS.has(kind)) {
    out.findings.push(finding('KTJ-IN-004', at, `${describe(value)} is already a Trainer v2 object; left out.`));
    return;
  }
  out.findings.push(finding('KTJ-IN-002', at, `${describe(value)} (${apiVersion}) is not a Training Operator v1 job; left out of the output.`, 'Apply it separately if the job needs it.'));
}

function visitAppWrapper(aw: JsonObject, path: string, out: Extraction): void {
  const meta = isObject(aw.metadata) ? aw.metadata : {};
  const components = (aw.spec as any)?.components;
  let found = 0;
  if (Array.isArray(components)) {
    components.forEach((c, i) => {
      const tpl = isObject(c) ? c.template : undefined;
      const tplPath = `${path ? `${path}.` : ''}spec.components[${i}].template`;
      if (!isObject(tpl) || typeof tpl.kind !== 'string' || !sourceKind(tpl.kind)) {
        if (isObject(tpl)) visit(tpl, tplPath, out);
        return;
      }
      // The embedded job inherits what the AppWrapper contributed: its namespace and its Kueue labels.
      const job = clone(tpl);
      const jm: JsonObject = isObject(job.metadata) ? job.metadata : {};
      if (jm.namespace === undefined && typeof meta.namespace === 'string') jm.namespace = meta.namespace;
      const awLabels = isObject(meta.labels) ? meta.labels : {};
      const inherited = Object.entries(awLabels).filter(([k]) => k.startsWith('kueue.x-k8s.io/'));
      if (inherited.length) jm.labels = { ...Object.fromEntries(inherited), ...(isObject(jm.labels) ? jm.labels : {}) };
      job.metadata = jm;
      found++;
      out.findings.push(
        finding(
          'KTJ-IN-006',
          tplPath,
          `${String(tpl.kind)} ${String(jm.name ?? '(unnamed)')} is taken out of ${describe(aw)}${inherited.length ? ` with its Kueue label(s) ${inherited.map(([k]) => k).join(', ')}` : ''}; the AppWrapper itself (its other components and settings) is not carried over.`,
          'Kueue manages TrainJobs directly; delete the AppWrapper when the TrainJob replaces it.',
        ),
      );
      visit(job, tplPath, out);
    });
  }
  if (!found) out.findings.push(finding('KTJ-IN-002', path || '(document)', `${describe(aw)} holds no Training Operator v1 job; left out.`));
}
