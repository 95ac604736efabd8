// The retry of Trainer's "runtime must be created before the TrainJob" denial (its webhook's cache lagging a
// runtime written a moment ago): exactly that denial, bounded by a 15 s budget with backoff, on a fake clock.
import { describe, expect, test } from '@jest/globals';
import { apiError, KubeApiError } from '../../../src/cluster/errors.js';
import { Resources } from '../../../src/cluster/resources.js';
import type { Clock } from '../../../src/cluster/throttle.js';
import { runtimeJustWritten, type AppliedObject } from '../../../src/live/apply.js';
import { isRuntimeNotSeenDenial, retryRuntimeRace, RUNTIME_RACE_BUDGET_MS, runtimeRaceDelay } from '../../../src/live/runtime-race.js';

const describeCreate = { verb: 'create', ref: Resources.trainjobs, name: 'bert', namespace: 'team', server: 'https://k' };
/** The Status Trainer's webhook answers with (pkg/runtime/core/trainingruntime.go), through the API server. */
function denial(code: number, text: string): KubeApiError {
  const message = `admission webhook "validator.trainjob.trainer.kubeflow.org" denied the request: spec.runtimeRef: Invalid value: {"name":"bert-rt"}: ${text}`;
  return apiError(code, JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code }), describeCreate);
}
const NOT_SEEN = 'trainingruntimes.trainer.kubeflow.org "bert-rt" not found: specified trainingRuntime must be created before the TrainJob is created';

/** A clock whose sleeps only advance its time, recording each wait. */
function fakeClock(): Clock & { waits: number[] } {
  let t = 0;
  const waits: number[] = [];
  return { waits, now: () => t, sleep: async (ms) => void (waits.push(ms), (t += ms)) };
}

describe('the retry decision', () => {
  test('only the admission denial naming the missing runtime is retried (403 or 422), nothing else', () => {
    expect(isRuntimeNotSeenDenial(denial(403, NOT_SEEN))).toBe(true);
    expect(isRuntimeNotSeenDenial(denial(422, NOT_SEEN))).toBe(true);
    expect(isRuntimeNotSeenDenial(denial(403, 'spec.trainer.env[0]: PET_NNODES is reserved'))).toBe(false);
    // The same words without an admission webhook's denial (e.g. an API server message) are not that denial.
    expect(isRuntimeNotSeenDenial(new KubeApiError(`cannot create TrainJob: ${NOT_SEEN}`, undefined, 422, 'Invalid', [], false))).toBe(false);
    expect(isRuntimeNotSeenDenial(denial(500, NOT_SEEN))).toBe(false);
    expect(isRuntimeNotSeenDenial(new Error(NOT_SEEN))).toBe(false);
  });

  test('backoff doubles from 250 ms to at most 2 s, and never waits past the 15 s budget', () => {
    const e = denial(403, NOT_SEEN);
    expect([0, 1, 2, 3, 4, 5].map((a) => runtimeRaceDelay(e, a, 0))).toEqual([250, 500, 1000, 2000, 2000, 2000]);
    expect(runtimeRaceDelay(e, 3, RUNTIME_RACE_BUDGET_MS - 2000)).toBe(2000);
    expect(runtimeRaceDelay(e, 3, RUNTIME_RACE_BUDGET_MS - 1999)).toBeUndefined();
    expect(runtimeRaceDelay(denial(403, 'something else'), 0, 0)).toBeUndefined();
  });
});

describe('retryRuntimeRace on a fake clock', () => {
  test('denied twice while the webhook cache lags, then created: two waits, each logged', async () => {
    const clock = fakeClock();
    const lines: string[] = [];
    let calls = 0;
    const r = await retryRuntimeRace(async () => (++calls < 3 ? Promise.reject(denial(403, NOT_SEEN)) : 'created'), 'TrainingRuntime team/bert-rt', { clock, log: (l) => lines.push(l) });
    expect(r).toBe('created');
    expect(calls).toBe(3);
    expect(clock.waits).toEqual([250, 500]);
    expect(lines).toEqual([
      "Trainer's webhook has not seen TrainingRuntime team/bert-rt yet (its cache lags the API server); retrying the TrainJob in 250 ms (attempt 2)",
      "Trainer's webhook has not seen TrainingRuntime team/bert-rt yet (its cache lags the API server); retrying the TrainJob in 500 ms (attempt 3)",
    ]);
  });

  test('still denied after 15 s: the last denial is thrown as it came, having waited no more than the budget', async () => {
    const clock = fakeClock();
    const e = denial(403, NOT_SEEN);
    let calls = 0;
    await expect(retryRuntimeRace(async () => { calls++; throw e; }, 'TrainingRuntime team/bert-rt', { clock })).rejects.toBe(e);
    const waited = clock.waits.reduce((a, b) => a + b, 0);
    expect(waited).toBeLessThanOrEqual(RUNTIME_RACE_BUDGET_MS);
    expect(waited).toBeGreaterThan(RUNTIME_RACE_BUDGET_MS - 2000);
    expect(calls).toBe(clock.waits.length + 1);
  });

  test('any other denial fails at once, without waiting', async () => {
    const clock = fakeClock();
    const e = denial(403, 'spec.trainer.env[0]: PET_NNODES is reserved');
    await expect(retryRuntimeRace(async () => { throw e; }, 'TrainingRuntime team/bert-rt', { clock })).rejects.toBe(e);
    expect(clock.waits).toEqual([]);
  });
});

describe('which TrainJobs may be retried', () => {
  const rt = (kind: string, name: string, namespace?: string): AppliedObject => ({ kind, name, ...(namespace ? { namespace } : {}), ref: Resources.trainingruntimes, action: 'created', dryRun: 'none', wrote: true, result: {} });
  const tj = (kind: string, name: string) => ({ apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: 'TrainJob', metadata: { name: 'bert' }, spec: { runtimeRef: { kind, name } } });
  test('a TrainJob whose runtime this conversion wrote just before it, in a real run only', () => {
    expect(runtimeJustWritten(tj('TrainingRuntime', 'bert-rt'), [rt('TrainingRuntime', 'bert-rt', 'team')], { dryRun: 'none' })).toBe('TrainingRuntime team/bert-rt');
    // A server dry run stores no runtime: the webhook would deny the TrainJob forever.
    expect(runtimeJustWritten(tj('TrainingRuntime', 'bert-rt'), [rt('TrainingRuntime', 'bert-rt', 'team')], { dryRun: 'server' })).toBeUndefined();
    // A stock runtime (not written by this run) that is missing is a real error, reported at once.
    expect(runtimeJustWritten(tj('ClusterTrainingRuntime', 'torch-distributed'), [], { dryRun: 'none' })).toBeUndefined();
    expect(runtimeJustWritten(tj('TrainingRuntime', 'other'), [rt('TrainingRuntime', 'bert-rt', 'team')], { dryRun: 'none' })).toBeUndefined();
  });
});
