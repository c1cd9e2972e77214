import type { Consumer } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import '../../src/kafka/kafkajs-paused-fetch-wait.ts';
import { testAdmin, testKafka, uniqueName } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** Far longer than anything below takes with the patch: a fetch held this long fails each test (a stop also waits out the fetch at the broker). */
const LONG_WAIT_MS = 6_000;

describe('a kafkajs fetch while a partition is paused (kafkajs-paused-fetch-wait.ts), on a real broker', () => {
  it('fetches a resumed partition soon, not after the fetch that left it out has waited its whole maxWaitTime', async () => {
    const { topic, consumer, joined } = await startConsumer(2);
    const seen: string[] = [];
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        seen.push(message.value!.toString());
        // As the delivery stage does while a batch runs: the next fetches leave partition 0 out.
        if (message.value!.toString() === 'first') consumer.pause([{ topic, partitions: [partition] }]);
      },
    });
    await joined;
    const producer = testKafka().producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: 'first' }] });
    await waitFor('the first record', () => seen.includes('first'), 10_000);
    await producer.send({ topic, acks: -1, messages: [{ partition: 0, value: 'second' }] });
    // A fetch of partition 1 alone is at the broker now, with nothing to read.
    await new Promise((r) => setTimeout(r, 200));
    consumer.resume([{ topic, partitions: [0] }]);
    await waitFor('the second record, within a fraction of maxWaitTime', () => seen.includes('second'), LONG_WAIT_MS / 3);
  });

  it('waits the whole maxWaitTime while nothing is paused: an idle consumer asks seldom, and a new record still comes at once', async () => {
    const { topic, consumer, joined, fetches } = await startConsumer(1, 1_000);
    const seen: number[] = [];
    await consumer.run({ eachMessage: async () => void seen.push(Date.now()) });
    await joined;
    const before = fetches.count;
    await new Promise((r) => setTimeout(r, 2_000));
    // At 20 ms a fetch, as the delivery stage used to poll, that would have been about 100.
    expect(fetches.count - before).toBeLessThanOrEqual(4);

    const producer = testKafka().producer();
    await producer.connect();
    onTestFinished(() => producer.disconnect());
    await producer.send({ topic, acks: -1, messages: [{ value: 'new' }] });
    await waitFor('the new record, within a fraction of maxWaitTime', () => seen.length === 1, LONG_WAIT_MS / 3);
  });
});

/** A consumer of a new topic with `partitions`, waiting `maxWaitTimeInMs` a fetch, stopped when the test ends; counts its fetches. */
async function startConsumer(
  partitions: number,
  maxWaitTimeInMs = LONG_WAIT_MS,
): Promise<{ topic: string; consumer: Consumer; joined: Promise<unknown>; fetches: { count: number } }> {
  const admin = await testAdmin();
  const topic = uniqueName('paused-fetch');
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  const consumer = testKafka().consumer({ groupId: uniqueName('paused-fetch-group'), maxWaitTimeInMs });
  const fetches = { count: 0 };
  consumer.on(consumer.events.FETCH, () => fetches.count++);
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  return { topic, consumer, joined, fetches };
}
