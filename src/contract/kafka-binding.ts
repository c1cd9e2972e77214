/**
 * The CloudEvents Kafka protocol binding, binary mode: attributes as `ce_<name>` headers, `data`
 * as the JSON value, `subject` as the key. Plus the hub's own headers (`lgsp_*`), which say who
 * accepted the message and when. Used to write `lgsp.ingress` and to read it back.
 */
import type { IHeaders, Message } from 'kafkajs';
import type { CloudEvent } from './cloud-event.ts';
import { HEADER } from './kafka-headers.ts';

const ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'dataschema', 'to', 'correlationid'] as const;

export interface AcceptedMessage {
  readonly event: CloudEvent;
  readonly hubId: string;
  /** The connector that handed the message to the hub. */
  readonly connector: string;
  readonly acceptedAt: string;
  /** The hub's signature over it (`hub-signature.ts`); absent on records written before the hub signed. */
  readonly hubSignature?: string;
  /** The sender's own signature, checked on ingest (`sender-signature.ts`); absent when its connector registered no key. */
  readonly senderSignature?: string;
}

/** The bytes of `data` as the hub holds them (the record's value; the body of a binary-mode delivery): what the hub signature hashes. */
export function dataBytes(data: unknown): Buffer {
  return Buffer.from(JSON.stringify(data), 'utf8');
}

/** `value`: `dataBytes(event.data)` when the caller has them already (the intake hashes them for the hub signature). */
export function toKafkaMessage(
  { event, hubId, connector, acceptedAt, hubSignature, senderSignature }: AcceptedMessage,
  value = dataBytes(event.data),
): Message {
  const headers: IHeaders = { 'content-type': 'application/json', [HEADER.hubId]: hubId, [HEADER.connector]: connector, [HEADER.acceptedAt]: acceptedAt };
  if (hubSignature !== undefined) headers[HEADER.hubSignature] = hubSignature;
  if (senderSignature !== undefined) headers[HEADER.senderSignature] = senderSignature;
  for (const name of ATTRIBUTES) {
    const value = event[name];
    if (value !== undefined) headers[`ce_${name}`] = value;
  }
  return { key: event.subject, value, headers };
}

/**
 * The reverse of `toKafkaMessage`, for records the hub wrote itself (trusted, already validated).
 * `data` is parsed when first read: a delivery that sends the record's bytes as they are (a
 * binary-mode webhook) never parses it.
 */
export function fromKafkaMessage(message: { value: Buffer | null; headers?: IHeaders }): AcceptedMessage {
  const header = (name: string) => message.headers?.[name]?.toString();
  const event: Record<string, unknown> = {};
  let data: unknown;
  Object.defineProperty(event, 'data', {
    enumerable: true,
    get: () => (data ??= JSON.parse(message.value?.toString() ?? '{}')),
  });
  for (const name of ATTRIBUTES) {
    const value = header(`ce_${name}`);
    if (value !== undefined) event[name] = value;
  }
  const hubSignature = header(HEADER.hubSignature);
  const senderSignature = header(HEADER.senderSignature);
  return {
    event: event as unknown as CloudEvent,
    hubId: header(HEADER.hubId) ?? '',
    connector: header(HEADER.connector) ?? '',
    acceptedAt: header(HEADER.acceptedAt) ?? '',
    ...(hubSignature !== undefined ? { hubSignature } : {}),
    ...(senderSignature !== undefined ? { senderSignature } : {}),
  };
}
