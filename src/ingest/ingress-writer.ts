/**
 * Writes accepted messages to Kafka atomically and durably: each request's records (the message on
 * `lgsp.ingress`, its dedupe mark, its delivery records, its "accepted" and "routed" audit events)
 * go in one Kafka transaction with acks from all in-sync replicas, checked partition by partition
 * (`placement.ts`). Requests that arrive while a transaction is in flight are grouped into the next
 * one (group commit), so throughput does not stop at one round trip per request. A failed
 * transaction is never committed and every request in it fails with `kafka-unavailable`: nothing
 * of it is visible to the hub's read_committed consumers.
 */
import type { Kafka, TopicMessages } from 'kafkajs';
import { HubError } from '../contract/problems.ts';
import { TransactionalProducers } from '../kafka/transactional-producers.ts';
import type { Logger } from '../ops/logger.ts';
import type { AuditChain, ChainWriter } from '../tracking/chain.ts';

/** Beyond this, queued requests wait for the next transaction (keeps one produce request bounded). */
const MAX_TRANSACTION_BYTES = 4 * 1024 * 1024;
const RETRY_AFTER_SECONDS = 5;

interface Pending {
  topicMessages: TopicMessages[];
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

export class IngressWriter {
  /** One lane: a failed producer is replaced by one with the same transactional id, which fences it. */
  private readonly producers: TransactionalProducers;
  private readonly queue: Pending[] = [];
  private flushing = false;
  private readonly logger: Logger;
  private readonly chain: ChainWriter;

  /** `stage` names its transactional ids and starts with the topic prefix: `<prefix>ingress`. */
  constructor(kafka: Kafka, stage: string, logger: Logger, chain: AuditChain) {
    this.logger = logger;
    this.producers = new TransactionalProducers(kafka, stage);
    this.chain = chain.writer(stage);
  }

  /** Connects now (the producer initialises its transactional id), so a hub that cannot write does not start. */
  connect(): Promise<void> {
    return this.producers.connect(0);
  }
  /** Resolves once Kafka has committed `topicMessages`; rejects with `kafka-unavailable`. */
  write(topicMessages: TopicMessages[]): Promise<void> {
    const bytes = topicMessages.reduce((sum, t) => sum + t.messages.reduce((s, m) => s + (m.value?.length ?? 0), 0), 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ topicMessages, bytes, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.queue.length > 0) {
        const group = this.takeGroup();
        try {
          await this.commit(group.flatMap((p) => p.topicMessages));
          for (const p of group) p.resolve();
        } catch (err) {
          this.logger.warn({ err, requests: group.length }, 'ingress transaction failed; answering 503');
          const failure = new HubError('kafka-unavailable', 'Kafka did not acknowledge the message; nothing was written. Retry later with the same id.', {
            retryAfterSeconds: RETRY_AFTER_SECONDS,
            cause: err,
          });
          for (const p of group) p.reject(failure);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  private takeGroup(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && (count === 0 || bytes + this.queue[count]!.bytes <= MAX_TRANSACTION_BYTES)) {
      bytes += this.queue[count]!.bytes;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async commit(topicMessages: TopicMessages[]): Promise<void> {
    // No abort round trip on failure (it would wait out the same outage): the replacement
    // producer fences this one and the broker aborts its open transaction.
    await this.chain.write(topicMessages, (stamped) =>
      this.producers.commit(0, async (producer) => {
        const transaction = await producer.transaction();
        this.chain.placement.checkAcknowledged(stamped, await transaction.sendBatch({ topicMessages: stamped, acks: -1 }));
        await transaction.commit();
      }),
    );
  }

  async close(): Promise<void> {
    await this.producers.close();
  }
}
