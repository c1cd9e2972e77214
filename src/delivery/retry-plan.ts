/**
 * Where a failed delivery waits (pure). The hub's retry tiers are topics with a fixed delay
 * (`lgsp.retry.5s`, `.1m`, `.10m`), so each tier is first-in first-due. A connector's retry
 * schedule lists the wait after each failed attempt; each wait is one of the tiers (checked at
 * registration). `Retry-After` can only lengthen a wait: the smallest tier that covers it.
 */
import { parseDuration } from '../config/duration.ts';

export type RetryDecision = { readonly exhausted: true } | { readonly exhausted: false; readonly tier: number; readonly nextAttempt: number };

/**
 * After attempt `attempt` (1-based) failed, or was not made because the breaker is open
 * (`attempted` false: the same attempt is made later and no retry is used up).
 */
export function planRetry(attempt: number, attempted: boolean, scheduleMs: readonly number[], tiersMs: readonly number[], retryAfterMs = 0): RetryDecision {
  const waitIndex = attempted ? attempt - 1 : Math.max(0, attempt - 2);
  if (attempted && waitIndex >= scheduleMs.length) return { exhausted: true };
  const wait = Math.max(scheduleMs[Math.min(waitIndex, scheduleMs.length - 1)] ?? tiersMs[0] ?? 0, retryAfterMs);
  return { exhausted: false, tier: tierFor(wait, tiersMs), nextAttempt: attempted ? attempt + 1 : attempt };
}

/** The smallest tier whose delay covers `delayMs`, else the longest tier. */
export function tierFor(delayMs: number, tiersMs: readonly number[]): number {
  const index = tiersMs.findIndex((t) => t >= delayMs);
  return index >= 0 ? index : tiersMs.length - 1;
}

/** A manifest's retry schedule in milliseconds. */
export function scheduleMs(retrySchedule: readonly string[]): number[] {
  return retrySchedule.map(parseDuration);
}
