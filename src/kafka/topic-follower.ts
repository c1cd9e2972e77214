/**
 * Follows a topic from its beginning for an in-memory view (the dedupe store, the registry,
 * traces). `caughtUp` resolves once every partition has been read up to the end offsets it had
 * when following began: transaction markers and aborted records count, so a view never waits
 * for a record that will not come. Every hub instance reads the whole topic: its group id is
 * unique per instance.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import { superviseConsumer } from './supervised-consumer.ts';

const READ_TO_END_TIMEOUT_MS = 30_000;
/** How often a follower commits its offsets: they only spare a relaunched consumer a re-read (see below). */
const COMMIT_EVERY_MS = 5_000;
/**
 * How long the broker holds a fetch with nothing to read (a new record ends it at once). It sets
 * how often an idle view asks, and how long stopping one takes: its stop waits out the fetch it
 * holds (the hub stops its views together, `Lifecycle.openView`).
 */
const DEFAULT_WAIT_MS = 500;
/** `readToEnd`'s wait: it stops once caught up, and its stop waits out the fetch held then. */
const READ_ONCE_WAIT_MS = 50;
/** With `batchWithinMs`, a fetch answers early once this much is there to read. */
const BATCH_BYTES = 256 * 1024;

export interface TopicFollower {
  readonly caughtUp: Promise<void>;
  /** Resolves once every record written before the call has been read (for read-your-writes after a handover). */
  readToCurrentEnd(): Promise<void>;
  stop(): Promise<void>;
}

export interface FollowOptions {
  topic: string;
  groupId: string;
  onMessage: (message: KafkaMessage, partition: number) => void;
  /**
   * Records may wait this long to be read, so a busy topic is read in batches rather than one
   * fetch per write (each fetch costs the broker and the hub): for a view whose own instance adds
   * its records directly (the call log). Default: every record is read as soon as it is written.
   */
  readonly batchWithinMs?: number;
}

/**
 * Reads `topic` from its beginning up to the end offsets it has now (as `caughtUp` counts them),
 * then stops: for a one-off read (a chain verification, a test's look at a topic).
 */
export async function readToEnd(kafka: Kafka, options: Omit<FollowOptions, 'batchWithinMs'>): Promise<void> {
  const follower = await followTopic(kafka, options, READ_ONCE_WAIT_MS);
  try {
    await follower.caughtUp;
  } finally {
    await follower.stop();
  }
}

export async function followTopic(
  kafka: Kafka,
  { topic, groupId, onMessage, batchWithinMs }: FollowOptions,
  idleWaitMs = DEFAULT_WAIT_MS,
): Promise<TopicFollower> {
  const ends = await endOffsets(kafka, topic);
  const pending = new Map(ends.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));

  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((res) => (markCaughtUp = res));
  const position = new Map<number, bigint>();
  const reached = (partition: number, lastOffset: string) => {
    position.set(partition, BigInt(lastOffset) + 1n);
    const end = pending.get(partition);
    if (end !== undefined && BigInt(lastOffset) + 1n >= end) pending.delete(partition);
    if (pending.size === 0) markCaughtUp();
  };
  if (pending.size === 0) markCaughtUp();

  // Offsets are committed to this follower's own group now and then (kafkajs would commit after
  // every batch: an offset commit per fetch), so a replacement consumer (after a crash) resumes
  // near where the last one stopped; the records it reads again are skipped by position, so a
  // view sees each record once.
  const fetching = batchWithinMs === undefined ? { maxWaitTimeInMs: idleWaitMs } : { maxWaitTimeInMs: batchWithinMs, minBytes: BATCH_BYTES };
  const consumer = await superviseConsumer(kafka, { groupId, ...fetching }, async (c) => {
    c.on(c.events.END_BATCH_PROCESS, ({ payload }) => reached(payload.partition, payload.lastOffset));
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      autoCommitInterval: COMMIT_EVERY_MS,
      eachMessage: async ({ message, partition }) => {
        const offset = BigInt(message.offset);
        if (offset < (position.get(partition) ?? 0n)) return;
        onMessage(message, partition);
        position.set(partition, offset + 1n);
      },
    });
  });
  const readToCurrentEnd = async () => {
    const now = await endOffsets(kafka, topic);
    const deadline = Date.now() + READ_TO_END_TIMEOUT_MS;
    while (!now.every((p) => BigInt(p.high) <= BigInt(p.low) || (position.get(p.partition) ?? BigInt(p.low)) >= BigInt(p.high))) {
      // A caller waiting here holds work back: fail (and be retried) rather than wait forever.
      if (Date.now() > deadline) throw new Error(`${topic} view is more than ${READ_TO_END_TIMEOUT_MS / 1000} s behind`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return { caughtUp, readToCurrentEnd, stop: () => consumer.stop() };
}

/** End offsets, retried while leadership settles (a topic created a moment ago may have none yet). */
async function endOffsets(kafka: Kafka, topic: string): Promise<{ partition: number; high: string; low: string }[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        return await admin.fetchTopicOffsets(topic);
      } catch (err) {
        if (!(err as { retriable?: boolean }).retriable || attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 100 * attempt));
      }
    }
  } finally {
    await admin.disconnect();
  }
}
