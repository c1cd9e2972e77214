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

  private for(partition: number): Promise<Producer> {
    let producer = this.producers.get(partition);
    if (!producer) {
      const created = this.kafka.producer({ transactionalId: `${this.transactionalIdPrefix}-p${partition}`, idempotent: true, maxInFlightRequests: 1 });
      producer = created.connect().then(() => created);
      producer.catch(() => this.producers.delete(partition));
      this.producers.set(partition, producer);
    }
    return producer;
  }

  /**
   * Commits through partition `partition`'s producer. After any failure the producer is dropped
   * (kafkajs can leave it in a state no later transaction gets out of, e.g. an abort that failed
   * during a broker restart); the next one, with the same transactional id, fences it, and the
   * broker aborts its open transaction. The caller's batch is then processed again.
   */
  async commit(partition: number, work: (producer: Producer) => Promise<void>): Promise<void> {
    const producer = await this.for(partition);
    try {
      await work(producer);
    } catch (err) {
      this.producers.delete(partition);
      await producer.disconnect().catch(() => undefined);
      throw err;
    }
  }

  async close(): Promise<void> {
    const all = [...this.producers.values()];
    this.producers.clear();
    await Promise.allSettled(all.map(async (p) => (await p).disconnect()));
  }
}
