/**
 * The opossum options of a connector's circuit breaker, from its manifest's `delivery.breaker`:
 * the same for a delivery lane (`senders.ts`) and a data-sharing provider lane
 * (`src/services/provider-lanes.ts`). A lane has its own deadline (the sender's or the
 * transport's), so opossum times nothing out. Its rolling latency percentiles and per-second
 * snapshots are off: the hub reads neither, and with percentiles on, every failure re-sorts the
 * latencies of the whole window (0.27 ms a failure with 5,000 calls in it, measured), a cost paid
 * when a system is already failing.
 */
import type CircuitBreaker from 'opossum';
import type { DeliverySettings } from '../contract/schema-set.ts';

export function breakerOptions(breaker: DeliverySettings['breaker']): CircuitBreaker.Options {
  return {
    timeout: false,
    errorThresholdPercentage: breaker.errorThresholdPercentage,
    volumeThreshold: breaker.volumeThreshold,
    resetTimeout: breaker.resetTimeoutMs,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  };
}
