/**
 * Detection of unrendered templates (envsubst `$VAR`/`${VAR}`, Helm and other Go templates
 * `{{ .Values.x }}`): such a document is bad input, to be rendered first, not a manifest with odd values.
 */

/** An unrendered template variable found in a document. */
export interface TemplateVariable {
  /** The variable as written: `${IMAGE}`, `$NUM_NODES`, `{{ .Values.image }}`. */
  variable: string;
  /** Which templating it belongs to, for the hint. */
  engine: 'envsubst' | 'helm';
  /** Field path in the parsed document (`spec.replicas`), or undefined when found in unparseable text. */
  path?: string;
}

const GO_TEMPLATE = /\{\{-?\s*[^{}]*?\s*-?\}\}/;
const BRACED_VAR = /\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}/;
const BARE_VAR = /\$[A-Za-z_][A-Za-z0-9_]*/;
const WHOLE_VAR = /^\s*\$(?:\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}|[A-Za-z_][A-Za-z0-9_]*)\s*$/;

/**
 * Fields whose strings are shell text or free text, where `$VAR` is normal content (expanded by a
 * shell in the container, or documentation): `command`, `args`, annotations, and env values (where
 * only a value that is nothing but a placeholder counts).
 */
const SHELL_KEYS = new Set(['command', 'args']);

/** Keys whose values are opaque content (a ConfigMap's script, a Secret): anything goes there. */
const CONTENT_KEYS = new Set(['data', 'stringData', 'binaryData']);

type Mode = 'normal' | 'shell' | 'whole' | 'go-only';

/**
 * Looks for a template variable in a parsed document's strings (keys included); undefined if none.
 * In Kubeflow training jobs every `$VAR`/`${VAR}` outside shell text counts; in other objects (a
 * ConfigMap, a Service next to the job) only Go template actions do, and never in `data`.
 */
export function findTemplateInValue(doc: unknown): TemplateVariable | undefined {
  let found: TemplateVariable | undefined;
  const visitObject = (v: unknown, path: string): void => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return visit(v, path, 'go-only');
    const o = v as Record<string, unknown>;
    if (typeof o.kind === 'string' && /^(List|[A-Za-z]+List)$/.test(o.kind) && Array.isArray(o.items)) {
      o.items.forEach((item, i) => visitObject(item, `${path ? `${path}.` : ''}items[${i}]`));
      return;
    }
    const trainingJob = typeof o.apiVersion === 'string' && o.apiVersion.startsWith('kubeflow.org/') && o.kind !== 'Experiment';
    visit(v, path, trainingJob ? 'normal' : 'go-only');
  };
  const visit = (v: unknown, path: string, mode: Mode): void => {
    if (found) return;
    if (typeof v === 'string') {
      const hit = templateInString(v, mode);
      if (hit) found = { ...hit, path: path || '(document)' };
      return;
    }
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length && !found; i++) visit(v[i], `${path}[${i}]`, mode);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const obj = v as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (found) return;
      const keyHit = templateInString(key, mode === 'go-only' ? 'go-only' : 'normal');
      if (keyHit) {
        found = { ...keyHit, path: path || '(document)' };
        return;
      }
      const child = path ? `${path}.${key}` : key;
      let childMode = mode;
      if (mode !== 'shell') {
        if (SHELL_KEYS.has(key) || CONTENT_KEYS.has(key)) childMode = 'shell';
        else if (mode === 'go-only') childMode = 'go-only';
        else if (key === 'annotations') childMode = 'whole';
        else if (key === 'value' && typeof obj.name === 'string' && path.endsWith(']') && /\benv\[\d+\]$/.test(path)) childMode = 'whole';
      }
      visit(obj[key], child, childMode);
    }
  };
  visitObject(doc, '');
  return found;
}

function templateInString(s: string, mode: Mode): Omit<TemplateVariable, 'path'> | undefined {
  if (s.length < 2 || (!s.includes('$') && !s.includes('{{'))) return undefined;
  // Go templates are never expanded by a shell: `{{ ... }}` counts everywhere but in shell text.
  if (mode !== 'shell') {
    const go = GO_TEMPLATE.exec(s);
    if (go) return { variable: go[0], engine: 'helm' };
  }
  if (!s.includes('$')) return undefined;
  if (mode === 'shell' || mode === 'go-only') return undefined;
  if (mode === 'whole') {
    const m = WHOLE_VAR.exec(s);
    return m && !isKatib(m[0]) ? { variable: m[0].trim(), engine: 'envsubst' } : undefined;
  }
  const braced = BRACED_VAR.exec(s);
  if (braced && !isKatib(braced[0])) return { variable: braced[0], engine: 'envsubst' };
  const bare = BARE_VAR.exec(s);
  if (bare) return { variable: bare[0], engine: 'envsubst' };
  return undefined;
}

/** Katib's own trial placeholders (`${trialParameters.lr}`) are the Experiment's syntax, not a template. */
function isKatib(v: string): boolean {
  return v.startsWith('${trialParameters.') || v.startsWith('${trialSpec.');
}

/**
 * Looks for a Go/Helm template action in raw text that did not parse as YAML (unquoted
 * `{{ .Values.x }}` or a `{{- if ... }}` line is a syntax error). Comment lines are skipped.
 * Returns the variable and its offset in `text`.
 */
export function findTemplateInText(text: string): (TemplateVariable & { offset: number }) | undefined {
  const re = new RegExp(GO_TEMPLATE.source, 'g');
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
    const hash = text.indexOf('#', lineStart);
    if (hash !== -1 && hash < m.index && /^\s*$/.test(text.slice(lineStart, hash))) continue;
    return { variable: m[0], engine: 'helm', offset: m.index };
  }
  return undefined;
}

/** 1-based line and column of the first occurrence of `needle` in `text` (outside comment lines), if any. */
export function locateInText(text: string, needle: string): { line: number; column: number } | undefined {
  let from = 0;
  for (;;) {
    const at = text.indexOf(needle, from);
    if (at === -1) return undefined;
    const lineStart = text.lastIndexOf('\n', at - 1) + 1;
    const before = text.slice(lineStart, at);
    if (!/^\s*#/.test(before)) {
      let line = 1;
      for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) line++;
      return { line, column: at - lineStart + 1 };
    }
    from = at + needle.length;
  }
}
