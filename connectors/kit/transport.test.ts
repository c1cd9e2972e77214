/**
 * The kit transport, its classifier and the push sender against real servers on 127.0.0.1 (no
 * mocks): the rules every kind inherits. `transport-kinds.test.ts` proves them again through each
 * kind's own sender.
 */
import type { Socket } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import type { TLSSocket } from 'node:tls';
import express, { type Request, type Response } from 'express';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CloudEvent } from '../../src/contract/cloud-event.ts';
import { makeTestCertificates, type TestCertificates } from '../../test/helpers/tls-certs.ts';
import { AdapterError, type Delivery, type Sender } from './adapter.ts';
import { classify, parseRetryAfter, readJson, type Classified } from './classify.ts';
import { FaultPlan, startRecordingServer, startSimulatorServer, type SimulatorServer } from './faults.ts';
import { OutboundPolicy } from './outbound-policy.ts';
import { createPushSender, type PushSenderOptions } from './push-sender.ts';
import { signBody, signingKeyOf, verifySignature } from './signature.ts';
import { createTransport, type Answer, type Exchange, type Transport } from './transport.ts';

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

describe('classify, readJson and parseRetryAfter', () => {
  const answer = (status: number, headers: Record<string, string> = {}, body = '', truncated = false): Answer => ({
    status,
    headers,
    body: Buffer.from(body),
    truncated,
  });
  const answered = (status: number, headers: Record<string, string> = {}, body = ''): Exchange => ({ answered: answer(status, headers, body) });

  it('sorts statuses into ok, retry and refused, each failure typed', () => {
    expect(classify(answered(204))).toEqual({ ok: answer(204) });
    for (const status of [408, 429, 500, 502, 503, 504])
      expect(classify(answered(status))).toMatchObject({ outcome: 'retry', failure: 'http-status', reason: `HTTP ${status}`, status });
    for (const status of [400, 401, 403, 404, 409, 413, 422])
      expect(classify(answered(status))).toMatchObject({ outcome: 'refused', failure: 'http-status', status });
    for (const status of [301, 302, 303, 307, 308]) {
      expect(classify(answered(status, { location: 'http://elsewhere.invalid/x' }))).toMatchObject({
        outcome: 'refused',
        failure: 'redirect',
        status,
        reason: `HTTP ${status} redirect to http://elsewhere.invalid/x not followed`,
      });
    }
  });

  it('types the failures without an answer', () => {
    expect(classify({ failed: { failure: 'timeout', afterMs: 250 } })).toEqual({ outcome: 'retry', failure: 'timeout', reason: 'timeout after 250 ms' });
    expect(classify({ failed: { failure: 'connection', code: 'ECONNRESET' } })).toEqual({
      outcome: 'retry',
      failure: 'connection',
      reason: 'connection error: ECONNRESET',
    });
    expect(classify({ failed: { failure: 'tls', code: 'CERT_HAS_EXPIRED' } })).toEqual({
      outcome: 'retry',
      failure: 'tls',
      reason: 'TLS error: CERT_HAS_EXPIRED',
    });
  });

  it('reads Retry-After as seconds or an HTTP date, never negative', () => {
    const now = Date.parse('2025-07-15T02:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Tue, 15 Jul 2025 02:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Tue, 15 Jul 2025 01:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(classify(answered(503, { 'retry-after': '7' }), { now })).toMatchObject({ retryAfterMs: 7000 });
  });

  it('keeps the first 4 KB of a refused answer, without a broken last character, or what the kind asks for', () => {
    const outcome = classify(answered(400, {}, 'ệ'.repeat(2000)));
    expect(outcome).toMatchObject({ outcome: 'refused', status: 400 });
    expect((outcome as { response: string }).response).toBe('ệ'.repeat(1365)); // 3 bytes each: 1365 whole characters fit in 4096 bytes
    expect(classify(answered(404, {}, '{"a":1}'), { response: (a) => ({ status: a.status, body: JSON.parse(a.body.toString()) as unknown }) })).toMatchObject({
      response: { status: 404, body: { a: 1 } },
    });
  });

  it('a 2xx answer the kind must parse: JSON, or a retry (too-large when cut, protocol when not JSON)', () => {
    expect(readJson(answer(200, {}, '{"ok":true}'))).toEqual({ json: { ok: true } });
    expect(readJson(answer(200, {}, '{"ok":tr', true))).toMatchObject({ outcome: 'retry', failure: 'too-large', status: 200 });
    expect(readJson(answer(200, {}, '<html>'))).toMatchObject({ outcome: 'retry', failure: 'protocol', status: 200, response: '<html>' });
  });
});

describe('the transport against a real server on 127.0.0.1', () => {
  let server: SimulatorServer;
  let faults: FaultPlan;
  let seen: { path: string; at: number }[];
  const transports: Transport[] = [];
  const make = (options: Parameters<typeof createTransport>[0] = {}) => {
    const t = createTransport(options);
    transports.push(t);
    return t;
  };

  beforeEach(async () => {
    faults = new FaultPlan();
    seen = [];
    const app = express();
    app.use((req, _res, next) => {
      seen.push({ path: req.path, at: Date.now() });
      next();
    });
    app.use(faults.middleware());
    app.all('/{*any}', (_req, res) => void res.json({ ok: true }));
    server = await startSimulatorServer(app);
  });
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
    faults.clear();
    await server.close();
  });

  it('one deadline covers every request of an attempt: two calls each under it, their sum over it, time out', async () => {
    faults.set({ kind: 'slow', delayMs: 200 });
    const started = Date.now();
    const results = await make().attempt(300, async (scope) => [
      await scope.send({ method: 'POST', url: `${server.url}/login`, json: {} }),
      await scope.send({ method: 'POST', url: `${server.url}/call`, json: {} }),
      await scope.send({ method: 'POST', url: `${server.url}/never`, json: {} }),
    ]);
    expect(results.map((r) => ('answered' in r ? r.answered.status : r.failed.failure))).toEqual([200, 'timeout', 'timeout']);
    expect(seen.map((s) => s.path)).toEqual(['/login', '/call']); // nothing is sent once the deadline has passed
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("wait() bounds shared work by this attempt's deadline", async () => {
    const never = new Promise<string>(() => {});
    expect(await make().attempt(100, (scope) => scope.wait(never))).toEqual({ failed: { failure: 'timeout', afterMs: 100 } });
    expect(await make().attempt(1000, (scope) => scope.wait(Promise.resolve('session')))).toBe('session');
  });

  it('reads at most maxResponseBytes, marks the answer truncated and hangs up', async () => {
    faults.set({ kind: 'oversize', bytes: 8_000_000, times: 1 }); // more than the kernel buffers, so hanging up shows
    const result = await make({ maxResponseBytes: 10_000 }).attempt(2000, (scope) => scope.send({ method: 'GET', url: `${server.url}/big` }));
    expect('answered' in result && { status: result.answered.status, length: result.answered.body.length, truncated: result.answered.truncated }).toEqual({
      status: 200,
      length: 10_000,
      truncated: true,
    });
    await expect.poll(() => faults.cut).toBe(1);
    const whole = await make({ maxResponseBytes: 10_000 }).attempt(2000, (scope) => scope.send({ method: 'GET', url: `${server.url}/small` }));
    expect('answered' in whole && whole.answered.truncated).toBe(false);
  });

  it('decodes gzip, deflate and br answers (the cap counts decoded bytes), and fails one cut short', async () => {
    const text = 'Nguyễn Thị Hồng Nhung '.repeat(2_000);
    const encoded: Record<string, Buffer> = { gzip: gzipSync(text), deflate: deflateSync(text), br: brotliCompressSync(text) };
    const zipped = await startSimulatorServer((req, res) => {
      const encoding = req.url!.slice(1);
      const bytes = encoding === 'cut' ? encoded.gzip!.subarray(0, 200) : encoded[encoding]!;
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': encoding === 'cut' ? 'gzip' : encoding }).end(bytes);
    });
    try {
      for (const encoding of ['gzip', 'deflate', 'br']) {
        const result = await make().attempt(2000, (scope) => scope.send({ method: 'GET', url: `${zipped.url}/${encoding}` }));
        expect('answered' in result && result.answered.body.toString('utf8'), encoding).toBe(text);
      }
      const capped = await make({ maxResponseBytes: 1_000 }).attempt(2000, (scope) => scope.send({ method: 'GET', url: `${zipped.url}/gzip` }));
      expect('answered' in capped && [capped.answered.body.length, capped.answered.truncated]).toEqual([1_000, true]);
      const cut = await make().attempt(2000, (scope) => scope.send({ method: 'GET', url: `${zipped.url}/cut` }));
      expect(cut).toMatchObject({ failed: { failure: 'connection', code: 'Z_BUF_ERROR' } });
    } finally {
      await zipped.close();
    }
  });

  it('never follows a redirect, whatever the method', async () => {
    const target = await startRecordingServer();
    try {
      for (const status of [301, 302, 303, 307, 308] as const) {
        faults.set({ kind: 'redirect', status, location: `${target.url}/x`, times: 1 });
        const result = await make().attempt(2000, (scope) =>
          scope.send({ method: 'POST', url: `${server.url}/in`, json: { password: 'p' }, headers: { secret: 's' } }),
        );
        expect('answered' in result && result.answered.status).toBe(status);
      }
      expect(target.requests).toEqual([]);
    } finally {
      await target.close();
    }
  });

  it('never connects where the outbound policy refuses: an address in the URL, or one a name resolves to at connect time', async () => {
    const literal = await make().attempt(1000, (scope) => scope.send({ method: 'GET', url: 'http://169.254.169.254/latest/meta-data' }));
    expect(literal).toEqual({ failed: { failure: 'connection', code: 'ERR_OUTBOUND_REFUSED', refused: expect.stringContaining('cloud metadata') } });
    expect(classify(literal)).toEqual({ outcome: 'refused', failure: 'connection', reason: expect.stringContaining('LGSP_OUTBOUND_ALLOW') });
    // Loopback stands in for an address a name was rebound to after registration.
    class RefuseLoopback extends OutboundPolicy {
      override refusal(host: string, address?: string) {
        return address === '127.0.0.1' || address === '::1' ? `${host} (${address}) is refused` : super.refusal(host, address);
      }
    }
    const rebound = await make({ outbound: new RefuseLoopback() }).attempt(1000, (scope) =>
      scope.send({ method: 'POST', url: server.url.replace('127.0.0.1', 'localhost'), json: {} }),
    );
    expect(rebound).toEqual({
      failed: { failure: 'connection', code: 'ERR_OUTBOUND_REFUSED', refused: expect.stringMatching(/^localhost \((127\.0\.0\.1|::1)\) is refused$/) },
    });
    expect(seen).toEqual([]);
    const plain = await make().attempt(1000, (scope) => scope.send({ method: 'GET', url: server.url.replace('127.0.0.1', 'localhost') }));
    expect('answered' in plain && plain.answered.status).toBe(200);
  });

  it('refuses a URL that is not http(s) (a programmer error)', async () => {
    await expect(make().attempt(100, (scope) => scope.send({ method: 'GET', url: 'ftp://x/' }))).rejects.toThrow(/http/);
  });
});

describe('TLS options', () => {
  let certs: TestCertificates;
  beforeAll(async () => {
    certs = await makeTestCertificates();
  });

  it("trusts the connector's CA, presents its client certificate, and types TLS failures", async () => {
    const app = express().get('/', (req, res) => void res.json({ client: (req.socket as TLSSocket).getPeerCertificate().subject?.CN }));
    const server = await startSimulatorServer(app, { tls: { key: certs.server.key, cert: certs.server.cert, clientCa: certs.ca } });
    const transports = [
      createTransport({ tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key } }),
      createTransport({ tls: { ca: certs.ca } }),
      createTransport(),
    ];
    try {
      const get = (t: Transport) => t.attempt(2000, (scope) => scope.send({ method: 'GET', url: `${server.url}/` })).then((e): Classified => classify(e));
      const [mutual, noClientCert, untrusted] = await Promise.all(transports.map(get));
      expect(mutual).toMatchObject({ ok: { status: 200 } });
      expect(JSON.parse((mutual as { ok: Answer }).ok.body.toString())).toEqual({ client: 'lgsp-hub' });
      expect(noClientCert).toMatchObject({ outcome: 'retry', failure: 'tls' });
      expect(untrusted).toMatchObject({
        outcome: 'retry',
        failure: 'tls',
        reason: expect.stringMatching(/^TLS error: (UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN)/),
      });
    } finally {
      for (const t of transports) await t.close();
      await server.close();
    }
  });
});

