/**
 * The route table bound to express, on a real socket (port 0): deny by default, authentication by
 * the declared caller, request checking from the declared schemas, the problem mapping, and the
 * OpenAPI document served from the same table.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Type } from '@sinclair/typebox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubError } from '../contract/problems.ts';
import { SchemaSet } from '../contract/schema-set.ts';
import { createLogger } from '../ops/logger.ts';
import { Metrics } from '../ops/metrics.ts';
import { Readiness } from '../ops/readiness.ts';
import { createApp, type AppParts } from './app.ts';
import type { OperatorAction } from '../operators/audit-entry.ts';
import { contractRef, json, route, type Operator, type Route } from './route.ts';
import { RouteTableError } from './route-table.ts';

const ADMIN = 'operator-token-0123456789';
const VIEWER = 'viewer-token-0123456789';
const OPERATORS = new Map<string, Operator>([
  [ADMIN, { operator: true, name: 'an', role: 'admin' }],
  [VIEWER, { operator: true, name: 'binh', role: 'viewer' }],
]);
const CONNECTOR = { id: 'qn-stp-eoffice', agency: '000.00.15.H49' };
/** What the binding audited, and whether the audit write fails (as Kafka refusing it would). */
const audited: OperatorAction[] = [];
let auditFails = false;
const schemas = await SchemaSet.load();
const ok = { 200: json({ type: 'object' }, 'Done.') };

function parts(routes: readonly Route[]): AppParts {
  return {
    metrics: new Metrics(),
    readiness: new Readiness(),
    logger: createLogger({ logLevel: 'silent', logPretty: false }),
    schemas,
    auth: {
      operators: () => ({ verify: (token) => OPERATORS.get(token) }),
      credentials: () => ({
        verify: (token) => (token === 'connector-token' ? CONNECTOR : undefined),
        connectorOfCertificate: () => undefined,
        requiresCertificate: () => false,
      }),
    },
    audit: async (action) => {
      if (auditFails) throw new HubError('kafka-unavailable', 'The audit write failed.');
      audited.push(action);
    },
    maxBodyBytes: 2048,
    routes,
  };
}

const routes: Route[] = [
  route({
    method: 'get',
    path: '/t/operator',
    auth: 'operator',
    tag: 't',
    summary: 'operator',
    responses: ok,
    handle: ({ caller }) => ({ status: 200, json: caller }),
  }),
  route({
    method: 'get',
    path: '/t/connector',
    auth: 'connector',
    tag: 't',
    summary: 'connector',
    responses: ok,
    handle: ({ caller }) => ({ status: 200, json: caller }),
  }),
  route({
    method: 'get',
    path: '/t/caller',
    auth: 'caller',
    tag: 't',
    summary: 'caller',
    responses: ok,
    handle: ({ caller }) => ({ status: 200, json: caller }),
  }),
  route({
    method: 'post',
    path: '/t/things/{id}:act',
    auth: 'operator',
    tag: 't',
    summary: 'an operator action',
    params: Type.Object({ id: Type.String({ examples: ['x'] }) }),
    body: { content: { 'application/json': Type.Object({ id: Type.String(), secret: Type.String() }) } },
    responses: ok,
    handle: ({ params }) => {
      if (params.id === 'missing') throw new HubError('not-found', 'No such thing.');
      return { status: 200, json: {} };
    },
  }),
  route({
    method: 'get',
    path: '/t/admin',
    auth: 'operator',
    role: 'admin',
    tag: 't',
    summary: 'admins only',
    responses: ok,
    handle: () => ({ status: 200, json: {} }),
  }),
  route({
    method: 'get',
    path: '/t/letters/{id}',
    auth: 'public',
    tag: 't',
    summary: 'params',
    params: Type.Object({ id: Type.String({ pattern: '^\\d+:\\d+$', examples: ['0:42'] }) }),
    responses: ok,
    handle: ({ params }) => ({ status: 200, json: params }),
  }),
  route({
    method: 'post',
    path: '/t/letters/{id}:replay',
    auth: 'public',
    tag: 't',
    summary: 'custom method',
    params: Type.Object({ id: Type.String({ examples: ['0:42'] }) }),
    responses: ok,
    handle: ({ params }) => ({ status: 200, json: { replayed: params.id } }),
  }),
  route({
    method: 'get',
    path: '/t/query',
    auth: 'public',
    tag: 't',
    summary: 'query',
    query: Type.Object(
      {
        limit: Type.Integer({ minimum: 1, maximum: 10, default: 5 }),
        all: Type.Boolean({ default: false }),
        from: Type.Optional(Type.String({ format: 'date-or-date-time' })),
      },
      { additionalProperties: false },
    ),
    responses: ok,
    handle: ({ query }) => ({ status: 200, json: query }),
  }),
  route({
    method: 'put',
    path: '/t/agency',
    auth: 'public',
    tag: 't',
    summary: 'body',
    body: { content: { 'application/json': contractRef('agency.schema.json') } },
    responses: ok,
    handle: ({ body, mediaType }) => ({ status: 200, json: { body, mediaType } }),
  }),
  route({
    method: 'get',
    path: '/t/undeclared',
    auth: 'public',
    tag: 't',
    summary: 'answers a status it does not declare',
    responses: ok,
    handle: () => ({ status: 201, json: {} }),
  }),
  route({
    method: 'get',
    path: '/t/unavailable',
    auth: 'public',
    tag: 't',
    summary: 'a retriable problem',
    responses: ok,
    handle: () => {
      throw new HubError('kafka-unavailable', 'Kafka is down.', { retryAfterSeconds: 3 });
    },
  }),
];

