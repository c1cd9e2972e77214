/**
 * Records of the audit trail `lgsp.events` (key: the hub id of the message concerned): what
 * happened to a message and when. The trace of `GET /v1/messages/{id}` is built from them.
 * Each kind carries what the trace needs to show without reading any other topic.
 *
 * A record holds one event, except that a message's `accepted` and `routed` events, which ingest
 * writes together, share one record: the `accepted` event with the `routed` one (less
 * its kind and hub id) as its field `routed` (header `lgsp_kind: accepted`). Records written
 * before they were joined, one each, are read as well.
 */
import type { Message } from 'kafkajs';
import { HEADER } from '../contract/kafka-headers.ts';
import type { SignatureRecord } from '../contract/schema-set.ts';
import type { SenderPublicKey } from '../contract/sender-signature.ts';

interface Base {
  readonly hubId: string;
  readonly at: string;
}

/** The message as accepted, without `data`. */
export interface AcceptedEvent extends Base {
  readonly kind: 'accepted';
  readonly source: string;
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  /** The connector that handed it in. */
  readonly connector: string;
  readonly time?: string;
  readonly to?: string;
  readonly correlationid?: string;
  /** The sender's signature as its kind checked it (types whose schema declares `x-lgsp-signature`). */
  readonly signature?: SignatureRecord;
  /** The hub's own signature over the message as accepted (compact JWS, docs/signatures.md); absent in events written before the hub signed. */
  readonly hubSignature?: string;
  /** The sender's own signature, checked on ingest (docs/signatures.md, chain of custody), and the registered public key that verified it. */
  readonly senderSignature?: string;
  readonly senderKey?: SenderPublicKey;
}

export interface Recipient {
  readonly connector: string;
  readonly agency: string;
}

export interface RoutedEvent extends Base {
  readonly kind: 'routed';
  readonly recipients: readonly Recipient[];
  /** Agencies addressed that have no connector that accepts this type: recorded, never silently dropped. */
  readonly unreachable: readonly string[];
  /** Why, per unreachable agency ("000.00.05.H49 has no connector that accepts vn.gov.document.sent"); absent in events written before it was recorded. */
  readonly unreachableReasons?: Readonly<Record<string, string>>;
}

export interface DeliveredEvent extends Base, Recipient {
  readonly kind: 'delivered';
  readonly attempt: number;
  readonly status?: number;
  /** Accept to delivered. */
  readonly latencyMs: number;
}

export interface RetriedEvent extends Base, Recipient {
  readonly kind: 'retried';
  readonly attempt: number;
  readonly reason: string;
  readonly status?: number;
  readonly nextAttemptAt: string;
}

export interface DeadLetteredEvent extends Base, Recipient {
  readonly kind: 'dead-lettered';
  readonly attempt: number;
  readonly stage: string;
  readonly reason: string;
  readonly status?: number;
}

/** A recipient's business status for the message (an edXML status answering a document). */
export interface StatusReportedEvent extends Base {
  readonly kind: 'status-reported';
  /** The agency that reported it. */
  readonly agency: string;
  readonly statusCode: string;
  readonly statusName?: string;
  /** The hub id of the status message itself. */
  readonly statusHubId: string;
}

/** An operator replayed a dead letter: the delivery is pending again. */
export interface ReplayedEvent extends Base, Recipient {
  readonly kind: 'replayed';
  /** Offset of the dead letter replayed, `<partition>:<offset>`. */
  readonly deadLetter: string;
}

export type AuditEvent = AcceptedEvent | RoutedEvent | DeliveredEvent | RetriedEvent | DeadLetteredEvent | StatusReportedEvent | ReplayedEvent;
export type AuditKind = AuditEvent['kind'];

export function auditMessage(event: AuditEvent): Message {
  return { key: event.hubId, value: JSON.stringify(event), headers: { [HEADER.auditKind]: event.kind } };
}

/** The one record of a message's `accepted` and `routed` events. */
export function acceptedAndRoutedMessage(accepted: AcceptedEvent, routed: RoutedEvent): Message {
  const { kind: _kind, hubId: _hubId, ...rest } = routed;
  return auditMessage({ ...accepted, routed: rest } as AcceptedEvent);
}

/**
 * The events a record of `lgsp.events` holds (written by the hub itself, so trusted): none for an
 * empty value, one, or an `accepted` event and the `routed` event it carries.
 */
export function parseAuditEvents(value: Buffer | null): AuditEvent[] {
  if (!value) return [];
  const event = JSON.parse(value.toString()) as AuditEvent & { routed?: Omit<RoutedEvent, 'kind' | 'hubId'> };
  if (event.kind !== 'accepted' || event.routed === undefined) return [event];
  const { routed, ...accepted } = event;
  return [accepted, { ...routed, kind: 'routed', hubId: accepted.hubId }];
}
