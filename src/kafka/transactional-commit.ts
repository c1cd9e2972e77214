/**
 * Consume-transform-produce in one Kafka transaction: what a batch produced and the consumer
 * offsets after it are committed together, so a crash either keeps both or neither (the batch is
 * then processed again). Used by the delivery stage.
 */
import type { Producer, TopicMessages } from 'kafkajs';
import type { Placement } from './placement.ts';

export interface ConsumedUpTo {
  readonly topic: string;
  readonly partition: number;
  /** The last offset processed; the committed offset is the next one. */
  readonly offset: string;
}

/** The offset to commit after `consumed`: the next one to read. */
export function nextOffset(consumed: ConsumedUpTo): string {
  return (BigInt(consumed.offset) + 1n).toString();
}

export async function commitTransaction(
  producer: Producer,
  groupId: string,
  produced: TopicMessages[],
  consumed: ConsumedUpTo,
  placement: Placement,
): Promise<void> {
  const transaction = await producer.transaction();
  try {
    const nonEmpty = produced.filter((t) => t.messages.length > 0);
    if (nonEmpty.length > 0) placement.checkAcknowledged(nonEmpty, await transaction.sendBatch({ topicMessages: nonEmpty, acks: -1 }));
    await transaction.sendOffsets({
      consumerGroupId: groupId,
      topics: [{ topic: consumed.topic, partitions: [{ partition: consumed.partition, offset: nextOffset(consumed) }] }],
    });
    await transaction.commit();
  } catch (err) {
    // Best effort: the caller replaces a producer whose transaction failed (PartitionProducers.commit).
    await transaction.abort().catch(() => undefined);
    throw err;
  }
}
