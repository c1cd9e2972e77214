/**
 * The signatures of what the hub delivers (SPEC §3 "Outbound"), and of what `hmac-sha256`
 * connectors send it (`src/http/request-signature.ts`): both keyed with a connector's signing key.
 *
 * The hub never keeps a connector's token: at registration it keeps `signingKeyOf(token)`, and the
 * connector derives the same key from its token (a 64-character hex string, used as UTF-8 bytes).
 * In Python: `key = hmac.new(token.encode(), b"lgsp-hub signing key v1", sha256).hexdigest()`.
 *
 * - v1 (deprecated, kept per connector by `delivery.signatureVersions`): `X-LGSP-Signature:
 *   sha256=<hex HMAC-SHA256 of the exact body bytes>`. It covers the body only: a captured
 *   delivery can be re-sent later, or its `ce-*` headers rewritten.
 * - v2, Standard Webhooks: `webhook-id` (the hub id, the same on every attempt, = Idempotency-Key),
 *   `webhook-timestamp` (Unix seconds of the attempt), `webhook-signature: v1,<base64 HMAC-SHA256>`
 *   over `<id>.<timestamp>.<payload>`, keyed with the signing key's bytes (as a Standard Webhooks
 *   secret: `webhookSecretOf`). The payload is the body bytes, preceded, when the request carries
 *   `ce-*` headers (binary mode), by one line `<name>:<value>\n` per `ce-*` header, names in lower
 *   case, sorted, values as sent. Structured mode has no `ce-*` header, so its signed content is
 *   exactly Standard Webhooks'; binary mode covers the attributes a stock verifier would not.
 *   Receivers refuse a timestamp more than `SIGNATURE_TOLERANCE_MS` away (`webhook-verifier.ts`).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The fixed text the signing key is derived over; a new derivation gets a new version. */
export const SIGNING_KEY_CONTEXT = 'lgsp-hub signing key v1';
export const SIGNATURE_HEADER = 'X-LGSP-Signature';
/** A data-sharing call's method and target as the hub sent it (`GET /citizens/1?x=y`): signed, so a call cannot be replayed to another path. */
export const REQUEST_HEADER = 'x-lgsp-request';

/** The Standard Webhooks headers of signature v2 (lower case, as Node reads them). */
export const WEBHOOK_HEADERS = { id: 'webhook-id', timestamp: 'webhook-timestamp', signature: 'webhook-signature' } as const;

/** The signatures a delivery may carry; `delivery.signatureVersions` of the manifest picks. */
export const SIGNATURE_VERSIONS = ['v1', 'v2'] as const;
export type SignatureVersion = (typeof SIGNATURE_VERSIONS)[number];

/** 5 minutes: how far a v2 timestamp may be from the receiver's clock, either way. */
export const SIGNATURE_TOLERANCE_MS = 5 * 60_000;

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** The signing key of a connector token: hex HMAC-SHA256 keyed with the token over `SIGNING_KEY_CONTEXT`. */
export function signingKeyOf(token: string): string {
  return createHmac('sha256', token).update(SIGNING_KEY_CONTEXT, 'utf8').digest('hex');
}

/** The v1 header value for `body`: `sha256=<hex>`. */
export function signBody(body: Buffer, signingKey: string): string {
  return `sha256=${createHmac('sha256', signingKey).update(body).digest('hex')}`;
}

/**
 * Whether `header` is the v1 signature of `body` under `signingKey`. False for a missing or
 * malformed header (lower-case hex only, as `signBody` writes it); the comparison is constant time.
 */
export function verifySignature(body: Buffer, header: string | undefined, signingKey: string): boolean {
  const given = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (!given?.[1]) return false;
  const expected = createHmac('sha256', signingKey).update(body).digest();
  return timingSafeEqual(Buffer.from(given[1], 'hex'), expected);
}

/** The signing key as a Standard Webhooks secret (`whsec_` + base64 of its bytes), for stock verifiers. */
export function webhookSecretOf(signingKey: string): string {
  return `whsec_${Buffer.from(signingKey, 'utf8').toString('base64')}`;
}

/** The signing key of a Standard Webhooks secret written by `webhookSecretOf`; undefined when it is not one. */
export function signingKeyOfSecret(secret: string): string | undefined {
  const key = secret.startsWith('whsec_') ? Buffer.from(secret.slice(6), 'base64').toString('utf8') : '';
  return /^[0-9a-f]{64}$/.test(key) ? key : undefined;
}

/** Header values as Node gives them (`req.headers`) or as a sender writes them. */
export type HeaderValues = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * Whether v2 signs a header: the CloudEvents attributes (`ce-*`) of a delivery, and the hub's
 * `x-lgsp-*` context of a data-sharing call (officer, purpose, consumer, grant: what a provider
 * decides by), but not the v1 signature itself.
 */
export function isSignedHeader(lowerName: string): boolean {
  return lowerName.startsWith('ce-') || (lowerName.startsWith('x-lgsp-') && lowerName !== SIGNATURE_HEADER.toLowerCase());
}

/** The `<name>:<value>\n` lines of the signed headers (`isSignedHeader`), by lower-case name in code-unit order; '' without any. */
export function ceBlock(headers: HeaderValues): string {
  const ce = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (isSignedHeader(lower) && value !== undefined) ce.set(lower, typeof value === 'string' ? value : value.join(', '));
  }
  return [...ce.keys()]
    .sort()
    .map((name) => `${name}:${ce.get(name)}\n`)
    .join('');
}

/** What v2 signs: `<id>.<timestamp>.` + the signed headers' block (`ce-*`, `x-lgsp-*`) + the exact body bytes. */
export function signedContent(id: string, timestamp: string, headers: HeaderValues, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${id}.${timestamp}.${ceBlock(headers)}`, 'utf8'), body]);
}

/** The v2 signature (`v1,<base64>`, Standard Webhooks' version tag) of a request. */
export function signV2(signingKey: string, id: string, timestamp: string, headers: HeaderValues, body: Buffer): string {
  return `v1,${createHmac('sha256', signingKey)
    .update(signedContent(id, timestamp, headers, body))
    .digest('base64')}`;
}

export interface SignedRequest {
  readonly signingKey: string;
  readonly versions: readonly SignatureVersion[];
  /** The `webhook-id`: the hub id of the delivery (a connector's own unique id for a request to the hub). */
  readonly id: string;
  /** Every header sent (only `ce-*` ones are signed). */
  readonly headers: HeaderValues;
  readonly body: Buffer;
  /** Epoch milliseconds of the attempt; default now. */
  readonly now?: number;
}

/** The signature headers to add to a request (lower-case names), one set per version asked. */
export function signatureHeaders({ signingKey, versions, id, headers, body, now = Date.now() }: SignedRequest): Record<string, string> {
  const out: Record<string, string> = {};
  if (versions.includes('v1')) out[SIGNATURE_HEADER.toLowerCase()] = signBody(body, signingKey);
  if (versions.includes('v2')) {
    const timestamp = String(Math.floor(now / 1000));
    out[WEBHOOK_HEADERS.id] = id;
    out[WEBHOOK_HEADERS.timestamp] = timestamp;
    out[WEBHOOK_HEADERS.signature] = signV2(signingKey, id, timestamp, headers, body);
  }
  return out;
}
