/**
 * Dead letters keep their context (Kafka Connect's DeadLetterQueueReporter): the original bytes,
 * and headers naming the stage that failed, the connector, the reason and when. Stages: `decode`
 * (a native payload), `validate` (a decoded message the contract refuses), `route`, `encode`,
 * `deliver`.
 */
import type { Kafka, Message } from 'kafkajs';
import { DLQ_HEADER, HEADER } from '../contract/kafka-headers.ts';
import { idempotentProducer, type RenewedProducer } from '../kafka/renewed-producer.ts';

export type DeadLetterStage = 'decode' | 'validate' | 'route' | 'encode' | 'deliver';

export interface DeadLetter {
  readonly stage: DeadLetterStage;
  readonly connector: string;
  readonly reason: string;
  /** Partition key: the recipient agency for deliveries, else the connector's agency. */
  readonly key: string;
  readonly original: Buffer | string;
  readonly hubId?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** The recipient's HTTP status and answer (stage `deliver`). */
  readonly status?: number;
  readonly response?: unknown;
  /** Where the failed record was read from, when it came from a Kafka topic. */
  readonly origin?: RecordOrigin;
}

export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
}

/** How much of a reason or a recipient's answer a letter keeps. */
const MAX_TEXT = 4096;

export function deadLetterMessage(letter: DeadLetter, at = new Date()): Message {
  const { status, response, origin } = letter;
  return {
    key: letter.key,
    value: letter.original,
    headers: {
      ...letter.headers,
      [DLQ_HEADER.stage]: letter.stage,
      [DLQ_HEADER.connector]: letter.connector,
      [DLQ_HEADER.reason]: letter.reason.slice(0, MAX_TEXT),
      [DLQ_HEADER.at]: at.toISOString(),
      ...(letter.hubId ? { [HEADER.hubId]: letter.hubId } : {}),
      ...(status ? { [DLQ_HEADER.status]: String(status) } : {}),
      ...(response !== undefined ? { [DLQ_HEADER.response]: (typeof response === 'string' ? response : JSON.stringify(response)).slice(0, MAX_TEXT) } : {}),
      ...(origin ? { [DLQ_HEADER.topic]: origin.topic, [DLQ_HEADER.partition]: String(origin.partition), [DLQ_HEADER.offset]: origin.offset } : {}),
    },
  };
}

/** Writes dead letters durably (acks from all in-sync replicas). */
export class DeadLetterWriter {
  private readonly producer: RenewedProducer;
  private readonly topic: string;

  constructor(kafka: Kafka, topic: string) {
    this.producer = idempotentProducer(kafka);
    this.topic = topic;
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async write(letter: DeadLetter): Promise<void> {
    await this.producer.use((producer) => producer.send({ topic: this.topic, acks: -1, messages: [deadLetterMessage(letter)] }));
  }

  close(): Promise<void> {
    return this.producer.close();
  }
}
