/**
 * kafkajs 2.2.4 (its last release) leaves paused partitions out of a fetch, and the broker then
 * holds that fetch for up to the consumer's whole `maxWaitTimeInMs` when the other partitions have
 * nothing new. A partition resumed meanwhile is fetched only once the held fetch returns. The
 * delivery stage pauses a partition while its batch runs (`batch-pipeline.ts`), so a long wait
 * made every resumed partition wait it out (131 ms p50 from `202` to delivery with a 250 ms wait,
 * docs/performance.md), and the stage polled every 20 ms instead: an idle hub's largest cost, for
 * itself and for the broker.
 *
 * Imported (for its effect, once per process) by the module that makes the hub's kafkajs clients,
 * it makes a fetch wait at most `PAUSED_WAIT_MS` while any partition of the consumer is paused.
 * A fetch with every assigned partition in it waits the whole `maxWaitTimeInMs`: a new record on
 * any of them ends the wait at the broker, so the wait costs nothing when records come and saves
 * the polling when none do.
 */
import { createRequire } from 'node:module';

/** How long a fetch that leaves out a paused partition may wait: the longest a resumed partition waits to be fetched. */
export const PAUSED_WAIT_MS = 20;

/** Keys shared by every copy of this module (a test runner may load it more than once), so kafkajs is patched once. */
const ORIGINAL_FETCH = Symbol.for('lgsp-hub.kafkajs.fetch');
const CONFIGURED_WAIT = Symbol.for('lgsp-hub.kafkajs.configuredWait');

interface ConsumerGroupInternals {
  /** What each fetch asks the broker to wait at most (and, with every partition paused, how long it sleeps). */
  maxWaitTime: number;
  /** The consumer's own `maxWaitTimeInMs`, kept because `maxWaitTime` is changed fetch by fetch. */
  [CONFIGURED_WAIT]?: number;
  subscriptionState: { paused(): readonly unknown[] };
  fetch(nodeId: number): Promise<unknown[]>;
}

type Fetch = ConsumerGroupInternals['fetch'];
const ConsumerGroup = createRequire(import.meta.url)('kafkajs/src/consumer/consumerGroup.js') as {
  prototype: ConsumerGroupInternals & { [ORIGINAL_FETCH]?: Fetch };
};
const fetch = (ConsumerGroup.prototype[ORIGINAL_FETCH] ??= ConsumerGroup.prototype.fetch);

ConsumerGroup.prototype.fetch = function fetchWaitingLessWhilePaused(this: ConsumerGroupInternals, nodeId: number) {
  const configured = (this[CONFIGURED_WAIT] ??= this.maxWaitTime);
  // Set, never restored: fetches to several brokers run at once, and each sets it from the same state.
  this.maxWaitTime = this.subscriptionState.paused().length > 0 ? Math.min(configured, PAUSED_WAIT_MS) : configured;
  return fetch.call(this, nodeId);
};