describe('the route table at start-up', () => {
  const base = routes[0]!;

  it('refuses a route that does not declare its caller (deny by default)', () => {
    const { auth: _none, ...open } = base;
    for (const undeclared of [open, { ...base, auth: undefined }, { ...base, auth: 'everyone' }]) {
      const attempt = () => createApp(parts([undeclared as unknown as Route]));
      expect(attempt).toThrow(RouteTableError);
      expect(attempt).toThrow(/GET \/t\/operator: declares no caller/);
      try {
        attempt();
      } catch (err) {
        expect(err).toMatchObject({ code: 'route-without-caller', retriable: false, route: 'GET /t/operator' });
      }
    }
  });

  it('refuses routes that are inconsistent', () => {
    const invalid = (route: Record<string, unknown>, why: RegExp) => expect(() => createApp(parts([route as unknown as Route]))).toThrow(why);
    invalid({ ...base, path: '/t/{id}' }, /path parameters \["id"\] differ/);
    invalid({ ...base, method: 'head' }, /method must be one of/);
    invalid({ ...base, path: '/t/{rest+}/more', params: { type: 'object', properties: { rest: { type: 'string' } } } }, /at most a last \{rest\+\}/);
    invalid({ ...base, responses: { 404: { description: 'no' } } }, /no success answer/);
    invalid({ ...base, body: { content: { 'text/csv': {} }, read: 'text' } }, /name its check in checkedBy/);
    expect(() => createApp(parts([base, { ...base, summary: 'again' }]))).toThrow(/declared twice/);
    expect(() => createApp(parts([{ ...base, path: '/healthz', auth: 'public' }]))).toThrow(/declared twice/);
  });
});

