import { afterEach, describe, expect, it, vi } from 'vitest';
import type { TopicPartition } from 'kafkajs';
import { BatchPipeline } from './batch-pipeline.ts';

/** What a kafkajs consumer would fetch: the partitions not paused. */
function fakeConsumer() {
  const paused = new Set<string>();
  const each = (tps: { topic: string; partitions: number[] }[], f: (key: string) => void) =>
    tps.forEach(({ topic, partitions }) => partitions.forEach((p) => f(`${topic}:${p}`)));
  return {
    paused,
    pause: (tps: { topic: string; partitions: number[] }[]) => each(tps, (k) => paused.add(k)),
    resume: (tps: { topic: string; partitions: number[] }[]) => each(tps, (k) => paused.delete(k)),
  };
}

function deferred() {
  let resolve!: () => void;
  let reject!: (err: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

const A: TopicPartition = { topic: 'deliveries', partition: 0 };
const B: TopicPartition = { topic: 'deliveries', partition: 1 };
const TIER: TopicPartition = { topic: 'retry.1s', partition: 0 };
const settle = () => new Promise((r) => setImmediate(r));

afterEach(() => void vi.useRealTimers());

describe('BatchPipeline', () => {
  it('pauses a partition while its batch runs, and only that one', async () => {
    const consumer = fakeConsumer();
    const pipeline = new BatchPipeline(consumer, () => undefined);
    const a = deferred();
    pipeline.launch(A, () => a.promise);
    expect([...consumer.paused]).toEqual(['deliveries:0']);
    expect(pipeline.accepts(A)).toBe(false);
    expect(pipeline.accepts(B)).toBe(true);
    a.resolve();
    await settle();
    expect(consumer.paused.size).toBe(0);
    expect(pipeline.accepts(A)).toBe(true);
  });

  it('drains: running batches are told to stop, new ones refused until they are done', async () => {
    const consumer = fakeConsumer();
    const pipeline = new BatchPipeline(consumer, () => undefined);
    const a = deferred();
    pipeline.launch(A, () => a.promise);
    let drained = false;
    const draining = pipeline.drain().then(() => (drained = true));
    expect(pipeline.stopping).toBe(true);
    expect(pipeline.accepts(B)).toBe(false);
    await settle();
    expect(drained).toBe(false);
    a.resolve();
    await draining;
    expect(pipeline.stopping).toBe(false);
    expect(pipeline.accepts(B)).toBe(true);
  });

  it('fetches a failed batch again after a pause, and tells why', async () => {
    vi.useFakeTimers();
    const consumer = fakeConsumer();
    const failures: unknown[] = [];
    const pipeline = new BatchPipeline(consumer, (err) => failures.push(err));
    pipeline.launch(A, () => Promise.reject(new Error('broker gone')));
    await vi.advanceTimersByTimeAsync(0);
    expect(failures).toEqual([new Error('broker gone')]);
    expect(consumer.paused.has('deliveries:0')).toBe(true);
    expect(pipeline.accepts(A)).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(consumer.paused.size).toBe(0);
  });

  /** A retry tier's batch running, its partition also paused until its next head is due in `dueInMs`. */
  function runningTierBatch(dueInMs: number) {
    vi.useFakeTimers();
    const consumer = fakeConsumer();
    const pipeline = new BatchPipeline(consumer, () => undefined);
    const batch = deferred();
    pipeline.launch(TIER, () => batch.promise);
    pipeline.pauseUntil(TIER, Date.now() + dueInMs);
    return { consumer, batch };
  }

  it('keeps a retry tier paused until its head is due, even when its batch ends first', async () => {
    const { consumer, batch } = runningTierBatch(5_000);
    batch.resolve();
    await vi.advanceTimersByTimeAsync(4_999);
    expect(consumer.paused.has('retry.1s:0')).toBe(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(consumer.paused.size).toBe(0);
  });

  it('does not fetch a partition whose head came due while its batch still runs', async () => {
    const { consumer, batch } = runningTierBatch(1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(consumer.paused.has('retry.1s:0')).toBe(true);
    batch.resolve();
    await vi.advanceTimersByTimeAsync(0);
    expect(consumer.paused.size).toBe(0);
  });

  it('outlives its consumer: a pause ending after the consumer crashed throws nothing', async () => {
    vi.useFakeTimers();
    const notRunning = () => {
      throw new Error('Consumer group was not initialized, consumer#run must be called first');
    };
    const pipeline = new BatchPipeline({ pause: () => undefined, resume: notRunning }, () => undefined);
    pipeline.pauseUntil(TIER, Date.now() + 1_000);
    await vi.advanceTimersByTimeAsync(1_000);
    const crashed = new BatchPipeline({ pause: notRunning, resume: notRunning }, () => undefined);
    crashed.launch(A, () => Promise.resolve());
    await vi.advanceTimersByTimeAsync(0);
    expect(crashed.accepts(A)).toBe(true);
  });

  it('stops for good: waits for running batches and fetches nothing more', async () => {
    const consumer = fakeConsumer();
    const pipeline = new BatchPipeline(consumer, () => undefined);
    const a = deferred();
    pipeline.launch(A, () => a.promise);
    const stopping = pipeline.stop();
    a.resolve();
    await stopping;
    expect(consumer.paused.has('deliveries:0')).toBe(true);
    expect(pipeline.accepts(B)).toBe(false);
  });
});
