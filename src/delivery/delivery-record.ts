/**
 * A delivery: one message for one recipient connector, as it travels on `lgsp.deliveries`, the
 * retry tiers `lgsp.retry.<delay>` and, when it fails for good, `lgsp.dead-letters`. Key: the
 * recipient agency (so one agency's deliveries keep their order in one partition); value: the
 * message's `data`; headers: the CloudEvents attributes (`ce_*`) and the hub's `lgsp_*` state.
 */
import type { IHeaders, Message } from 'kafkajs';
import { fromKafkaMessage, toKafkaMessage, type AcceptedMessage } from '../contract/kafka-binding.ts';
import { HEADER } from '../contract/kafka-headers.ts';
import type { RecordOrigin } from './dead-letters.ts';

export interface AttemptRecord {
  readonly attempt: number;
  readonly at: string;
  readonly outcome: 'retry' | 'refused';
  readonly reason: string;
  readonly status?: number;
}

export interface DeliveryRecord {
  readonly message: AcceptedMessage;
  readonly recipient: string;
  readonly recipientAgency: string;
  /** The attempt this record is for (1: never tried). */
  readonly attempt: number;
  /** Epoch ms before which a retry-tier record must not be tried. */
  readonly dueAt?: number;
  /** Parked behind an earlier delivery of the same subject (never tried itself yet). */
  readonly parked?: boolean;
  /** Earlier failed attempts, newest last (at most the last 10). */
  readonly history: readonly AttemptRecord[];
  /** Where this record was read from (not written: a dead letter names it). */
  readonly origin?: RecordOrigin;
  /**
   * The message's data as read from the record: written again (a retry, a dead letter) and sent
   * (a binary-mode webhook) as it is, neither parsed nor serialised again.
   */
  readonly dataBytes?: Buffer;
}

const MAX_HISTORY = 10;

/** `bytes`: the message's data already serialised (ingest has it; a record read has `dataBytes`), so it is not serialised again. */
export function deliveryMessage(record: DeliveryRecord, bytes = record.dataBytes): Message {
  const base = toKafkaMessage(record.message, bytes);
  const headers: IHeaders = {
    ...base.headers,
    [HEADER.recipient]: record.recipient,
    [HEADER.recipientAgency]: record.recipientAgency,
    [HEADER.attempt]: String(record.attempt),
    ...(record.dueAt !== undefined ? { [HEADER.dueAt]: String(record.dueAt) } : {}),
    ...(record.parked ? { [HEADER.parked]: '1' } : {}),
    ...(record.history.length > 0 ? { [HEADER.history]: JSON.stringify(record.history.slice(-MAX_HISTORY)) } : {}),
  };
  return { key: record.recipientAgency, value: base.value ?? null, headers };
}

export function parseDelivery(message: { value: Buffer | null; headers?: IHeaders }): DeliveryRecord {
  const header = (name: string) => message.headers?.[name]?.toString();
  const dueAt = header(HEADER.dueAt);
  return {
    message: fromKafkaMessage(message),
    recipient: header(HEADER.recipient) ?? '',
    recipientAgency: header(HEADER.recipientAgency) ?? '',
    attempt: Number(header(HEADER.attempt) ?? '1'),
    ...(dueAt !== undefined ? { dueAt: Number(dueAt) } : {}),
    ...(header(HEADER.parked) === '1' ? { parked: true } : {}),
    history: JSON.parse(header(HEADER.history) ?? '[]') as AttemptRecord[],
    ...(message.value ? { dataBytes: message.value } : {}),
  };
}
