// Pod parity: do the pods Trainer v2 creates for a converted job run the same training as the pods
// Training Operator v1 created for the original? Pure functions (no cluster access), unit-tested in
// test/unit/pod-parity.test.ts and used by test/integration/parity/.
//
// How two pods are compared:
// 1. Resolve what the container will actually see, as the kubelet would: env values with `$(VAR)`
//    expanded against the variables defined before them, `fieldRef`s resolved against the pod's own
//    metadata, duplicates resolved last-wins; command and args expanded against the whole env.
// 2. Translate the v1 side's cluster-specific names into their v2 equivalents (the v1 Service host
//    `<job>-master-0` is the v2 host `<trainjob>-node-0-0.<trainjob>`, the v1 rendezvous port is
//    29500, pod and namespace names), so that a re-injected MASTER_ADDR with "the value v1 had"
//    compares equal, and a hard-coded v1 host name in user text shows up as a difference.
// 3. Drop what the controllers set for their own bookkeeping (allow-list `ignoreMetadata`), rename
//    containers (`renameContainers`), flatten both pods to `path -> value` with keyed lists
//    (`spec.containers[node].env[RANK].value`), and diff.
// 4. Every difference must match a rule of the one reviewed allow-list
//    (test/parity/allowed-differences.yaml): the documented v1 -> v2 contract, or a difference the
//    conversion reported (a rule with `requiresFinding`). Anything else fails with the path and both values.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './paths.js';

/** A pod as read from the API (only metadata and spec are compared). */
export interface PodObject {
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec: Record<string, any>;
}

/** Which side of the comparison a value comes from. */
export type Side = 'v1' | 'v2';

/** One rule of the allow-list. */
export interface AllowRule {
  id: string;
  /** v1 kinds the rule applies to (default: all). */
  kinds?: string[];
  /** Glob over flattened paths; `*` matches anything (including `.` and `[...]`), `{a,b}` either. */
  path: string;
  /** Present only on this side (`v1`: v2 lacks it; `v2`: v1 lacks it); default: any difference. */
  only?: Side;
  /** Regexes the JSON-encoded values must match (anchored). */
  v1?: string;
  v2?: string;
  /** Conditions on the job: `torchrun` / `not-torchrun` (the v2 node command), `master` / `worker-only`. */
  when?: ('torchrun' | 'not-torchrun' | 'master' | 'worker-only')[];
  /** The difference is allowed only when the conversion reported a finding with this code. */
  requiresFinding?: string;
  why: string;
}

/**
 * A failure parity found that is not the contract, so it is NOT allowed: a converter bug, or a
 * refusal the real controllers confirm. The suite expects it to keep failing exactly so (a fix
 * makes the test say it is no longer seen), so it stays visible without failing every run.
 */
export interface KnownGap {
  /** Golden case name. */
  case: string;
  /** Trainer versions it shows on (default: every version with controllers). */
  versions?: string[];
  /** Glob over the failure lines of that case (`<pair>: <path>: v1=... v2=...`, or a state problem). */
  difference: string;
  why: string;
}

/** The allow-list file. */
export interface AllowList {
  /** Label/annotation keys (globs) and finalizers the controllers set for themselves. */
  ignoreMetadata: { labels: string[]; annotations: string[]; finalizers: string[] };
  /** v1 container name -> v2 container name, per v1 kind. */
  renameContainers: Record<string, Record<string, string>>;
  allowed: AllowRule[];
  expectedFailures?: KnownGap[];
}

/** Splits unallowed difference lines of one case into those a known gap explains and the rest; also returns the known gaps that did not show. */
export function applyKnownGaps(caseName: string, version: string, lines: readonly string[], gaps: readonly KnownGap[] = []):
  { known: string[]; unexplained: string[]; stale: KnownGap[] } {
  const mine = gaps.filter((g) => g.case === caseName && (!g.versions || g.versions.includes(version)));
  const known: string[] = [];
  const unexplained: string[] = [];
  const hit = new Set<KnownGap>();
  for (const l of lines) {
    const g = mine.find((x) => globToRegExp(`*${x.difference}*`).test(l));
    if (g) { known.push(l); hit.add(g); } else unexplained.push(l);
  }
  return { known, unexplained, stale: mine.filter((g) => !hit.has(g)) };
}

/** Path of the reviewed allow-list. */
export const ALLOW_LIST_FILE = path.join(REPO_ROOT, 'test/parity/allowed-differences.yaml');

