/**
 * Dead letters keep their context (Kafka Connect's DeadLetterQueueReporter): the original bytes,
 * and headers naming the stage that failed, the connector, the reason and when. Stages: `decode`
 * (a native payload), `validate` (a decoded message the contract refuses), `route`, `encode`,
 * `deliver`.
 */
import type { Kafka, Message, Producer } from 'kafkajs';

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
}

export function deadLetterMessage(letter: DeadLetter, at = new Date()): Message {
  return {
    key: letter.key,
    value: letter.original,
    headers: {
      ...letter.headers,
      lgsp_dlq_stage: letter.stage,
      lgsp_dlq_connector: letter.connector,
      lgsp_dlq_reason: letter.reason.slice(0, 4096),
      lgsp_dlq_at: at.toISOString(),
      ...(letter.hubId ? { lgsp_hubid: letter.hubId } : {}),
    },
  };
}

/** Writes dead letters durably (acks from all in-sync replicas). */
export class DeadLetterWriter {
  private producer: Producer | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
  ) {}

  async connect(): Promise<void> {
    this.producer = this.kafka.producer({ idempotent: true });
    await this.producer.connect();
  }

  async write(letter: DeadLetter): Promise<void> {
    if (!this.producer) throw new Error('DeadLetterWriter.connect() was not called');
    await this.producer.send({ topic: this.topic, acks: -1, messages: [deadLetterMessage(letter)] });
  }

  async close(): Promise<void> {
    await this.producer?.disconnect();
  }
}
