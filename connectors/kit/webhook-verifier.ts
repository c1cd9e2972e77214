/**
 * The v2 signature check (`signature.ts`), for whoever receives a signed request: an agency
 * system written in TypeScript, the kinds' simulators, `lgsp verify-webhook`, and the hub itself
 * for connectors whose manifest says `auth.scheme: "hmac-sha256"`. It checks, in this order, that
 * the three Standard Webhooks headers are there, that the timestamp is within 5 minutes of the
 * clock (either way), that one `v1,` signature of `webhook-signature` is the HMAC of the id, the
 * timestamp, every `ce-*` and `x-lgsp-*` header and the exact body bytes, and, with a `ReplayGuard`, that the id
 * was not verified before, and, given the request, that a call's signed `x-lgsp-request` names it. Each failure is a `WebhookVerificationError` with its own `code`.
 *
 * What `replayed` means depends on the side: the hub re-sends a delivery with the same id (a new
 * timestamp and signature) when it got no answer, so a receiver answers a replayed delivery `2xx`
 * without processing it again; the hub refuses a replayed request of a connector (its retries
 * carry a new id, the message's `source`+`id` keeps them from being accepted twice).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { LgspError } from '../../src/contract/errors.ts';
import { REQUEST_HEADER, SIGNATURE_TOLERANCE_MS, WEBHOOK_HEADERS, signedContent, type HeaderValues } from './signature.ts';

export const WEBHOOK_FAILURES = [
  /** `webhook-id`, `webhook-timestamp` or `webhook-signature` is absent or empty. */
  'missing-header',
  /** `webhook-timestamp` is not a whole number of Unix seconds. */
  'malformed-timestamp',
  /** The timestamp is more than the tolerance away from the clock: a late replay, or a wrong clock. */
  'outside-window',
  /** No `v1,` signature matches: another key, or the id, timestamp, a `ce-*` header or the body changed. */
  'bad-signature',
  /** The id was verified before (within the window the guard remembers). */
  'replayed',
  /** The signed `x-lgsp-request` (method and target of a data-sharing call) is not the request received. */
  'request-mismatch',
] as const;
export type WebhookFailure = (typeof WEBHOOK_FAILURES)[number];

export class WebhookVerificationError extends LgspError<WebhookFailure> {}

export interface WebhookVerification {
  /** The connector's signing key (`signingKeyOf(token)`, or `signingKeyOfSecret(whsec_…)`). */
  readonly signingKey: string;
  /** The request's headers, any case (`req.headers` as Node reads them). */
  readonly headers: HeaderValues;
  /** The exact body bytes received, before any parsing. */
  readonly body: Buffer;
  /** Epoch milliseconds; default now. */
  readonly now?: number;
  /** Default `SIGNATURE_TOLERANCE_MS` (5 minutes). */
  readonly toleranceMs?: number;
  /** Remembers verified ids, to report `replayed`; without it, ids are not remembered. */
  readonly replays?: ReplayGuard;
  /**
   * The request as received (method, and target: path and query, `req.originalUrl`): a
   * data-sharing call's signed `x-lgsp-request` must name it, so a signed call cannot be replayed
   * to another path.
   */
  readonly request?: { readonly method: string; readonly target: string };
}

/** The verified `webhook-id` and timestamp (epoch milliseconds); throws `WebhookVerificationError`. */
export function verifyWebhook(request: WebhookVerification): { id: string; timestamp: number } {
  const { signingKey, body, now = Date.now(), toleranceMs = SIGNATURE_TOLERANCE_MS, replays } = request;
  const headers = lowerCased(request.headers);
  const [id, timestamp, signatures] = [headers[WEBHOOK_HEADERS.id], headers[WEBHOOK_HEADERS.timestamp], headers[WEBHOOK_HEADERS.signature]];
  if (!id || !timestamp || !signatures) {
    const missing = Object.values(WEBHOOK_HEADERS).filter((name) => !headers[name]);
    throw new WebhookVerificationError('missing-header', `The request has no ${missing.join(', ')} header: it is not signed (Standard Webhooks).`);
  }
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('malformed-timestamp', `webhook-timestamp "${timestamp}" is not Unix seconds.`);
  const at = Number(timestamp) * 1000;
  if (Math.abs(now - at) > toleranceMs) {
    throw new WebhookVerificationError(
      'outside-window',
      `webhook-timestamp ${timestamp} is ${Math.round(Math.abs(now - at) / 1000)} s ${now > at ? 'behind' : 'ahead of'} this clock (at most ${toleranceMs / 1000} s either way): a replay, or a clock to set right.`,
    );
  }
  const expected = createHmac('sha256', signingKey)
    .update(signedContent(id, timestamp, request.headers, body))
    .digest();
  const matches = signatures
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .some((s) => {
      const given = Buffer.from(s.slice(3), 'base64');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  if (!matches) {
    throw new WebhookVerificationError(
      'bad-signature',
      'No v1 signature of webhook-signature matches: the key is another (check the token) or the id, the timestamp, a ce-* header or the body bytes changed.',
    );
  }
  const line = headers[REQUEST_HEADER];
  if (request.request && line !== undefined && line !== `${request.request.method} ${request.request.target}`) {
    throw new WebhookVerificationError(
      'request-mismatch',
      `The signed ${REQUEST_HEADER} "${line}" is not this request (${request.request.method} ${request.request.target}): a signed call sent again to another path.`,
    );
  }
  if (replays?.seen(id, at + toleranceMs, now)) throw new WebhookVerificationError('replayed', `webhook-id "${id}" was verified before.`);
  return { id, timestamp: at };
}

function lowerCased(headers: HeaderValues): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = typeof value === 'string' ? value.trim() : value?.join(' ');
  return out;
}

/**
 * The ids verified recently, each kept until its timestamp leaves the window (later, the window
 * alone refuses it). Bounded: past `max` ids the oldest is forgotten, so a flood cannot exhaust
 * memory; an id forgotten early is left to the receiver's own idempotency (the message id).
 */
export class ReplayGuard {
  private readonly until = new Map<string, number>();
  private readonly max: number;

  constructor(max = 10_000) {
    this.max = max;
  }

  /** True when `id` was recorded before and is still remembered; else records it until `expiresAt`. */
  seen(id: string, expiresAt: number, now = Date.now()): boolean {
    const known = this.until.get(id);
    if (known !== undefined && known >= now) return true;
    for (const [old, expiry] of this.until) {
      if (expiry >= now && this.until.size < this.max) break;
      this.until.delete(old);
    }
    this.until.delete(id);
    this.until.set(id, expiresAt);
    return false;
  }

  get size(): number {
    return this.until.size;
  }
}
