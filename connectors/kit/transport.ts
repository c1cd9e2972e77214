/**
 * The one HTTP transport of every connector kind (the only module of `connectors/` that speaks
 * HTTP as a client). One transport per connector, made by the hub with the connector's TLS
 * settings and handed to the kind in its context (`kind-context.ts`); `close()` when the connector
 * goes away. What it guarantees, so no kind has to:
 * - keep-alive agents for the transport's life;
 * - one deadline per *attempt* (`attempt(timeoutMs, run)`): every request `run` makes (a portal
 *   login and its calls) shares one `AbortSignal`, so the sum of them is bounded, not each;
 * - redirects are never followed: a 3xx is the answer (the secret headers and login bodies of a
 *   request never reach the `Location` host);
 * - at most `maxResponseBytes` of an answer are read; then the stream is destroyed and the answer
 *   is marked `truncated` (what that means is for `classify.ts`);
 * - the connector's CA bundle and client certificate (mutual TLS) on its https agent;
 * - the outbound policy (`outbound-policy.ts`): a link-local or cloud-metadata address is never
 *   connected to, whether written in the URL or resolved at connect time (DNS rebinding); that
 *   failure carries the reason, and `classify.ts` refuses it instead of retrying;
 * - `Idempotency-Key` when asked. The push sender adds the signatures over the exact bytes, so
 *   the transport holds no secret but TLS material.
 * It never throws for the far side's trouble: a request resolves to an `Exchange`, an answer or a
 * typed failure; `classify.ts` turns that into a `DeliveryOutcome`.
 */
import { Agent as HttpAgent, request as httpRequest, validateHeaderName, validateHeaderValue, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { AdapterError } from './adapter.ts';
import { OutboundPolicy, OutboundRefused, hostOf } from './outbound-policy.ts';

/** PEM material for https requests of one connector (`transport-settings.ts` declares the settings). */
export interface TransportTls {
  /** CA bundle trusted instead of the system's roots. */
  readonly ca?: string;
  /** Client certificate chain and its key, for systems that require mutual TLS. */
  readonly cert?: string;
  readonly key?: string;
}

export interface TransportOptions {
  readonly tls?: TransportTls;
  /** Most bytes of an answer read (after decompression); default `DEFAULT_MAX_RESPONSE_BYTES`. */
  readonly maxResponseBytes?: number;
  /** Which addresses may be called (the hub's, with LGSP_OUTBOUND_ALLOW); default: the policy with no exceptions. */
  readonly outbound?: OutboundPolicy;
}

/** 1 MiB: far above any answer a kind parses (a portal's JSON, an axis listing), far below harm. */
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;

export interface TransportRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute http(s) URL. */
  readonly url: string;
  /** Header names are case-insensitive; a name or value Node cannot send is an `AdapterError`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** The exact bytes to send (signed as they are), or `json` to send as UTF-8 JSON. */
  readonly body?: Buffer;
  readonly json?: unknown;
  /** Sent as `Idempotency-Key`. */
  readonly idempotencyKey?: string;
}

/** An answer as read: any status (3xx included), at most `maxResponseBytes` of its body. */
export interface Answer {
  readonly status: number;
  /** Lower-case names; only single-valued headers are kept. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  /** The answer was longer than the cap: `body` is its first `maxResponseBytes`, the rest unread. */
  readonly truncated: boolean;
}

/** Why no answer came: the attempt's deadline, the connection (`refused`: by the outbound policy, and why), or TLS. */
export type NoAnswer =
  { readonly failure: 'timeout'; readonly afterMs: number } | { readonly failure: 'connection' | 'tls'; readonly code: string; readonly refused?: string };

export type Exchange = { readonly answered: Answer } | { readonly failed: NoAnswer };

/** The requests of one attempt, under its one deadline. */
export interface AttemptScope {
  send(request: TransportRequest): Promise<Exchange>;
  /**
   * Waits for work shared with other attempts (a login in flight) no longer than this attempt's
   * deadline: `{ failed: timeout }` when it passes first.
   */
  wait<T>(shared: Promise<T>): Promise<T | { readonly failed: NoAnswer }>;
  /** True once the deadline has passed. */
  expired(): boolean;
}

export interface Transport {
  /** Runs `run` with a scope whose requests all end by `timeoutMs` from now (aborted, `timeout`). */
  attempt<T>(timeoutMs: number, run: (scope: AttemptScope) => Promise<T>): Promise<T>;
  /** Releases the keep-alive sockets; a request after `close` opens new ones. */
  close(): Promise<void>;
}

