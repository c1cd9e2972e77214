/**
 * The producer of one chained records topic (the operators' audit trail, the data-sharing call
 * log): idempotent, every write acknowledged by all in-sync replicas, its records stamped by the
 * topic's hash chain (`chain.ts`) in the order they are written.
 */
import type { Kafka, Message } from 'kafkajs';
import { idempotentProducer, type RenewedProducer } from '../kafka/renewed-producer.ts';
import type { AuditChain, ChainWriter } from './chain.ts';

export class ChainedTopicWriter {
  readonly topic: string;
  private readonly producer: RenewedProducer;
  private readonly chain: ChainWriter;

  constructor(kafka: Kafka, topic: string, chain: AuditChain) {
    this.producer = idempotentProducer(kafka);
    this.topic = topic;
    this.chain = chain.writer(topic);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  /** Resolves once Kafka holds `messages`; rejects (the chain then starts anew) when it does not. */
  async write(messages: Message[]): Promise<void> {
    await this.chain.write([{ topic: this.topic, messages }], async ([stamped]) =>
      this.producer.use(async (producer) => this.chain.placement.checkAcknowledged([stamped!], await producer.send({ ...stamped!, acks: -1 }))),
    );
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
