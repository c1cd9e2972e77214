import { describe, expect, it } from 'vitest';
import { planRetry, tierFor } from './retry-plan.ts';

const TIERS = [5_000, 60_000, 600_000];
const SCHEDULE = [5_000, 60_000, 600_000];

describe('planRetry', () => {
  it('waits the scheduled tier after each failed attempt, then gives up', () => {
    expect(planRetry(1, true, SCHEDULE, TIERS)).toEqual({ exhausted: false, tier: 0, nextAttempt: 2 });
    expect(planRetry(2, true, SCHEDULE, TIERS)).toEqual({ exhausted: false, tier: 1, nextAttempt: 3 });
    expect(planRetry(3, true, SCHEDULE, TIERS)).toEqual({ exhausted: false, tier: 2, nextAttempt: 4 });
    expect(planRetry(4, true, SCHEDULE, TIERS)).toEqual({ exhausted: true });
  });

  it('uses up no retry while the breaker is open, and never gives up then', () => {
    expect(planRetry(1, false, SCHEDULE, TIERS)).toEqual({ exhausted: false, tier: 0, nextAttempt: 1 });
    expect(planRetry(4, false, SCHEDULE, TIERS)).toEqual({ exhausted: false, tier: 2, nextAttempt: 4 });
  });

  it('lengthens a wait to cover Retry-After, up to the longest tier', () => {
    expect(planRetry(1, true, SCHEDULE, TIERS, 30_000)).toMatchObject({ tier: 1 });
    expect(tierFor(3_600_000, TIERS)).toBe(2);
    expect(tierFor(0, TIERS)).toBe(0);
  });
});
