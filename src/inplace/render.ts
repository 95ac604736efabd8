// The text that takes a converted document's place in its file.
import type { KubeObject } from '../convert/model.js';
import { toYaml } from '../yaml/index.js';

/** How a rewritten document is written: YAML, or JSON for `.json` files. */
export type BodyFormat = 'yaml' | 'json';

/**
 * Renders the objects of one converted job as the body of a document: YAML objects separated by `---`
 * (the same text `convert` prints), or for JSON one object, or a `v1` List when a TrainingRuntime was
 * generated (a JSON file holds one value; kubectl and kustomize both read a List), indented by `indent`.
 */
export function renderBody(objects: readonly KubeObject[], format: BodyFormat, indent = 2): string {
  if (format === 'json') {
    const value = objects.length === 1 ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects };
    return `${JSON.stringify(value, null, indent)}\n`;
  }
  return objects.map((o) => toYaml(o)).join('---\n');
}

/** The indentation a JSON text uses (the leading spaces of its first indented line), 2 when it has none. */
export function jsonIndent(text: string): number {
  const m = /\n( +)\S/.exec(text);
  return m ? Math.min(m[1]!.length, 8) : 2;
}
