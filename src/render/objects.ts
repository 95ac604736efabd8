import type { KubeObject } from '../convert/model.js';
import { toYaml } from '../yaml/index.js';

/** Renders the objects of one job: a `---`-separated YAML stream, or one JSON object per line block. */
export function renderObjects(objects: KubeObject[], format: 'yaml' | 'json'): string {
  if (format === 'json') return objects.map((o) => `${JSON.stringify(o, null, 2)}\n`).join('');
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}
