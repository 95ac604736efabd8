// Generated runtimes named by content: the hash is SHA-256 (checked against node:crypto), names are stable and
// short, and one stream emits a shared runtime once and refuses two different runtimes under one name.
import { describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { canonicalJson, contentHash, sha256Hex } from '../../../src/convert/content-hash.js';
import { generatedRuntimeName } from '../../../src/convert/placement.js';
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
    for (const s of ['', 'abc', 'é ünïcødé 🚀', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(64), 'w'.repeat(1000)]) {
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s, 'utf8').digest('hex'));
    }
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

  it('leaves runtimes a user wrote (no managed-by label) alone', () => {
    const reg = new GeneratedRuntimeRegistry();
    const mine = { ...runtime('rt', 'a'), metadata: { name: 'rt', namespace: 'a' } };
    admitJobObjects(reg, [mine], 's', true);
    expect(admitJobObjects(reg, [mine], 's', true).objects).toHaveLength(1);
  });
});