/** Loads and checks the allow-list (every rule needs an id, a path and a reason). */
export function loadAllowList(file = ALLOW_LIST_FILE): AllowList {
  const list = parse(readFileSync(file, 'utf8')) as AllowList;
  const ids = new Set<string>();
  for (const r of list.allowed) {
    if (!r.id || !r.path || !r.why?.trim()) throw new Error(`${file}: every rule needs id, path and why: ${JSON.stringify(r)}`);
    if (ids.has(r.id)) throw new Error(`${file}: duplicate rule id ${r.id}`);
    ids.add(r.id);
    for (const re of [r.v1, r.v2]) if (re !== undefined) new RegExp(re); // fail early on a bad regex
  }
  return list;
}

/** Everything the comparison needs to know about one job pair. */
export interface ParityContext {
  /** v1 kind, e.g. PyTorchJob. */
  kind: string;
  /** v1 -> v2 string translations (host names, ports, pod names, namespaces), longest first when applied. */
  translations: [string, string][];
  /** The job had a Master (v1 injected MASTER_ADDR/RANK/WORLD_SIZE). */
  hasMaster: boolean;
  /** Codes of the findings the conversion reported. */
  findings: ReadonlySet<string>;
  /**
   * All pods of the job on each side with their node index: label selectors in a pod spec
   * (pod (anti-)affinity, topology spread) are compared by which of the job's nodes they select,
   * so a selector on a label only v1 pods carry shows up instead of passing as equal text.
   */
  siblings?: Record<Side, { pod: PodObject; node: number }[]>;
  /**
   * Env variables whose value is JSON (TF_CONFIG): compared parsed, field by field
   * (`env[TF_CONFIG].value.cluster.worker[0]`), so key order and spacing do not count, the content does.
   */
  jsonEnv?: readonly string[];
  /** v1 container -> v2 container for this pod, when it depends on the job (MPIJob); default: the allow-list's renameContainers of the kind. */
  renameContainers?: Record<string, string>;
}

// ---------------------------------------------------------------------------------------------
// 1. What the container sees.

function fieldRefValue(pod: PodObject, fieldPath: string): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (pod.metadata[m[1] as 'labels' | 'annotations'] ?? {})[m[2]!] ?? '';
  switch (fieldPath) {
    // Generated per side (and the two sides run in different namespaces): compared as what they stand for.
    case 'metadata.name': return '<pod name>';
    case 'metadata.namespace': return '<namespace>';
    case 'spec.serviceAccountName': return pod.spec.serviceAccountName ?? '';
    default: return undefined; // status.podIP, spec.nodeName, ...: not known while Pending; compared as written
  }
}

/** Kubernetes `$(VAR)` expansion: known names are replaced, `$$` escapes, unknown references stay literal. */
export function expandVars(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) => {
    if (name === undefined) return '$';
    return vars.get(name) ?? all;
  });
}

interface EnvVar { name: string; value?: string; valueFrom?: Record<string, any> }

/**
 * The environment a container ends up with: last definition of a name wins, literal values and
 * resolvable fieldRefs become plain values, other valueFrom sources stay as written.
 */
export function resolveEnv(pod: PodObject, env: readonly EnvVar[] | undefined): Map<string, { value?: string; valueFrom?: unknown }> {
  const vars = new Map<string, string>();
  const out = new Map<string, { value?: string; valueFrom?: unknown }>();
  for (const e of env ?? []) {
    let resolved: string | undefined;
    if (e.valueFrom?.fieldRef?.fieldPath) resolved = fieldRefValue(pod, e.valueFrom.fieldRef.fieldPath);
    else if (!e.valueFrom) resolved = expandVars(e.value ?? '', vars);
    if (resolved !== undefined) {
      vars.set(e.name, resolved);
      out.set(e.name, { value: resolved });
    } else {
      vars.delete(e.name);
      out.set(e.name, { valueFrom: e.valueFrom });
    }
  }
  return out;
}

/** A JSON value parsed, or the text itself when it is not JSON (then it is compared as text). */
function parsedJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** Whether a Kubernetes label selector matches a label set. */
export function selectorMatches(sel: LabelSelector, labels: Record<string, string> = {}): boolean {
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const ok = e.operator === 'In' ? has && (e.values ?? []).includes(labels[e.key]!)
      : e.operator === 'NotIn' ? !has || !(e.values ?? []).includes(labels[e.key]!)
        : e.operator === 'Exists' ? has
          : e.operator === 'DoesNotExist' ? !has : false;
    if (!ok) return false;
  }
  return true;
}

