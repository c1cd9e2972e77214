/**
 * kafkajs 2.2.4 (its last release) re-arms a timer in a connection's request queue each time it
 * checks for pending requests, which it does on every answer, even when nothing is pending and
 * nothing is throttled; the delay is then negative, which Node takes as 1 ms
 * (tulios/kafkajs#1556, #1704, #1751; the fixes proposed there were never released). So every
 * connection that has had one answer wakes the event loop every millisecond for as long as it
 * lives: the hub has a connection per client and broker, and the idle hub spent most of its CPU
 * there (docs/performance.md, "Twelfth session").
 *
 * Imported (for its effect, once per process) by the modules that make kafkajs clients, it
 * schedules a check only when the queue's own comment says it is needed: requests wait (every
 * 10 ms, or when a throttle ends), or a throttle is on. Nothing is left waiting without one: a
 * request pushed later is sent at once, or is pending and schedules its check, and every answer
 * checks again. With no negative delay left, Node 24 no longer prints `TimeoutNegativeWarning`.
 */
import { createRequire } from 'node:module';

interface RequestQueueInternals {
  pending: readonly unknown[];
  /** Milliseconds since the epoch; -1 when never throttled. */
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
}

interface RequestQueueClass {
  prototype: RequestQueueInternals & { scheduleCheckPendingRequests(): void };
}

/** kafkajs's `CHECK_PENDING_REQUESTS_INTERVAL`: how often waiting requests are looked at when no throttle says when. */
const CHECK_PENDING_MS = 10;

const RequestQueue = createRequire(import.meta.url)('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;

RequestQueue.prototype.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueInternals): void {
  if (this.throttleCheckTimeoutId) return;
  const throttledForMs = this.throttledUntil - Date.now();
  if (this.pending.length === 0 && throttledForMs <= 0) return; // nothing waits, nothing will: no check
  this.throttleCheckTimeoutId = setTimeout(
    () => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    },
    throttledForMs > 0 ? throttledForMs : CHECK_PENDING_MS,
  );
};
