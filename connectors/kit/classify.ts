/**
 * The one place an HTTP exchange becomes what the hub does next (every kind uses it; a kind adds
 * only its system's own error codes, read from a 2xx answer):
 * - no answer: `timeout` (the attempt's deadline), `connection`, `tls` → `retry`; but a connection
 *   the outbound policy refused (a link-local or cloud-metadata address) → `refused`: no retry
 *   reaches it, the connector's address needs fixing or LGSP_OUTBOUND_ALLOW;
 * - `2xx` → `ok` (the kind reads the body: `readJson` or its own mapping);
 * - `3xx` → `refused` (`redirect`): never followed; the connector's address needs fixing;
 * - `408`, `429`, `5xx` → `retry` (`http-status`), `retryAfterMs` from `Retry-After` (seconds or
 *   an HTTP date);
 * - any other status → `refused` (`http-status`).
 * A failure carries `status` and `response`: by default the first 4 KB of the body as text; a kind
 * may keep its parsed answer instead (`response` option), as dead letters show it.
 *
 * An answer over the size cap is read no further (`transport.ts`). For a status alone that is no
 * failure (a webhook's 200 means delivered whatever its body); for an answer the kind must parse
 * (`readJson`), it is a `retry` (`too-large`): the system misbehaved, the message did not, and a
 * dead letter would blame the wrong side. A 2xx that is not JSON is likewise a `retry` (`protocol`).
 */
import type { RefusedOutcome, RetryOutcome } from './adapter.ts';
import type { Answer, Exchange } from './transport.ts';

export type Failure = RetryOutcome | RefusedOutcome;
export type Classified = { readonly ok: Answer } | Failure;

/** How much of a failed answer's body is kept as text with the outcome (whole UTF-8 characters). */
export const RESPONSE_EXCERPT_BYTES = 4096;

export interface ClassifyOptions {
  /** What a failure keeps as `response`; default `excerpt`. */
  readonly response?: (answer: Answer) => unknown;
  readonly now?: number;
}

export function classify(exchange: Exchange, options: ClassifyOptions = {}): Classified {
  if ('failed' in exchange) {
    const failed = exchange.failed;
    if (failed.failure === 'timeout') return { outcome: 'retry', failure: 'timeout', reason: `timeout after ${failed.afterMs} ms` };
    if (failed.refused !== undefined) return { outcome: 'refused', failure: 'connection', reason: failed.refused };
    return { outcome: 'retry', failure: failed.failure, reason: `${failed.failure === 'tls' ? 'TLS error' : 'connection error'}: ${failed.code}` };
  }
  const answer = exchange.answered;
  const { status } = answer;
  if (status >= 200 && status < 300) return { ok: answer };
  const kept = { status, response: (options.response ?? excerpt)(answer) };
  if (status >= 300 && status < 400) {
    const location = answer.headers.location;
    return { outcome: 'refused', failure: 'redirect', reason: `HTTP ${status} redirect${location ? ` to ${location}` : ''} not followed`, ...kept };
  }
  if (status === 408 || status === 429 || status >= 500) {
    const retryAfterMs = parseRetryAfter(answer.headers['retry-after'], options.now);
    return { outcome: 'retry', failure: 'http-status', reason: `HTTP ${status}`, ...kept, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
  }
  return { outcome: 'refused', failure: 'http-status', reason: `HTTP ${status}`, ...kept };
}

/**
 * A 2xx answer's JSON, or the `retry` it means: `too-large` when it was cut at the cap, `protocol`
 * when it is not UTF-8 JSON. `response` as in `classify`.
 */
export function readJson(answer: Answer, options: Pick<ClassifyOptions, 'response'> = {}): { readonly json: unknown } | RetryOutcome {
  const kept = { status: answer.status, response: (options.response ?? excerpt)(answer) };
  if (answer.truncated) return { outcome: 'retry', failure: 'too-large', reason: `answer larger than ${answer.body.length} bytes, not read further`, ...kept };
  try {
    return { json: JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(answer.body)) };
  } catch {
    return { outcome: 'retry', failure: 'protocol', reason: `HTTP ${answer.status} answer is not JSON`, ...kept };
  }
}

/** The body as parsed JSON when it is whole JSON, else its `excerpt`: what JSON APIs keep as `response`. */
export function jsonOrExcerpt(answer: Answer): unknown {
  const read = readJson(answer, { response: () => undefined });
  return 'json' in read ? read.json : excerpt(answer);
}

/** The first `RESPONSE_EXCERPT_BYTES` of the body as text, without a broken last character. */
export function excerpt(answer: Answer): string {
  return new TextDecoder('utf-8').decode(answer.body.subarray(0, RESPONSE_EXCERPT_BYTES), { stream: true });
}

/** `Retry-After` as delay-seconds or an HTTP date → milliseconds from `now` (never negative). */
export function parseRetryAfter(value: string | undefined, now: number = Date.now()): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
