/**
 * Regression tests for each cause the front-door fuzz run found (issue 15), against a real hub on
 * the broker: every answer a 4xx problem from the catalogue, and nothing written.
 */
import { connect } from 'node:net';
import { zstdCompressSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { asOperator, registerConnector, startTestHub, testConfig } from '../helpers/hub.ts';
import { endOffsets, settledEndOffsets } from '../helpers/kafka.ts';
import { documentSent, seedSenders } from '../helpers/messages.ts';
import { requestBytes, sendRaw, type RawResponse } from '../helpers/raw-http.ts';

const problemOf = (res: RawResponse) => {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  return JSON.parse(res.body.toString('utf8')) as { type: string; status: number; errors?: { path: string }[] };
};
const expectProblem = (res: RawResponse, status: number, code: string) => {
  expect(res.status, res.body.toString('utf8')).toBe(status);
  expect(problemOf(res)).toMatchObject({ type: `https://lgsp-hub.dev/problems/${code}`, status });
};

describe('the front door', () => {
  let hub: Hub;
  let token: string;
  let edxmlToken: string;
  let portalToken: string;
  const raw = (method: string, target: string, headers: [string, string][] = [], body?: Buffer) =>
    sendRaw(hub.url, requestBytes({ method, target, headers, ...(body ? { body } : {}) }, new URL(hub.url).host));
  const asSender = (body: Buffer, headers: [string, string][] = [['Content-Type', 'application/cloudevents+json']]) =>
    raw('POST', '/v1/messages', [['Authorization', `Bearer ${token}`], ...headers], body);

  beforeAll(async () => {
    hub = await startTestHub(testConfig({ LGSP_HEADERS_TIMEOUT: '1s', LGSP_REQUEST_TIMEOUT: '3s' }));
    token = (await seedSenders(hub.url)).sender;
    edxmlToken = await registerConnector(hub.url, { id: 'qn-vp-edxml', agency: '000.00.00.H49', kind: 'edxml' });
    portalToken = await registerConnector(hub.url, {
      id: 'qn-motcua',
      agency: '000.00.00.H49',
      kind: 'dvcqg',
      settings: { adapterUrl: 'http://127.0.0.1:9/', username: 'qn', password: 'mat-khau-bi-mat', dstcode: 'H49', madonvi: '000.00.00.H49' },
    });
  });
  afterAll(() => hub?.close());

  it('answers a malformed percent-encoding in a path with 400 malformed-request, before and after authentication', async () => {
    for (const segment of ['%C0%AF', '%E0%A4%A', '%', '%ZZ', '%ED%A0%80']) {
      expectProblem(await raw('GET', `/v1/messages/${segment}`), 400, 'malformed-request');
      expectProblem(await raw('GET', `/v1/dead-letters/${segment}`, [['Authorization', 'Bearer test-operator-token-0123456789']]), 400, 'malformed-request');
    }
  });

  it('answers unknown or broken content encodings and unknown charsets as problems', async () => {
    const body = Buffer.from(JSON.stringify(documentSent()));
    const json: [string, string] = ['Content-Type', 'application/cloudevents+json'];
    // Node 24 decodes zstd (as gzip, deflate and br): a body that claims it and is not, is malformed.
    expect((await asSender(zstdCompressSync(body), [json, ['Content-Encoding', 'zstd']])).status).toBe(202);
    expectProblem(await asSender(body, [json, ['Content-Encoding', 'zstd']]), 400, 'malformed-request');
    expectProblem(await asSender(body, [json, ['Content-Encoding', 'x-fz']]), 415, 'unsupported-encoding');
    expectProblem(await asSender(Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08]), body]), [json, ['Content-Encoding', 'gzip']]), 400, 'malformed-request');
    expectProblem(await asSender(Buffer.from('not brotli'), [json, ['Content-Encoding', 'br']]), 400, 'malformed-request');
    const csv = [
      ['Authorization', 'Bearer test-operator-token-0123456789'],
      ['Content-Type', 'text/csv; charset=fz-unknown'],
    ] as [string, string][];
    expectProblem(await raw('POST', '/v1/agencies:import', csv, Buffer.from('code,name,level,parent\n')), 415, 'unsupported-media-type');
  });

  it('answers an empty agency import as a validation problem, JSON or CSV', async () => {
    const empty = await asOperator(hub.url, '/v1/agencies:import', { body: '[]' });
    expect(empty.status).toBe(422);
    expect(((await empty.json()) as { errors: { message: string }[] }).errors[0]?.message).toMatch(/at least one agency/);
    const headerOnly = await asOperator(hub.url, '/v1/agencies:import', { body: 'code,name,level,parent\n', contentType: 'text/csv' });
    expect(headerOnly.status).toBe(422);
  });

  it('refuses a JSON body nested 5,000 levels deep before anything recurses into it, and writes nothing', async () => {
    const before = await settledEndOffsets(hub.topics.ingress);
    const shallow = JSON.stringify({ ...documentSent(), type: 'vn.gov.record.synced', data: { register: 'x', key: 'k', record: 'DEEP' } });
    const deep = shallow.replace('"DEEP"', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`);
    expectProblem(await asSender(Buffer.from(deep)), 413, 'body-too-deep');
    expect(await endOffsets(hub.topics.ingress)).toEqual(before);
  });

  it('refuses invalid UTF-8 instead of replacing it, and CloudEvents strings with controls or lone surrogates', async () => {
    const text = JSON.stringify(documentSent({ subject: 'VB-UTF8' }));
    const at = text.indexOf('VB-UTF8');
    const broken = Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from([0xc0, 0xaf]), Buffer.from(text.slice(at))]);
    const res = await asSender(broken);
    expectProblem(res, 400, 'malformed-body');
    for (const [field, value] of [
      ['id', 'a\u0000b'],
      ['subject', 'a\ud800b'],
      ['correlationid', 'x\u0085y'],
    ] as const) {
      const answer = await asSender(Buffer.from(JSON.stringify(documentSent({ [field]: value }))));
      expectProblem(answer, 422, 'validation-failed');
      expect(problemOf(answer).errors?.map((e) => e.path)).toContain(`/${field}`);
    }
  });

  it('refuses edXML entity references that would resolve through Object.prototype, and a second root element', async () => {
    const inbound = (xml: string) =>
      raw(
        'POST',
        '/v1/connectors/qn-vp-edxml/inbound',
        [
          ['Authorization', `Bearer ${edxmlToken}`],
          ['Content-Type', 'application/xml'],
        ],
        Buffer.from(xml),
      );
    const pkg = readFileSync('connectors/edxml/fixtures/document-sent.xml', 'utf8');
    const withEntity = pkg.replace(/(<edXML:Subject>)/, '$1&toString; ');
    expect(withEntity).not.toBe(pkg);
    expectProblem(await inbound(withEntity), 422, 'decode-failed');
    expectProblem(await inbound(`${pkg}<edXML:edXMLEnvelope/>`), 422, 'decode-failed');
  });

  it('applies LGSP_MAX_BATCH to the native inbound route: a portal body with 1,000 dossiers is refused whole', async () => {
    const portal = JSON.parse(readFileSync('connectors/dvcqg/fixtures/dong-bo-ho-so-mc.json', 'utf8')) as { data: Record<string, unknown>[] };
    const template = portal.data[0]!;
    portal.data = Array.from({ length: 1000 }, (_, i) => ({ ...template, MaHoSo: `H49.31-250715-${String(i).padStart(4, '0')}` }));
    const before = await settledEndOffsets(hub.topics.ingress);
    const res = await raw(
      'POST',
      '/v1/connectors/qn-motcua/inbound',
      [
        ['Authorization', `Bearer ${portalToken}`],
        ['Content-Type', 'application/json'],
      ],
      Buffer.from(JSON.stringify(portal)),
    );
    expectProblem(res, 413, 'batch-too-large');
    expect(await endOffsets(hub.topics.ingress)).toEqual(before);
  });

  it('answers requests Node refuses at the HTTP layer with problem+json: huge headers, a bad request line, an unknown Expect', async () => {
    expectProblem(await raw('GET', '/healthz', [['X-Big', 'x'.repeat(20_000)]]), 431, 'headers-too-large');
    expectProblem(await raw('FZ', '/healthz'), 400, 'malformed-request');
    expectProblem(await raw('GET', '/healthz', [['Expect', 'fz-continue']]), 417, 'expectation-failed');
  });

  it('cuts off slow clients (slowloris) with 408 request-timeout, while others are served', async () => {
    const { hostname, port } = new URL(hub.url);
    const slow = Array.from({ length: 20 }, () => {
      const socket = connect(Number(port), hostname);
      socket.write('POST /v1/messages HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      const answer = new Promise<string>((resolve) => {
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString('latin1')));
        socket.on('close', () => resolve(text));
        socket.on('error', () => undefined);
      });
      return answer;
    });
    const started = Date.now();
    expect((await fetch(`${hub.url}/healthz`)).status).toBe(200);
    const answers = await Promise.all(slow);
    expect(Date.now() - started).toBeLessThan(10_000);
    for (const answer of answers) {
      expect(answer).toMatch(/^HTTP\/1\.1 408 /);
      expect(answer).toContain('https://lgsp-hub.dev/problems/request-timeout');
    }
  });
});
