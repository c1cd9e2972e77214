import type { Socket } from 'node:net';
import express, { type Request, type Response } from 'express';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { AdapterError, type Delivery, type Sender } from './adapter.ts';
import { FaultPlan, startSimulatorServer, type SimulatorServer } from './faults.ts';
import { classifyAttempt, createHttpSender, parseRetryAfter, type HttpSenderOptions } from './http-sender.ts';
import { signBody, signingKeyOf, verifySignature } from './signature.ts';

const KEY = signingKeyOf('tok-123');
const TIMEOUT_MS = 300;

const event: CloudEvent = {
  specversion: '1.0',
  id: 'e-1',
  source: 'urn:lgsp:agency:000.00.15.H49',
  type: 'vn.gov.record.synced',
  subject: 'k-1',
  data: { tên: 'Sở Tư pháp tỉnh Quảng Ninh' },
};
const delivery = (attempt = 1): Delivery => ({ event, hubId: 'hub-0001', attempt });

describe('signature', () => {
  // Vectors computed independently (Python hmac), so a connector in any language can check itself.
  it('derives the signing key and signs the exact body bytes', () => {
    expect(KEY).toBe('81f8f9b3dfe3ca491433cfd64006c83737cea3fc87882c671c4fc4183206df35');
    const body = Buffer.from('{"chào":"Việt Nam"}', 'utf8');
    expect(signBody(body, KEY)).toBe('sha256=64aff765160eef287a8cbbf837fc9fb0066a9a60f26b940eb5712bb48d7fbb46');
  });

  it('verifies only the right key, the same bytes and a well-formed header', () => {
    const body = Buffer.from('{"a":1}');
    const header = signBody(body, KEY);
    expect(verifySignature(body, header, KEY)).toBe(true);
    expect(verifySignature(body, header, signingKeyOf('other'))).toBe(false);
    expect(verifySignature(Buffer.from('{"a":2}'), header, KEY)).toBe(false);
    expect(verifySignature(body, undefined, KEY)).toBe(false);
    expect(verifySignature(body, header.slice(0, -2), KEY)).toBe(false);
    expect(verifySignature(body, header.toUpperCase(), KEY)).toBe(false);
    expect(verifySignature(body, `sha1=${header.slice(7)}`, KEY)).toBe(false);
  });
});

