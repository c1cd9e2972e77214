/**
 * A delivery: one message for one recipient connector, as it travels on `lgsp.deliveries`, the
 * retry tiers `lgsp.retry.<delay>` and, when it fails for good, `lgsp.dead-letters`. Key: the
 * recipient agency (so one agency's deliveries keep their order in one partition); value: the
 * message's `data`; headers: the CloudEvents attributes (`ce_*`) and the hub's `lgsp_*` state.
 */
import type { IHeaders, Message } from 'kafkajs';
import { fromKafkaMessage, toKafkaMessage, type AcceptedMessage } from '../contract/kafka-binding.ts';

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
}

const MAX_HISTORY = 10;

export function deliveryMessage(record: DeliveryRecord): Message {
  const base = toKafkaMessage(record.message);
  const headers: IHeaders = {
    ...base.headers,
    lgsp_recipient: record.recipient,
    lgsp_recipient_agency: record.recipientAgency,
    lgsp_attempt: String(record.attempt),
    ...(record.dueAt !== undefined ? { lgsp_due_at: String(record.dueAt) } : {}),
    ...(record.parked ? { lgsp_parked: '1' } : {}),
    ...(record.history.length > 0 ? { lgsp_history: JSON.stringify(record.history.slice(-MAX_HISTORY)) } : {}),
  };
  return { key: record.recipientAgency, value: base.value ?? null, headers };
}

export function parseDelivery(message: { value: Buffer | null; headers?: IHeaders }): DeliveryRecord {
  const header = (name: string) => message.headers?.[name]?.toString();
  const dueAt = header('lgsp_due_at');
  return {
    message: fromKafkaMessage(message),
    recipient: header('lgsp_recipient') ?? '',
    recipientAgency: header('lgsp_recipient_agency') ?? '',
    attempt: Number(header('lgsp_attempt') ?? '1'),
    ...(dueAt !== undefined ? { dueAt: Number(dueAt) } : {}),
    ...(header('lgsp_parked') === '1' ? { parked: true } : {}),
    history: JSON.parse(header('lgsp_history') ?? '[]') as AttemptRecord[],
  };
}