/** Adds `(selects nodes)` next to every labelSelector: the node indexes of the job's pods it matches on that side. */
function annotateSelectors(value: unknown, siblings: { pod: PodObject; node: number }[]): void {
  if (Array.isArray(value)) { value.forEach((v) => annotateSelectors(v, siblings)); return; }
  if (!value || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === 'labelSelector' && v && typeof v === 'object') {
      const nodes = siblings.filter((s) => selectorMatches(v as LabelSelector, s.pod.metadata.labels)).map((s) => s.node).sort((a, b) => a - b);
      (v as Record<string, unknown>)['(selects nodes)'] = nodes.join(',') || 'none';
    } else {
      annotateSelectors(v, siblings);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// 2. Translation and 3. flattening.

/** Glob to RegExp: `*` is any text (including `.` and brackets), `{a,b}` is either alternative. */
export function globToRegExp(glob: string): RegExp {
  const esc = (t: string): string => t.replace(/[.+?^$()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  const body = glob.split(/(\{[^{}]*\})/).map((part) => (part.startsWith('{') && part.endsWith('}')
    ? `(?:${part.slice(1, -1).split(',').map(esc).join('|')})`
    : esc(part))).join('');
  return new RegExp(`^${body}$`);
}

function matchesAny(key: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(key));
}

/** Applies v1 -> v2 translations to a string, longest source first, on name boundaries. */
export function translate(text: string, translations: readonly [string, string][]): string {
  let out = text;
  for (const [from, to] of [...translations].sort((a, b) => b[0].length - a[0].length)) {
    const re = new RegExp(`(?<![A-Za-z0-9-])${from.replace(/[.+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9-])`, 'g');
    out = out.replace(re, `\u0000${to}\u0000`); // mark replaced text so a shorter rule cannot rewrite it again
  }
  return out.replace(/\u0000/g, '');
}

function translateDeep(value: unknown, translations: readonly [string, string][]): unknown {
  if (typeof value === 'string') return translate(value, translations);
  if (Array.isArray(value)) return value.map((v) => translateDeep(v, translations));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, translateDeep(v, translations)]));
  }
  return value;
}

// Lists whose items have a natural key; paths use it instead of the position.
const LIST_KEYS: Record<string, (item: any) => string | undefined> = {
  containers: (i) => i.name,
  initContainers: (i) => i.name,
  ephemeralContainers: (i) => i.name,
  env: (i) => i.name,
  ports: (i) => i.name ?? (i.containerPort !== undefined ? String(i.containerPort) : undefined),
  volumes: (i) => i.name,
  volumeMounts: (i) => i.mountPath,
  imagePullSecrets: (i) => i.name,
  schedulingGates: (i) => i.name,
  hostAliases: (i) => i.ip,
  envFrom: (i) => i.configMapRef?.name ?? i.secretRef?.name,
  tolerations: (i) => `${i.key ?? ''}:${i.operator ?? ''}:${i.effect ?? ''}`,
};

function flattenInto(out: Map<string, string>, prefix: string, value: unknown, listName?: string): void {
  if (Array.isArray(value)) {
    if (value.length === 0) { out.set(prefix, '[]'); return; }
    const keyOf = listName ? LIST_KEYS[listName] : undefined;
    value.forEach((item, i) => {
      const key = keyOf?.(item) ?? String(i);
      // The key is in the path already: `env[RANK].name` would only repeat it.
      const rest = keyOf && item && typeof item === 'object' && item.name === key ? (({ name: _n, ...r }) => r)(item) : item;
      flattenInto(out, `${prefix}[${key}]`, rest);
    });
    return;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) { out.set(prefix, '{}'); return; }
    for (const [k, v] of entries) flattenInto(out, prefix ? `${prefix}.${k}` : k, v, k);
    return;
  }
  out.set(prefix, JSON.stringify(value));
}

