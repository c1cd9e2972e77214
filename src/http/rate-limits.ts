/**
 * Per-connector rate limits: one token bucket per connector id, so a connector that sends too
 * much (a loop, a flood, a stolen token) slows itself down and no one else. Every request a
 * connector authenticates counts (messages, its inbound route, trace reads): `take` is called by
 * the authenticator's `onConnector` hook, before the body is read. The bucket holds `burst`
 * requests and refills at `perSecond`; a request that finds it empty is refused with
 * `429 rate-limited` and a `Retry-After` of the seconds until a token is back. Defaults come from
 * LGSP_RATE_LIMIT / LGSP_RATE_BURST (`perSecond` 0: no limit); a manifest's `rateLimit` replaces
 * them for its connector. Limits are per hub instance: behind a load balancer over N instances a
 * connector may reach N times its rate.
 *
 * Not rate-limiter-flexible: its limiters count fixed windows (points per duration, and
 * `BurstyRateLimiter` a second window on top), which let twice the rate through across a window
 * edge and refill all at once, rather than a bucket that refills continuously; and its `consume`
 * answers through a Promise, while authentication, where every connector request passes, is
 * synchronous. A bucket is a few lines of arithmetic.
 */
import { HubError } from '../contract/problems.ts';
import type { Metrics } from '../ops/metrics.ts';

/** Requests a second, sustained, and at once; the manifest's `rateLimit` (`burst` default: twice `perSecond`). */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst?: number;
}

interface Bucket {
  readonly perSecond: number;
  readonly size: number;
  tokens: number;
  /** `now()` when `tokens` was last brought up to date. */
  at: number;
}

/** Buckets kept before the first sweep of full ones. */
const SWEEP_AT = 1024;

/**
 * Token buckets by key, refilled continuously; the arithmetic shared by rate limits and service
 * quotas. A bucket that has filled up again is the same as none (a new one starts full), so once
 * there are many, full ones are dropped: keys that stop coming (a deregistered connector, a
 * revoked grant) do not stay for good.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();
  /** Milliseconds on a monotonic clock. */
  private readonly now: () => number;
  /** The count of buckets at which full ones are next swept out. */
  private sweepAt = SWEEP_AT;

  constructor(now: () => number = () => performance.now()) {
    this.now = now;
  }

  /**
   * Takes a token from `key`'s bucket (`size` tokens, `perSecond` back each second): undefined when
   * there was one, else the whole seconds until there is.
   */
  take(key: string, perSecond: number, size: number): number | undefined {
    const now = this.now();
    let bucket = this.buckets.get(key);
    if (bucket?.perSecond !== perSecond || bucket.size !== size) {
      // New, or its limit changed: start full under the new one (swept first, or the sweep would take it).
      if (this.buckets.size >= this.sweepAt) this.sweep(now);
      bucket = { perSecond, size, tokens: size, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = filled(bucket, now);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return undefined;
    }
    return Math.ceil((1 - bucket.tokens) / perSecond);
  }

  /** How many buckets are kept. */
  get size(): number {
    return this.buckets.size;
  }

  /** Drops the buckets that are full at `now`; the next sweep waits until there are twice as many left (amortised O(1) a take). */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) if (filled(bucket, now) >= bucket.size) this.buckets.delete(key);
    this.sweepAt = Math.max(SWEEP_AT, 2 * this.buckets.size);
  }
}

/** The tokens `bucket` holds at `now`. */
function filled(bucket: Bucket, now: number): number {
  return Math.min(bucket.size, bucket.tokens + ((now - bucket.at) / 1000) * bucket.perSecond);
}

export class RateLimits {
  private readonly buckets: TokenBuckets;
  private readonly limited;
  /** LGSP_RATE_LIMIT and LGSP_RATE_BURST (`config.rateLimit`). */
  private readonly defaults: { readonly perSecond: number; readonly burst: number };

  constructor(defaults: { readonly perSecond: number; readonly burst: number }, metrics: Metrics, now?: () => number) {
    this.defaults = defaults;
    this.buckets = new TokenBuckets(now);
    this.limited = metrics.counter('lgsp_rate_limited_total', 'Requests refused with 429 rate-limited, per connector', ['connector']);
  }

  /**
   * Counts one request of `connector`, under its manifest's `own` limit or the hub's. Throws
   * `HubError('rate-limited')` with `retryAfterSeconds` when its bucket is empty.
   */
  take(connector: string, own?: RateLimit): void {
    const perSecond = own ? own.perSecond : this.defaults.perSecond;
    if (perSecond === 0) return;
    const size = Math.max(1, own ? (own.burst ?? 2 * own.perSecond) : this.defaults.burst);
    const retryAfterSeconds = this.buckets.take(connector, perSecond, size);
    if (retryAfterSeconds === undefined) return;
    this.limited.inc({ connector });
    const whose = own ? "its manifest's rateLimit" : 'LGSP_RATE_LIMIT and LGSP_RATE_BURST';
    throw new HubError(
      'rate-limited',
      `Connector "${connector}" may make ${perSecond} request(s) a second, ${size} at once (${whose}); this one is over it. Retry after ${retryAfterSeconds} s, and spread requests out or send batches.`,
      { retryAfterSeconds },
    );
  }
}
