import { compileSchema, validateObject, type CompiledSchema, type SchemaViolation } from '../schema/index.js';
import { finding, FINDING_CODES, type FindingCode } from './codes.js';
import type { ConversionResult } from './build.js';
import { extractJobs, extractListItem, type Extraction } from './extract.js';
import type { SourceKind } from './kinds/index.js';
import type { Finding, FindingSubject } from './findings.js';
import { isObject, joinPath, type JsonObject, type KubeObject } from './model.js';
import type { ConvertOptions } from './plan.js';
import type { Target } from './targets/types.js';

export { ANNOTATIONS, type ConversionResult } from './build.js';
export { convertPyTorchJob } from './kinds/pytorchjob/index.js';
export { describeSourceKinds, SOURCE_KINDS, sourceKind, type SourceKind } from './kinds/index.js';
export { isListDocument, isListHeader } from './extract.js';
export type { ConvertOptions, RuntimeChoice } from './plan.js';
export type { Finding, Severity, FindingSubject } from './findings.js';
export { FINDING_CODES, type FindingCode } from './codes.js';

/** Codes that refuse a job even with --force: the input itself is not a valid v1 job, or the output could not be valid. */
const UNFORCEABLE = new Set<FindingCode>(['KTJ-V1-001', 'KTJ-SCHEMA-001', 'KTJ-NAME-002', 'KTJ-NAME-004', 'KTJ-IN-005', 'KTJ-KIND-001']);

/** One v1 job of a document and what became of it. */
export interface JobOutcome extends ConversionResult {
  subject: FindingSubject;
}

/** What one input document produced. */
export interface DocumentOutcome {
  jobs: JobOutcome[];
  /** Findings about the document itself (objects left out, not an object). */
  findings: Finding[];
}

/** Raised when the converter produced an object its own target schema rejects: a bug, reported loudly. */
export class OutputSchemaError extends Error {
  constructor(
    readonly object: KubeObject,
    readonly violations: SchemaViolation[],
  ) {
    super(
      `kubectl-trainjob produced a ${object.kind} "${String(object.metadata?.name ?? '')}" that its target schema rejects: ${violations
        .slice(0, 5)
        .map((v) => `${v.path || '(root)'}: ${v.message}`)
        .join('; ')}`,
    );
    this.name = 'OutputSchemaError';
  }
}

const compiled = new WeakMap<object, CompiledSchema>();
function compiledSchema(schema: object): CompiledSchema {
  let c = compiled.get(schema);
  if (!c) compiled.set(schema, (c = compileSchema(schema)));
  return c;
}

/** Checks an emitted object against the target's CRD schema; throws OutputSchemaError on any violation. */
export function validateOutput(obj: KubeObject, target: Target): void {
  const schemas = target.schemas();
  const schema = obj.kind === 'TrainJob' ? schemas.trainjob : obj.kind === 'TrainingRuntime' ? schemas.trainingruntime : schemas.clustertrainingruntime;
  const violations = validateObject(obj, compiledSchema(schema), { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: obj.kind });
  if (violations.length) throw new OutputSchemaError(obj, violations);
}

/**
 * Checks a v1 job against its kind's CRD schema and drops what the v1 API server would have
 * dropped (unknown fields, nulls), reporting each; returns false when the object is invalid.
 */
