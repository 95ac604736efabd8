// The in-process unified diff (src/render/diff.ts): hunks, ranges and context as `diff -u` prints them.
import { describe, expect, it } from '@jest/globals';
import { diffFileName, diffLines, unifiedDiff } from '../../../src/render/diff.js';
import { externalDiffCommand } from '../../../src/verbs/preview.js';

const labels = { fromLabel: 'LIVE/x', toLabel: 'MERGED/x' };
const lines = (n: number, f: (i: number) => string = (i) => `line ${i}`): string => Array.from({ length: n }, (_, i) => `${f(i + 1)}\n`).join('');

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', labels)).toBe('');
  });

  it('renders a one-line change with three lines of context', () => {
    const a = lines(10);
    const b = a.replace('line 5\n', 'line five\n');
    expect(unifiedDiff(a, b, labels)).toBe(
      ['--- LIVE/x', '+++ MERGED/x', '@@ -2,7 +2,7 @@', ' line 2', ' line 3', ' line 4', '-line 5', '+line five', ' line 6', ' line 7', ' line 8', ''].join('\n'),
    );
  });

  it('shows an added file against an empty side like diff -N', () => {
    expect(unifiedDiff('', 'a\nb\n', labels)).toBe('--- LIVE/x\n+++ MERGED/x\n@@ -0,0 +1,2 @@\n+a\n+b\n');
    expect(unifiedDiff('a\n', '', labels)).toBe('--- LIVE/x\n+++ MERGED/x\n@@ -1 +0,0 @@\n-a\n');
  });

  it('splits distant changes into two hunks and merges close ones', () => {
    const a = lines(30);
    const far = a.replace('line 3\n', 'X\n').replace('line 25\n', 'Y\n');
    expect(unifiedDiff(a, far, labels).match(/^@@/gm)).toHaveLength(2);
    const near = a.replace('line 3\n', 'X\n').replace('line 8\n', 'Y\n');
    const d = unifiedDiff(a, near, labels);
    expect(d.match(/^@@/gm)).toHaveLength(1);
    expect(d).toContain('@@ -1,11 +1,11 @@');
  });

  it('puts removals before additions within a change', () => {
    const d = diffLines(['a', 'b', 'c'], ['a', 'x', 'y', 'c']);
    expect(d.map((l) => `${l.op}${l.text}`)).toEqual([' a', '-b', '+x', '+y', ' c']);
  });

  it('finds a minimal edit script for insertions and deletions', () => {
    const d = diffLines(['a', 'b', 'c', 'd'], ['b', 'c', 'e', 'd', 'f']);
    expect(d.filter((l) => l.op !== ' ').length).toBe(3);
    expect(d.filter((l) => l.op !== '+').map((l) => l.text)).toEqual(['a', 'b', 'c', 'd']);
    expect(d.filter((l) => l.op !== '-').map((l) => l.text)).toEqual(['b', 'c', 'e', 'd', 'f']);
  });

  it('marks a missing final newline', () => {
    expect(unifiedDiff('a', 'b', labels)).toContain('\\ No newline at end of file');
  });
});

describe('diff file names and KUBECTL_EXTERNAL_DIFF', () => {
  it('names files like kubectl diff', () => {
    expect(diffFileName('trainer.kubeflow.org/v1alpha1', 'TrainJob', 'ns', 'job')).toBe('trainer.kubeflow.org.v1alpha1.TrainJob.ns.job');
    expect(diffFileName('trainer.kubeflow.org/v1alpha1', 'ClusterTrainingRuntime', undefined, 'rt')).toBe('trainer.kubeflow.org.v1alpha1.ClusterTrainingRuntime.rt');
    expect(diffFileName('v1', 'ConfigMap', 'ns', 'cm')).toBe('v1.ConfigMap.ns.cm');
  });

  it('splits the program from its flags and drops flags kubectl would drop', () => {
    expect(externalDiffCommand(undefined)).toBeUndefined();
    expect(externalDiffCommand('colordiff -N -u --label=x $(rm)')).toEqual({ program: 'colordiff', args: ['-N', '-u', '--label=x'] });
  });
});
