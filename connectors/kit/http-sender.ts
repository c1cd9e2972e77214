/**
 * The generic outbound HTTP delivery (SPEC §3 "Outbound") that most connector kinds reuse: the kind
 * supplies `encode` (event → headers and body bytes), this module POSTs it to the endpoint and says
 * what the answer means, in one place (`classifyAttempt`):
 * - `2xx` → `delivered`;
 * - `408`, `429`, `5xx` → `retry` (with `retryAfterMs` from `Retry-After`, seconds or HTTP date);
 * - a timeout (the manifest's `delivery.timeoutMs`, for the whole attempt, body included), a refused
 *   or reset connection, a DNS failure, any other transport error → `retry`;
 * - anything else (other `4xx`, a `3xx`: redirects are not followed) → `refused`.
 * Non-2xx outcomes carry `{ status, response }`, the response being the first 4 KB of the body as text.
 *
 * Every POST carries `Idempotency-Key: <hubId>` (the same on every attempt) and
 * `X-LGSP-Signature` over the exact bytes sent (`signature.ts`). Keep-alive agents live as long as
 * the sender: call `close()` when the connector goes away.
 */
import { Agent as HttpAgent, validateHeaderName, validateHeaderValue } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Readable } from 'node:stream';
import axios, { isAxiosError } from 'axios';
import { AdapterError, type Delivery, type DeliveryOutcome, type Sender } from './adapter.ts';
import { SIGNATURE_HEADER, signBody } from './signature.ts';

/** What `encode` makes of one delivery; header names are case-insensitive. */
export interface EncodedRequest {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface HttpSenderOptions {
  /** The connector's `endpoint` (absolute http or https URL). */
  readonly endpoint: string;
  /** Time allowed for one attempt, connection to last body byte (`manifest.delivery.timeoutMs`). */
  readonly timeoutMs: number;
  /** `signingKeyOf(token)` of the recipient connector. */
  readonly signingKey: string;
  /** Event → request; throws `AdapterError` (`ADAPTER_ENCODE_FAILED`) when it cannot, which `deliver` passes on. */
  readonly encode: (delivery: Delivery) => EncodedRequest;
}

/** How much of a non-2xx answer is kept with the outcome. */
export const RESPONSE_EXCERPT_BYTES = 4096;

/** One attempt's raw result, as `classifyAttempt` reads it. */
export type AttemptResult =
  | { readonly answered: { readonly status: number; readonly retryAfter?: string; readonly body: Buffer } }
  | { readonly failed: { readonly code: string; readonly timedOut: boolean } };

/** Throws (a programmer error) when `endpoint` is not an absolute http(s) URL. */
export function createHttpSender(options: HttpSenderOptions): Sender {
  const protocol = URL.canParse(options.endpoint) ? new URL(options.endpoint).protocol : '';
  if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`endpoint must be an http(s) URL, got "${options.endpoint}"`);
  const httpAgent = new HttpAgent({ keepAlive: true });
  const httpsAgent = new HttpsAgent({ keepAlive: true });
  const http = axios.create({
    httpAgent,
    httpsAgent,
    maxRedirects: 0, // a redirect is the endpoint's answer, not an instruction
    validateStatus: () => true, // every status is classified by classifyAttempt
    responseType: 'stream',
    decompress: true,
  });

  async function attempt(request: EncodedRequest, hubId: string): Promise<AttemptResult> {
    const headers = checkedHeaders(request.headers);
    headers['idempotency-key'] = hubId;
    headers[SIGNATURE_HEADER.toLowerCase()] = signBody(request.body, options.signingKey);
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), options.timeoutMs);
    try {
      const res = await http.post<Readable>(options.endpoint, request.body, {
        headers,
        signal: deadline.signal,
        transformRequest: [(data: unknown) => data], // the signed bytes, untouched
      });
      const body = await readExcerpt(res.data, RESPONSE_EXCERPT_BYTES);
      const retryAfter = res.headers['retry-after'];
      return { answered: { status: res.status, body, ...(typeof retryAfter === 'string' ? { retryAfter } : {}) } };
    } catch (err) {
      if (deadline.signal.aborted) return { failed: { code: 'TIMEOUT', timedOut: true } };
      // Headers and URL were checked before sending: what is left is the transport's trouble.
      if (!isAxiosError(err) && !isSystemError(err)) throw err; // a programmer error, never retried
      const code = (err as { code?: string }).code ?? 'UNKNOWN';
      return { failed: { code, timedOut: code === 'ETIMEDOUT' || code === 'ECONNABORTED' } };
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    async deliver(delivery) {
      const request = options.encode(delivery);
      return classifyAttempt(await attempt(request, delivery.hubId), options.timeoutMs);
    },
    async close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** The one place an attempt's result becomes a `DeliveryOutcome` (rules in the module comment). */
export function classifyAttempt(result: AttemptResult, timeoutMs: number, now: number = Date.now()): DeliveryOutcome {
  if ('failed' in result) {
    const { code, timedOut } = result.failed;
    return { outcome: 'retry', reason: timedOut ? `timeout after ${timeoutMs} ms` : `connection error: ${code}` };
  }
  const { status, body, retryAfter } = result.answered;
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  const response = new TextDecoder('utf-8').decode(body.subarray(0, RESPONSE_EXCERPT_BYTES), { stream: true });
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(retryAfter, now);
    return { outcome: 'retry', reason: `HTTP ${status}`, status, response, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { outcome: 'refused', reason: `HTTP ${status}`, status, response };
}

/** `Retry-After` as delay-seconds or an HTTP date → milliseconds from `now` (never negative). */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Lower-cased names; a name or value Node would refuse to send is an encode failure, not a retry. */
function checkedHeaders(given: Readonly<Record<string, string>>): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(given)) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (cause) {
      throw new AdapterError('ADAPTER_ENCODE_FAILED', `header "${name}" cannot be sent: ${(cause as Error).message}`, '', { cause });
    }
    headers[name.toLowerCase()] = value;
  }
  return headers;
}

/** The first `limit` bytes of a response; the rest is read and dropped so the socket can be reused. */
async function readExcerpt(stream: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    if (size >= limit) continue;
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buf);
    size += buf.length;
  }
  return Buffer.concat(chunks).subarray(0, limit);
}

/** A Node system error (`ECONNRESET` while reading the body arrives as one, not as an AxiosError). */
function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}
