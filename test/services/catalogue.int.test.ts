/**
 * The data-sharing catalogue and grants against a hub on the real broker (docs/services.md): an
 * operator registers a provider's service, connectors and operators read the catalogue and its
 * OpenAPI documents, grants, revocations and refusals are recorded (and audited), and each wrong
 * request is refused with a problem that says what to fix.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hub } from '../../src/hub.ts';
import { asOperator, importDemoAgencies, registerConnector, startTestHub } from '../helpers/hub.ts';
import { as, createOperator } from '../helpers/operators.ts';

const PROVIDER = { id: 'qn-dancu-gateway', agency: '000.00.00.H49' } as const;
const CONSUMER = { id: 'qn-honggai-motcua', agency: '000.02.05.H49' } as const;
const SERVICE = {
  id: 'population-lookup',
  provider: PROVIDER.id,
  endpoint: 'http://127.0.0.1:9/dan-cu',
  title: 'Tra cứu thông tin công dân (population database lookup)',
  description: 'Xác minh họ tên và ngày sinh theo số định danh cá nhân.',
  version: '1.0.0',
  classification: 'personal',
  request: { type: 'object', required: ['soDinhDanh'], properties: { soDinhDanh: { type: 'string', pattern: '^\\d{12}$' } } },
};
const PROVIDER_DOC = { openapi: '3.0.3', info: { title: 'Đăng ký doanh nghiệp', version: '2.1' }, paths: { '/enterprises/{code}': {} } };
const BUSINESS = { ...SERVICE, id: 'business-lookup', title: 'Tra cứu doanh nghiệp', classification: 'public', openapi: PROVIDER_DOC };

interface Problem {
  type: string;
  detail: string;
  errors?: { path: string; message: string }[];
}

const problemOf = async (res: Response, status: number): Promise<Problem> => {
  const body = (await res.json()) as Problem;
  expect({ status: res.status, body }).toMatchObject({ status });
  return body;
};

describe('the data-sharing catalogue and grants', () => {
  let hub: Hub;
  let consumerToken: string;
  let providerToken: string;
  let viewerToken: string;
  const op = (path: string, init?: Parameters<typeof asOperator>[2]) => asOperator(hub.url, path, init);

  beforeAll(async () => {
    hub = await startTestHub();
    await importDemoAgencies(hub.url);
    providerToken = await registerConnector(hub.url, { ...PROVIDER, kind: 'webhook' });
    consumerToken = await registerConnector(hub.url, { ...CONSUMER, kind: 'webhook' });
    viewerToken = await createOperator(hub.url, 'thanh-tra', 'viewer');
  });
  afterAll(() => hub?.close());

  it('registers a service of a registered provider, and refuses a duplicate, an unknown provider, a forbidden endpoint and a schema that does not compile', async () => {
    const res = await op('/v1/services', { body: SERVICE });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe('/v1/services/population-lookup');
    expect(await res.json()).toMatchObject({ ...SERVICE, updatedBy: 'admin', openapiUrl: '/v1/services/population-lookup/openapi.json' });
    expect((await op('/v1/services', { body: BUSINESS })).status).toBe(201);

    expect((await problemOf(await op('/v1/services', { body: SERVICE }), 409)).detail).toBe(
      'A service "population-lookup" is registered already; PUT /v1/services/population-lookup replaces it.',
    );
    const unknown = await problemOf(await op('/v1/services', { body: { ...SERVICE, id: 'tax-lookup', provider: 'qn-thue' } }), 422);
    expect(unknown.errors).toEqual([
      {
        path: '/provider',
        message: 'no connector "qn-thue" is registered; register the provider\'s system first (POST /v1/connectors, lgsp connectors register <manifest.json>)',
      },
    ]);
    const bad = await problemOf(await op('/v1/services', { body: { ...SERVICE, id: 'tax-lookup', request: { type: 'object', example: {} } } }), 422);
    expect(bad.errors).toEqual([{ path: '/request', message: expect.stringContaining('strict mode: unknown keyword: "example"') as string }]);
    // The cloud metadata address: the outbound policy refuses it at registration, as for a connector's endpoint.
    const metadata = await problemOf(await op('/v1/services', { body: { ...SERVICE, id: 'tax-lookup', endpoint: 'http://169.254.169.254/latest' } }), 422);
    expect(metadata.errors?.[0]).toMatchObject({ path: '/endpoint' });
    const fragment = await problemOf(await op('/v1/services', { body: { ...SERVICE, id: 'tax-lookup', endpoint: 'http://127.0.0.1:9/base#' } }), 422);
    expect(fragment.errors?.[0]).toMatchObject({ path: '/endpoint', message: expect.stringContaining('no query') as string });
    expect((await op('/v1/services/tax-lookup')).status).toBe(404);
  });

  it('shows the catalogue to operators and connectors; only operators and the provider see the endpoint; documents are linked, not listed', async () => {
    type Listed = { services: Record<string, unknown>[] };
    const asOp = (await (await op('/v1/services')).json()) as Listed;
    expect(asOp.services.map((s) => s.id)).toEqual(['business-lookup', 'population-lookup']);
    expect(asOp.services[0]).not.toHaveProperty('openapi');
    expect(asOp.services[0]).toMatchObject({ endpoint: SERVICE.endpoint, openapiUrl: '/v1/services/business-lookup/openapi.json' });

    const asConsumer = (await (await as(consumerToken, hub.url, '/v1/services')).json()) as Listed;
    expect(asConsumer.services.map((s) => s.id)).toEqual(['business-lookup', 'population-lookup']);
    expect(asConsumer.services.every((s) => !('endpoint' in s))).toBe(true);
    const shown = (await (await as(consumerToken, hub.url, '/v1/services/business-lookup')).json()) as Record<string, unknown>;
    expect(shown).toMatchObject({ id: 'business-lookup', title: 'Tra cứu doanh nghiệp', openapi: PROVIDER_DOC });
    expect(shown).not.toHaveProperty('endpoint');
    expect(await (await as(providerToken, hub.url, '/v1/services/population-lookup')).json()).toMatchObject({ endpoint: SERVICE.endpoint });

    const missing = await problemOf(await as(consumerToken, hub.url, '/v1/services/tax-lookup'), 404);
    expect(missing.detail).toBe('No service "tax-lookup" in the catalogue; GET /v1/services (lgsp services list) lists them.');
    expect((await fetch(`${hub.url}/v1/services`)).status).toBe(401);
  });

  it("serves each service's OpenAPI document: the provider's, or one derived from the entry", async () => {
    expect(await (await as(consumerToken, hub.url, '/v1/services/business-lookup/openapi.json')).json()).toEqual(PROVIDER_DOC);
    const derived = (await (await as(consumerToken, hub.url, '/v1/services/population-lookup/openapi.json')).json()) as {
      servers: { url: string }[];
      paths: Record<string, Record<string, { parameters: { name: string; required: boolean }[]; requestBody: unknown }>>;
    };
    expect(derived).toMatchObject({ openapi: '3.1.0', info: { title: SERVICE.title, version: '1.0.0', description: SERVICE.description } });
    expect(derived.servers[0]!.url).toBe('/v1/services/population-lookup');
    const operation = derived.paths['/{path}']!.post!;
    expect(operation.parameters.filter((p) => p.name.startsWith('X-LGSP-')).map((p) => [p.name, p.required])).toEqual([
      ['X-LGSP-Officer', true],
      ['X-LGSP-Purpose', true],
    ]);
    expect(operation.requestBody).toEqual({ required: true, content: { 'application/json': { schema: SERVICE.request } } });
  });

  it("links every service's document from the hub's /openapi.json", async () => {
    // The links' shape is the unit test's (catalogue.test.ts); here: the hub serves them.
    const doc = (await (await fetch(`${hub.url}/openapi.json`)).json()) as { 'x-lgsp-services': { openapi: string }[] };
    expect(doc['x-lgsp-services'].map((s) => s.openapi)).toEqual(['/v1/services/business-lookup/openapi.json', '/v1/services/population-lookup/openapi.json']);
  });

  it('replaces a service under its own id only, keeping when it was created', async () => {
    const before = (await (await op('/v1/services/population-lookup')).json()) as { createdAt: string };
    const res = await op('/v1/services/population-lookup', { method: 'PUT', body: { ...SERVICE, version: '1.1.0' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ version: '1.1.0', createdAt: before.createdAt });
    const renamed = await problemOf(await op('/v1/services/population-lookup', { method: 'PUT', body: { ...SERVICE, id: 'dan-cu' } }), 422);
    expect(renamed.errors?.[0]?.path).toBe('/id');
    expect((await op('/v1/services/dan-cu', { method: 'PUT', body: { ...SERVICE, id: 'dan-cu' } })).status).toBe(404);
  });

  it('grants, revokes and refuses, each recorded and audited; refuses an unknown consumer, a past expiry and a refusal without its reason', async () => {
    const grants = '/v1/services/population-lookup/grants';
    const res = await op(grants, { body: { consumer: CONSUMER.agency, purpose: 'identity-check', quota: 60, note: 'Xác minh người nộp hồ sơ' } });
    expect(res.status).toBe(201);
    const granted = (await res.json()) as { id: string };
    expect(granted).toMatchObject({ service: 'population-lookup', consumer: CONSUMER.agency, purpose: 'identity-check', quota: 60, grantedBy: 'admin' });
    expect(granted.id).toMatch(/^[0-9a-f-]{36}$/);

    const stranger = await problemOf(await op(grants, { body: { consumer: 'qn-unknown-system', purpose: 'identity-check' } }), 422);
    expect(stranger.errors?.map((e) => e.path)).toEqual(['/consumer']);
    const past = await problemOf(await op(grants, { body: { consumer: CONSUMER.id, purpose: 'identity-check', expires: '2020-01-01T00:00:00Z' } }), 422);
    expect(past.errors?.map((e) => e.path)).toEqual(['/expires']);
    const noReason = await problemOf(await op(`${grants}:refuse`, { body: { consumer: CONSUMER.id, purpose: 'civil-status' } }), 422);
    expect(noReason.errors).toEqual([{ path: '/reason', message: 'is required' }]);
    const blank = await problemOf(await op(`${grants}:refuse`, { body: { consumer: CONSUMER.id, reason: '   ' } }), 422);
    expect(blank.errors?.map((e) => e.path)).toEqual(['/reason']);

    const reason = 'Khoản 2 Điều 17 Nghị định 13/2023/NĐ-CP: mục đích không cần dữ liệu cá nhân này';
    const refused = await op(`${grants}:refuse`, { body: { consumer: CONSUMER.id, purpose: 'civil-status', reason } });
    expect(refused.status).toBe(201);
    expect(await refused.json()).toMatchObject({ consumer: CONSUMER.id, purpose: 'civil-status', reason, refusedBy: 'admin' });

    type Listed = { grants: { id: string }[]; refusals: { reason: string }[] };
    const listed = (await (await as(viewerToken, hub.url, grants)).json()) as Listed;
    expect(listed.grants.map((g) => g.id)).toEqual([granted.id]);
    expect(listed.refusals.map((r) => r.reason)).toEqual([reason]);

    expect((await op(`${grants}/${granted.id}`, { method: 'DELETE' })).status).toBe(204);
    expect(((await (await op(grants)).json()) as Listed).grants).toEqual([]);
    expect((await problemOf(await op(`${grants}/${granted.id}`, { method: 'DELETE' }), 404)).detail).toContain(`No grant "${granted.id}"`);

    const audit = (await (await op('/v1/audit?action=/v1/services/')).json()) as { entries: { action: string; operator: string; outcome: number }[] };
    const done = audit.entries.filter((e) => e.outcome < 300).map((e) => `${e.operator} ${e.action} ${e.outcome}`);
    expect(done).toEqual(
      expect.arrayContaining([
        'admin POST /v1/services/{id}/grants 201',
        'admin POST /v1/services/{id}/grants:refuse 201',
        'admin DELETE /v1/services/{id}/grants/{grantId} 204',
      ]),
    );
  });

  it('lets a viewer read grants but not grant; a connector cannot grant at all', async () => {
    const grants = '/v1/services/population-lookup/grants';
    const viewer = await problemOf(await as(viewerToken, hub.url, grants, { body: { consumer: CONSUMER.id, purpose: 'identity-check' } }), 403);
    expect(viewer.detail).toContain('operator');
    expect((await as(consumerToken, hub.url, grants, { body: { consumer: CONSUMER.id, purpose: 'identity-check' } })).status).toBeGreaterThanOrEqual(401);
    expect(((await (await op(grants)).json()) as { grants: unknown[] }).grants).toEqual([]);
  });

  it('deletes a service with its grants; its refusals stay on record', async () => {
    const grants = '/v1/services/population-lookup/grants';
    expect((await op(grants, { body: { consumer: CONSUMER.id, purpose: 'identity-check' } })).status).toBe(201);
    expect((await op('/v1/services/population-lookup', { method: 'DELETE' })).status).toBe(204);
    expect((await op('/v1/services/population-lookup')).status).toBe(404);
    expect((await op(grants)).status).toBe(404);

    expect((await op('/v1/services', { body: SERVICE })).status).toBe(201);
    const again = (await (await op(grants)).json()) as { grants: unknown[]; refusals: unknown[] };
    expect(again.grants).toEqual([]);
    expect(again.refusals).toHaveLength(1);
  });
});
