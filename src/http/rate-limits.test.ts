import { describe, expect, it } from 'vitest';
import { HubError } from '../contract/problems.ts';
import { Metrics } from '../ops/metrics.ts';
import { RateLimits, TokenBuckets } from './rate-limits.ts';

/** Limits on a clock the test moves. */
function limits(defaults = { perSecond: 2, burst: 4 }) {
  const clock = { ms: 0 };
  const metrics = new Metrics();
  return { limits: new RateLimits(defaults, metrics, () => clock.ms), clock, metrics };
}

const refusal = (take: () => void): HubError | undefined => {
  try {
    take();
    return undefined;
  } catch (err) {
    return err as HubError;
  }
};

describe('RateLimits', () => {
  it('lets a burst through, then refuses with rate-limited and the seconds until a token is back', async () => {
    const { limits: l, metrics } = limits();
    for (let i = 0; i < 4; i++) l.take('a');
    const err = refusal(() => l.take('a'));
    expect(err).toBeInstanceOf(HubError);
    expect(err).toMatchObject({ code: 'rate-limited', status: 429, extra: { retryAfterSeconds: 1 } });
    expect(err!.message).toContain('2 request(s) a second, 4 at once (LGSP_RATE_LIMIT and LGSP_RATE_BURST)');
    expect(await metrics.registry.getSingleMetricAsString('lgsp_rate_limited_total')).toContain('lgsp_rate_limited_total{connector="a"} 1');
  });

  it('refills continuously at the sustained rate, never above the burst', () => {
    const { limits: l, clock } = limits();
    for (let i = 0; i < 4; i++) l.take('a');
    clock.ms = 499;
    expect(refusal(() => l.take('a'))).toBeDefined();
    clock.ms = 500; // one token back at 2 a second
    expect(refusal(() => l.take('a'))).toBeUndefined();
    expect(refusal(() => l.take('a'))).toBeDefined();
    clock.ms = 60_000; // a long pause refills to the burst, not beyond
    for (let i = 0; i < 4; i++) l.take('a');
    expect(refusal(() => l.take('a'))).toBeDefined();
  });

  it('keeps one bucket per connector', () => {
    const { limits: l } = limits({ perSecond: 1, burst: 1 });
    l.take('a');
    expect(refusal(() => l.take('a'))).toBeDefined();
    expect(refusal(() => l.take('b'))).toBeUndefined();
  });

  it("uses the manifest's rateLimit instead of the hub's, burst defaulting to twice the rate, and restarts when it changes", () => {
    const { limits: l } = limits({ perSecond: 100, burst: 200 });
    for (let i = 0; i < 3; i++) l.take('a', { perSecond: 2, burst: 3 });
    const err = refusal(() => l.take('a', { perSecond: 2, burst: 3 }));
    expect(err?.message).toContain("2 request(s) a second, 3 at once (its manifest's rateLimit)");
    for (let i = 0; i < 10; i++) l.take('a', { perSecond: 5 });
    expect(refusal(() => l.take('a', { perSecond: 5 }))).toBeDefined();
  });

  it('limits nothing when LGSP_RATE_LIMIT is 0, unless the manifest sets its own', () => {
    const { limits: l } = limits({ perSecond: 0, burst: 0 });
    for (let i = 0; i < 1000; i++) l.take('a');
    l.take('b', { perSecond: 1, burst: 1 });
    expect(refusal(() => l.take('b', { perSecond: 1, burst: 1 }))).toBeDefined();
  });
});

describe('TokenBuckets', () => {
  it('drops buckets that have filled up again once there are many, and keeps the ones still in use', () => {
    const clock = { ms: 0 };
    const buckets = new TokenBuckets(() => clock.ms);
    buckets.take('busy', 1, 1);
    for (let i = 0; i < 1000; i++) buckets.take(`gone-${i}`, 10, 10);
    clock.ms = 500; // the gone keys are full again; "busy" is still empty
    for (let i = 0; i < 100; i++) buckets.take(`new-${i}`, 10, 10);
    expect(buckets.size).toBeLessThan(200);
    expect(buckets.take('busy', 1, 1)).toBe(1); // its emptiness survived the sweep
  });

  it('counts the take that set off a sweep', () => {
    const clock = { ms: 0 };
    const buckets = new TokenBuckets(() => clock.ms);
    for (let i = 0; i < 1024; i++) buckets.take(`gone-${i}`, 10, 10);
    clock.ms = 1_000; // all full again: the next new key sweeps them
    expect(buckets.take('quota-of-one', 1 / 60, 1)).toBeUndefined();
    expect(buckets.take('quota-of-one', 1 / 60, 1)).toBe(60);
    expect(buckets.size).toBe(1);
  });
});