/** Node's TLS error codes (certificate, handshake, alerts), told apart from plain connection trouble. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|HOSTNAME_MISMATCH|EPROTO)/;

export function createTransport(options: TransportOptions = {}): Transport {
  const maxBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const outbound = options.outbound ?? new OutboundPolicy();
  const httpAgent = new HttpAgent({ keepAlive: true, lookup: outbound.lookup });
  const { ca, cert, key } = options.tls ?? {};
  const httpsAgent = new HttpsAgent({ keepAlive: true, lookup: outbound.lookup, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}) });

  async function send(request: TransportRequest, signal: AbortSignal, timeoutMs: number): Promise<Exchange> {
    const url = URL.canParse(request.url) ? new URL(request.url) : undefined;
    if (url?.protocol !== 'http:' && url?.protocol !== 'https:') throw new Error(`not an http(s) URL: "${request.url}"`); // a programmer error
    const literal = outbound.refusal(hostOf(request.url)); // an address in the URL is never looked up
    if (literal !== undefined) return { failed: { failure: 'connection', code: OutboundRefused.CODE, refused: literal } };
    const { headers, body } = prepare(request);
    if (body !== undefined) headers['content-length'] = String(body.length);
    // Node's client never follows a redirect (a 3xx is the answer) and reads no proxy settings (the
    // system is reached directly: no environment proxy sees a connector's secrets).
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    try {
      const res = await new Promise<IncomingMessage>((resolve, reject) => {
        const req = send(url, { method: request.method, headers, agent: url.protocol === 'https:' ? httpsAgent : httpAgent, signal }, resolve);
        req.once('error', reject);
        req.end(body);
      });
      const read = await readCapped(decoded(res), maxBytes);
      return { answered: { status: res.statusCode ?? 0, headers: singleValued(res.headers), ...read } };
    } catch (err) {
      if (signal.aborted) return { failed: { failure: 'timeout', afterMs: timeoutMs } };
      if (!isSystemError(err)) throw err; // a programmer error, never retried
      const refused = [err, (err as { cause?: unknown }).cause].find((e) => e instanceof OutboundRefused);
      if (refused) return { failed: { failure: 'connection', code: OutboundRefused.CODE, refused: refused.message } };
      const code = (err as { code?: string }).code ?? 'UNKNOWN';
      const cause = (err as { cause?: { code?: unknown } }).cause?.code;
      const tlsCode = [code, cause].find((c): c is string => typeof c === 'string' && TLS_CODE.test(c));
      if (tlsCode) return { failed: { failure: 'tls', code: tlsCode } };
      if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return { failed: { failure: 'timeout', afterMs: timeoutMs } };
      return { failed: { failure: 'connection', code } };
    }
  }

  return {
    async attempt(timeoutMs, run) {
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), timeoutMs);
      const timedOut = { failed: { failure: 'timeout', afterMs: timeoutMs } } as const;
      const expired = new Promise<typeof timedOut>((resolve) => deadline.signal.addEventListener('abort', () => resolve(timedOut), { once: true }));
      try {
        return await run({
          send: (request) => (deadline.signal.aborted ? Promise.resolve(timedOut) : send(request, deadline.signal, timeoutMs)),
          wait: (shared) => Promise.race([shared, expired]),
          expired: () => deadline.signal.aborted,
        });
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}

/** Headers checked and lower-cased, plus the kit's own; the body as the bytes to send. */
function prepare(request: TransportRequest): { headers: Record<string, string>; body?: Buffer } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    try {
      validateHeaderName(name);
      validateHeaderValue(name, value);
    } catch (cause) {
      throw new AdapterError('adapter-encode-failed', `header "${name}" cannot be sent: ${(cause as Error).message}`, '', { cause });
    }
    headers[name.toLowerCase()] = value;
  }
  let body = request.body;
  if (request.json !== undefined) {
    body = Buffer.from(JSON.stringify(request.json), 'utf8');
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  if (request.idempotencyKey !== undefined) headers['idempotency-key'] = request.idempotencyKey;
  return body === undefined ? { headers } : { headers, body };
}

/** The answer's body as sent before its Content-Encoding (gzip, deflate, br): the cap counts decoded bytes. */
function decoded(res: IncomingMessage): Readable {
  const decoder = DECODERS[(res.headers['content-encoding'] ?? '').trim().toLowerCase()];
  if (!decoder) return res;
  const stream = decoder();
  res.once('error', (err) => stream.destroy(err));
  stream.once('close', () => res.destroy());
  return res.pipe(stream);
}

/** A body cut short fails to decode (never passed on as if whole). */
const DECODERS: Readonly<Record<string, () => Transform>> = {
  gzip: createGunzip,
  'x-gzip': createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** At most `limit` bytes; past it the stream (and its socket) is destroyed, never drained. */
async function readCapped(stream: Readable, limit: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    chunks.push(buf);
    size += buf.length;
    if (size > limit) {
      stream.destroy();
      return { body: Buffer.concat(chunks).subarray(0, limit), truncated: true };
    }
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

function singleValued(headers: Record<string, unknown>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (typeof value === 'string') kept[name.toLowerCase()] = value;
  return kept;
}

/** A Node system error (`ECONNRESET` while reading the body arrives as one). */
function isSystemError(err: unknown): boolean {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}
