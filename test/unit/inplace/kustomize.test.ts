// Kustomization checks of convert --in-place: patches that target a rewritten PyTorchJob, name prefixes
// that break runtimeRef, and which files are patches (not manifests).
import { describe, expect, test } from '@jest/globals';
import { checkKustomization, patchFiles, type RewrittenIdentity } from '../../../src/inplace/kustomize.js';

const job: RewrittenIdentity = { kind: 'PyTorchJob', name: 'bert', trainJob: 'bert' };
const codes = (text: string, files: Record<string, string> = {}, rewritten: RewrittenIdentity[] = [job]) =>
  checkKustomization({ name: 'k.yaml', text, read: (p) => files[p], rewritten }).map((f) => `${f.code} ${f.path}`);

describe('checkKustomization', () => {
  test('patchesStrategicMerge by file or inline, naming the job', () => {
    const smp = 'apiVersion: kubeflow.org/v1\nkind: PyTorchJob\nmetadata:\n  name: bert\n';
    expect(codes('patchesStrategicMerge:\n- p.yaml\n- |\n  kind: PyTorchJob\n  metadata:\n    name: bert\n', { 'p.yaml': smp })).toEqual([
      'KTJ-KUSTOMIZE-001 patchesStrategicMerge[0]',
      'KTJ-KUSTOMIZE-001 patchesStrategicMerge[1]',
    ]);
    expect(codes('patchesStrategicMerge:\n- p.yaml\n', { 'p.yaml': smp.replace('bert', 'other') })).toEqual([]);
  });

  test('targets by kind and name (a regular expression), other kinds ignored', () => {
    expect(codes('patches:\n- target: {kind: PyTorchJob, name: "be.*"}\n  patch: "[]"\n- target: {kind: ConfigMap}\n  patch: "[]"\n')).toEqual(['KTJ-KUSTOMIZE-001 patches[0]']);
    expect(codes('patchesJson6902:\n- target: {kind: PyTorchJob}\n  path: x.yaml\n')).toEqual(['KTJ-KUSTOMIZE-001 patchesJson6902[0]']);
    expect(codes('patches:\n- target: {kind: PyTorchJob, name: gpt}\n  patch: "[]"\n')).toEqual([]);
  });

  test('a name prefix matters only when a runtime was generated', () => {
    expect(codes('namePrefix: prod-\n')).toEqual([]);
    expect(codes('nameSuffix: -b\n', {}, [{ ...job, generatedRuntime: 'torch-distributed-abc' }])).toEqual(['KTJ-KUSTOMIZE-002 nameSuffix']);
  });

  test('nothing rewritten, or not a kustomization: no findings', () => {
    expect(codes('patches:\n- target: {kind: PyTorchJob}\n', {}, [])).toEqual([]);
    expect(codes(': : bad yaml [')).toEqual([]);
  });
});

describe('patchFiles', () => {
  test('lists the files a kustomization patches with, not inline patches', () => {
    expect(patchFiles('patchesStrategicMerge:\n- a.yaml\n- |\n  kind: X\npatches:\n- path: b.yaml\n- patch: "[]"\npatchesJson6902:\n- path: c.yaml\n  target: {kind: X}\n')).toEqual(['a.yaml', 'b.yaml', 'c.yaml']);
  });
});