describe('classifyAttempt and parseRetryAfter', () => {
  const answered = (status: number, retryAfter?: string, body = '') => ({ answered: { status, body: Buffer.from(body), ...(retryAfter ? { retryAfter } : {}) } });

  it('sorts statuses into delivered, retry and refused', () => {
    expect(classifyAttempt(answered(204), 1000)).toEqual({ outcome: 'delivered', status: 204 });
    for (const status of [408, 429, 500, 502, 503, 504]) expect(classifyAttempt(answered(status), 1000).outcome).toBe('retry');
    for (const status of [301, 400, 401, 403, 404, 409, 413, 422]) expect(classifyAttempt(answered(status), 1000).outcome).toBe('refused');
  });

  it('reads Retry-After as seconds or an HTTP date, never negative', () => {
    const now = Date.parse('2025-07-15T02:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 15 Jul 2025 02:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 15 Jul 2025 01:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('keeps the first 4 KB of a refused answer, without a broken last character', () => {
    const outcome = classifyAttempt(answered(400, undefined, 'ệ'.repeat(2000)), 1000);
    expect(outcome).toMatchObject({ outcome: 'refused', status: 400 });
    const response = (outcome as { response: string }).response;
    expect(response).toBe('ệ'.repeat(1365)); // 3 bytes each: 1365 whole characters fit in 4096 bytes
  });
});

interface Seen {
  headers: Request['headers'];
  body: Buffer;
}

describe('createHttpSender against a real server on 127.0.0.1', () => {
  let server: SimulatorServer;
  let faults: FaultPlan;
  let seen: Seen[];
  let sockets: Set<Socket>;
  /** Idempotency-Key of every request, faulted ones included. */
  let keys: unknown[];
  let answer: (res: Response) => void;
  const senders: Sender[] = [];

  function makeSender(overrides: Partial<HttpSenderOptions> = {}): Sender {
    const sender = createHttpSender({
      endpoint: `${server.url}/in`,
      timeoutMs: TIMEOUT_MS,
      signingKey: KEY,
      encode: (d) => ({ headers: { 'Content-Type': 'application/json', 'ce-id': d.event.id }, body: Buffer.from(JSON.stringify(d.event.data)) }),
      ...overrides,
    });
    senders.push(sender);
    return sender;
  }

  beforeEach(async () => {
    faults = new FaultPlan();
    seen = [];
    sockets = new Set();
    keys = [];
    answer = (res) => void res.status(200).json({ ok: true });
    const app = express();
    app.use((req, _res, next) => {
      sockets.add(req.socket); // one entry per connection the server accepted
      keys.push(req.headers['idempotency-key']);
      next();
    });
    app.use(faults.middleware());
    app.use(express.raw({ type: () => true }));
    app.post('/in', (req, res) => {
      seen.push({ headers: req.headers, body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0) });
      answer(res);
    });
    server = await startSimulatorServer(app);
  });

  afterEach(async () => {
    for (const s of senders.splice(0)) await s.close();
    faults.clear();
    await server.close();
  });

  it('delivers with the encoded headers, Idempotency-Key and a signature over the exact bytes', async () => {
    expect(await makeSender().deliver(delivery())).toEqual({ outcome: 'delivered', status: 200 });
    const [req] = seen;
    expect(req?.headers).toMatchObject({ 'content-type': 'application/json', 'ce-id': 'e-1', 'idempotency-key': 'hub-0001' });
    expect(req?.body.toString('utf8')).toBe('{"tên":"Sở Tư pháp tỉnh Quảng Ninh"}');
    expect(verifySignature(req!.body, req!.headers['x-lgsp-signature'] as string, KEY)).toBe(true);
  });

  it('retries 5xx, 429 and 408 with the same Idempotency-Key, honouring Retry-After in seconds', async () => {
    const sender = makeSender();
    faults.set({ kind: 'error', status: 503, retryAfterSeconds: 2, times: 1 });
    expect(await sender.deliver(delivery(1))).toEqual({
      outcome: 'retry', reason: 'HTTP 503', status: 503, retryAfterMs: 2000, response: '{"error":"simulated fault"}',
    });
    faults.set({ kind: 'error', status: 429, times: 1 });
    expect(await sender.deliver(delivery(2))).toMatchObject({ outcome: 'retry', status: 429 });
    faults.set({ kind: 'error', status: 408, times: 1 });
    expect(await sender.deliver(delivery(3))).toMatchObject({ outcome: 'retry', status: 408 });
    expect(await sender.deliver(delivery(4))).toEqual({ outcome: 'delivered', status: 200 });
    expect(keys).toEqual(Array(4).fill('hub-0001'));
  });

  it('honours Retry-After as an HTTP date', async () => {
    answer = (res) => void res.status(503).set('Retry-After', new Date(Date.now() + 30_000).toUTCString()).end();
    const outcome = await makeSender().deliver(delivery());
    expect(outcome).toMatchObject({ outcome: 'retry', status: 503 });
    const ms = (outcome as { retryAfterMs?: number }).retryAfterMs;
    expect(ms).toBeGreaterThan(28_000);
    expect(ms).toBeLessThanOrEqual(30_000);
  });

  it('refuses other 4xx with the status and the first 4 KB of the response as text', async () => {
    faults.set({ kind: 'reject', status: 422, body: { lỗi: 'thiếu trường', pad: 'x'.repeat(10_000) }, times: 1 });
    const outcome = await makeSender().deliver(delivery());
    expect(outcome).toMatchObject({ outcome: 'refused', reason: 'HTTP 422', status: 422 });
    const response = (outcome as { response: string }).response;
    expect(Buffer.byteLength(response)).toBe(4096);
    expect(response.startsWith('{"lỗi":"thiếu trường"')).toBe(true);
  });

  it('retries a hang once the timeout has passed', async () => {
    faults.set({ kind: 'hang' });
    const started = Date.now();
    expect(await makeSender().deliver(delivery())).toEqual({ outcome: 'retry', reason: `timeout after ${TIMEOUT_MS} ms` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('retries a reset connection, a refused connection and a DNS failure', async () => {
    const sender = makeSender();
    faults.set({ kind: 'refuse', times: 1 });
    expect(await sender.deliver(delivery())).toEqual({ outcome: 'retry', reason: 'connection error: ECONNRESET' });
    await server.close();
    expect(await sender.deliver(delivery())).toEqual({ outcome: 'retry', reason: 'connection error: ECONNREFUSED' });
    await server.restart();
    expect(await sender.deliver(delivery())).toEqual({ outcome: 'delivered', status: 200 });
    const dns = await makeSender({ endpoint: 'http://agency-system.invalid/in' }).deliver(delivery());
    expect(dns).toMatchObject({ outcome: 'retry', reason: expect.stringMatching(/^connection error: (ENOTFOUND|EAI_AGAIN)$/) });
  });

  it('reuses one keep-alive connection for sequential deliveries, whatever the answers', async () => {
    const sender = makeSender();
    for (let i = 1; i <= 3; i++) expect(await sender.deliver(delivery(i))).toMatchObject({ outcome: 'delivered' });
    faults.set({ kind: 'reject', status: 404, times: 1 });
    expect(await sender.deliver(delivery())).toMatchObject({ outcome: 'refused' });
    expect(await sender.deliver(delivery())).toMatchObject({ outcome: 'delivered' });
    expect(sockets.size).toBe(1);
    await sender.close();
    const again = makeSender();
    await again.deliver(delivery());
    expect(sockets.size).toBe(2);
  });

  it('passes on encode failures and refuses to send a header Node cannot write', async () => {
    const failing = makeSender({ encode: () => { throw new AdapterError('ADAPTER_ENCODE_FAILED', 'no', '/data/x'); } });
    await expect(failing.deliver(delivery())).rejects.toMatchObject({ code: 'ADAPTER_ENCODE_FAILED', path: '/data/x' });
    const badHeader = makeSender({ encode: () => ({ headers: { 'x-note': 'a\nb' }, body: Buffer.alloc(0) }) });
    await expect(badHeader.deliver(delivery())).rejects.toBeInstanceOf(AdapterError);
    expect(seen).toHaveLength(0);
    expect(() => createHttpSender({ endpoint: 'ftp://x', timeoutMs: 1, signingKey: KEY, encode: () => ({ headers: {}, body: Buffer.alloc(0) }) })).toThrow(/http/);
  });
});
