import { InputError } from '../errors.js';

/** What `-n` does to manifests that name a namespace themselves. */
export interface NamespaceRule {
  /** The namespace given with -n. */
  namespace: string;
  /** --override-namespace: rewrite a different namespace instead of refusing it. */
  override: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Applies `-n` to the PyTorchJobs of one parsed document (the document itself and the items of a
 * List), as kubectl does: a job without a namespace goes to -n later (the converter's default
 * namespace); a job naming another namespace is refused with kubectl's own message, unless
 * --override-namespace asks to rewrite it. `at` is the document's path in its List (one item of a List read
 * item by item). Returns how many jobs were rewritten.
 */
export function applyNamespace(doc: unknown, rule: NamespaceRule, where: string, at = ''): number {
  let rewritten = 0;
  const visit = (v: unknown, path: string) => {
    if (!isObj(v)) return;
    if (typeof v.kind === 'string' && /^(List|[A-Za-z]+List)$/.test(v.kind) && Array.isArray(v.items)) {
      v.items.forEach((item, i) => visit(item, `${path ? `${path}.` : ''}items[${i}]`));
      return;
    }
    if (v.kind !== 'PyTorchJob' || !isObj(v.metadata)) return;
    const ns = v.metadata.namespace;
    if (typeof ns !== 'string' || ns === '' || ns === rule.namespace) return;
    if (!rule.override) {
      throw new InputError(
        `the namespace from the provided object "${ns}" does not match the namespace "${rule.namespace}". You must pass '--namespace=${ns}' to perform this operation (${where}${path ? ` ${path}` : ''})`,
        `Drop -n to keep the manifest's namespace, or add --override-namespace to move the job to "${rule.namespace}".`,
      );
    }
    v.metadata.namespace = rule.namespace;
    rewritten++;
  };
  visit(doc, at);
  return rewritten;
}
