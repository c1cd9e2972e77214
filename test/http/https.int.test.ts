/**
 * The hub over HTTPS (LGSP_TLS_CERT_FILE, LGSP_TLS_KEY_FILE) against the test broker: it answers
 * with the configured certificate, with or without a client certificate, refuses plain HTTP on
 * its port, and keeps the slow-client guard and problem answers of Node's own refusals. Also
 * LGSP_METRICS_TOKEN on `/metrics`.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { startTestHub, testConfig } from '../helpers/hub.ts';
import { makeTestCertificates, type TestCertificates } from '../helpers/tls-certs.ts';

const METRICS_TOKEN = 'scrape-token-0123456789abcdef';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A GET over HTTPS trusting `ca`, optionally presenting a client certificate. */
function httpsGet(url: string, options: { ca?: string; cert?: string; key?: string; headers?: Record<string, string> }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', ...options, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** What the server sends back over TLS for `bytes`, until it closes the connection. */
function rawOverTls(url: string, ca: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port), ca }, () => socket.write(bytes));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

describe('HTTPS', () => {
  let certs: TestCertificates;
  let dir: string;
  let hub: Hub;

  beforeAll(async () => {
    certs = await makeTestCertificates();
    dir = mkdtempSync(join(tmpdir(), 'lgsp-https-'));
    writeFileSync(join(dir, 'hub.crt'), certs.server.cert);
    writeFileSync(join(dir, 'hub.key'), certs.server.key);
    hub = await startTestHub(
      testConfig({
        LGSP_TLS_CERT_FILE: join(dir, 'hub.crt'),
        LGSP_TLS_KEY_FILE: join(dir, 'hub.key'),
        LGSP_HEADERS_TIMEOUT: '1s',
        LGSP_METRICS_TOKEN: METRICS_TOKEN,
      }),
    );
  });
  afterAll(async () => {
    await hub?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over HTTPS with the configured certificate, with or without a client certificate', async () => {
    expect(hub.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const plain = await httpsGet(`${hub.url}/healthz`, { ca: certs.ca });
    expect([plain.status, JSON.parse(plain.body)]).toEqual([200, { status: 'live' }]);
    const mutual = await httpsGet(`${hub.url}/healthz`, { ca: certs.ca, cert: certs.client.cert, key: certs.client.key });
    expect(mutual.status).toBe(200);
    await expect(httpsGet(`${hub.url}/healthz`, {})).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO/) });
  });

  it('refuses plain HTTP on its port', async () => {
    const answer = new Promise<number | undefined>((resolve, reject) => {
      const req = httpGet(`${hub.url.replace('https:', 'http:')}/healthz`, (res) => resolve(res.statusCode));
      req.on('error', reject);
    });
    await expect(answer).rejects.toThrow();
  });

  it('keeps the slow-client guard and answers malformed requests with problem+json over TLS', async () => {
    const slow = await rawOverTls(hub.url, certs.ca, 'GET /healthz HTTP/1.1\r\nHost: hub\r\n');
    expect(slow).toMatch(/^HTTP\/1\.1 408 /);
    expect(slow).toContain('https://lgsp-hub.dev/problems/request-timeout');
    const malformed = await rawOverTls(hub.url, certs.ca, 'FZ /healthz HTTP/1.1\r\nHost: hub\r\n\r\n');
    expect(malformed).toMatch(/^HTTP\/1\.1 400 /);
    expect(malformed).toContain('https://lgsp-hub.dev/problems/malformed-request');
  });

  it('asks for LGSP_METRICS_TOKEN on /metrics, and only there', async () => {
    const wrong: Record<string, string>[] = [{}, { authorization: 'Bearer wrong-token-0123456789abc' }, { authorization: METRICS_TOKEN }];
    for (const headers of wrong) {
      const refused = await httpsGet(`${hub.url}/metrics`, { ca: certs.ca, headers });
      expect(refused.status).toBe(401);
      expect(refused.headers['www-authenticate']).toBe('Bearer realm="lgsp-hub"');
      expect(JSON.parse(refused.body)).toMatchObject({
        type: 'https://lgsp-hub.dev/problems/unauthenticated',
        detail: expect.stringContaining('LGSP_METRICS_TOKEN'),
      });
    }
    const scraped = await httpsGet(`${hub.url}/metrics`, { ca: certs.ca, headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(scraped.status).toBe(200);
    expect(scraped.body).toContain('lgsp_http_request_duration_seconds');
    expect((await httpsGet(`${hub.url}/readyz`, { ca: certs.ca })).status).toBe(200);
  });
});
