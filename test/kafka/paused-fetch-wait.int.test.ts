import type { Consumer } from 'kafkajs';
import { describe, expect, it, onTestFinished } from 'vitest';
import { resumesAt } from '../../src/kafka/kafkajs-paused-fetch-wait.ts';
import { createTopicsWithLeaders } from '../../src/kafka/topics.ts';
import { testAdmin, testKafka, uniqueName } from '../helpers/kafka.ts';
import { waitFor } from '../helpers/wait-for.ts';

/** Far longer than anything below takes with the patch: a fetch held this long fails each test (a stop also waits out the fetch at the broker). */
const LONG_WAIT_MS = 4_000;
/** How long the third test's partition stays paused. */
const TIMED_PAUSE_MS = 1_500;

describe('a kafkajs fetch while a partition is paused (kafkajs-paused-fetch-wait.ts), on a real broker', () => {
  it('fetches a partition resumed after a batch soon, not after the fetch that left it out has waited its whole maxWaitTime', async () => {
    const { topic, consumer, joined, fetches } = await startConsumer(2);
    const seen: string[] = [];
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        seen.push(message.value!.toString());
        // As the delivery stage does while a batch runs: the next fetches leave partition 0 out.
        if (message.value!.toString() === 'first') consumer.pause([{ topic, partitions: [partition] }]);
      },
    });
    await joined;
    const send = await producer(topic);
    await send(0, 'first');
    await waitFor('the first record', () => seen.includes('first'), 10_000);
    await send(0, 'second');
    // A fetch of partition 1 alone is at the broker now, with nothing to read.
    await new Promise((r) => setTimeout(r, 200));
    consumer.resume([{ topic, partitions: [0] }]);
    await waitFor('the second record, within a fraction of maxWaitTime', () => seen.includes('second'), LONG_WAIT_MS / 3);

    // Nothing is paused any more: the fetches wait their whole time again.
    const before = fetches.count;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fetches.count - before).toBeLessThanOrEqual(2);
  });

  it('waits the whole maxWaitTime while nothing is paused: an idle consumer asks seldom, and a new record still comes at once', async () => {
    const { topic, consumer, joined, fetches } = await startConsumer(1);
    const seen: string[] = [];
    await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
    await joined;
    const before = fetches.count;
    await new Promise((r) => setTimeout(r, 2_000));
    // At 20 ms a fetch, as the delivery stage used to poll, that would have been about 100.
    expect(fetches.count - before).toBeLessThanOrEqual(2);

    const send = await producer(topic);
    await send(0, 'new');
    await waitFor('the new record, within a fraction of maxWaitTime', () => seen.includes('new'), LONG_WAIT_MS / 3);
  });

  it('waits until a partition paused until a known time resumes, neither polling meanwhile nor holding it back after', async () => {
    const { topic, consumer, joined, fetches } = await startConsumer(2);
    const seen: string[] = [];
    let pausedAt = 0;
    await consumer.run({
      eachMessage: async ({ message, partition }) => {
        seen.push(message.value!.toString());
        if (message.value!.toString() !== 'first') return;
        // As the delivery stage does while a retry tier's head is not due: paused until a time.
        const tp = { topic, partition };
        pausedAt = Date.now();
        consumer.pause([{ topic, partitions: [partition] }]);
        resumesAt(tp, pausedAt + TIMED_PAUSE_MS);
        setTimeout(() => {
          resumesAt(tp, undefined);
          consumer.resume([{ topic, partitions: [partition] }]);
        }, TIMED_PAUSE_MS);
      },
    });
    await joined;
    const send = await producer(topic);
    await send(0, 'first');
    await waitFor('the first record', () => seen.includes('first'), 10_000);
    const before = fetches.count;
    await send(0, 'second');

    await waitFor('the second record, soon after its partition resumed', () => seen.includes('second'), LONG_WAIT_MS / 2);
    const tookMs = Date.now() - pausedAt;
    expect(tookMs).toBeGreaterThanOrEqual(TIMED_PAUSE_MS);
    expect(tookMs).toBeLessThan(TIMED_PAUSE_MS + LONG_WAIT_MS / 3);
    // At 20 ms a fetch while something is paused, that would have been about 75.
    expect(fetches.count - before).toBeLessThanOrEqual(4);
  });
});

/** A consumer of a new topic with `partitions`, waiting `LONG_WAIT_MS` a fetch, stopped when the test ends; counts its fetches. */
async function startConsumer(partitions: number): Promise<{ topic: string; consumer: Consumer; joined: Promise<unknown>; fetches: { count: number } }> {
  const admin = await testAdmin();
  const topic = uniqueName('paused-fetch');
  await createTopicsWithLeaders(admin, [{ topic, numPartitions: partitions }]);
  const consumer = testKafka().consumer({ groupId: uniqueName('paused-fetch-group'), maxWaitTimeInMs: LONG_WAIT_MS });
  const fetches = { count: 0 };
  consumer.on(consumer.events.FETCH, () => fetches.count++);
  const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
  await consumer.connect();
  onTestFinished(() => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  return { topic, consumer, joined, fetches };
}

/** A producer for `topic`, disconnected when the test ends: sends one record to a partition, acknowledged. */
async function producer(topic: string): Promise<(partition: number, value: string) => Promise<unknown>> {
  const p = testKafka().producer();
  await p.connect();
  onTestFinished(() => p.disconnect());
  return (partition, value) => p.send({ topic, acks: -1, messages: [{ partition, value }] });
}
