/**
 * The `X-LGSP-Signature` of outbound deliveries (SPEC §3 "Outbound").
 *
 * The hub never keeps a connector's token: at registration it keeps `signingKeyOf(token)`, and the
 * connector derives the same key from its token. Every delivery carries
 * `X-LGSP-Signature: sha256=<hex HMAC-SHA256 of the exact body bytes, keyed with the signing key>`,
 * where the key is the 64-character hex string itself, used as UTF-8 bytes. In Python:
 * `key = hmac.new(token.encode(), b"lgsp-hub signing key v1", sha256).hexdigest()`, then
 * `"sha256=" + hmac.new(key.encode(), body, sha256).hexdigest()`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** The fixed text the signing key is derived over; a new derivation gets a new version. */
export const SIGNING_KEY_CONTEXT = 'lgsp-hub signing key v1';
export const SIGNATURE_HEADER = 'X-LGSP-Signature';

const SIGNATURE = /^sha256=([0-9a-f]{64})$/;

/** The signing key of a connector token: hex HMAC-SHA256 keyed with the token over `SIGNING_KEY_CONTEXT`. */
export function signingKeyOf(token: string): string {
  return createHmac('sha256', token).update(SIGNING_KEY_CONTEXT, 'utf8').digest('hex');
}

/** The header value for `body`: `sha256=<hex>`. */
export function signBody(body: Buffer, signingKey: string): string {
  return `sha256=${createHmac('sha256', signingKey).update(body).digest('hex')}`;
}

/**
 * Whether `header` is the signature of `body` under `signingKey`. False for a missing or malformed
 * header (lower-case hex only, as `signBody` writes it); the comparison is constant time.
 */
export function verifySignature(body: Buffer, header: string | undefined, signingKey: string): boolean {
  const given = header === undefined ? null : SIGNATURE.exec(header.trim());
  if (!given?.[1]) return false;
  const expected = createHmac('sha256', signingKey).update(body).digest();
  return timingSafeEqual(Buffer.from(given[1], 'hex'), expected);
}
