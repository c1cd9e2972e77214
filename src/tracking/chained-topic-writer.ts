/**
 * Producers whose records go through a hash chain (`chain.ts`): idempotent, every write
 * acknowledged by all in-sync replicas on every partition it touched (`placement.ts`), the
 * records stamped by the chain in the order they are written. `ChainedWriter` writes to any
 * topics (ingest: the message, its deliveries and events, its dedupe marks); `ChainedTopicWriter`
 * is the producer of one chained records topic (the operators' audit trail, the data-sharing call
 * log).
 */
import type { Kafka, Message, TopicMessages } from 'kafkajs';
import { idempotentProducer, type RenewedProducer } from '../kafka/renewed-producer.ts';
import type { AuditChain, ChainWriter } from './chain.ts';

export class ChainedWriter {
  private readonly producer: RenewedProducer;
  private readonly chain: ChainWriter;

  /** `name` names its hash chain: the topic, or the stage (`<prefix>ingress`). */
  constructor(kafka: Kafka, name: string, chain: AuditChain) {
    this.producer = idempotentProducer(kafka);
    this.chain = chain.writer(name);
  }

  /** Connects now, so a hub that cannot write does not start. */
  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Resolves once Kafka holds every record of `topicMessages`; rejects (the chain then starts anew) when it does not. */
  async writeTopics(topicMessages: TopicMessages[]): Promise<void> {
    await this.chain.write(topicMessages, (stamped) =>
      this.producer.use(async (producer) => this.chain.placement.checkAcknowledged(stamped, await producer.sendBatch({ topicMessages: stamped, acks: -1 }))),
    );
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}

export class ChainedTopicWriter extends ChainedWriter {
  readonly topic: string;

  constructor(kafka: Kafka, topic: string, chain: AuditChain) {
    super(kafka, topic, chain);
    this.topic = topic;
  }

  /** Resolves once Kafka holds `messages`; rejects (the chain then starts anew) when it does not. */
  write(messages: Message[]): Promise<void> {
    return this.writeTopics([{ topic: this.topic, messages }]);
  }
}