export function checkInputSchema(raw: JsonObject, findings: Finding[], kind: SourceKind): boolean {
  const apiVersion = String(raw.apiVersion);
  const schema = kind.inputSchema(apiVersion);
  const what = `${kind.kind} ${apiVersion.slice(apiVersion.indexOf('/') + 1)}`;
  let valid = true;
  let dropped = false;
  for (const found of validateObject(raw, compiledSchema(schema))) {
    if (found.path.startsWith('status') || found.path.startsWith('metadata.managedFields')) continue;
    const inputPath = found.path;
    // Findings use one path style everywhere (joinPath): `a.Worker.b`, `limits["nvidia.com/gpu"]`.
    const v = { ...found, path: parsePath(found.path).reduce<string>((acc, p) => joinPath(acc, p), '') };
    if (v.rule === 'unknown-field' || v.rule === 'nullable') {
      deletePath(raw, inputPath);
      dropped = true;
      findings.push(
        finding(
          'KTJ-SCHEMA-002',
          v.path,
          v.rule === 'nullable' ? `${v.path} is null; the v1 API server drops null values, so it is not converted.` : `${v.path} is not a ${what} field; the v1 API server drops it, so it is not converted.`,
          'Check the spelling if the field was meant to take effect.',
        ),
      );
      continue;
    }
    valid = false;
    const templated = /\$\{[A-Za-z_]/.test(JSON.stringify(valueAt(raw, inputPath)) ?? '');
    findings.push(
      finding(
        'KTJ-SCHEMA-001',
        v.path,
        `${v.path || 'the object'}: ${v.message}.`,
        templated ? 'The value is a template placeholder: render the template (envsubst, helm template) before converting.' : `Fix the value; the v1 API server would reject this ${kind.kind}.`,
      ),
    );
  }
  // Dropping a null can leave a required field missing (an env entry whose name was null): check again, as the
  // API server validates what is left after it prunes.
  if (dropped && valid) return checkInputSchema(raw, findings, kind);
  return valid;
}

/**
 * Converts every v1 job (of every registered kind) in one parsed input document. Pure: the caller reads the input and
 * writes the output. Each emitted object is validated against the target's CRD schema.
 */
export function convertDocument(doc: unknown, opts: ConvertOptions): DocumentOutcome {
  return convertExtraction(extractJobs(doc), opts);
}

/**
 * Converts one item of a List document (its 0-based `index` in `items`): what {@link convertDocument}
 * gives for that item of the whole List, so a List can be converted and reported item by item.
 */
export function convertListItem(item: unknown, index: number, opts: ConvertOptions): DocumentOutcome {
  return convertExtraction(extractListItem(item, index), opts);
}

function convertExtraction(extraction: Extraction, opts: ConvertOptions): DocumentOutcome {
  const source = opts.source;
  const docFindings = extraction.findings.map((f) => ({ ...f, ...(source ? { subject: { kind: 'Document', source } } : {}) }));
  const jobs: JobOutcome[] = [];
  for (const found of extraction.jobs) {
    const meta = isObject(found.raw.metadata) ? found.raw.metadata : {};
    const subject: FindingSubject = { kind: found.kind.kind };
    if (typeof meta.namespace === 'string') subject.namespace = meta.namespace;
    if (typeof meta.name === 'string') subject.name = meta.name;
    const where = [source, found.path].filter(Boolean).join(' ');
    if (where) subject.source = where;
    const inputFindings: Finding[] = [];
    const valid = checkInputSchema(found.raw, inputFindings, found.kind);
    const result: ConversionResult = valid ? found.kind.convert(found.raw, opts) : { objects: [], findings: [], refused: true };
    result.findings.unshift(...inputFindings);
    if (!result.refused && result.findings.some((f) => UNFORCEABLE.has(f.code as FindingCode) && f.severity === 'error')) {
      result.objects = [];
      result.refused = true;
    }
    for (const obj of result.objects) validateOutput(obj, opts.target);
    for (const f of result.findings) f.subject = subject;
    jobs.push({ ...result, subject });
  }
  return { jobs, findings: docFindings };
}

/** Whether a code is documented (for tests that keep docs/findings.md in step). */
export function isKnownCode(code: string): code is FindingCode {
  return code in FINDING_CODES;
}

function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\[([^\]]*)\]/g;
  for (const m of path.matchAll(re)) {
    if (m[1] !== undefined) parts.push(m[1]);
    else if (m[2] !== undefined) parts.push(Number(m[2]));
    else if (m[3] !== undefined) parts.push(m[3]);
  }
  return parts;
}

function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const p of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[p];
  }
  return cur;
}

function deletePath(obj: unknown, path: string): void {
  const parts = parsePath(path);
  const last = parts.pop();
  const parent = valueAt(obj, parts.map((p) => (typeof p === 'number' ? `[${p}]` : `[${p}]`)).join(''));
  if (parent && typeof parent === 'object' && last !== undefined) {
    if (Array.isArray(parent) && typeof last === 'number') parent.splice(last, 1);
    else delete (parent as Record<string, unknown>)[String(last)];
  }
}
