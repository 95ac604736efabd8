/** Monotonic milliseconds and a way to wait, injected so the limiter and backoff can be tested without real time. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The real clock: performance.now() and setTimeout. */
export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/**
 * Client-side rate limiter with client-go's semantics: a bucket of `burst` tokens refilled at `qps` per second;
 * each request takes one token and waits when the bucket is empty. qps <= 0 disables limiting.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  /** Time requests spent waiting for a token, in milliseconds (reported by benchmarks). */
  waitedMs = 0;
  // Waiters are served in order by chaining on one promise, so concurrent callers cannot overdraw the bucket.
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly qps: number,
    readonly burst: number,
    private readonly clock: Clock = realClock,
  ) {
    this.tokens = Math.max(1, burst);
    this.last = clock.now();
  }

  /** Waits until a token is available and takes it. */
  take(): Promise<void> {
    if (this.qps <= 0) return Promise.resolve();
    const next = this.queue.then(() => this.takeOne());
    this.queue = next.catch(() => undefined);
    return next;
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(Math.max(1, this.burst), this.tokens + ((now - this.last) * this.qps) / 1000);
    this.last = now;
  }

  private async takeOne(): Promise<void> {
    this.refill();
    if (this.tokens < 1) {
      const wait = ((1 - this.tokens) * 1000) / this.qps;
      this.waitedMs += wait;
      await this.clock.sleep(wait);
      this.refill();
    }
    this.tokens -= 1;
  }
}

/** Parameters of the retry backoff. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter (ms). */
  baseMs: number;
  /** Upper bound of one delay (ms). */
  maxMs: number;
  /** Number of retries after the first attempt. */
  retries: number;
}

/** Defaults: 4 retries at about 200, 400, 800, 1600 ms (each with jitter), never more than 10 s. */
export const defaultBackoff: BackoffOptions = { baseMs: 200, maxMs: 10_000, retries: 4 };

/**
 * Delay before retry number `attempt` (1-based): exponential with "equal jitter" (half fixed, half random),
 * so many clients retrying together spread out but each still waits at least half the nominal time.
 * With a server Retry-After the wait is at least that long, plus a random share of the nominal delay:
 * clients that were all told "1 second" would otherwise come back in the same instant and be throttled again.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, retryAfterMs?: number, random: () => number = Math.random): number {
  const nominal = Math.min(opts.maxMs, opts.baseMs * 2 ** (attempt - 1));
  if (retryAfterMs !== undefined) return Math.min(opts.maxMs, Math.max(0, retryAfterMs) + random() * nominal);
  return nominal / 2 + random() * (nominal / 2);
}

/** Parses a Retry-After header (seconds, or an HTTP date relative to `nowMs`) into milliseconds. */
export function parseRetryAfter(value: string | undefined, nowMs: number = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}
