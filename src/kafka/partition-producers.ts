/**
 * One transactional producer per input partition. A kafkajs producer runs one transaction at a
 * time; giving each partition its own lets partitions commit in parallel while each partition's
 * batches still commit in order (the consumer hands a partition one batch at a time).
 */
import type { Kafka, Producer } from 'kafkajs';

export class PartitionProducers {
  private readonly producers = new Map<number, Promise<Producer>>();

  constructor(
    private readonly kafka: Kafka,
    /** Unique per instance and stage, e.g. `<group>-<instance uuid>`. */
    private readonly transactionalIdPrefix: string,
  ) {}

  for(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      const created = this.kafka.producer({ transactionalId: `${this.transactionalIdPrefix}-p${partition}`, idempotent: true, maxInFlightRequests: 1 });
      producer = created.connect().then(() => created);
      producer.catch(() => this.producers.delete(partition));
      this.producers.set(partition, producer);
    }
    return producer;
  }

  async close(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(all.map(async (p) => (await p).disconnect()));
  }
}
