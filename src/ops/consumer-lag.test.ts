import { describe, expect, it } from 'vitest';
import { registerConsumerLag, type LagAdmin } from './consumer-lag.ts';
import { Metrics } from './metrics.ts';

/** A cluster answering from tables: end offsets per topic, committed offsets per group. */
function cluster(ends: Record<string, { high: number; low: number }[]>, committed: Record<string, Record<string, number[]>>) {
  const calls = { value: 0 };
  let fail: Error | undefined;
  let hang = false;
  const admin: LagAdmin = {
    fetchTopicOffsets: async (topic: string) => {
      calls.value++;
      if (hang) return new Promise<never>(() => {});
      if (fail) throw fail;
      return (ends[topic] ?? []).map(({ high, low }, partition) => ({ partition, offset: String(high), high: String(high), low: String(low) }));
    },
    fetchOffsets: async ({ groupId, topics = [] }: { groupId: string; topics?: string[] }) => {
      if (hang) return new Promise<never>(() => {});
      if (fail) throw fail;
      return topics.map((topic) => ({
        topic,
        partitions: (ends[topic] ?? []).map((_, partition) => ({ partition, offset: String(committed[groupId]?.[topic]?.[partition] ?? -1), metadata: null })),
      }));
    },
  };
  return { admin, calls, failWith: (err: Error | undefined) => (fail = err), hangForever: () => (hang = true) };
}

async function lagValues(metrics: Metrics): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('lgsp_consumer_lag')!.get();
  return Object.fromEntries(metric.values.map((v) => [`${v.labels.topic}/${v.labels.partition}`, v.value]));
}

describe('lgsp_consumer_lag', () => {
  it('is the high watermark minus the committed offset, from the low watermark when nothing is committed', async () => {
    const { admin } = cluster(
      {
        'p.ingress': [
          { high: 10, low: 0 },
          { high: 7, low: 2 },
        ],
        'p.deliveries': [{ high: 5, low: 0 }],
        'p.retry.5s': [{ high: 9, low: 4 }],
      },
      { 'p.router': { 'p.ingress': [10, -1] }, 'p.delivery': { 'p.deliveries': [3], 'p.retry.5s': [1] } },
    );
    const metrics = new Metrics();
    registerConsumerLag(metrics, admin, [
      { groupId: 'p.router', topics: ['p.ingress'] },
      { groupId: 'p.delivery', topics: ['p.deliveries', 'p.retry.5s'] },
    ]);
    // A commit below the low watermark (records deleted by retention) counts from the low watermark.
    expect(await lagValues(metrics)).toEqual({ 'p.ingress/0': 0, 'p.ingress/1': 5, 'p.deliveries/0': 2, 'p.retry.5s/0': 5 });
    expect(await metrics.registry.metrics()).toContain('lgsp_consumer_lag{topic="p.ingress",partition="1"} 5');
  });

  it('asks Kafka at most once per cache period', async () => {
    const { admin, calls } = cluster({ t: [{ high: 4, low: 0 }] }, {});
    const metrics = new Metrics();
    registerConsumerLag(metrics, admin, [{ groupId: 'g', topics: ['t'] }], { cacheMs: 60_000 });
    await Promise.all([metrics.registry.metrics(), metrics.registry.metrics()]);
    await metrics.registry.metrics();
    expect(calls.value).toBe(1);

    const uncached = new Metrics();
    registerConsumerLag(uncached, admin, [{ groupId: 'g', topics: ['t'] }], { cacheMs: 0 });
    await uncached.registry.metrics();
    await uncached.registry.metrics();
    expect(calls.value).toBe(3);
  });

  it('keeps the last values when Kafka fails, and never fails the scrape', async () => {
    const kafka = cluster({ t: [{ high: 4, low: 0 }] }, { g: { t: [1] } });
    const metrics = new Metrics();
    registerConsumerLag(metrics, kafka.admin, [{ groupId: 'g', topics: ['t'] }], { cacheMs: 0 });
    expect(await lagValues(metrics)).toEqual({ 't/0': 3 });
    kafka.failWith(new Error('broker gone'));
    await expect(metrics.registry.metrics()).resolves.toContain('lgsp_consumer_lag{topic="t",partition="0"} 3');
    expect(await lagValues(metrics)).toEqual({ 't/0': 3 });
  });

  it('answers a scrape within its timeout when Kafka does not answer', async () => {
    const kafka = cluster({ t: [{ high: 4, low: 0 }] }, {});
    const metrics = new Metrics();
    registerConsumerLag(metrics, kafka.admin, [{ groupId: 'g', topics: ['t'] }], { cacheMs: 0, timeoutMs: 50 });
    expect(await lagValues(metrics)).toEqual({ 't/0': 4 });
    kafka.hangForever();
    const started = Date.now();
    expect(await lagValues(metrics)).toEqual({ 't/0': 4 });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('can be registered again on the same registry (a new admin replaces the old collector)', async () => {
    const metrics = new Metrics();
    registerConsumerLag(metrics, cluster({ a: [{ high: 1, low: 0 }] }, {}).admin, [{ groupId: 'g', topics: ['a'] }]);
    registerConsumerLag(metrics, cluster({ b: [{ high: 2, low: 0 }] }, {}).admin, [{ groupId: 'g', topics: ['b'] }]);
    expect(await lagValues(metrics)).toEqual({ 'b/0': 2 });
  });
});
