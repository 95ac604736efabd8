// The bounded plan table, the streamed JSON report and the page-by-page re-list that feeds the executor.
import { describe, expect, it } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { Cluster, KubeObject } from '../../../src/cluster/client.js';
import type { PlannedJob, WorkItem } from '../../../src/migration/executor.js';
import { planJob, type JobPlan } from '../../../src/migration/plan.js';
import { jsonReport, renderPlan, writeJsonReport } from '../../../src/migration/report.js';
import { relistJobs } from '../../../src/migration/source.js';

const plan = (name: string, state: JobPlan['state'] = 'succeeded'): JobPlan =>
  planJob({ namespace: 'ns', name, uid: `u-${name}`, state, trainJobName: name, refused: false, findings: [], generatedRuntime: false }, { strategy: 'replace', keepV1: false, suspend: false, force: false, wait: false });

describe('renderPlan', () => {
  it('shows every row up to the limit', () => {
    const out = renderPlan([plan('a'), plan('b')], false, 2);
    expect(out.trim().split('\n')).toHaveLength(3);
    expect(out).not.toMatch(/more job/);
  });
  it('above the limit shows the first rows and counts the rest by action', () => {
    const plans = [plan('a'), plan('b'), plan('c'), plan('d', 'running'), plan('e', 'running')];
    const out = renderPlan(plans, false, 2);
    const lines = out.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('... and 3 more job(s) not shown: 1 cutover, 2 skip (every row: --dry-run -o json)');
  });
});

describe('writeJsonReport', () => {
  it.each([0, 1, 3, 2000])('writes exactly what jsonReport returns (%i jobs)', async (n) => {
    const jobs = Array.from({ length: n }, (_, i) => ({ name: `job-${i}`, steps: { backup: 'written' }, reason: 'a "quoted"\nline', writes: 1 }));
    const summary = { jobs: n, migrated: n, skipped: 0, refused: 0, failed: 0, writes: n, requests: { total: 1, byVerb: { get: 1 }, retries: 0 } };
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    await writeJsonReport(out, 'MigrationReport', summary, jobs, { strategy: 'replace' });
    expect(Buffer.concat(chunks).toString('utf8')).toBe(jsonReport('MigrationReport', summary, jobs, { strategy: 'replace' }));
  });
});

describe('relistJobs', () => {
  const job = (name: string): KubeObject => ({ metadata: { namespace: 'ns', name, uid: `u-${name}`, resourceVersion: '1' } });
  const rows: PlannedJob[] = ['a', 'b', 'c', 'd'].map((n) => ({ plan: plan(n), resourceVersion: '1' }));
  const collect = async (it: AsyncIterable<WorkItem>): Promise<WorkItem[]> => {
    const all: WorkItem[] = [];
    for await (const w of it) all.push(w);
    return all;
  };

  it('yields each wanted row once, with the listed object, and the rows the list missed without one (read by GET)', async () => {
    const pages = [[job('a'), job('x')], [job('c')]];
    const cluster = { async *list() { for (const items of pages) yield { items }; } } as unknown as Cluster;
    const got = await collect(relistJobs(cluster, rows, [0, 1, 2], { scope: { namespace: 'ns' } }));
    expect(got.map((w) => [w.index, w.job?.metadata?.name])).toEqual([[0, 'a'], [2, 'c'], [1, undefined]]);
  });

  it('a list that fails midway (410 Gone) falls back to GETs for the rest', async () => {
    const cluster = {
      async *list() {
        yield { items: [job('a')] };
        throw Object.assign(new Error('continue token expired'), { statusCode: 410 });
      },
    } as unknown as Cluster;
    const got = await collect(relistJobs(cluster, rows, [0, 1, 3], { scope: { namespace: 'ns' } }));
    expect(got.map((w) => [w.index, w.job?.metadata?.name])).toEqual([[0, 'a'], [1, undefined], [3, undefined]]);
  });

  it('named jobs are not listed', async () => {
    const cluster = { list() { throw new Error('must not list'); } } as unknown as Cluster;
    expect(await collect(relistJobs(cluster, rows, [1, 3]))).toEqual([{ index: 1 }, { index: 3 }]);
  });
});
