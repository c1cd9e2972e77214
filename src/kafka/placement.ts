/**
 * Where the hub's records land, and proof that Kafka took every one of them.
 *
 * kafkajs 2.2.4 can resolve a `send` it did not finish (tulios/kafkajs#1303; the fix, PR #1798, is
 * not released): when one broker of a multi-broker send fails, the retry goes only to brokers
 * that had not answered, so the records of a partition whose leadership moved to a broker that
 * already answered are never sent, and the call succeeds. The broker-kill test caught a message
 * acknowledged `202` whose delivery record to one of its two recipients was never written.
 *
 * `Placement` computes each record's partition as kafkajs's default partitioner does (murmur2 of
 * the key), from the partition counts the hub read at start; the chain writers set it on every
 * record they send, so where a record goes and what is checked agree even if partitions are added
 * later. `checkAcknowledged` fails a write unless every partition it wrote to answered, so the
 * caller aborts its transaction (or writes again) and nothing is acknowledged that Kafka does not
 * hold.
 */
import { Partitioners, type Message, type PartitionMetadata, type RecordMetadata, type TopicMessages } from 'kafkajs';

export class Placement {
  private readonly partitioner = Partitioners.DefaultPartitioner();
  /** What the partitioner needs to know of each topic: its partitions, by count. */
  private readonly metadata: ReadonlyMap<string, PartitionMetadata[]>;

  /** `counts`: partitions per topic. */
  constructor(counts: ReadonlyMap<string, number>) {
    this.metadata = new Map(
      [...counts].map(([topic, count]) => [
        topic,
        Array.from({ length: count }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [], isr: [] })),
      ]),
    );
  }

  /** The partition `message` goes to in `topic`: its own, else by its key; undefined for a topic of unknown size. */
  partitionOf(topic: string, message: Message): number | undefined {
    if (message.partition !== undefined) return message.partition;
    const partitionMetadata = this.metadata.get(topic);
    return partitionMetadata && this.partitioner({ topic, partitionMetadata, message });
  }

  /**
   * Throws `UnacknowledgedWriteError` unless `acknowledged` (what kafkajs's send returned) answers
   * for every partition `sent` wrote to.
   */
  checkAcknowledged(sent: readonly TopicMessages[], acknowledged: readonly RecordMetadata[]): void {
    const answered = new Set(acknowledged.map((a) => `${a.topicName}/${a.partition}`));
    const missing = new Set<string>();
    for (const { topic, messages } of sent) {
      for (const message of messages) {
        const partition = this.partitionOf(topic, message);
        if (partition !== undefined && !answered.has(`${topic}/${partition}`)) missing.add(`${topic}/${partition}`);
      }
    }
    if (missing.size > 0) throw new UnacknowledgedWriteError([...missing]);
  }
}

/** Kafka did not answer for some partitions of a write (kafkajs resolved it anyway); retriable. */
export class UnacknowledgedWriteError extends Error {
  readonly retriable = true;
  readonly partitions: readonly string[];

  constructor(partitions: readonly string[]) {
    super(`Kafka did not acknowledge the records for ${partitions.join(', ')}; the write is treated as failed`);
    this.name = 'UnacknowledgedWriteError';
    this.partitions = partitions;
  }
}
