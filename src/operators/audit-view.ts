/**
 * The operators' view of their audit trail: every hub instance reads `lgsp.audit` from its
 * beginning and follows it live (its own group id), so any instance answers `GET /v1/audit`.
 * This instance's own records are added as soon as Kafka acknowledged them (`add`, by the trail),
 * so an operator sees their action at once; the follower's copy is then recognised by its id.
 *
 * Bounded: the newest `maxEntries` records (default 100,000) are kept, by arrival; older ones stay
 * on the topic (retention: forever), which is the record that counts.
 */
import type { Kafka } from 'kafkajs';
import { followTopic, type TopicFollower } from '../kafka/topic-follower.ts';
import type { Logger } from '../ops/logger.ts';
import { parseAuditEntry, type AuditEntry } from './audit-entry.ts';

export interface AuditQuery {
  /** Only this operator (or, for refusals, the operator the token claimed). */
  readonly operator?: string;
  /** Only actions containing this text, any case: `connectors`, `POST`, `:rotate`. */
  readonly action?: string;
  /** ISO time: only records at or after it. */
  readonly since?: string;
  /** At most this many; default 100. */
  readonly limit?: number;
}

export class AuditView {
  private readonly entries = new Map<string, AuditEntry>();
  private follower: TopicFollower | undefined;
  private readonly logger: Pick<Logger, 'warn'>;
  private readonly maxEntries: number;

  constructor(logger: Pick<Logger, 'warn'>, maxEntries = 100_000) {
    this.logger = logger;
    this.maxEntries = maxEntries;
  }

  /** Reads `topic` to its end, then keeps following it; `groupId` must be unique per instance. */
  async load(kafka: Kafka, topic: string, groupId: string): Promise<void> {
    this.follower = await followTopic(kafka, {
      topic,
      groupId,
      onMessage: (message, partition) => {
        const entry = parseAuditEntry(message.value);
        if (entry) this.add(entry);
        else this.logger.warn({ topic, partition, offset: message.offset }, 'skipped a record of the operators’ audit trail that is not an audit entry');
      },
    });
    await this.follower.caughtUp;
  }

  /** Takes one record (from the topic, or from this instance's trail once written); a known id is ignored. */
  add(entry: AuditEntry): void {
    if (this.entries.has(entry.id)) return;
    this.entries.set(entry.id, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  /** Matching records, newest first. */
  list({ operator, action, since, limit = 100 }: AuditQuery = {}): AuditEntry[] {
    const text = action?.toLowerCase();
    const found = [...this.entries.values()].filter(
      (e) =>
        (operator === undefined || (e.operator ?? e.claimed) === operator) &&
        (text === undefined || e.action.toLowerCase().includes(text)) &&
        (since === undefined || e.time >= since),
    );
    return found.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, limit);
  }

  async close(): Promise<void> {
    await this.follower?.stop();
  }
}
