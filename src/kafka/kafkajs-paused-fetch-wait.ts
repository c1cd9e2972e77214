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
 * it decides each fetch's wait as the fetch starts, from the consumer's paused partitions:
 * - none paused: the whole `maxWaitTimeInMs` (a new record on any partition ends the wait at the
 *   broker, so the wait costs nothing when records come and saves the polling when none do);
 * - a partition paused until a known time (`resumesAt`: a retry tier's head not yet due): until
 *   the earliest such time, so a recipient's outage does not bring the polling back;
 * - a partition paused for as long as something runs (a batch): `PAUSED_WAIT_MS` at most.
 * The decision is the fetch's own (kafkajs reads the wait after awaits, and fetches to several
 * brokers run at once), so one fetch cannot change another's.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import type { TopicPartition } from 'kafkajs';

/** How long a fetch that leaves out a paused partition may wait: the longest a resumed partition waits to be fetched. */
const PAUSED_WAIT_MS = 20;

/** Keys shared by every copy of this module (a test runner may load it more than once), so kafkajs is patched once. */
const ORIGINAL_FETCH = Symbol.for('lgsp-hub.kafkajs.fetch');
const CONFIGURED_WAIT = Symbol.for('lgsp-hub.kafkajs.configuredWait');
const TIMED_RESUMES = Symbol.for('lgsp-hub.kafkajs.timedResumes');

interface ConsumerGroupInternals {
  /** The consumer's own `maxWaitTimeInMs` (kafkajs sets and reads `maxWaitTime`; the accessor below keeps it here). */
  [CONFIGURED_WAIT]?: number;
  maxWaitTime: number;
  subscriptionState: { paused(): readonly { topic: string; partitions: readonly number[] }[] };
  fetch(nodeId: number): Promise<unknown[]>;
}

type Fetch = ConsumerGroupInternals['fetch'];
const ConsumerGroup = createRequire(import.meta.url)('kafkajs/src/consumer/consumerGroup.js') as {
  prototype: ConsumerGroupInternals & { [ORIGINAL_FETCH]?: Fetch };
};
const originalFetch = (ConsumerGroup.prototype[ORIGINAL_FETCH] ??= ConsumerGroup.prototype.fetch);

/**
 * When paused partitions resume by themselves, by `topic\npartition`. For the whole process: a
 * partition is consumed by one member of its group, and the delivery topics by one group.
 */
const timedResumes = ((globalThis as { [TIMED_RESUMES]?: Map<string, number> })[TIMED_RESUMES] ??= new Map<string, number>());
const keyOf = (topic: string, partition: number) => `${topic}\n${partition}`;

/** Says that `tp`, paused now, resumes by itself at `atMs` (epoch ms); `undefined` when it no longer does (resumed, or paused for a batch). */
export function resumesAt({ topic, partition }: TopicPartition, atMs: number | undefined): void {
  if (atMs === undefined) timedResumes.delete(keyOf(topic, partition));
  else timedResumes.set(keyOf(topic, partition), atMs);
}

/** The wait of a fetch that starts now, for a consumer configured with `configured`. */
function waitOf(configured: number, paused: ReturnType<ConsumerGroupInternals['subscriptionState']['paused']>, now: number): number {
  let until = Infinity;
  for (const { topic, partitions } of paused) {
    for (const partition of partitions) until = Math.min(until, timedResumes.get(keyOf(topic, partition)) ?? now);
  }
  return Math.min(configured, Math.max(PAUSED_WAIT_MS, until - now));
}

const fetchWait = new AsyncLocalStorage<{ readonly group: ConsumerGroupInternals; readonly waitMs: number }>();

Object.defineProperty(ConsumerGroup.prototype, 'maxWaitTime', {
  configurable: true,
  get(this: ConsumerGroupInternals) {
    const decided = fetchWait.getStore();
    return decided?.group === this ? decided.waitMs : this[CONFIGURED_WAIT];
  },
  set(this: ConsumerGroupInternals, ms: number) {
    this[CONFIGURED_WAIT] = ms;
  },
});

ConsumerGroup.prototype.fetch = function fetchWaitingLessWhilePaused(this: ConsumerGroupInternals, nodeId: number) {
  // A group made before this module was loaded keeps kafkajs's own field, and its own behaviour.
  const waitMs = waitOf(this[CONFIGURED_WAIT] ?? this.maxWaitTime, this.subscriptionState.paused(), Date.now());
  return fetchWait.run({ group: this, waitMs }, () => originalFetch.call(this, nodeId));
};
