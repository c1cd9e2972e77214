/**
 * One transactional producer per lane. A kafkajs producer runs one transaction at a time: the
 * delivery stage gives each input partition its lane, so partitions commit in parallel while each
 * partition's batches still commit in order; ingest uses a single lane.
 *
 * Transactional ids are `<stage>-<instance uuid>-p<lane>`, and every stage name starts with the
 * topic prefix (`lgsp.ingress`, `lgsp.delivery`, ...), so the hub's one PREFIXED ACL on the prefix
 * covers them (`hub-acls.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';

export class TransactionalProducers {
  private readonly producers = new Map<number, Promise<Producer>>();
  private readonly kafka: Kafka;
  /** Unique per instance and stage, stable for the object's life. */
  private readonly transactionalIdPrefix: string;

  /** `stage` starts with the topic prefix: `<prefix>ingress`, `<prefix>delivery`, `<prefix>replay`. */
  constructor(kafka: Kafka, stage: string) {
    this.kafka = kafka;
    this.transactionalIdPrefix = `${stage}-${randomUUID()}`;
  }

  private for(lane: number): Promise<Producer> {
    let producer = this.producers.get(lane);
    if (!producer) {
      const created = this.kafka.producer({ transactionalId: `${this.transactionalIdPrefix}-p${lane}`, idempotent: true, maxInFlightRequests: 1 });
      producer = created.connect().then(() => created);
      producer.catch(() => this.producers.delete(lane));
      this.producers.set(lane, producer);
    }
    return producer;
  }

  /**
   * Commits through lane `lane`'s producer. After any failure the producer is dropped
   * (kafkajs can leave it in a state no later transaction gets out of, e.g. an abort that failed
   * during a broker restart); the next one, with the same transactional id, fences it, and the
   * broker aborts its open transaction. The caller's batch is then processed again.
   */
  async commit(lane: number, work: (producer: Producer) => Promise<void>): Promise<void> {
    const producer = await this.for(lane);
    try {
      await work(producer);
    } catch (err) {
      this.producers.delete(lane);
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
