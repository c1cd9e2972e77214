/**
 * The delivery stage's batches run in the background, one at a time per partition. kafkajs
 * (2.2.4) fetches again only once every batch of its last fetch has been handled (one fetcher per
 * broker), so a recipient that is slow but answers would hold back every partition that broker
 * leads. Here a batch's partition is paused while the batch runs, and the fetch loop goes on for
 * the others; the partition is fetched again once its batch is done (or, for a retry tier whose
 * head is not due, once it is).
 *
 * `drain()` asks the running batches to stop taking new records and waits for them: the consumer
 * calls it before it rejoins or leaves its group (`kafkajs-revocation-fence.ts`), so no partition
 * moves while one of its deliveries is in flight.
 */
import type { Consumer, TopicPartition } from 'kafkajs';
import { resumesAt } from '../kafka/kafkajs-paused-fetch-wait.ts';

/** A failed batch is fetched again (from its first unresolved record) after this pause. */
const RETRY_FAILED_BATCH_MS = 1_000;

const keyOf = ({ topic, partition }: TopicPartition) => `${topic}\n${partition}`;

export class BatchPipeline {
  private readonly running = new Map<string, Promise<void>>();
  /** Partitions paused until a time: a retry tier's head, or a failed batch's pause. */
  private readonly waiting = new Map<string, { readonly tp: TopicPartition; readonly timer: NodeJS.Timeout }>();
  private draining = false;
  private stopped = false;
  private readonly consumer: Pick<Consumer, 'pause' | 'resume'>;
  private readonly onFailure: (err: unknown, tp: TopicPartition) => void;

  constructor(consumer: Pick<Consumer, 'pause' | 'resume'>, onFailure: (err: unknown, tp: TopicPartition) => void) {
    this.consumer = consumer;
    this.onFailure = onFailure;
  }

  /** Whether a batch of `tp` may start: not while one of it runs, nor while draining. */
  accepts(tp: TopicPartition): boolean {
    return !this.draining && !this.stopped && !this.running.has(keyOf(tp));
  }

  /** Whether running batches should stop taking new records (a drain or a stop is waiting). */
  get stopping(): boolean {
    return this.draining || this.stopped;
  }

  /** Runs `work` in the background with `tp` paused. */
  launch(tp: TopicPartition, work: () => Promise<void>): void {
    const key = keyOf(tp);
    this.set(tp, 'pause');
    resumesAt(tp, undefined); // paused for as long as the batch runs
    const run = work().then(
      () => {
        this.running.delete(key);
        if (!this.waiting.has(key)) this.set(tp, 'resume');
      },
      (err: unknown) => {
        this.running.delete(key);
        this.onFailure(err, tp);
        this.pauseUntil(tp, Date.now() + RETRY_FAILED_BATCH_MS);
      },
    );
    this.running.set(key, run);
  }

  /** Pauses `tp` until `atMs` (epoch): fetched again then, unless a batch of it is still running. */
  pauseUntil(tp: TopicPartition, atMs: number): void {
    const key = keyOf(tp);
    clearTimeout(this.waiting.get(key)?.timer);
    this.set(tp, 'pause');
    // Fetches of the other partitions meanwhile may wait until then (kafkajs-paused-fetch-wait.ts).
    resumesAt(tp, atMs);
    const timer = setTimeout(
      () => {
        this.waiting.delete(key);
        resumesAt(tp, undefined);
        if (!this.running.has(key)) this.set(tp, 'resume');
      },
      Math.max(0, atMs - Date.now()),
    );
    this.waiting.set(key, { tp, timer });
  }

  /** Lets the running batches finish what they started, and waits for them. */
  async drain(): Promise<void> {
    this.draining = true;
    try {
      await Promise.all(this.running.values());
    } finally {
      this.draining = false;
    }
  }

  /** For good: drains, and drops the pauses' timers. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const { tp, timer } of this.waiting.values()) {
      clearTimeout(timer);
      resumesAt(tp, undefined);
    }
    this.waiting.clear();
    await Promise.all(this.running.values());
  }

  /**
   * kafkajs throws when its consumer is not running (kafkajs is restarting it after a crash, or it
   * was replaced): there is then nothing to pause or resume. A stopped pipeline resumes nothing.
   */
  private set(tp: TopicPartition, action: 'pause' | 'resume'): void {
    if (action === 'resume' && this.stopped) return;
    try {
      this.consumer[action]([{ topic: tp.topic, partitions: [tp.partition] }]);
    } catch {
      // not running
    }
  }
}
