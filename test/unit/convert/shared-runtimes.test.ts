// Generated runtimes named by content: the hash is SHA-256 (checked against node:crypto), names are stable and
// short, and one stream emits a shared runtime once and refuses two different runtimes under one name.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { canonicalJson, contentHash, runtimeContentDigest, sha256Hex } from '../../../src/convert/content-hash.js';
import { buildGeneratedRuntime, generatedRuntimeName } from '../../../src/convert/placement.js';
import { newPlan } from '../../../src/convert/build.js';
import { newestTarget } from '../../../src/convert/targets/index.js';
import { admitJobObjects, GeneratedRuntimeRegistry } from '../../../src/convert/shared-runtimes.js';
import type { KubeObject } from '../../../src/convert/model.js';

const runtime = (name: string, ns: string, image = 'a'): KubeObject => ({
  apiVersion: 'trainer.kubeflow.org/v1alpha1',
  kind: 'TrainingRuntime',
  metadata: { name, namespace: ns, labels: { 'app.kubernetes.io/managed-by': 'kubectl-trainjob' } },
  spec: { image },
});
const trainJob = (name: string): KubeObject => ({ apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name }, spec: {} });

describe('content hash', () => {
  it('is SHA-256 of the UTF-8 text', () => {
    for (const s of ['', 'abc', 'é ünïcødé 🚀', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'w'.repeat(1000), 'lone \ud800 surrogate']) {
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
    // Every padding case (the length field in the same block or the next), with multi-byte characters.
    for (let n = 0; n < 200; n++) {
      const s = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 'é' : i % 11 === 0 ? '中' : String.fromCharCode(97 + (i % 26)))).join('');
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
  });

  it('canonical JSON is JSON.stringify of a copy with the keys inserted in sorted order', () => {
    // The reference definition runtime names were first computed with: names must never change.
    const sortKeys = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortKeys);
      if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
      return v;
    };
    let seed = 42;
    const rand = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
    const keys = ['a', 'b', 'B', '0', '1', '10', '2', '01', '-1', '1.5', '4294967294', '4294967295', 'é', '', ' ', 'z'];
    const leaves = ['s"\\\n', 1.5, -0, NaN, null, undefined, true, Infinity, '7', () => 1];
    const gen = (depth: number): unknown => {
      const x = rand();
      if (depth > 3 || x < 0.3) return leaves[Math.floor(rand() * leaves.length)];
      if (x < 0.55) return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
      const o: Record<string, unknown> = {};
      for (let i = Math.floor(rand() * 6); i > 0; i--) o[keys[Math.floor(rand() * keys.length)]!] = gen(depth + 1);
      return o;
    };
    for (let i = 0; i < 3000; i++) {
      const v = gen(0);
      expect(canonicalJson(v)).toBe(JSON.stringify(sortKeys(v)));
    }
    expect(canonicalJson({ b: 1, 10: 1, 2: 1, a: { d: 1, c: [{ f: 1, e: 2 }] } })).toBe('{"2":1,"10":1,"a":{"c":[{"e":2,"f":1}],"d":1},"b":1}');
  });

  it('ignores key order and is 10 hex digits', () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
    expect(contentHash({ b: 1, a: 2 })).toBe(contentHash({ a: 2, b: 1 }));
    expect(contentHash({ a: 1 })).toMatch(/^[0-9a-f]{10}$/);
    expect(contentHash({ a: 1 })).not.toBe(contentHash({ a: 2 }));
  });

  it('names runtimes <base>-<hash> within 63 characters', () => {
    expect(generatedRuntimeName('torch-distributed', { spec: {} })).toMatch(/^torch-distributed-[0-9a-f]{10}$/);
    const long = generatedRuntimeName(`${'a'.repeat(51)}-b`, { spec: {} });
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^a{51}-[0-9a-f]{10}$/);
  });
});

describe('GeneratedRuntimeRegistry', () => {
  it('emits a shared runtime once per namespace and stream', () => {
    const reg = new GeneratedRuntimeRegistry();
    expect(admitJobObjects(reg, [runtime('rt', 'a'), trainJob('j1')], 'f#1', true).objects.map((o) => o.kind)).toEqual(['TrainingRuntime', 'TrainJob']);
    expect(admitJobObjects(reg, [runtime('rt', 'a'), trainJob('j2')], 'f#2', true).objects.map((o) => o.kind)).toEqual(['TrainJob']);
    expect(admitJobObjects(reg, [runtime('rt', 'b'), trainJob('j3')], 'f#3', true).objects.map((o) => o.kind)).toEqual(['TrainingRuntime', 'TrainJob']);
    // Self-contained files keep the runtime in each.
    expect(admitJobObjects(reg, [runtime('rt', 'a'), trainJob('j4')], 'f#4', false).objects).toHaveLength(2);
  });

  it('refuses a runtime with the name of an earlier one and other content, naming the first', () => {
    const reg = new GeneratedRuntimeRegistry();
    admitJobObjects(reg, [runtime('rt', 'a', 'x'), trainJob('j1')], 'jobs.yaml#1', true);
    const r = admitJobObjects(reg, [runtime('rt', 'a', 'y'), trainJob('j2')], 'jobs.yaml#2', true);
    expect(r.objects).toEqual([]);
    expect(r.conflict).toMatchObject({ code: 'KTJ-RT-004', severity: 'error' });
    expect(r.conflict!.message).toContain('jobs.yaml#1');
  });

  it('compares the digest the converter computed with the one of the runtime as it is', () => {
    const target = newestTarget();
    const stock = target.stockRuntime as unknown as Record<string, unknown>;
    const job = { kind: 'PyTorchJob', apiVersion: 'kubeflow.org/v1', name: 'j', namespace: 'a', labels: {}, annotations: {} } as never;
    const opts = { target, runtime: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' as const, defaulted: true }, envShim: true, force: false, toolVersion: 't' };
    const plan = newPlan(job, opts, 'spec', { choice: { name: 'torch-distributed', kind: 'ClusterTrainingRuntime' }, base: stock as never, derivedFromStock: true, stockName: 'torch-distributed' }, []);
    plan.restartPolicy = 'Never';
    const { runtime: rt, digest } = buildGeneratedRuntime(plan, ['restartPolicy Never']);
    expect(digest).toBe(runtimeContentDigest(rt));
    expect(rt.metadata.name).toBe(`torch-distributed-${digest.slice(0, 10)}`);
    // The digest handed in and the one computed from the object agree: a shared runtime is left out either way.
    const reg = new GeneratedRuntimeRegistry();
    expect(admitJobObjects(reg, [rt, trainJob('j1')], 'f#1', true, digest).objects).toHaveLength(2);
    expect(admitJobObjects(reg, [structuredClone(rt), trainJob('j2')], 'f#2', true).objects.map((o) => o.kind)).toEqual(['TrainJob']);
  });

  it('leaves runtimes a user wrote (no managed-by label) alone', () => {
    const reg = new GeneratedRuntimeRegistry();
    const mine = { ...runtime('rt', 'a'), metadata: { name: 'rt', namespace: 'a' } };
    admitJobObjects(reg, [mine], 's', true);
    expect(admitJobObjects(reg, [mine], 's', true).objects).toHaveLength(1);
  });
});
