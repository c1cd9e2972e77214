/**
 * `lgsp_consumer_lag{topic,partition}` (SPEC section 6): how many records the hub's consumer groups
 * still have to read, computed at scrape time from the cluster (high watermark − committed offset).
 *
 * The answer is cached for `cacheMs` so scrapes never hammer Kafka; a scrape waits at most
 * `timeoutMs` for a refresh and otherwise reports the last values. A failed refresh keeps the last
 * values of the groups it could not read, and never fails the scrape.
 */
import type { Admin } from 'kafkajs';
import { Gauge } from 'prom-client';
import type { Metrics } from './metrics.ts';

export interface ConsumerGroupTopics {
  readonly groupId: string;
  readonly topics: readonly string[];
}

export interface ConsumerLagOptions {
  /** How long one answer from Kafka is reused. Default 2 s. */
  cacheMs?: number;
  /** How long a scrape waits for a refresh before it reports the last values. Default 3 s. */
  timeoutMs?: number;
}

/** The two admin calls the gauge needs (a kafkajs `Admin` has them). */
export type LagAdmin = Pick<Admin, 'fetchTopicOffsets' | 'fetchOffsets'>;

/** partition → lag, per `topic`, for one group. */
type GroupLag = Map<string, Map<number, number>>;

const NAME = 'lgsp_consumer_lag';

/**
 * Registers the gauge on the hub's registry (replacing an earlier one: the collector is bound to
 * `admin`). Each topic should be read by one of `groups`; a topic listed under several reports the
 * largest lag of any of them per partition.
 */
export function registerConsumerLag(metrics: Metrics, admin: LagAdmin, groups: readonly ConsumerGroupTopics[], options: ConsumerLagOptions = {}): void {
  const { cacheMs = 2_000, timeoutMs = 3_000 } = options;
  const last = new Map<string, GroupLag>();
  let fetchedAt = -Infinity;
  let refreshing: Promise<void> | undefined;

  const refresh = () =>
    (refreshing ??= (async () => {
      const results = await Promise.allSettled(groups.map((g) => groupLag(admin, g)));
      results.forEach((result, i) => {
        if (result.status === 'fulfilled') last.set(groups[i]!.groupId, result.value);
      });
      fetchedAt = Date.now();
    })().finally(() => (refreshing = undefined)));

  if (metrics.registry.getSingleMetric(NAME)) metrics.registry.removeSingleMetric(NAME);
  new Gauge({
    name: NAME,
    help: "Records not yet read by the hub's consumer groups (high watermark minus committed offset), per topic and partition",
    labelNames: ['topic', 'partition'],
    registers: [metrics.registry],
    async collect() {
      if (Date.now() - fetchedAt >= cacheMs) await withinMs(refresh(), timeoutMs);
      this.reset();
      const merged = new Map<string, number>();
      for (const byTopic of last.values()) {
        for (const [topic, partitions] of byTopic) {
          for (const [partition, lag] of partitions) {
            const key = `${topic}\u0000${partition}`;
            merged.set(key, Math.max(lag, merged.get(key) ?? 0));
          }
        }
      }
      for (const [key, lag] of merged) {
        const [topic, partition] = key.split('\u0000') as [string, string];
        this.set({ topic, partition }, lag);
      }
    },
  });
}

/** Lag of one group on each partition of its topics; a group with no commit yet reads from the low watermark. */
async function groupLag(admin: LagAdmin, { groupId, topics }: ConsumerGroupTopics): Promise<GroupLag> {
  const [committed, ends] = await Promise.all([
    admin.fetchOffsets({ groupId, topics: [...topics] }),
    Promise.all(topics.map(async (topic) => [topic, await admin.fetchTopicOffsets(topic)] as const)),
  ]);
  const committedOf = new Map(committed.flatMap(({ topic, partitions }) => partitions.map((p) => [`${topic}\u0000${p.partition}`, Number(p.offset)] as const)));
  const out: GroupLag = new Map();
  for (const [topic, partitions] of ends) {
    const lags = new Map<number, number>();
    for (const { partition, high, low } of partitions) {
      const from = Math.max(committedOf.get(`${topic}\u0000${partition}`) ?? -1, Number(low));
      lags.set(partition, Math.max(0, Number(high) - from));
    }
    out.set(topic, lags);
  }
  return out;
}

/** Waits for `work` at most `ms`; never rejects (the caller reports what it has). */
async function withinMs(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([work.catch(() => undefined), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
