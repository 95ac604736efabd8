import { describe, expect, test } from '@jest/globals';
import type { Finding } from '../../../src/convert/findings.js';
import { ConvertReporter, TABLE_DETAIL_OBJECTS, type JobReport } from '../../../src/render/convert-report.js';

function job(i: number, extra: Finding[] = []): JobReport {
  const subject = { kind: 'PyTorchJob', namespace: 'ns', name: `job-${i}`, source: `in.yaml#${i}` };
  const findings: Finding[] = [
    { code: 'KTJ-RUN-004', severity: 'warning', path: 'spec.runPolicy.backoffLimit', message: `backoffLimit ${i} moves`, subject },
    { code: 'KTJ-CTR-001', severity: 'info', path: 'spec.x', message: 'container renamed', hint: 'use -c node', subject },
    ...extra.map((f) => ({ ...f, subject })),
  ];
  return { kind: 'PyTorchJob', namespace: 'ns', name: `job-${i}`, source: `in.yaml#${i}`, status: 'converted-with-warnings', findings };
}

function report(jobs: number, extra: (i: number) => Finding[] = () => []): string {
  let out = '';
  const r = new ConvertReporter('table', (s) => (out += s), 'v2.3');
  for (let i = 1; i <= jobs; i++) r.job(job(i, extra(i)));
  r.finish(140);
  return out;
}

describe('the findings table', () => {
  test('a small run shows every finding per object', () => {
    const out = report(2);
    expect(out).toContain('PyTorchJob ns/job-1 (in.yaml#1):');
    expect(out).toContain('PyTorchJob ns/job-2 (in.yaml#2):');
    expect(out).not.toContain('grouped');
  });

  test('a large run groups findings by code and field, errors first, with counts and examples', () => {
    const err: Finding = { code: 'KTJ-ELASTIC-001', severity: 'error', path: 'spec.elasticPolicy', message: 'elastic' };
    const out = report(TABLE_DETAIL_OBJECTS * 50, (i) => (i % 100 === 0 ? [err] : []));
    const n = TABLE_DETAIL_OBJECTS * 50;
    expect(out).toContain(`Findings grouped by code and field: ${n * 2 + n / 100} on ${n} objects in 3 groups`);
    const lines = out.split('\n');
    const rowOf = (code: string) => lines.findIndex((l) => l.includes(code));
    expect(rowOf('KTJ-ELASTIC-001')).toBeLessThan(rowOf('KTJ-RUN-004'));
    expect(rowOf('KTJ-RUN-004')).toBeLessThan(rowOf('KTJ-CTR-001'));
    expect(lines[rowOf('KTJ-RUN-004')]).toMatch(new RegExp(`KTJ-RUN-004\\s+${n}\\s`));
    expect(out.replace(/\s+/g, ' ')).toContain('e.g. PyTorchJob ns/job-100 (in.yaml#100); PyTorchJob ns/job-200 (in.yaml#200); PyTorchJob ns/job-300 (in.yaml#300); and 2 more');
    // The output stays small however many jobs: one row per group.
    expect(lines.length).toBeLessThan(40);
    expect(out).toMatch(/^Summary: /m);
  });

  test('the left-out items of a large List are one group, not one per item', () => {
    let out = '';
    const r = new ConvertReporter('table', (t) => (out += t), 'v2.3');
    for (let i = 0; i < 500; i++) {
      r.other([{ code: 'KTJ-IN-002', severity: 'info', path: `items[${2 * i}]`, message: `ConfigMap cfg-${i} (v1) is not a Training Operator v1 job; left out of the output.`, subject: { kind: 'Document', source: 'list.yaml#1' } }]);
      r.job(job(2 * i + 1));
    }
    r.finish(140);
    expect(out).toContain('in 3 groups');
    expect(out).toMatch(/KTJ-IN-002\s+500\s/);
    expect(out).toContain('items[*]');
  });
});
