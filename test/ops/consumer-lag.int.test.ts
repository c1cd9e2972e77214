/** `lgsp_consumer_lag` against a real broker: end offsets, commits and deleted records. */
import { describe, expect, it } from 'vitest';
import { registerConsumerLag } from '../../src/ops/consumer-lag.ts';
import { Metrics } from '../../src/ops/metrics.ts';
import { createTopicsWithLeaders } from '../../src/kafka/topics.ts';
import { testAdmin, testKafka, uniqueName } from '../helpers/kafka.ts';

async function lagOf(metrics: Metrics): Promise<Record<string, number>> {
  const metric = await metrics.registry.getSingleMetric('lgsp_consumer_lag')!.get();
  return Object.fromEntries(metric.values.map((v) => [`${v.labels.topic}/${v.labels.partition}`, v.value]));
}

describe('lgsp_consumer_lag on a real broker', () => {
  it('counts what a group has not read: from the low watermark without a commit, from its commit after one', async () => {
    const admin = await testAdmin();
    const [a, b] = [uniqueName('lag-a'), uniqueName('lag-b')];
    const group = uniqueName('lag-group');
    await createTopicsWithLeaders(admin, [
      { topic: a, numPartitions: 2 },
      { topic: b, numPartitions: 1 },
    ]);
    const producer = testKafka().producer();
    await producer.connect();
    try {
      await producer.send({ topic: a, messages: Array.from({ length: 5 }, (_, i) => ({ value: `a${i}`, partition: 0 })) });
      await producer.send({ topic: a, messages: [{ value: 'a-p1', partition: 1 }] });
      await producer.send({ topic: b, messages: Array.from({ length: 4 }, (_, i) => ({ value: `b${i}` })) });
    } finally {
      await producer.disconnect();
    }

    const metrics = new Metrics();
    registerConsumerLag(metrics, admin, [{ groupId: group, topics: [a, b] }], { cacheMs: 0 });
    expect(await lagOf(metrics)).toEqual({ [`${a}/0`]: 5, [`${a}/1`]: 1, [`${b}/0`]: 4 });

    await admin.setOffsets({
      groupId: group,
      topic: a,
      partitions: [
        { partition: 0, offset: '3' },
        { partition: 1, offset: '1' },
      ],
    });
    await admin.deleteTopicRecords({ topic: b, partitions: [{ partition: 0, offset: '1' }] });
    expect(await lagOf(metrics)).toEqual({ [`${a}/0`]: 2, [`${a}/1`]: 0, [`${b}/0`]: 3 });
    expect(await metrics.registry.metrics()).toContain(`lgsp_consumer_lag{topic="${a}",partition="0"} 2`);
  });

  it('keeps its last values when the admin client is gone, and the scrape still answers', async () => {
    const admin = testKafka().admin();
    await admin.connect();
    const topic = uniqueName('lag-gone');
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 1 }]);
    const metrics = new Metrics();
    registerConsumerLag(metrics, admin, [{ groupId: uniqueName('g'), topics: [topic] }], { cacheMs: 0, timeoutMs: 500 });
    expect(await lagOf(metrics)).toEqual({ [`${topic}/0`]: 0 });
    await admin.disconnect();
    await expect(metrics.registry.metrics()).resolves.toContain(`lgsp_consumer_lag{topic="${topic}",partition="0"} 0`);
  });
});
