import { describe, expect, it } from 'vitest';
import { createTopicsWithLeaders } from '../../src/kafka/topics.ts';
import { readTopic, testAdmin, testKafka, uniqueName } from '../helpers/kafka.ts';

describe('the test broker', () => {
  it('takes idempotent acks=all writes and gives them back to a consumer group in order per key', async () => {
    const admin = await testAdmin();
    const topic = uniqueName('roundtrip');
    await createTopicsWithLeaders(admin, [{ topic, numPartitions: 3 }]);
    const producer = testKafka().producer({ idempotent: true });
    await producer.connect();
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `subject-${i % 3}`, value: `message ${i}`, headers: { ce_id: String(i) } }));
    await producer.send({ topic, acks: -1, messages: sent });
    await producer.disconnect();

    const records = await readTopic(topic);
    expect(records).toHaveLength(30);
    for (const key of ['subject-0', 'subject-1', 'subject-2']) {
      const values = records.filter((r) => r.key === key).map((r) => Number(r.headers.ce_id));
      expect(values).toEqual([...values].sort((a, b) => a - b));
      expect(new Set(records.filter((r) => r.key === key).map((r) => r.partition)).size).toBe(1);
    }
  });
});
