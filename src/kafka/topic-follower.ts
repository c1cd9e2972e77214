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
}

export async function followTopic(kafka: Kafka, { topic, groupId, onMessage }: FollowOptions): Promise<TopicFollower> {
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

  // Offsets are committed to this follower's own group, so a replacement consumer (after a
  // crash) resumes where the last one stopped instead of replaying old states.
  const consumer = await superviseConsumer(kafka, { groupId, maxWaitTimeInMs: 250 }, async (c) => {
    c.on(c.events.END_BATCH_PROCESS, ({ payload }) => reached(payload.partition, payload.lastOffset));
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async ({ message, partition }) => onMessage(message, partition) });
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