describe('a route table bound to express', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const app = createApp(parts(routes));
    server = await new Promise<Server>((res) => {
      const s = app.listen(0, '127.0.0.1', () => res(s));
    });
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((res) => server.close(() => res())));

  const call = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${url}${path}`, {
      ...init,
      headers: { ...(init.token ? { authorization: `Bearer ${init.token}` } : {}), ...(init.headers as Record<string, string>) },
    });
  const problem = async (res: Response) => {
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    return (await res.json()) as { type: string; status: number; detail: string; errors?: { path: string; message: string }[] };
  };
  const typeOf = (code: string) => `https://lgsp-hub.dev/problems/${code}`;

  it('admits each declared caller and no one else', async () => {
    expect(await (await call('/t/operator', { token: ADMIN })).json()).toEqual({ operator: true, name: 'an', role: 'admin' });
    expect(await (await call('/t/connector', { token: 'connector-token' })).json()).toEqual(CONNECTOR);
    expect(await (await call('/t/caller', { token: ADMIN })).json()).toEqual({ operator: true, name: 'an', role: 'admin' });
    expect(await (await call('/t/caller', { token: 'connector-token' })).json()).toEqual({ operator: false, connector: CONNECTOR });
    for (const [path, token] of [
      ['/t/operator', undefined],
      ['/t/operator', 'connector-token'],
      ['/t/connector', ADMIN],
      ['/t/caller', 'nobody'],
    ] as const) {
      const res = await call(path, { token });
      expect(res.status, `${path} with ${token}`).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="lgsp-hub"');
      expect((await problem(res)).type).toBe(typeOf('unauthenticated'));
    }
  });

  it("checks the operator's role, and audits each change, refusal and failed sign-in before answering", async () => {
    audited.length = 0;
    const act = (id: string, token?: string) =>
      call(`/t/things/${id}:act`, { method: 'POST', token, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id, secret: 's3cret' }) });
    expect((await call('/t/operator', { token: VIEWER })).status).toBe(200);
    expect((await call('/t/admin', { token: ADMIN })).status).toBe(200);
    expect(audited, 'reads are not audited').toEqual([]);

    const refused = await act('x', VIEWER);
    expect(refused.status).toBe(403);
    expect((await problem(refused)).detail).toMatch(/needs the role operator; operator "binh" has the role viewer/);
    expect((await call('/t/admin', { token: VIEWER })).status).toBe(403);
    expect((await act('x', ADMIN)).status).toBe(200);
    expect((await act('missing', ADMIN)).status).toBe(404);
    expect((await act('x', 'lgsp-op.an.guessed')).status).toBe(401);
    expect(audited).toEqual([
      { operator: 'binh', role: 'viewer', action: 'POST /t/things/{id}:act', params: { id: 'x' }, outcome: 403, problem: 'forbidden' },
      { operator: 'binh', role: 'viewer', action: 'GET /t/admin', outcome: 403, problem: 'forbidden' },
      { operator: 'an', role: 'admin', action: 'POST /t/things/{id}:act', params: { id: 'x' }, body: { id: 'x' }, outcome: 200 },
      {
        operator: 'an',
        role: 'admin',
        action: 'POST /t/things/{id}:act',
        params: { id: 'missing' },
        body: { id: 'missing' },
        outcome: 404,
        problem: 'not-found',
      },
      { claimed: 'an', action: 'POST /t/things/{id}:act', params: { id: 'x' }, outcome: 401, problem: 'unauthenticated' },
    ]);
    expect(JSON.stringify(audited)).not.toMatch(/s3cret|guessed/);

    auditFails = true;
    try {
      const unrecorded = await act('x', ADMIN);
      expect(unrecorded.status).toBe(503);
      expect((await problem(unrecorded)).type).toBe(typeOf('kafka-unavailable'));
      expect((await call('/t/operator', { token: ADMIN })).status, 'a read needs no audit record').toBe(200);
    } finally {
      auditFails = false;
    }
  });

  it('decodes path parameters safely and answers a refused one as not found', async () => {
    expect(await (await call('/t/letters/0%3A42')).json()).toEqual({ id: '0:42' });
    expect(await (await call('/t/letters/0:42:replay', { method: 'POST' })).json()).toEqual({ replayed: '0:42' });
    const shape = await call('/t/letters/abc');
    expect(shape.status).toBe(404);
    expect((await problem(shape)).type).toBe(typeOf('not-found'));
    const malformed = await call('/t/letters/%E0%A4%A');
    expect(malformed.status).toBe(400);
    expect((await problem(malformed)).type).toBe(typeOf('malformed-request'));
  });

  it('types the query from its schema, applies defaults, and names each refused parameter', async () => {
    expect(await (await call('/t/query')).json()).toEqual({ limit: 5, all: false });
    expect(await (await call('/t/query?limit=7&all=true&from=2025-07-01')).json()).toEqual({ limit: 7, all: true, from: '2025-07-01' });
    const bad = await call('/t/query?limit=0&all=yes&from=yesterday&extra=1&limit=2');
    expect(bad.status).toBe(422);
    const { type, errors } = await problem(bad);
    expect(type).toBe(typeOf('validation-failed'));
    expect(errors!.map((e) => e.path).sort()).toEqual(['/all', '/extra', '/from', '/limit']);
    expect(errors!.find((e) => e.path === '/from')?.message).toBe('must be an ISO 8601 time, e.g. 2025-07-01T00:00:00Z');
    expect(errors!.find((e) => e.path === '/limit')?.message).toBe('give it once');
  });

  it('takes a body only in its media types, within the limit, as JSON, checked against its schema', async () => {
    const agency = { code: '000.00.15.H49', name: 'Sở Tư pháp', level: 'unit' };
    const put = (body: BodyInit, headers: Record<string, string> = { 'content-type': 'application/json' }) =>
      call('/t/agency', { method: 'PUT', body, headers });
    expect(await (await put(JSON.stringify(agency))).json()).toEqual({ body: agency, mediaType: 'application/json' });
    expect(await (await put(gzipSync(JSON.stringify(agency)), { 'content-type': 'application/json', 'content-encoding': 'gzip' })).json()).toEqual({
      body: agency,
      mediaType: 'application/json',
    });
    const cases: [Response, number, string][] = [
      [await put(JSON.stringify(agency), { 'content-type': 'text/plain' }), 415, 'unsupported-media-type'],
      [await put(JSON.stringify(agency), {}), 415, 'unsupported-media-type'],
      [await put(JSON.stringify(agency), { 'content-type': 'application/json; charset=klingon' }), 415, 'unsupported-media-type'],
      [await put(JSON.stringify(agency), { 'content-type': 'application/json', 'content-encoding': 'compress' }), 415, 'unsupported-encoding'],
      [await put('not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }), 400, 'malformed-request'],
      [await put('{"code": '), 400, 'malformed-json'],
      [await put(''), 400, 'malformed-json'],
      [await put(JSON.stringify({ ...agency, name: 'x'.repeat(3000) })), 413, 'body-too-large'],
    ];
    for (const [res, status, code] of cases) {
      expect(res.status, code).toBe(status);
      expect((await problem(res)).type).toBe(typeOf(code));
    }
    const invalid = await put(JSON.stringify({ code: '00.00.15', level: 'unit', extra: true }));
    expect(invalid.status).toBe(422);
    expect((await problem(invalid)).errors!.map((e) => e.path).sort()).toEqual(['/code', '/extra', '/name']);
  });

  it('answers a problem with its headers, and a reply outside the declaration as an internal error', async () => {
    const unavailable = await call('/t/unavailable');
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('3');
    expect((await problem(unavailable)).type).toBe(typeOf('kafka-unavailable'));
    const undeclared = await call('/t/undeclared');
    expect(undeclared.status).toBe(500);
    expect((await problem(undeclared)).detail).not.toMatch(/undeclared|201/);
    expect((await problem(await call('/t/nothing-here'))).type).toBe(typeOf('not-found'));
  });

  it('serves /openapi.json from the same table', async () => {
    const doc = (await (await call('/openapi.json')).json()) as { paths: Record<string, Record<string, { security: unknown[] }>> };
    expect(Object.keys(doc.paths).sort()).toEqual([...new Set(['/healthz', '/readyz', '/metrics', '/openapi.json', ...routes.map((r) => r.path)])].sort());
    expect(doc.paths['/t/caller']!.get!.security).toEqual([{ operatorToken: [] }, { connectorToken: [] }, { connectorCertificate: [] }]);
  });
});
