/**
 * Replays dead letters of stage `deliver`: the delivery record is rebuilt from the letter's
 * headers and value with the same hub id (so the recipient sees the same `Idempotency-Key`),
 * attempt 1, not parked, no retry-tier wait, history kept, and written to `lgsp.deliveries`
 * together with one `replayed` audit event per letter on `lgsp.events`, all in one Kafka
 * transaction (acks from all in-sync replicas). Either every record of a call is committed or none.
 *
 * Letters of other stages are refused per letter (`decode`, `validate`: there is no delivery, the
 * sender must resend; `route`, `encode`: the cause is a setting to fix first), as are letters
 * replayed already. Replays of one replayer run one at a time;
 * two instances replaying the same letter at once may both write it, which the recipient absorbs
 * through the shared `Idempotency-Key`.
 */
import type { Kafka, Message } from 'kafkajs';
import { HubError } from '../contract/problems.ts';
import { TransactionalProducers } from '../kafka/transactional-producers.ts';
import { auditMessage, type ReplayedEvent } from '../tracking/audit-event.ts';
import type { AuditChain, ChainWriter } from '../tracking/chain.ts';
import type { DeadLetterView, RawDeadLetter } from './dead-letter-view.ts';
import { deliveryMessage, parseDelivery, type DeliveryRecord } from './delivery-record.ts';
import { DLQ_HEADER, HEADER } from '../contract/kafka-headers.ts';

export interface ReplayOutcome {
  /** Letters whose delivery is pending again, in the order given. */
  readonly replayed: string[];
  readonly skipped: { readonly id: string; readonly reason: string }[];
}

/** One `sendBatch` within the transaction stays under this (a single bigger record goes alone). */
const MAX_CHUNK_BYTES = 1024 * 1024;
const RETRY_AFTER_SECONDS = 5;
const REQUIRED_HEADERS = [HEADER.hubId, HEADER.recipient, HEADER.recipientAgency, 'ce_id', 'ce_source', 'ce_type'] as const;

export class DeadLetterReplayer {
  /** One lane: a failed producer is replaced by one with the same transactional id, which fences it. */
  private readonly producers: TransactionalProducers;
  private tail: Promise<unknown> = Promise.resolve();
  private readonly topics: { readonly deliveries: string; readonly events: string };
  private readonly view: DeadLetterView;
  private readonly chain: ChainWriter;

  /** `stage` names the transactional id and starts with the topic prefix: `<prefix>replay`. */
  constructor(kafka: Kafka, stage: string, topics: { readonly deliveries: string; readonly events: string }, view: DeadLetterView, chain: AuditChain) {
    this.producers = new TransactionalProducers(kafka, stage);
    this.chain = chain.writer(stage);
    this.topics = topics;
    this.view = view;
  }

  /** Connects now, so a hub that cannot replay does not start; later failures reconnect lazily. */
  connect(): Promise<void> {
    return this.producers.connect(0);
  }

  /**
   * Replays the letters `ids` (`<partition>:<offset>`); unknown, refused and already replayed ones
   * are reported in `skipped`. Rejects with `kafka-unavailable` when the transaction fails: then
   * nothing was written and the same call may be repeated.
   */
  replay(ids: readonly string[]): Promise<ReplayOutcome> {
    const run = () => this.run(ids);
    const result = this.tail.then(run, run);
    this.tail = result.catch(() => undefined);
    return result;
  }

  private async run(ids: readonly string[]): Promise<ReplayOutcome> {
    const at = new Date().toISOString();
    const replayed: string[] = [];
    const skipped: { id: string; reason: string }[] = [];
    const deliveries: Message[] = [];
    const events: Message[] = [];
    for (const id of new Set(ids)) {
      const raw = this.view.raw(id);
      const refusal = raw ? this.refusal(id, raw) : `no dead letter ${id}`;
      if (refusal) {
        skipped.push({ id, reason: refusal });
        continue;
      }
      const record = pendingAgain(parseDelivery({ value: raw!.value, headers: raw!.headers }));
      const event: ReplayedEvent = {
        kind: 'replayed',
        hubId: record.message.hubId,
        at,
        connector: record.recipient,
        agency: record.recipientAgency,
        deadLetter: id,
      };
      deliveries.push(deliveryMessage(record));
      events.push(auditMessage(event));
      replayed.push(id);
    }
    if (replayed.length > 0) {
      await this.commit([...chunks(this.topics.deliveries, deliveries), ...chunks(this.topics.events, events)]);
      for (const id of replayed) this.view.markReplayed(id, at);
    }
    return { replayed, skipped };
  }

  /** Why a letter cannot be replayed, or undefined when it can. */
  private refusal(id: string, raw: RawDeadLetter): string | undefined {
    const replayedAt = this.view.replayedAt(id);
    if (replayedAt) return `already replayed at ${replayedAt}`;
    const stage = raw.headers[DLQ_HEADER.stage];
    if (stage === 'decode' || stage === 'validate') {
      return `stage "${stage}" has no delivery to replay: the sender must resend the message (after an operator fixes the cause, if it is on the hub's side)`;
    }
    if (stage !== 'deliver')
      return `stage "${stage ?? 'unknown'}" is not replayed: only letters of stage "deliver" are; fix the cause (connector settings, routing) and have the sender resend`;
    const missing = REQUIRED_HEADERS.filter((h) => !raw.headers[h]);
    if (missing.length > 0) return `not a delivery record (missing headers ${missing.join(', ')})`;
    try {
      JSON.parse(raw.value?.toString() ?? '');
    } catch {
      return 'not a delivery record (the value is not JSON data)';
    }
    return undefined;
  }

  private async commit(batches: { topic: string; messages: Message[] }[]): Promise<void> {
    try {
      await this.chain.write(batches, (stamped) =>
        this.producers.commit(0, async (producer) => {
          const transaction = await producer.transaction();
          for (const batch of stamped) this.chain.placement.checkAcknowledged([batch], await transaction.send({ ...batch, acks: -1 }));
          await transaction.commit();
        }),
      );
    } catch (err) {
      throw new HubError('kafka-unavailable', 'Kafka did not commit the replay; nothing was replayed. Retry later.', {
        retryAfterSeconds: RETRY_AFTER_SECONDS,
        cause: err,
      });
    }
  }

  async close(): Promise<void> {
    await this.tail;
    await this.producers.close();
  }
}

/** The delivery as new: attempt 1, not parked, no retry-tier wait; same message, hub id and history. */
function pendingAgain(record: DeliveryRecord): DeliveryRecord {
  const { dueAt: _dueAt, parked: _parked, ...rest } = record;
  return { ...rest, attempt: 1, parked: false };
}

function chunks(topic: string, messages: Message[]): { topic: string; messages: Message[] }[] {
  const out: { topic: string; messages: Message[] }[] = [];
  let bytes = Infinity;
  for (const message of messages) {
    const size = (message.value?.length ?? 0) + 512;
    if (bytes + size > MAX_CHUNK_BYTES) {
      out.push({ topic, messages: [] });
      bytes = 0;
    }
    out.at(-1)!.messages.push(message);
    bytes += size;
  }
  return out;
}
