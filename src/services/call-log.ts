/**
 * Writes the call log (`lgsp.service-calls`): one record per data-sharing call, keyed by service
 * id, acknowledged by all in-sync replicas before the consumer gets its answer, and chained and
 * signed like the audit trail (`src/tracking/chain.ts`).
 *
 * Group commit: while one write is in flight, the records of calls that finish meanwhile wait and
 * go out together in the next one (up to 4 MiB, `write-group.ts`: a service that logs bodies
 * makes records of megabytes). At low load a record is written alone at once; at hundreds of
 * calls a second, one round trip carries many, so the log adds about one write's latency to a
 * call, never a queue of them.
 *
 * Fail closed: a call whose record Kafka does not take is answered `503 kafka-unavailable` and its
 * answer withheld. After a failed write, calls are refused before the provider is asked, for
 * `REFUSE_AFTER_FAILURE_MS`; then the next call tries again (and so finds Kafka back).
 */
import type { Kafka } from 'kafkajs';
import { HubError } from '../contract/problems.ts';
import { takeWriteGroup } from '../kafka/write-group.ts';
import type { Logger } from '../ops/logger.ts';
import type { AuditChain } from '../tracking/chain.ts';
import { ChainedTopicWriter } from '../tracking/chained-topic-writer.ts';
import type { CallRecord } from './service-record.ts';

const RETRY_AFTER_SECONDS = 5;
const REFUSE_AFTER_FAILURE_MS = RETRY_AFTER_SECONDS * 1000;

interface Pending {
  readonly record: CallRecord;
  /** The record as written, and its size (a service with `logBodies` makes records of megabytes). */
  readonly value: string;
  readonly bytes: number;
  resolve(): void;
  reject(err: unknown): void;
}

export class CallLog {
  private readonly writer: ChainedTopicWriter;
  private readonly logger: Logger;
  private readonly onWritten: (record: CallRecord) => void;
  private readonly pending: Pending[] = [];
  /** The writes in progress, until the queue is empty. */
  private draining: Promise<void> | undefined;
  /** `Date.now()` of the last failed write, until a write succeeds. */
  private failedAt: number | undefined;

  /** `onWritten` is told of each record once Kafka acknowledged it (this instance's view shows it at once). */
  constructor(kafka: Kafka, topic: string, logger: Logger, chain: AuditChain, onWritten: (record: CallRecord) => void = () => undefined) {
    this.writer = new ChainedTopicWriter(kafka, topic, chain);
    this.logger = logger;
    this.onWritten = onWritten;
  }

  connect(): Promise<void> {
    return this.writer.connect();
  }

  /** Throws `kafka-unavailable` while the last write failed recently: no call is made that could not be recorded. */
  assertWritable(): void {
    if (this.failedAt !== undefined && Date.now() - this.failedAt < REFUSE_AFTER_FAILURE_MS) throw unavailable();
  }

  /** Resolves once Kafka holds `record`; rejects with `kafka-unavailable` when it does not. */
  record(record: CallRecord): Promise<void> {
    const value = JSON.stringify(record);
    return new Promise((resolve, reject) => {
      this.pending.push({ record, value, bytes: Buffer.byteLength(value), resolve, reject });
      this.draining ??= this.drain();
    });
  }

  /** Waits for the writes in progress, then disconnects. */
  async close(): Promise<void> {
    await this.draining;
    await this.writer.close();
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) await this.write(takeWriteGroup(this.pending, (p) => p.bytes));
    } finally {
      this.draining = undefined;
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    try {
      await this.writer.write(batch.map(({ record, value }) => ({ key: record.service, value })));
    } catch (err) {
      this.failedAt = Date.now();
      this.logger.error({ err, calls: batch.length }, `call log write failed: ${batch.length} data-sharing call(s) answered 503, their answers withheld`);
      for (const { reject } of batch) reject(unavailable(err));
      return;
    }
    this.failedAt = undefined;
    for (const { resolve } of batch) resolve();
    try {
      for (const { record } of batch) this.onWritten(record);
    } catch (err) {
      // Kafka holds the records: the view shows them once its follower reads them back.
      this.logger.error({ err }, 'the call-log view did not take a written record');
    }
  }
}

function unavailable(cause?: unknown): HubError {
  return new HubError(
    'kafka-unavailable',
    'Kafka cannot take the call log now, and no data-sharing call is answered without its record. Retry after Retry-After seconds.',
    { retryAfterSeconds: RETRY_AFTER_SECONDS, ...(cause === undefined ? {} : { cause }) },
  );
}
