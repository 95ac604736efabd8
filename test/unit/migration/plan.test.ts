// The pure migration planner: every (strategy, state, existing TrainJob, flag) combination that matters.
import { describe, expect, it } from '@jest/globals';
import { isDestructive, planAfterWait, planJob, type PlanInput, type PlanOptions } from '../../../src/migration/plan.js';

const input = (over: Partial<PlanInput> = {}): PlanInput => ({ namespace: 'ns', name: 'job', uid: 'u1', state: 'succeeded', trainJobName: 'job', refused: false, findings: [], generatedRuntime: false, ...over });
const opts = (over: Partial<PlanOptions> = {}): PlanOptions => ({ strategy: 'replace', keepV1: false, suspend: false, force: false, wait: false, ...over });

describe('planJob', () => {
  it.each([
    { name: 'side-by-side creates a suspended TrainJob for a running job and keeps v1', i: { state: 'running' }, o: { strategy: 'side-by-side' }, want: { action: 'create', suspend: true, deleteV1: false, createTrainJob: true } },
    { name: 'side-by-side never re-runs finished training', i: { state: 'succeeded' }, o: { strategy: 'side-by-side' }, want: { action: 'create', suspend: true } },
    { name: 'replace: finished → suspended TrainJob, delete v1', i: { state: 'failed' }, o: {}, want: { action: 'cutover', suspend: true, deleteV1: true } },
    { name: 'replace: suspended stays suspended', i: { state: 'suspended' }, o: {}, want: { action: 'cutover', suspend: true, deleteV1: true } },
    { name: 'replace: not started → running TrainJob', i: { state: 'created' }, o: {}, want: { action: 'cutover', suspend: false, deleteV1: true } },
    { name: 'replace: --suspend forces suspended', i: { state: 'created' }, o: { suspend: true }, want: { action: 'cutover', suspend: true } },
    { name: 'replace: running is refused without --wait/--force', i: { state: 'running' }, o: {}, want: { action: 'skip', deleteV1: false, createTrainJob: false } },
    { name: 'replace: restarting counts as running', i: { state: 'restarting' }, o: {}, want: { action: 'skip' } },
    { name: 'replace: running with --wait waits', i: { state: 'running' }, o: { wait: true }, want: { action: 'wait-cutover', deleteV1: true } },
    { name: 'replace: running with --force cuts over and starts fresh', i: { state: 'running' }, o: { force: true }, want: { action: 'cutover', suspend: false, deleteV1: true } },
    { name: 'replace with --keep-v1 behaves like side-by-side', i: { state: 'created' }, o: { keepV1: true }, want: { action: 'create', suspend: true, deleteV1: false } },
    { name: 'a refused conversion is not migrated', i: { refused: true, findings: [{ severity: 'error', code: 'X' }] }, o: {}, want: { action: 'refuse', createTrainJob: false, deleteV1: false } },
    { name: 'a foreign TrainJob with the name is a conflict', i: { existing: { name: 'job' } }, o: {}, want: { action: 'skip', reason: expect.stringMatching(/^conflict: .*not created by kubectl-trainjob/) } },
    { name: 'a TrainJob migrated from another uid is a conflict', i: { existing: { name: 'job', sourceUid: 'other' } }, o: {}, want: { action: 'skip', reason: expect.stringMatching(/uid other/) } },
    { name: 'already migrated (same uid) in replace: only the delete is left', i: { existing: { name: 'job', sourceUid: 'u1' } }, o: {}, want: { action: 'cutover', createTrainJob: false, deleteV1: true, alreadyMigrated: true } },
    { name: 'already migrated side-by-side: nothing to do', i: { existing: { name: 'job', sourceUid: 'u1' } }, o: { strategy: 'side-by-side' }, want: { action: 'skip', reason: 'already migrated' } },
    { name: 'already migrated wins over a now-refused conversion', i: { refused: true, existing: { name: 'job', sourceUid: 'u1' } }, o: {}, want: { action: 'cutover', createTrainJob: false } },
  ] as const)('$name', ({ i, o, want }) => {
    expect(planJob(input(i as Partial<PlanInput>), opts(o as Partial<PlanOptions>))).toMatchObject(want);
  });

  it('counts findings by severity', () => {
    const p = planJob(input({ findings: [{ severity: 'warning', code: 'A' }, { severity: 'warning', code: 'B' }, { severity: 'info', code: 'C' }] }), opts());
    expect(p.findings).toEqual({ error: 0, warning: 2, info: 1 });
  });

  it('destructive means some PyTorchJob gets deleted', () => {
    expect(isDestructive([planJob(input(), opts({ strategy: 'side-by-side' }))])).toBe(false);
    expect(isDestructive([planJob(input({ state: 'running' }), opts())])).toBe(false);
    expect(isDestructive([planJob(input(), opts())])).toBe(true);
  });

  it('after a wait the job is cut over suspended', () => {
    const waiting = planJob(input({ state: 'running' }), opts({ wait: true }));
    expect(planAfterWait(waiting, 'succeeded')).toMatchObject({ action: 'cutover', state: 'succeeded', suspend: true, deleteV1: true });
  });
});

describe('every v1 kind', () => {
  it('the kind and a non-v1 version travel with the plan; PyTorchJob plans carry neither', async () => {
    expect(planJob(input({ kind: 'MPIJob', sourceVersion: 'v2beta1' }), opts())).toMatchObject({ kind: 'MPIJob', sourceVersion: 'v2beta1', action: 'cutover' });
    const p = planJob(input({ kind: 'PyTorchJob', sourceVersion: 'v1' }), opts());
    expect('kind' in p || 'sourceVersion' in p).toBe(false);
    const { v1RefOf, planLabel } = await import('../../../src/migration/executor.js');
    expect(v1RefOf({ kind: 'MPIJob', sourceVersion: 'v2beta1' })).toMatchObject({ group: 'kubeflow.org', version: 'v2beta1', plural: 'mpijobs' });
    expect(v1RefOf({})).toMatchObject({ version: 'v1', plural: 'pytorchjobs' });
    expect(planLabel({ kind: 'TFJob', name: 'x' })).toBe('tfjob/x');
  });

  it('two kinds aiming at one TrainJob name in one run: the first keeps it, the other is skipped with the fix', async () => {
    const { claimTrainJobNames } = await import('../../../src/migration/migrate.js');
    const plans = [planJob(input({ name: 'bert', trainJobName: 'bert' }), opts()), planJob(input({ kind: 'MPIJob', name: 'bert', uid: 'u2', trainJobName: 'bert' }), opts()), planJob(input({ kind: 'MPIJob', name: 'gpt', uid: 'u3', trainJobName: 'gpt' }), opts())];
    claimTrainJobNames(plans);
    expect(plans.map((p) => p.action)).toEqual(['cutover', 'skip', 'cutover']);
    expect(plans[1]).toMatchObject({ createTrainJob: false, deleteV1: false, reason: expect.stringMatching(/^TrainJob bert is also the target of PyTorchJob ns\/bert in this run; migrate this MPIJob separately with another --suffix/) });
  });
});
