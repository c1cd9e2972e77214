/**
 * One transactional producer per lane. A kafkajs producer runs one transaction at a time: the
 * router and the delivery stage give each input partition its lane, so partitions commit in
 * parallel while each partition's batches still commit in order; ingest uses a single lane.
 *
 * Transactional ids: where a lane is an input partition (the router, the delivery stage) the id
 * is the same in every instance, `<stage>-p<partition>`, so the instance that gets a partition
 * fences whoever had it before: the broker aborts that one's open transaction at once (after a
 * crash, a broker's death or a rebalance) instead of holding every reader of the partitions it
 * wrote to for the transaction timeout, and a former owner can no longer commit for the
 * partition. Ingest's lane is per instance (`<stage>-<instance uuid>-p0`): instances ingest side by
 * side. Every stage name starts with the topic prefix (`lgsp.router`, `lgsp.ingress`, ...), so the
 * hub's one PREFIXED ACL on the prefix covers them (`hub-acls.ts`).
 */
import { randomUUID } from 'node:crypto';
import type { Kafka, Producer } from 'kafkajs';

export class TransactionalProducers {
  private readonly producers = new Map<number, Promise<Producer>>();
  private readonly kafka: Kafka;
  /** The stage, and for lanes of an instance's own, the instance's uuid. */
  private readonly transactionalIdPrefix: string;

  /**
   * `stage` starts with the topic prefix: `<prefix>router`, `<prefix>delivery`, `<prefix>ingress`.
   * `lanes`: `partitions` when each lane is an input partition (ids shared by every instance),
   * `own` when the lanes are this instance's alone.
   */
  constructor(kafka: Kafka, stage: string, lanes: 'partitions' | 'own') {
    this.kafka = kafka;
    this.transactionalIdPrefix = lanes === 'partitions' ? stage : `${stage}-${randomUUID()}`;
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
