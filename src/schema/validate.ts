// Offline validation of an object against a CRD's openAPIV3Schema with the semantics the kube-apiserver
// applies to custom resources (structural schemas, list types, int-or-string, CEL rules, ObjectMeta).
// The one deliberate difference: the apiserver silently PRUNES unknown fields, while we report them, because
// an unknown field in something the converter emitted means the target version would drop data.
//
// A schema is compiled once into a tree of plain nodes (regexps built, CEL parsed, enums in Sets) and cached
// per schema object, so validating thousands of emitted objects costs a walk over the object only.
import { CelError, codePoints, compileCel, type CompiledCel } from './cel.js';
import { isRecord, jsonType, simulatedGeneratedName, validateObjectMeta } from './metadata.js';
import type { SchemaViolation, ViolationRule } from './types.js';

/** Options for {@link validateObject}. */
export interface ValidateOptions {
  /** Scope of the resource; cluster-scoped objects (ClusterTrainingRuntime) do not get a namespace check. Default Namespaced. */
  scope?: 'Namespaced' | 'Cluster';
  /** The stored object for an update: enables CEL transition rules (`oldSelf`), which do not apply on create. */
  oldObject?: unknown;
  /** Expected `apiVersion`; a different value is a "gvk" violation. */
  apiVersion?: string;
  /** Expected `kind`; a different value is a "gvk" violation. */
  kind?: string;
}

interface CelRule {
  source: string;
  compiled: CompiledCel | undefined;
  unsupported: string | undefined;
  message: string | undefined;
  messageExpression: CompiledCel | undefined;
  fieldPath: string | undefined;
  reason: string | undefined;
}

interface Node {
  type: string | undefined;
  intOrString: boolean;
  preserveUnknown: boolean;
  embedded: boolean;
  nullable: boolean;
  hasDefault: boolean;
  default: unknown;
  properties: Map<string, Node> | undefined;
  additional: Node | boolean | undefined;
  required: readonly string[];
  items: Node | undefined;
  enumValues: Set<unknown> | undefined;
  format: string | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMinimum: boolean;
  exclusiveMaximum: boolean;
  multipleOf: number | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
  pattern: RegExp | undefined;
  minItems: number | undefined;
  maxItems: number | undefined;
  uniqueItems: boolean;
  listType: string | undefined;
  listMapKeys: readonly string[] | undefined;
  minProperties: number | undefined;
  maxProperties: number | undefined;
  anyOf: Node[] | undefined;
  allOf: Node[] | undefined;
  oneOf: Node[] | undefined;
  not: Node | undefined;
  cel: CelRule[];
}

/** A CRD schema compiled for repeated validation; build with {@link compileSchema}. */
export class CompiledSchema {
  /** @internal the root of the compiled tree */
  readonly root: Node;
  /** @internal use {@link compileSchema}, which caches per schema object */
  constructor(root: Node) {
    this.root = root;
  }
}

// Every keyword the compiler understands. Anything else throws at compile time: a keyword we ignore would
// be a check that silently passes.
const KNOWN_KEYWORDS = new Set([
  'type', 'format', 'title', 'description', 'default', 'enum', 'example', 'externalDocs',
  'maximum', 'exclusiveMaximum', 'minimum', 'exclusiveMinimum', 'multipleOf',
  'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'uniqueItems',
  'maxProperties', 'minProperties', 'required', 'items', 'properties', 'additionalProperties',
  'allOf', 'oneOf', 'anyOf', 'not', 'nullable',
  'x-kubernetes-int-or-string', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource',
  'x-kubernetes-list-type', 'x-kubernetes-list-map-keys', 'x-kubernetes-map-type', 'x-kubernetes-validations',
]);

const cache = new WeakMap<object, CompiledSchema>();

/** Compiles an openAPIV3Schema (as found in a CRD or our generated schema.json) once; results are cached per object. */
export function compileSchema(schema: object): CompiledSchema {
  let compiled = cache.get(schema);
  if (!compiled) {
    compiled = new CompiledSchema(compileNode(schema, ''));
    cache.set(schema, compiled);
  }
  return compiled;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);

