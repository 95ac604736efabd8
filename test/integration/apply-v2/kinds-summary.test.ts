// apply-v2 and preview name the v1 kinds they read in their summary lines (not "PyTorchJobs" for every kind),
// and the JSON summary of apply-v2 counts them per kind; an empty selection names the kinds it looked for.
import { beforeAll, describe, expect, it } from '@jest/globals';
import { testNamespace } from '../../controlplane/harness.js';
import { aV1Job, create } from '../compare/fixtures.js';
import { ktj } from '../migrate/helpers.js';

let ns: string;
beforeAll(async () => {
  ns = await testNamespace('kinds-summary');
  await create(aV1Job('PyTorchJob', 'sum-a', ns));
  await create(aV1Job('PyTorchJob', 'sum-b', ns));
  await create(aV1Job('TFJob', 'sum-c', ns));
});

describe('summaries per kind', () => {
  it('preview: "3 v1 jobs (2 PyTorchJobs, 1 TFJob)"', async () => {
    const r = await ktj(['preview', '-n', ns, '-l', 'team=nlp']);
    expect(r.stderr).toContain('3 v1 jobs (2 PyTorchJobs, 1 TFJob); TrainJobs: 3 to create');
  });
  it('apply-v2: the line per kind, and kinds in the JSON summary; one kind is named as itself', async () => {
    const r = await ktj(['apply-v2', '-n', ns, '-l', 'team=nlp', '-o', 'json']);
    // 3: applied, with warnings (the PyTorchJobs do not run torchrun).
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('Applied 3/3 v1 jobs (2 PyTorchJobs, 1 TFJob) as TrainJobs');
    expect(JSON.parse(r.stdout).summary).toMatchObject({ jobs: 3, applied: 3, kinds: { PyTorchJob: 2, TFJob: 1 } });
    const one = await ktj(['apply-v2', '-n', ns, 'tfjob/sum-c']);
    expect(one.stderr).toContain('Applied 1/1 TFJob as TrainJobs');
  });
  it('nothing selected: the kinds looked for and where', async () => {
    const r = await ktj(['preview', '-n', ns, '--kind', 'jaxjob', '-l', 'team=nlp']);
    expect(r.stderr).toContain(`No JAXJobs found matching -l team=nlp in namespace "${ns}".`);
  });
});
