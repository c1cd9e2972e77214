/**
 * Writes the operators' audit trail (`lgsp.audit`): each action is acknowledged by all in-sync
 * replicas before the route binding sends the answer. When Kafka refuses the write the request
 * is answered `503 kafka-unavailable` and this logs at error level, loudly: the action itself
 * may already have happened (a registration written, a token rotated) without its audit record.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { HubError } from '../contract/problems.ts';
import type { Logger } from '../ops/logger.ts';
import type { AuditChain } from '../tracking/chain.ts';
import { ChainedTopicWriter } from '../tracking/chained-topic-writer.ts';
import { auditMessage, type AuditEntry, type OperatorAction } from './audit-entry.ts';

const RETRY_AFTER_SECONDS = 5;

/** What the route binding calls for each audited request; rejects with `kafka-unavailable`. */
export type AuditSink = (action: OperatorAction) => Promise<void>;

export class AuditTrail {
  /** Writes one at a time, each record linked to the previous one (`chain.ts`). */
  private readonly writer: ChainedTopicWriter;
  private readonly logger: Logger;
  private readonly onWritten: (entry: AuditEntry) => void;

  /** `onWritten` is told of each entry once Kafka acknowledged it (this instance's view shows it at once). */
  constructor(kafka: Kafka, topic: string, logger: Logger, chain: AuditChain, onWritten: (entry: AuditEntry) => void = () => undefined) {
    this.writer = new ChainedTopicWriter(kafka, topic, chain);
    this.logger = logger;
    this.onWritten = onWritten;
  }

  connect(): Promise<void> {
    return this.writer.connect();
  }

  /** Stamps `action` with an id and the time, and writes it (acks all). */
  readonly record: AuditSink = async (action) => {
    const entry: AuditEntry = { id: randomUUID(), time: new Date().toISOString(), ...action };
    try {
      await this.writer.write([auditMessage(entry)]);
      this.onWritten(entry);
    } catch (err) {
      this.logger.error(
        { err, audit: entry },
        `AUDIT WRITE FAILED: ${entry.action} by ${entry.operator ?? 'an unauthenticated caller'} (answered ${entry.outcome}) is not in ${this.writer.topic}; the request was answered 503, but the action may have happened`,
      );
      throw new HubError(
        'kafka-unavailable',
        'Kafka did not acknowledge the audit record of this request, so it is answered 503; the action itself may have taken effect. Check its result (e.g. GET it) before retrying.',
        { retryAfterSeconds: RETRY_AFTER_SECONDS, cause: err },
      );
    }
  };

  close(): Promise<void> {
    return this.writer.close();
  }
}