function compileNode(raw: unknown, where: string): Node {
  if (!isRecord(raw)) throw new Error(`schema at "${where}" is not an object`);
  for (const key of Object.keys(raw)) {
    if (!KNOWN_KEYWORDS.has(key)) throw new Error(`schema at "${where}": keyword "${key}" is not supported by the validator`);
  }
  const sub = (v: unknown, w: string): Node => compileNode(v, w);
  const list = (v: unknown, w: string): Node[] | undefined => (Array.isArray(v) ? v.map((x, i) => sub(x, `${w}[${i}]`)) : undefined);
  const props = isRecord(raw.properties)
    ? new Map(Object.entries(raw.properties).map(([k, v]) => [k, sub(v, where ? `${where}.${k}` : k)]))
    : undefined;
  const additional = isRecord(raw.additionalProperties)
    ? sub(raw.additionalProperties, `${where}{}`)
    : typeof raw.additionalProperties === 'boolean' ? raw.additionalProperties : undefined;
  const node: Node = {
    type: typeof raw.type === 'string' ? raw.type : undefined,
    intOrString: raw['x-kubernetes-int-or-string'] === true,
    preserveUnknown: raw['x-kubernetes-preserve-unknown-fields'] === true,
    embedded: raw['x-kubernetes-embedded-resource'] === true,
    nullable: raw.nullable === true,
    hasDefault: 'default' in raw,
    default: raw.default,
    properties: props,
    additional,
    required: Array.isArray(raw.required) ? raw.required.filter((x): x is string => typeof x === 'string') : [],
    items: isRecord(raw.items) ? sub(raw.items, `${where}[]`) : undefined,
    enumValues: Array.isArray(raw.enum) ? new Set(raw.enum.map(enumKey)) : undefined,
    format: typeof raw.format === 'string' ? raw.format : undefined,
    minimum: num(raw.minimum),
    maximum: num(raw.maximum),
    exclusiveMinimum: raw.exclusiveMinimum === true,
    exclusiveMaximum: raw.exclusiveMaximum === true,
    multipleOf: num(raw.multipleOf),
    minLength: num(raw.minLength),
    maxLength: num(raw.maxLength),
    // Kubernetes evaluates `pattern` with Go's RE2; every pattern in our CRDs means the same in JS.
    pattern: typeof raw.pattern === 'string' ? new RegExp(raw.pattern, 'u') : undefined,
    minItems: num(raw.minItems),
    maxItems: num(raw.maxItems),
    uniqueItems: raw.uniqueItems === true,
    listType: typeof raw['x-kubernetes-list-type'] === 'string' ? raw['x-kubernetes-list-type'] : undefined,
    listMapKeys: Array.isArray(raw['x-kubernetes-list-map-keys']) ? (raw['x-kubernetes-list-map-keys'] as string[]) : undefined,
    minProperties: num(raw.minProperties),
    maxProperties: num(raw.maxProperties),
    anyOf: list(raw.anyOf, `${where}<anyOf>`),
    allOf: list(raw.allOf, `${where}<allOf>`),
    oneOf: list(raw.oneOf, `${where}<oneOf>`),
    not: raw.not === undefined ? undefined : sub(raw.not, `${where}<not>`),
    cel: Array.isArray(raw['x-kubernetes-validations']) ? raw['x-kubernetes-validations'].map(compileRule) : [],
  };
  return node;
}

function compileRule(raw: unknown): CelRule {
  const r = isRecord(raw) ? raw : {};
  const source = typeof r.rule === 'string' ? r.rule : '';
  let compiled: CompiledCel | undefined;
  let unsupported: string | undefined;
  try {
    compiled = compileCel(source);
    // optionalOldSelf needs CEL optional types, which the interpreter does not have.
    if (r.optionalOldSelf === true) throw new Error('optionalOldSelf is not supported');
  } catch (e) {
    compiled = undefined;
    unsupported = (e as Error).message;
  }
  let messageExpression: CompiledCel | undefined;
  if (typeof r.messageExpression === 'string') {
    try {
      messageExpression = compileCel(r.messageExpression);
    } catch {
      // Approximation: fall back to `message` or the apiserver's "failed rule" text.
    }
  }
  return {
    source,
    compiled,
    unsupported,
    message: typeof r.message === 'string' ? r.message : undefined,
    messageExpression,
    fieldPath: typeof r.fieldPath === 'string' ? r.fieldPath : undefined,
    reason: typeof r.reason === 'string' ? r.reason : undefined,
  };
}