interface Seen {
  headers: Request['headers'];
  body: Buffer;
}

describe('createPushSender against a real server on 127.0.0.1', () => {
  let server: SimulatorServer;
  let faults: FaultPlan;
  let seen: Seen[];
  let sockets: Set<Socket>;
  /** Idempotency-Key of every request, faulted ones included. */
  let keys: unknown[];
  let answer: (res: Response) => void;
  const transports: Transport[] = [];

  function makeSender(overrides: Partial<PushSenderOptions> = {}): Sender {
    const transport = createTransport();
    transports.push(transport);
    return createPushSender({
      endpoint: `${server.url}/in`,
      timeoutMs: TIMEOUT_MS,
      transport,
      signingKey: KEY,
      signatureVersions: ['v1', 'v2'],
      encode: (d) => ({ headers: { 'Content-Type': 'application/json', 'ce-id': d.event.id }, body: Buffer.from(JSON.stringify(d.event.data)) }),
      ...overrides,
    });
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
    for (const t of transports.splice(0)) await t.close();
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
      outcome: 'retry',
      failure: 'http-status',
      reason: 'HTTP 503',
      status: 503,
      retryAfterMs: 2000,
      response: '{"error":"simulated fault"}',
    });
    faults.set({ kind: 'error', status: 429, times: 1 });
    expect(await sender.deliver(delivery(2))).toMatchObject({ outcome: 'retry', failure: 'http-status', status: 429 });
    faults.set({ kind: 'error', status: 408, times: 1 });
    expect(await sender.deliver(delivery(3))).toMatchObject({ outcome: 'retry', failure: 'http-status', status: 408 });
    expect(await sender.deliver(delivery(4))).toEqual({ outcome: 'delivered', status: 200 });
    expect(keys).toEqual(Array(4).fill('hub-0001'));
  });

  it('honours Retry-After as an HTTP date', async () => {
    answer = (res) =>
      void res
        .status(503)
        .set('Retry-After', new Date(Date.now() + 30_000).toUTCString())
        .end();
    const outcome = await makeSender().deliver(delivery());
    expect(outcome).toMatchObject({ outcome: 'retry', status: 503 });
    const ms = (outcome as { retryAfterMs?: number }).retryAfterMs;
    expect(ms).toBeGreaterThan(28_000);
    expect(ms).toBeLessThanOrEqual(30_000);
  });

  it('refuses other 4xx with the status and the first 4 KB of the response as text', async () => {
    faults.set({ kind: 'reject', status: 422, body: { lỗi: 'thiếu trường', pad: 'x'.repeat(10_000) }, times: 1 });
    const outcome = await makeSender().deliver(delivery());
    expect(outcome).toMatchObject({ outcome: 'refused', failure: 'http-status', reason: 'HTTP 422', status: 422 });
    const response = (outcome as { response: string }).response;
    expect(Buffer.byteLength(response)).toBe(4096);
    expect(response.startsWith('{"lỗi":"thiếu trường"')).toBe(true);
  });

  it('retries a hang once the timeout has passed', async () => {
    faults.set({ kind: 'hang' });
    const started = Date.now();
    expect(await makeSender().deliver(delivery())).toEqual({ outcome: 'retry', failure: 'timeout', reason: `timeout after ${TIMEOUT_MS} ms` });
    expect(Date.now() - started).toBeGreaterThanOrEqual(TIMEOUT_MS - 20);
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
  });

  it('retries a reset connection, a refused connection and a DNS failure', async () => {
    const sender = makeSender();
    faults.set({ kind: 'refuse', times: 1 });
    expect(await sender.deliver(delivery())).toEqual({ outcome: 'retry', failure: 'connection', reason: 'connection error: ECONNRESET' });
    await server.close();
    expect(await sender.deliver(delivery())).toEqual({ outcome: 'retry', failure: 'connection', reason: 'connection error: ECONNREFUSED' });
    await server.restart();
    expect(await sender.deliver(delivery())).toEqual({ outcome: 'delivered', status: 200 });
    const dns = await makeSender({ endpoint: 'http://agency-system.invalid/in' }).deliver(delivery());
    expect(dns).toMatchObject({ outcome: 'retry', failure: 'connection', reason: expect.stringMatching(/^connection error: (ENOTFOUND|EAI_AGAIN)$/) });
  });

  it('reuses one keep-alive connection for sequential deliveries, whatever the answers', async () => {
    const sender = makeSender();
    for (let i = 1; i <= 3; i++) expect(await sender.deliver(delivery(i))).toMatchObject({ outcome: 'delivered' });
    faults.set({ kind: 'reject', status: 404, times: 1 });
    expect(await sender.deliver(delivery())).toMatchObject({ outcome: 'refused' });
    expect(await sender.deliver(delivery())).toMatchObject({ outcome: 'delivered' });
    expect(sockets.size).toBe(1);
    for (const t of transports) await t.close();
    await makeSender().deliver(delivery());
    expect(sockets.size).toBe(2);
  });

  it('passes on encode failures, refuses to send a header Node cannot write, and needs an http(s) endpoint and a key', async () => {
    const failing = makeSender({
      encode: () => {
        throw new AdapterError('adapter-encode-failed', 'no', '/data/x');
      },
    });
    await expect(failing.deliver(delivery())).rejects.toMatchObject({ code: 'adapter-encode-failed', path: '/data/x', retriable: false });
    const badHeader = makeSender({ encode: () => ({ headers: { 'x-note': 'a\nb' }, body: Buffer.alloc(0) }) });
    await expect(badHeader.deliver(delivery())).rejects.toMatchObject({ name: 'AdapterError', code: 'adapter-encode-failed' });
    expect(seen).toHaveLength(0);
    expect(() => makeSender({ endpoint: 'ftp://x' })).toThrow(/http/);
    expect(() => makeSender({ endpoint: undefined })).toThrow(/http/);
    expect(() => makeSender({ signingKey: '' })).toThrow(/signing key/);
  });
});
