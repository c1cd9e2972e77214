/**
 * Connectors authenticated by TLS client certificates over HTTPS (LGSP_TLS_CERT_FILE and
 * LGSP_TLS_KEY_FILE), against the test broker: a certificate whose SHA-256 fingerprint the
 * manifest lists (`auth.clientCertificates`) is enough without a token; an unknown certificate,
 * or a token and a certificate of two connectors, are refused; a connector that lists
 * certificates cannot sign in with its token alone.
 */
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { makeThrowawayCertificates, type KeyPair } from '../../src/kafka/throwaway-certificates.ts';
import { DEMO_AGENCIES, startTestHub, testConfig, TEST_ADMIN_TOKEN } from '../helpers/hub.ts';
import { documentSent, OTHER, SENDER } from '../helpers/messages.ts';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.ts';

interface Answer {
  readonly status: number;
  readonly body: string;
}

interface Call {
  readonly method?: string;
  readonly token?: string;
  readonly client?: KeyPair;
  readonly body?: string;
  readonly contentType?: string;
}

describe('client certificates of connectors', () => {
  let certs: TestCertificates;
  let other: KeyPair;
  let stranger: KeyPair;
  let dir: string;
  let hub: Hub;
  let senderToken: string;

  /** A request over HTTPS trusting the test CA, with a bearer token and/or a client certificate. */
  const call = (path: string, { method = 'GET', token, client, body, contentType = 'application/json' }: Call = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': contentType }) };
      const req = request(`${hub.url}${path}`, { method, headers, ca: certs.ca, ...(client ?? {}), agent: false }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8') }));
      });
      req.on('error', reject);
      req.end(body);
    });
  const send = (credentials: Pick<Call, 'token' | 'client'>) =>
    call('/v1/messages', { method: 'POST', body: JSON.stringify(documentSent()), contentType: 'application/cloudevents+json', ...credentials });
  const fingerprint = ({ cert }: KeyPair) => new X509Certificate(cert).fingerprint256;

  beforeAll(async () => {
    certs = await makeTestCertificates();
    other = (await makeThrowawayCertificates({ clientSubject: '/CN=qn-syt-eoffice' })).client;
    stranger = (await makeThrowawayCertificates({ clientSubject: '/CN=someone' })).client;
    dir = mkdtempSync(join(tmpdir(), 'lgsp-client-certs-'));
    writeFileSync(join(dir, 'hub.crt'), certs.server.cert);
    writeFileSync(join(dir, 'hub.key'), certs.server.key);
    hub = await startTestHub(testConfig({ LGSP_TLS_CERT_FILE: join(dir, 'hub.crt'), LGSP_TLS_KEY_FILE: join(dir, 'hub.key') }));

    const operator = (path: string, body: unknown) =>
      call(path, { method: 'POST', token: TEST_ADMIN_TOKEN, body: typeof body === 'string' ? body : JSON.stringify(body) });
    expect((await operator('/v1/agencies:import', DEMO_AGENCIES)).status).toBe(200);
    const sender = await operator('/v1/connectors', { ...SENDER, kind: 'webhook', auth: { clientCertificates: [fingerprint(certs.client)] } });
    expect(sender.status, sender.body).toBe(201);
    senderToken = (JSON.parse(sender.body) as { token: string }).token;
    // Any case is accepted, as openssl and browsers print either.
    const registered = await operator('/v1/connectors', { ...OTHER, kind: 'webhook', auth: { clientCertificates: [fingerprint(other).toLowerCase()] } });
    expect(registered.status, registered.body).toBe(201);
  });
  afterAll(async () => {
    await hub?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('admit a connector by a certificate its manifest lists, without a token', async () => {
    const accepted = await send({ client: certs.client });
    expect(accepted.status, accepted.body).toBe(202);
    expect((await send({ client: certs.client, token: senderToken })).status, 'token and certificate of the same connector').toBe(202);
  });

  it('refuse an unknown certificate, and a token and certificate of two connectors', async () => {
    const unknown = await send({ client: stranger });
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.body)).toMatchObject({ type: 'https://lgsp-hub.dev/problems/unauthenticated' });
    expect((await send({ client: other, token: senderToken })).status).toBe(401);
    expect((await send({ client: certs.client, token: 'qn-syt-eoffice.not-its-token' })).status).toBe(401);
  });

  it('hold a connector that lists certificates to one: its token alone is refused', async () => {
    expect((await send({ token: senderToken })).status).toBe(401);
    expect((await send({ token: senderToken, client: stranger })).status).toBe(401);
  });

  it('refuse a certificate another connector lists already', async () => {
    const body = JSON.stringify({ id: 'qn-copycat', agency: OTHER.agency, kind: 'webhook', auth: { clientCertificates: [fingerprint(certs.client)] } });
    const copy = await call('/v1/connectors', { method: 'POST', token: TEST_ADMIN_TOKEN, body });
    expect(copy.status).toBe(422);
    expect(JSON.parse(copy.body)).toMatchObject({
      errors: [{ path: '/auth/clientCertificates/0', message: expect.stringContaining(`connector "${SENDER.id}"`) }],
    });
  });

  it('never take a certificate as an operator', async () => {
    expect((await call('/v1/connectors', { client: certs.client })).status).toBe(401);
    expect((await call('/v1/connectors', { client: certs.client, token: TEST_ADMIN_TOKEN })).status).toBe(200);
  });
});