/** Enum membership compares JSON values; primitives are used directly so the common case is one Set lookup. */
function enumKey(v: unknown): unknown {
  return v !== null && typeof v === 'object' ? `\u0000${JSON.stringify(v)}` : v;
}

interface Ctx {
  out: SchemaViolation[];
}

const NO_OLD: unique symbol = Symbol('no old value');
type Old = unknown | typeof NO_OLD;

/**
 * Validates `obj` against a CRD openAPIV3Schema (raw or compiled) as the kube-apiserver would on create
 * (or update, with `opts.oldObject`), returning every violation; defaults are not applied (see applyDefaults).
 */
export function validateObject(obj: unknown, schema: object | CompiledSchema, opts: ValidateOptions = {}): SchemaViolation[] {
  const compiled = schema instanceof CompiledSchema ? schema : compileSchema(schema);
  const ctx: Ctx = { out: [] };
  const old: Old = 'oldObject' in opts && opts.oldObject !== undefined ? opts.oldObject : NO_OLD;
  if (isRecord(obj)) {
    if (opts.apiVersion !== undefined && obj.apiVersion !== opts.apiVersion) {
      ctx.out.push({ path: 'apiVersion', message: `must be "${opts.apiVersion}", got ${JSON.stringify(obj.apiVersion)}`, rule: 'gvk' });
    }
    if (opts.kind !== undefined && obj.kind !== opts.kind) {
      ctx.out.push({ path: 'kind', message: `must be "${opts.kind}", got ${JSON.stringify(obj.kind)}`, rule: 'gvk' });
    }
    ctx.out.push(...validateObjectMeta(obj.metadata, 'metadata', { namespaced: opts.scope !== 'Cluster', requireName: true }));
  }
  walk(compiled.root, obj, '', ctx, old, true);
  // Sorted by path so the report does not depend on the key order of the input (stable within a path).
  return ctx.out
    .map((v) => ({ v, key: sortKey(v.path) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((x) => x.v);
}

/** Pads list indices so "x[10]" sorts after "x[9]". */
function sortKey(path: string): string {
  return path.replace(/\[(\d+)\]/g, (_, n: string) => `[${n.padStart(10, '0')}]`);
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

function walk(node: Node, value: unknown, path: string, ctx: Ctx, old: Old, isRoot: boolean): void {
  const out = ctx.out;
  if (value === null) {
    // The apiserver prunes nulls of non-nullable fields (or replaces them with the default); either way
    // what was sent is not what is stored, so emitting one is a bug.
    if (!node.nullable) out.push({ path, message: 'must not be null (field is not nullable; the apiserver would drop it)', rule: 'nullable' });
    return;
  }
  const t = jsonType(value);
  if (node.intOrString) {
    if (t !== 'integer' && t !== 'string') {
      out.push({ path, message: `must be an integer or a string, got ${t}`, rule: 'type' });
      return;
    }
  } else if (node.type !== undefined && node.type !== t && !(node.type === 'number' && t === 'integer')) {
    out.push({ path, message: `must be of type ${node.type}, got ${t}`, rule: 'type' });
    return;
  }
  if (node.enumValues && !node.enumValues.has(enumKey(value))) {
    const allowed = [...node.enumValues].map((v) => (typeof v === 'string' && v.startsWith('\u0000') ? v.slice(1) : JSON.stringify(v)));
    out.push({ path, message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.join(', ')}`, rule: 'enum' });
  }
  if (typeof value === 'string') checkString(node, value, path, out);
  else if (typeof value === 'number') checkNumber(node, value, path, out);
  else if (Array.isArray(value)) checkArray(node, value, path, ctx, old);
  else if (isRecord(value)) checkObject(node, value, path, ctx, old, isRoot);
  if (node.anyOf || node.allOf || node.oneOf || node.not) checkCombinators(node, value, path, ctx);
  if (node.cel.length > 0) checkCel(node, value, path, out, old, isRoot);
}

function checkString(node: Node, s: string, path: string, out: SchemaViolation[]): void {
  if (node.minLength !== undefined || node.maxLength !== undefined) {
    const n = codePoints(s);
    if (node.maxLength !== undefined && n > node.maxLength) out.push({ path, message: `Too long: may not be more than ${node.maxLength} characters`, rule: 'maxLength' });
    if (node.minLength !== undefined && n < node.minLength) out.push({ path, message: `should be at least ${node.minLength} chars long`, rule: 'minLength' });
  }
  if (node.pattern && !node.pattern.test(s)) out.push({ path, message: `should match '${node.pattern.source}'`, rule: 'pattern' });
  if (node.format !== undefined && !node.intOrString) {
    const check = STRING_FORMATS[node.format];
    if (check && !check(s)) out.push({ path, message: `must be of format ${node.format}`, rule: 'format' });
  }
}

// The apiextensions format registry is larger; these are the ones worth checking offline (date-time is
// the only string format in our CRDs). Unlisted formats are accepted, as the apiserver does for unknown ones.
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const STRING_FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) => RFC3339.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  uuid: (s) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
};

const INT32 = [-(2 ** 31), 2 ** 31 - 1] as const;
const INT64 = [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER] as const;

function checkNumber(node: Node, n: number, path: string, out: SchemaViolation[]): void {
  if (node.minimum !== undefined && (node.exclusiveMinimum ? n <= node.minimum : n < node.minimum)) {
    out.push({ path, message: `should be greater than ${node.exclusiveMinimum ? '' : 'or equal to '}${node.minimum}`, rule: 'minimum' });
  }
  if (node.maximum !== undefined && (node.exclusiveMaximum ? n >= node.maximum : n > node.maximum)) {
    out.push({ path, message: `should be less than ${node.exclusiveMaximum ? '' : 'or equal to '}${node.maximum}`, rule: 'maximum' });
  }
  if (node.multipleOf !== undefined && n % node.multipleOf !== 0) out.push({ path, message: `should be a multiple of ${node.multipleOf}`, rule: 'format' });
  // int64 beyond 2^53 cannot even be represented in a JS number, so the safe-integer range is the honest bound.
  const range = node.format === 'int32' ? INT32 : node.format === 'int64' ? INT64 : undefined;
  if (range && (n < range[0] || n > range[1])) out.push({ path, message: `must be of format ${node.format} (out of range)`, rule: 'format' });
}

function checkArray(node: Node, arr: unknown[], path: string, ctx: Ctx, old: Old): void {
  const out = ctx.out;
  if (node.maxItems !== undefined && arr.length > node.maxItems) out.push({ path, message: `Too many: ${arr.length}: must have at most ${node.maxItems} items`, rule: 'maxItems' });
  if (node.minItems !== undefined && arr.length < node.minItems) out.push({ path, message: `should have at least ${node.minItems} items`, rule: 'minItems' });
  const keys = node.listType === 'map' && node.listMapKeys ? node.listMapKeys : undefined;
  // Transition rules can only correlate items of map lists (by key); other list items have no old value.
  let oldByKey: Map<string, unknown> | undefined;
  if (keys && old !== NO_OLD && Array.isArray(old)) {
    oldByKey = new Map();
    for (const o of old) oldByKey.set(mapKey(node, keys, o), o);
  }
  const seen = node.listType === 'map' || node.listType === 'set' || node.uniqueItems ? new Set<string>() : undefined;
  for (let i = 0; i < arr.length; i++) {
    const item = arr[i];
    const p = `${path}[${i}]`;
    let itemOld: Old = NO_OLD;
    if (seen) {
      const k = keys ? mapKey(node, keys, item) : JSON.stringify(item);
      if (seen.has(k)) {
        out.push({ path: p, message: `Duplicate value: ${k}`, rule: node.listType ? 'list-type' : 'uniqueItems' });
      }
      seen.add(k);
      if (oldByKey?.has(k)) itemOld = oldByKey.get(k);
    }
    if (node.items) walk(node.items, item, p, ctx, itemOld, false);
  }
}

/** The identity of a map-list item: its key fields, defaulted as the apiserver would before comparing. */
function mapKey(node: Node, keys: readonly string[], item: unknown): string {
  const rec = isRecord(item) ? item : {};
  const parts: Record<string, unknown> = {};
  for (const k of keys) {
    const child = node.items?.properties?.get(k);
    parts[k] = k in rec ? rec[k] : child?.hasDefault ? child.default : undefined;
  }
  return JSON.stringify(parts);
}

function checkObject(node: Node, obj: Record<string, unknown>, path: string, ctx: Ctx, old: Old, isRoot: boolean): void {
  const out = ctx.out;
  const oldRec = old !== NO_OLD && isRecord(old) ? old : undefined;
  // Unknown fields only exist relative to a structural object schema; value-validation-only branches
  // (anyOf/allOf members) carry no `type` and must not flag every key.
  const closed = node.type === 'object' && !node.preserveUnknown && node.additional === undefined;
  for (const key of Object.keys(obj)) {
    // Root metadata is ObjectMeta, validated by validateObjectMeta; embedded objects get the same treatment.
    if (key === 'metadata' && (isRoot || node.embedded)) continue;
    const value = obj[key];
    const p = join(path, key);
    const child = node.properties?.get(key);
    const childOld: Old = oldRec && key in oldRec ? oldRec[key] : NO_OLD;
    if (child) {
      walk(child, value, p, ctx, childOld, false);
    } else if (node.additional !== undefined && typeof node.additional === 'object') {
      walk(node.additional, value, `${path}[${key}]`, ctx, childOld, false);
    } else if (node.embedded && (key === 'apiVersion' || key === 'kind')) {
      if (typeof value !== 'string') out.push({ path: p, message: `must be of type string, got ${jsonType(value)}`, rule: 'type' });
    } else if (closed || node.additional === false) {
      out.push({ path: p, message: `unknown field "${key}" (the apiserver would prune it)`, rule: 'unknown-field' });
    }
  }
  for (const key of node.required) {
    if (!(key in obj)) out.push({ path: join(path, key), message: 'Required value', rule: 'required' });
  }
  if (node.minProperties !== undefined || node.maxProperties !== undefined) {
    const n = Object.keys(obj).length;
    if (node.minProperties !== undefined && n < node.minProperties) out.push({ path, message: `should have at least ${node.minProperties} properties`, rule: 'minProperties' });
    if (node.maxProperties !== undefined && n > node.maxProperties) out.push({ path, message: `should have at most ${node.maxProperties} properties`, rule: 'maxProperties' });
  }
  if (node.embedded && !isRoot) {
    // x-kubernetes-embedded-resource: apiVersion and kind are required, metadata is ObjectMeta (name optional).
    if (Object.keys(obj).length > 0) {
      if (!('apiVersion' in obj)) out.push({ path: join(path, 'apiVersion'), message: 'Required value: must not be empty', rule: 'required' });
      if (!('kind' in obj)) out.push({ path: join(path, 'kind'), message: 'Required value: must not be empty', rule: 'required' });
    }
    if (obj.metadata !== undefined) {
      for (const v of validateObjectMeta(obj.metadata, join(path, 'metadata'), { namespaced: true, requireName: false })) out.push(v);
    }
  }
}

function checkCombinators(node: Node, value: unknown, path: string, ctx: Ctx): void {
  const passes = (n: Node): boolean => {
    const sub: Ctx = { out: [] };
    walk(n, value, path, sub, NO_OLD, false);
    return sub.out.length === 0;
  };
  if (node.allOf) {
    for (const n of node.allOf) {
      const sub: Ctx = { out: [] };
      walk(n, value, path, sub, NO_OLD, false);
      ctx.out.push(...sub.out);
    }
  }
  if (node.anyOf && !node.anyOf.some(passes)) ctx.out.push({ path, message: 'must validate at least one schema (anyOf)', rule: 'anyOf' });
  if (node.oneOf) {
    const n = node.oneOf.filter(passes).length;
    if (n !== 1) ctx.out.push({ path, message: `must validate one and only one schema (oneOf), matched ${n}`, rule: 'oneOf' });
  }
  if (node.not && passes(node.not)) ctx.out.push({ path, message: 'must not validate the schema (not)', rule: 'not' });
}

function checkCel(node: Node, value: unknown, path: string, out: SchemaViolation[], old: Old, isRoot: boolean): void {
  // At the root CEL sees metadata.name/generateName only; with generateName alone the apiserver has already
  // generated the name by the time rules run, so we do the same with a fixed suffix.
  let self = value;
  if (isRoot && isRecord(value)) self = rootSelf(value);
  for (const rule of node.cel) {
    const at = rule.fieldPath ? join(path, rule.fieldPath.replace(/^\./, '')) : path;
    if (!rule.compiled) {
      out.push({ path: at, message: `CEL rule ${JSON.stringify(rule.source)} cannot be evaluated offline: ${rule.unsupported ?? 'unknown reason'}`, rule: 'cel-unsupported' });
      continue;
    }
    // Transition rules are not evaluated on create (no old object), exactly as on the apiserver.
    if (rule.compiled.transition && old === NO_OLD) continue;
    const oldSelf = rule.compiled.transition && isRoot && isRecord(old) ? rootSelf(old) : old;
    const result = rule.compiled.evaluate(self, oldSelf);
    if (result === true) continue;
    const base = ruleMessage(rule, self, oldSelf);
    const message = result instanceof CelError
      ? `${base} (evaluation error: ${result.message})`
      : result === false ? base : `${base} (rule did not evaluate to a bool)`;
    const v: SchemaViolation = { path: at, message, rule: 'cel' };
    if (rule.reason) v.reason = rule.reason;
    out.push(v);
  }
}

function rootSelf(obj: Record<string, unknown>): Record<string, unknown> {
  const meta = isRecord(obj.metadata) ? obj.metadata : undefined;
  if (!meta) return obj;
  const m: Record<string, unknown> = {};
  if (typeof meta.name === 'string' && meta.name !== '') m.name = meta.name;
  else if (typeof meta.generateName === 'string' && meta.generateName !== '') m.name = simulatedGeneratedName(meta.generateName);
  if ('generateName' in meta) m.generateName = meta.generateName;
  return { ...obj, metadata: m };
}

function ruleMessage(rule: CelRule, self: unknown, oldSelf: unknown): string {
  if (rule.messageExpression) {
    const m = rule.messageExpression.evaluate(self, oldSelf);
    if (typeof m === 'string' && m !== '') return m;
  }
  return rule.message ?? `failed rule: ${rule.source}`;
}

/**
 * Returns a deep copy of `obj` with schema defaults applied the way the apiserver does before validation:
 * missing (or non-nullable null) properties of existing objects get their default, and defaults are then
 * themselves defaulted; parents are never created.
 */
export function applyDefaults<T>(obj: T, schema: object | CompiledSchema): T {
  const compiled = schema instanceof CompiledSchema ? schema : compileSchema(schema);
  return defaultNode(compiled.root, structuredClone(obj)) as T;
}

function defaultNode(node: Node, value: unknown): unknown {
  if (Array.isArray(value)) {
    if (node.items) for (let i = 0; i < value.length; i++) value[i] = defaultNode(node.items, value[i]);
    return value;
  }
  if (!isRecord(value)) return value;
  if (node.properties) {
    for (const [key, child] of node.properties) {
      const missing = !(key in value) || (value[key] === null && !child.nullable);
      if (missing && child.hasDefault) value[key] = structuredClone(child.default);
      if (key in value) value[key] = defaultNode(child, value[key]);
    }
  }
  if (typeof node.additional === 'object') {
    for (const key of Object.keys(value)) {
      if (!node.properties?.has(key)) value[key] = defaultNode(node.additional, value[key]);
    }
  }
  return value;
}

/** Lists every distinct CEL rule in a schema with whether the interpreter can evaluate it, for coverage tests. */
export function listCelRules(schema: object | CompiledSchema): { rule: string; message: string | undefined; path: string; supported: boolean; transition: boolean; error?: string }[] {
  const compiled = schema instanceof CompiledSchema ? schema : compileSchema(schema);
  const out: { rule: string; message: string | undefined; path: string; supported: boolean; transition: boolean; error?: string }[] = [];
  const visit = (n: Node, path: string): void => {
    for (const r of n.cel) {
      const entry: (typeof out)[number] = { rule: r.source, message: r.message, path, supported: r.compiled !== undefined, transition: r.compiled?.transition ?? false };
      if (r.unsupported) entry.error = r.unsupported;
      out.push(entry);
    }
    n.properties?.forEach((c, k) => visit(c, join(path, k)));
    if (typeof n.additional === 'object') visit(n.additional, `${path}[*]`);
    if (n.items) visit(n.items, `${path}[*]`);
    for (const list of [n.anyOf, n.allOf, n.oneOf]) list?.forEach((c) => visit(c, path));
    if (n.not) visit(n.not, path);
  };
  visit(compiled.root, '');
  return out;
}

export type { SchemaViolation, ViolationRule };
