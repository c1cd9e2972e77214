/**
 * The producer of one chained records topic (the operators' audit trail, the data-sharing call
 * log): idempotent, every write acknowledged by all in-sync replicas, its records stamped by the
 * topic's hash chain (`chain.ts`) in the order they are written.
 */
import type { Kafka, Message, Producer } from 'kafkajs';
import type { AuditChain, ChainWriter } from './chain.ts';

export class ChainedTopicWriter {
  readonly topic: string;
  private producer: Producer | undefined;
  private readonly kafka: Kafka;
  private readonly chain: ChainWriter;

  constructor(kafka: Kafka, topic: string, chain: AuditChain) {
    this.kafka = kafka;
    this.topic = topic;
    this.chain = chain.writer(topic);
  }

  async connect(): Promise<void> {
    this.producer = this.kafka.producer({ idempotent: true });
    await this.producer.connect();
  }

  /** Resolves once Kafka holds `messages`; rejects (the chain then starts anew) when it does not. */
  async write(messages: Message[]): Promise<void> {
    const producer = this.producer;
    if (!producer) throw new Error('ChainedTopicWriter.connect() was not called');
    await this.chain.write([{ topic: this.topic, messages }], async ([stamped]) =>
      this.chain.placement.checkAcknowledged([stamped!], await producer.send({ ...stamped!, acks: -1 })),
    );
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}
