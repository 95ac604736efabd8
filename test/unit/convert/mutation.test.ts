// Property test: whatever shape a PyTorchJob has (fields deleted, values of the wrong type, template
// placeholders), the converter never throws: it refuses with findings, and whatever it emits passes the
// target's CRD schema (convertDocument validates every emitted object and throws OutputSchemaError if not).
// Seeded, so a failure reproduces.
import { describe, expect, test } from '@jest/globals';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { convertDocument } from '../../../src/convert/index.js';
import { getTarget } from '../../../src/convert/targets/index.js';

let seed = 20261124;
const rand = () => {
  seed = (seed * 1103515245 + 12345) & 0x7fffffff;
  return seed / 0x7fffffff;
};
const VALUES = [null, 0, -1, 1, 2.5, 'x', '', 'auto', 'cpu', [], {}, true, false, ['a'], { a: 1 }, '${NUM_NODES}', 'Never', 'ExitCode', 'a'.repeat(70)];

function leafPaths(v: unknown, p: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  if (p.length) out.push(p);
  if (Array.isArray(v)) v.forEach((x, i) => leafPaths(x, [...p, i], out));
  else if (v && typeof v === 'object') for (const k of Object.keys(v)) leafPaths((v as Record<string, unknown>)[k], [...p, k], out);
  return out;
}

function mutate(doc: unknown): unknown {
  const c = JSON.parse(JSON.stringify(doc));
  const ps = leafPaths(c);
  for (let n = 0; n < 1 + Math.floor(rand() * 3); n++) {
    const p = ps[Math.floor(rand() * ps.length)]!;
    let cur = c;
    for (const k of p.slice(0, -1)) cur = cur?.[k];
    if (!cur || typeof cur !== 'object') continue;
    const last = p[p.length - 1]!;
    if (rand() < 0.3) {
      if (Array.isArray(cur)) cur.splice(Number(last), 1);
      else delete cur[last];
    } else cur[last] = JSON.parse(JSON.stringify(VALUES[Math.floor(rand() * VALUES.length)]));
  }
  return c;
}

const casesDir = path.join(process.cwd(), 'test/golden/cases');
const inputs = readdirSync(casesDir)
  .map((c) => path.join(casesDir, c, 'input.yaml'))
  .filter((f) => existsSync(f))
  .flatMap((f) => {
    try {
      return parseAllDocuments(readFileSync(f, 'utf8')).map((d) => d.toJS({ maxAliasCount: 100 }));
    } catch {
      return []; // the malformed-input cases
    }
  })
  .filter((d) => d && typeof d === 'object');

describe('mutated PyTorchJobs', () => {
  test.each(['v2.0', 'v2.1', 'v2.2', 'v2.3'])('never crash the converter or yield an invalid %s object', (target) => {
    const failures: string[] = [];
    let runs = 0;
    for (const doc of inputs) {
      for (let i = 0; i < 8; i++) {
        const m = mutate(doc);
        runs++;
        try {
          convertDocument(m, { target: getTarget(target), runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' }, envShim: true, force: i % 2 === 0, toolVersion: 'test' });
        } catch (e) {
          failures.push(`${(e as Error).name}: ${(e as Error).message}\n${JSON.stringify(m).slice(0, 400)}`);
        }
      }
    }
    expect(runs).toBeGreaterThan(500);
    expect(failures.slice(0, 3)).toEqual([]);
  });
});