/** The comparable form of a pod: controller bookkeeping dropped, containers renamed, env resolved, v1 names translated. */
export function normalizePod(pod: PodObject, side: Side, ctx: ParityContext, allow: AllowList): Map<string, string> {
  const spec = structuredClone(pod.spec);
  if (ctx.siblings) annotateSelectors(spec, ctx.siblings[side]);
  const rename = side === 'v1' ? ctx.renameContainers ?? allow.renameContainers[ctx.kind] ?? {} : {};
  for (const list of ['containers', 'initContainers'] as const) {
    for (const c of (spec[list] as Record<string, any>[] | undefined) ?? []) {
      const env = resolveEnv(pod, c.env);
      const vars = new Map([...env].filter(([, v]) => v.value !== undefined).map(([k, v]) => [k, v.value!]));
      if (c.env) c.env = [...env].map(([name, v]) => ({ name, ...(ctx.jsonEnv?.includes(name) && v.value !== undefined ? { value: parsedJson(v.value) } : v) }));
      if (c.command) c.command = (c.command as string[]).map((s) => expandVars(s, vars));
      if (c.args) c.args = (c.args as string[]).map((s) => expandVars(s, vars));
      if (rename[c.name]) c.name = rename[c.name];
    }
  }
  const keep = (m: Record<string, string> | undefined, globs: string[]): Record<string, string> | undefined => {
    const kept = Object.entries(m ?? {}).filter(([k]) => !matchesAny(k, globs));
    return kept.length ? Object.fromEntries(kept) : undefined;
  };
  const metadata: Record<string, unknown> = {
    labels: keep(pod.metadata.labels, allow.ignoreMetadata.labels),
    annotations: keep(pod.metadata.annotations, allow.ignoreMetadata.annotations),
    finalizers: (pod.metadata.finalizers ?? []).filter((f) => !allow.ignoreMetadata.finalizers.includes(f)),
  };
  if ((metadata.finalizers as string[]).length === 0) delete metadata.finalizers;
  const comparable = { metadata, spec };
  const out = new Map<string, string>();
  flattenInto(out, '', side === 'v1' ? translateDeep(comparable, ctx.translations) : comparable);
  for (const [k, v] of out) if (v === undefined || v === 'undefined') out.delete(k);
  return out;
}

// ---------------------------------------------------------------------------------------------
// 4. Diff and allow-list.

/** One difference between a v1 pod and its v2 counterpart. */
export interface PodDifference {
  /** Flattened path, e.g. `spec.containers[node].env[RANK].value`. */
  path: string;
  /** JSON of the (normalized) values; undefined when absent on that side. */
  v1?: string;
  v2?: string;
  /** Id of the allow-list rule that covers it; undefined when nothing does (a test failure). */
  allowedBy?: string;
}

/** Whether the v2 container runs torchrun (which sets MASTER_ADDR/PORT, RANK, WORLD_SIZE itself). */
export function runsTorchrun(pod: PodObject, container = 'node'): boolean {
  const c = (pod.spec.containers as { name: string; command?: string[]; args?: string[] }[] | undefined)?.find((x) => x.name === container);
  const words = [...(c?.command ?? []), ...(c?.args ?? [])].join(' ');
  return /(^|[\s/;&|'"])torchrun(\s|$)|python[0-9.]*\s+(-\S+\s+)*-m\s+torch\.distributed\.(run|launch)\b|(^|\s)tune\s+run\b/.test(words);
}

function ruleApplies(rule: AllowRule, d: PodDifference, ctx: ParityContext, torchrun: boolean): boolean {
  if (rule.kinds && !rule.kinds.includes(ctx.kind)) return false;
  if (!globToRegExp(rule.path).test(d.path)) return false;
  if (rule.only === 'v1' && d.v2 !== undefined) return false;
  if (rule.only === 'v2' && d.v1 !== undefined) return false;
  if (rule.v1 !== undefined && (d.v1 === undefined || !new RegExp(`^(?:${rule.v1})$`).test(d.v1))) return false;
  if (rule.v2 !== undefined && (d.v2 === undefined || !new RegExp(`^(?:${rule.v2})$`).test(d.v2))) return false;
  for (const w of rule.when ?? []) {
    if (w === 'torchrun' && !torchrun) return false;
    if (w === 'not-torchrun' && torchrun) return false;
    if (w === 'master' && !ctx.hasMaster) return false;
    if (w === 'worker-only' && ctx.hasMaster) return false;
  }
  if (rule.requiresFinding && !ctx.findings.has(rule.requiresFinding)) return false;
  return true;
}

/** Diffs two pods and marks each difference with the allow-list rule that covers it, if any. */
export function diffPods(v1: PodObject, v2: PodObject, ctx: ParityContext, allow: AllowList): PodDifference[] {
  const a = normalizePod(v1, 'v1', ctx, allow);
  const b = normalizePod(v2, 'v2', ctx, allow);
  const torchrun = runsTorchrun(v2);
  const diffs: PodDifference[] = [];
  for (const p of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    if (a.get(p) === b.get(p)) continue;
    const d: PodDifference = { path: p, v1: a.get(p), v2: b.get(p) };
    d.allowedBy = allow.allowed.find((r) => ruleApplies(r, d, ctx, torchrun))?.id;
    diffs.push(d);
  }
  return diffs;
}

/** One line per difference nothing allows: path and both values (what a failing test prints). */
export function describeUnallowed(pair: string, diffs: readonly PodDifference[]): string[] {
  return diffs.filter((d) => !d.allowedBy).map((d) => `${pair}: ${d.path}: v1=${d.v1 ?? '(absent)'} v2=${d.v2 ?? '(absent)'}`);
}
