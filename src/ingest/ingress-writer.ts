/**
 * Writes accepted messages to Kafka durably, without a transaction (docs/design.md, "Ingest
 * without a transaction"): each request's records (the message on `lgsp.ingress`, its delivery
 * records, its "accepted"+"routed" event) go through a `ChainedWriter` (an idempotent producer,
 * acks from all in-sync replicas, checked partition by partition). Requests that arrive while a
 * write is in flight are grouped into the next one (group commit), so throughput does not stop at
 * one round trip per request.
 *
 * A write's dedupe marks go only once its records are acknowledged, with the next write (or on
 * their own when none is waiting), so a mark never claims a message Kafka does not hold; a request
 * is answered once its mark is acknowledged too, so a message that was answered is recognised when
 * it is sent again. Only a crash between the two writes, or a failed mark, leaves a message
 * without its mark: written again if re-sent, it keeps its hub id, and the delivery stage does not
 * send it twice to a recipient it already reached.
 *
 * A failed write answers every request in it `kafka-unavailable`. Some of its records may be
 * kept (Kafka may have written a send whose answer was lost, or some partitions of it): the
 * sender re-sends with the same ids, which keep their hub ids and so their `Idempotency-Key`.
 */
import type { Kafka, TopicMessages } from 'kafkajs';
import { HubError } from '../contract/problems.ts';
import { takeWriteGroup } from '../kafka/write-group.ts';
import type { Logger } from '../ops/logger.ts';
import type { AuditChain } from '../tracking/chain.ts';
import { ChainedWriter } from '../tracking/chained-topic-writer.ts';
import { DedupeStore } from './dedupe-store.ts';

const RETRY_AFTER_SECONDS = 5;
/** Marks whose write failed with no request waiting are tried again after this. */
const MARKS_RETRY_MS = 1_000;

interface Pending {
  topicMessages: TopicMessages[];
  /** The `source\nid` keys of its messages, marked once they are written. */
  marks: readonly string[];
  bytes: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

/** Marks to write: of a request waiting for them, or left over from a failed write (none waits). */
interface Marks {
  readonly keys: readonly string[];
  readonly request?: Pending;
}

export class IngressWriter {
  private readonly writer: ChainedWriter;
  private readonly queue: Pending[] = [];
  /** Marks of written messages, to go with the next write. */
  private marks: Marks[] = [];
  private flushing = false;
  private flushed: Promise<void> = Promise.resolve();
  private marksRetry: NodeJS.Timeout | undefined;
  private readonly marksTopic: string;
  private readonly logger: Logger;

  /** `stage` names its hash chain (`<prefix>ingress`); `marksTopic` is `lgsp.dedupe`. */
  constructor(kafka: Kafka, stage: string, marksTopic: string, logger: Logger, chain: AuditChain) {
    this.logger = logger;
    this.marksTopic = marksTopic;
    this.writer = new ChainedWriter(kafka, stage, chain);
  }

  /** Connects now, so a hub that cannot write does not start. */
  connect(): Promise<void> {
    return this.writer.connect();
  }

  /** Resolves once Kafka holds `topicMessages`, and then their `marks`; rejects with `kafka-unavailable`. */
  write(topicMessages: TopicMessages[], marks: readonly string[]): Promise<void> {
    const bytes = topicMessages.reduce((sum, t) => sum + t.messages.reduce((s, m) => s + (m.value?.length ?? 0), 0), 0);
    return new Promise((resolve, reject) => {
      this.queue.push({ topicMessages, marks, bytes, resolve, reject });
      this.kick();
    });
  }

  private kick(): void {
    if (this.flushing) return;
    this.flushing = true;
    this.flushed = this.flush();
  }

  private async flush(): Promise<void> {
    clearTimeout(this.marksRetry);
    try {
      while (this.queue.length > 0 || this.marks.length > 0) {
        const group = takeWriteGroup(this.queue, (request) => request.bytes);
        const marks = this.marks.splice(0);
        const topicMessages = group.flatMap((p) => p.topicMessages);
        if (marks.length > 0) topicMessages.push({ topic: this.marksTopic, messages: [DedupeStore.record(marks.flatMap((m) => m.keys))] });
        try {
          await this.writer.writeTopics(topicMessages);
          for (const m of marks) m.request?.resolve();
          for (const request of group) this.marks.push({ keys: request.marks, request });
        } catch (err) {
          this.logger.warn({ err, requests: group.length, marks: marks.length }, 'ingress write failed; answering 503');
          const failure = new HubError(
            'kafka-unavailable',
            'Kafka did not acknowledge the message. Send it again with the same id: it is then delivered once, with the same Idempotency-Key.',
            { retryAfterSeconds: RETRY_AFTER_SECONDS, cause: err },
          );
          for (const request of group) request.reject(failure);
          // Their messages are written: the marks are tried again, though their requests are answered.
          for (const m of marks) m.request?.reject(failure);
          this.marks.unshift(...marks.map(({ keys }) => ({ keys })));
          if (this.queue.length === 0) {
            this.marksRetry = setTimeout(() => this.kick(), MARKS_RETRY_MS).unref();
            return;
          }
        }
      }
    } finally {
      // In the loop's own function, so nothing runs between the loop's end and this: a write
      // queued after it starts a new flush.
      this.flushing = false;
    }
  }

  /** Writes the marks still waiting (once), then disconnects. */
  async close(): Promise<void> {
    clearTimeout(this.marksRetry);
    await this.flushed;
    if (this.marks.length > 0) {
      this.kick();
      await this.flushed;
    }
    clearTimeout(this.marksRetry);
    if (this.marks.length > 0)
      this.logger.warn({ marks: this.marks.length }, 'dedupe marks not written at shutdown: a re-send of these messages is written again (and delivered once)');
    await this.writer.close();
  }
}
