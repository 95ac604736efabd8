// ObjectMeta checks the kube-apiserver applies to every custom resource before the CRD schema is consulted
// (k8s.io/apimachinery/pkg/api/validation ValidateObjectMeta). The CRD schema itself only says
// `metadata: {type: object}` at the root, so without this a bad name or label would go unnoticed offline.
import type { SchemaViolation } from './types.js';
import { utf8Length } from '../text/utf8.js';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
/** apimachinery TotalAnnotationSizeLimitB: keys plus values, in bytes. */
const ANNOTATIONS_MAX_BYTES = 256 * 1024;
/** apiserver names.SimpleNameGenerator: the prefix is cut to 58 so prefix + 5 random chars fits 63. */
const MAX_GENERATE_NAME_PREFIX = 58;

const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

/** Options for {@link validateObjectMeta}. */
export interface ObjectMetaOptions {
  /** Namespaced resources may carry `metadata.namespace`; cluster-scoped ones have it cleared by the apiserver. */
  namespaced: boolean;
  /** Embedded objects (x-kubernetes-embedded-resource) need no name; top-level objects do. */
  requireName: boolean;
}

/** Returns the ObjectMeta violations for `meta` located at `path` (usually "metadata"). */
export function validateObjectMeta(meta: unknown, path: string, opts: ObjectMetaOptions): SchemaViolation[] {
  const out: SchemaViolation[] = [];
  const v = (p: string, message: string, rule: SchemaViolation['rule'] = 'metadata'): void => void out.push({ path: p, message, rule });
  if (meta === undefined) {
    if (opts.requireName) v(path, 'metadata is required (name or generateName)', 'required');
    return out;
  }
  if (!isRecord(meta)) {
    v(path, `must be of type object, got ${jsonType(meta)}`, 'type');
    return out;
  }
  for (const key of Object.keys(meta)) {
    if (!OBJECT_META_FIELDS.has(key)) v(`${path}.${key}`, `unknown field "${key}" in ObjectMeta`, 'unknown-field');
  }
  const { name, generateName, namespace, labels, annotations } = meta;
  for (const [field, value] of [['name', name], ['generateName', generateName], ['namespace', namespace]] as const) {
    if (value !== undefined && typeof value !== 'string') v(`${path}.${field}`, `must be of type string, got ${jsonType(value)}`, 'type');
  }
  if (typeof name === 'string' && name !== '') {
    for (const m of dns1123Subdomain(name)) v(`${path}.name`, m);
  } else if (typeof generateName === 'string' && generateName !== '') {
    // A trailing dash is fine in a prefix: the apiserver appends random characters after it.
    for (const m of dns1123Subdomain(generateName.replace(/-$/, 'a'))) v(`${path}.generateName`, m);
  } else if (opts.requireName) {
    v(`${path}.name`, 'name or generateName is required', 'required');
  }
  if (opts.namespaced && typeof namespace === 'string' && namespace !== '') {
    if (namespace.length > 63) v(`${path}.namespace`, 'must be no more than 63 characters');
    else if (!DNS1123_LABEL.test(namespace)) v(`${path}.namespace`, 'a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character');
  }
  if (labels !== undefined) validateStringMap(labels, `${path}.labels`, out, true);
  if (annotations !== undefined) validateStringMap(annotations, `${path}.annotations`, out, false);
  return out;
}

/**
 * Returns the name the apiserver would see when only generateName is set, with a fixed suffix made of the
 * characters the apiserver's generator uses, so name-based CEL rules can be evaluated offline.
 */
export function simulatedGeneratedName(generateName: string): string {
  return generateName.slice(0, MAX_GENERATE_NAME_PREFIX) + 'bcdfg';
}

function validateStringMap(map: unknown, path: string, out: SchemaViolation[], isLabels: boolean): void {
  if (!isRecord(map)) {
    out.push({ path, message: `must be of type object, got ${jsonType(map)}`, rule: 'type' });
    return;
  }
  let bytes = 0;
  for (const [key, value] of Object.entries(map)) {
    const p = `${path}[${key}]`;
    // The apiserver lower-cases annotation keys before the check, so upper case is fine there.
    for (const m of qualifiedName(isLabels ? key : key.toLowerCase())) out.push({ path: p, message: `invalid key "${key}": ${m}`, rule: 'metadata' });
    if (typeof value !== 'string') {
      out.push({ path: p, message: `must be of type string, got ${jsonType(value)}`, rule: 'type' });
      continue;
    }
    if (isLabels) {
      if (value.length > 63) out.push({ path: p, message: 'label value must be no more than 63 characters', rule: 'metadata' });
      else if (!LABEL_VALUE.test(value)) out.push({ path: p, message: `invalid label value "${value}": must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`, rule: 'metadata' });
    }
    bytes += utf8Length(key) + utf8Length(value);
  }
  if (!isLabels && bytes > ANNOTATIONS_MAX_BYTES) {
    out.push({ path, message: `annotations are too long: must have at most ${ANNOTATIONS_MAX_BYTES} bytes, got ${bytes}`, rule: 'metadata' });
  }
}

function dns1123Subdomain(s: string): string[] {
  const out: string[] = [];
  if (s.length > 253) out.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(s)) {
    out.push(`a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (got "${s}")`);
  }
  return out;
}

function qualifiedName(key: string): string[] {
  const parts = key.split('/');
  let name = key;
  const out: string[] = [];
  if (parts.length === 2) {
    const [prefix, rest] = parts as [string, string];
    name = rest;
    if (prefix === '') out.push('prefix part must be non-empty');
    else out.push(...dns1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return ["a qualified name must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS subdomain prefix and '/'"];
  }
  if (name === '') out.push('name part must be non-empty');
  else if (name.length > 63) out.push('name part must be no more than 63 characters');
  else if (!QUALIFIED_NAME.test(name)) out.push("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character");
  return out;
}

/** True for plain JSON objects (not arrays, not null). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The JSON type name of a value, as used in violation messages. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}
