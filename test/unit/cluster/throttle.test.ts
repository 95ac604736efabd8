import { describe, expect, it } from '@jest/globals';
import { mapConcurrent } from '../../../src/cluster/concurrency.js';
import { backoffDelay, parseRetryAfter, TokenBucket, type Clock } from '../../../src/cluster/throttle.js';

/** A manual clock: sleep advances time instantly and records how long each caller waited. */
function fakeClock(): Clock & { t: number; sleeps: number[] } {
  const c = {
    t: 0,
    sleeps: [] as number[],
    now: () => c.t,
    sleep: async (ms: number) => {
      c.sleeps.push(ms);
      c.t += ms;
    },
  };
  return c;
}

describe('TokenBucket', () => {
  it('lets a burst through without waiting, then paces at qps', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 5, clock);
    for (let i = 0; i < 5; i++) await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await bucket.take();
    await bucket.take();
    expect(clock.sleeps.map((s) => Math.round(s))).toEqual([100, 100]);
    expect(Math.round(bucket.waitedMs)).toBe(200);
  });

  it('refills over time up to burst, never beyond', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(10, 3, clock);
    for (let i = 0; i < 3; i++) await bucket.take();
    clock.t += 10_000; // a long idle period refills only to burst
    for (let i = 0; i < 3; i++) await bucket.take();
    expect(clock.sleeps).toEqual([]);
    await bucket.take();
    expect(clock.sleeps).toHaveLength(1);
  });

  it('serves concurrent callers without overdrawing: N requests take (N - burst) / qps seconds', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(50, 100, clock);
    await Promise.all(Array.from({ length: 200 }, () => bucket.take()));
    expect(Math.round(clock.t)).toBe(2000);
  });

  it('qps <= 0 disables limiting', async () => {
    const clock = fakeClock();
    const bucket = new TokenBucket(0, 0, clock);
    await Promise.all(Array.from({ length: 1000 }, () => bucket.take()));
    expect(clock.sleeps).toEqual([]);
  });
});

describe('backoffDelay', () => {
  const opts = { baseMs: 200, maxMs: 10_000, retries: 4 };
  it('doubles per attempt, with jitter between half and the full nominal delay', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, opts, undefined, () => 0))).toEqual([100, 200, 400, 800]);
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, opts, undefined, () => 1))).toEqual([200, 400, 800, 1600]);
  });
  it('is capped at maxMs', () => {
    expect(backoffDelay(20, opts, undefined, () => 1)).toBe(10_000);
  });
  it('waits at least Retry-After, plus jitter up to the nominal delay, capped', () => {
    expect(backoffDelay(1, opts, 3000, () => 0)).toBe(3000);
    expect(backoffDelay(2, opts, 3000, () => 1)).toBe(3400);
    expect(backoffDelay(1, opts, 60_000, () => 0)).toBe(10_000);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('mapConcurrent', () => {
  it('keeps input order and never exceeds the limit', async () => {
    let inFlight = 0;
    let peak = 0;
    const out = await mapConcurrent([5, 1, 4, 2, 3, 0], 2, async (n) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((r) => setTimeout(r, n));
      inFlight--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
  });

  it('stops starting new work after the first failure and rethrows it', async () => {
    const started: number[] = [];
    await expect(
      mapConcurrent([1, 2, 3, 4, 5], 1, async (n) => {
        started.push(n);
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started).toEqual([1, 2]);
  });

  it('handles an empty list', async () => {
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });
});
