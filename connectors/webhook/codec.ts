/**
 * CloudEvents over HTTP for the `webhook` kind (CloudEvents HTTP protocol binding 1.0, JSON format).
 *
 * Outbound (`encodeEvent`, called by the sender for every attempt):
 * - binary mode (the default): each attribute as a `ce-<name>` header, `content-type:
 *   application/json`, `data` as the JSON body. Header values are percent-encoded as the binding
 *   requires (space, `"`, `%` and everything outside printable ASCII, as UTF-8 bytes), so a
 *   Vietnamese `subject` survives;
 * - structured mode: `content-type: application/cloudevents+json`, the whole event as the body.
 * Inbound (`decodeEvents`): structured mode, one event or a batch. Only the JSON shape is checked
 * here; the hub validates the envelope and `data` against the schema set afterwards.
 */
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { AdapterError, type InboundRequest } from '../kit/adapter.ts';

export type ContentMode = 'binary' | 'structured';

export const STRUCTURED_TYPE = 'application/cloudevents+json';
export const BATCH_TYPE = 'application/cloudevents-batch+json';

/** The attributes carried as `ce-` headers in binary mode, in the order they are written. */
export const BINARY_ATTRIBUTES = ['id', 'source', 'type', 'specversion', 'subject', 'time', 'dataschema', 'to', 'correlationid'] as const;

/**
 * Headers and body of one delivery. `extraHeaders` (the connector's static `settings.headers`)
 * never replace the hub's own: `ce-*` names are dropped and `content-type` is always the mode's.
 * `dataBytes`: `event.data` serialised already (as the hub holds it); binary mode sends them.
 */
export function encodeEvent(
  event: CloudEvent,
  mode: ContentMode,
  extraHeaders: Readonly<Record<string, string>> = {},
  dataBytes?: Buffer,
): { headers: Record<string, string>; body: Buffer } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(extraHeaders)) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('ce-')) headers[lower] = value;
  }
  if (mode === 'structured') {
    headers['content-type'] = STRUCTURED_TYPE;
    return { headers, body: Buffer.from(JSON.stringify(event), 'utf8') };
  }
  for (const name of BINARY_ATTRIBUTES) {
    const value = event[name];
    if (value !== undefined) headers[`ce-${name}`] = percentEncode(value);
  }
  headers['content-type'] = 'application/json';
  return { headers, body: dataBytes ?? Buffer.from(JSON.stringify(event.data), 'utf8') };
}

/** A header value as the binding writes it: printable ASCII except space, `"` and `%` kept, the rest `%XX` of UTF-8. */
export function percentEncode(value: string): string {
  let out = '';
  for (const ch of value) {
    const code = ch.codePointAt(0) ?? 0;
    if (code > 0x20 && code < 0x7f && ch !== '"' && ch !== '%') out += ch;
    else for (const byte of Buffer.from(ch, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * A structured-mode request → its events, in order: `application/cloudevents+json` (one event)
 * or `application/cloudevents-batch+json` (a JSON array of events). Throws
 * `AdapterError('adapter-decode-failed')` for another content type, bytes that are not UTF-8
 * JSON, or a value that is not an object (path `''`) or an array of objects (path `/<index>`).
 * The events are not validated yet: the hub checks them against the schema set next.
 */
export function decodeEvents(request: InboundRequest): CloudEvent[] {
  const media = request.contentType.split(';')[0]?.trim().toLowerCase();
  if (media !== STRUCTURED_TYPE && media !== BATCH_TYPE) {
    throw failed(`content type must be ${STRUCTURED_TYPE} or ${BATCH_TYPE}, got "${request.contentType}"`, '');
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(request.body));
  } catch (cause) {
    throw failed(`body is not UTF-8 JSON: ${(cause as Error).message}`, '', cause);
  }
  if (media === STRUCTURED_TYPE) {
    if (!isObject(value)) throw failed('a structured event must be a JSON object', '');
    return [value as unknown as CloudEvent];
  }
  if (!Array.isArray(value)) throw failed('a batch must be a JSON array of events', '');
  return value.map((item: unknown, i) => {
    if (!isObject(item)) throw failed('each event of a batch must be a JSON object', `/${i}`);
    return item as unknown as CloudEvent;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function failed(message: string, path: string, cause?: unknown): AdapterError {
  return new AdapterError('adapter-decode-failed', message, path, cause === undefined ? undefined : { cause });
}
