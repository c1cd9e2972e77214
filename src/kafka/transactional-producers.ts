/**
 * One transactional producer per lane. A kafkajs producer runs one transaction at a time: the
 * delivery stage gives each input partition its lane, so partitions commit in parallel while each
 * partition's batches still commit in order; a dead-letter replay uses a single lane.
 *
 * Transactional ids are `<stage>-<instance uuid>-p<lane>`, and every stage name starts with the
 * topic prefix (`lgsp.delivery`, `lgsp.replay`, ...), so the hub's one PREFIXED ACL on the prefix
 * covers them (`hub-acls.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';
import { idempotentProducer, type RenewedProducer } from './renewed-producer.ts';

export class TransactionalProducers {
  private readonly lanes = new Map<number, RenewedProducer>();
  private readonly kafka: Kafka;
  /** Unique per instance and stage, stable for the object's life. */
  private readonly transactionalIdPrefix: string;

  /** `stage` starts with the topic prefix: `<prefix>delivery`, `<prefix>replay`. */
  constructor(kafka: Kafka, stage: string) {
    this.kafka = kafka;
    this.transactionalIdPrefix = `${stage}-${randomUUID()}`;
  }

  /**
   * Commits through lane `lane`'s producer. After any failure the producer is dropped
   * (`renewed-producer.ts`; kafkajs can also leave it in a state no later transaction gets out
   * of, e.g. an abort that failed during a broker restart); the next one, with the same
   * transactional id, fences it, and the broker aborts its open transaction. The caller's batch
   * is then processed again.
   */
  commit(lane: number, work: (producer: Producer) => Promise<void>): Promise<void> {
    return this.lane(lane).use(work);
  }

  /** Connects lane `lane`'s producer now (it registers its transactional id), so a stage that cannot write does not start. */
  connect(lane: number): Promise<void> {
    return this.lane(lane).connect();
  }

  private lane(lane: number): RenewedProducer {
    let producer = this.lanes.get(lane);
    if (!producer) {
      producer = idempotentProducer(this.kafka, { transactionalId: `${this.transactionalIdPrefix}-p${lane}`, maxInFlightRequests: 1 });
      this.lanes.set(lane, producer);
    }
    return producer;
  }

  async close(): Promise<void> {
    const all = [...this.lanes.values()];
    this.lanes.clear();
    await Promise.allSettled(all.map((p) => p.close()));
  }
}
