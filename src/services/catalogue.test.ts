import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { SchemaSet } from '../contract/schema-set.ts';
import { createApp } from '../http/app.ts';
import { closeServer } from '../http/server.ts';
import { createLogger } from '../ops/logger.ts';
import { Metrics } from '../ops/metrics.ts';
import { Readiness } from '../ops/readiness.ts';
import { openApiOf, ServiceCatalogue, type CatalogueRegistry } from './catalogue.ts';
import type { StoredGrant, StoredRefusal, StoredService } from './service-record.ts';

const schemas = await SchemaSet.load();
const NOW = new Date('2025-08-01T08:00:00+07:00');
const COMMUNE = { id: 'qn-halong-motcua', agency: '000.02.05.H49' };

const SERVICE: StoredService = {
  id: 'population-lookup',
  provider: 'qn-csdlqg-dancu',
  endpoint: 'http://127.0.0.1:9/dan-cu',
  title: 'Tra cứu thông tin công dân (population database lookup)',
  version: '1.0.0',
  classification: 'personal',
  request: {
    type: 'object',
    required: ['soDinhDanh'],
    properties: { soDinhDanh: { type: 'string', pattern: '^\\d{12}$' } },
    additionalProperties: false,
  },
  createdAt: '2025-07-01T00:00:00Z',
  updatedAt: '2025-07-01T00:00:00Z',
  updatedBy: 'admin',
};

let n = 0;
function grant(consumer: string, purpose: string, expires?: string): StoredGrant {
  return {
    id: `g${++n}`,
    service: SERVICE.id,
    consumer,
    purpose,
    ...(expires ? { expires } : {}),
    grantedAt: '2025-07-02T00:00:00Z',
    grantedBy: 'admin',
  };
}

function refusal(consumer: string, reason: string, purpose?: string): StoredRefusal {
  return { id: `r${++n}`, service: SERVICE.id, consumer, reason, ...(purpose ? { purpose } : {}), refusedAt: '2025-07-03T00:00:00Z', refusedBy: 'thanh-tra' };
}

/** A registry holding `grants` and `refusals` of SERVICE (and another service's grant, never to be taken). */
function catalogue(grants: StoredGrant[] = [], refusals: StoredRefusal[] = [], services: StoredService[] = [SERVICE]) {
  const other = { ...grant(COMMUNE.id, 'identity-check'), service: 'business-lookup' };
  const registry: CatalogueRegistry = {
    services: () => [...services],
    service: (id) => services.find((s) => s.id === id),
    grants: (service) => [...grants, other].filter((g) => service === undefined || g.service === service),
    refusals: (service) => refusals.filter((r) => service === undefined || r.service === service),
  };
  return new ServiceCatalogue(registry, schemas);
}

const refusedWith = (c: ServiceCatalogue) => {
  const answer = c.grantFor(SERVICE.id, COMMUNE, 'identity-check', NOW);
  if (!('refused' in answer)) throw new Error(`expected a refusal, got grant ${answer.grant.id}`);
  return answer.refused;
};

describe('ServiceCatalogue.grantFor', () => {
  it("takes a live grant for the purpose, naming the connector or its agency; the connector's own first", () => {
    const byAgency = grant(COMMUNE.agency, 'identity-check');
    const byConnector = grant(COMMUNE.id, 'identity-check', '2025-08-01T01:00:01Z');
    expect(catalogue([byAgency]).grantFor(SERVICE.id, COMMUNE, 'identity-check', NOW)).toEqual({ grant: byAgency });
    expect(catalogue([byAgency, byConnector]).grantFor(SERVICE.id, COMMUNE, 'identity-check', NOW)).toEqual({ grant: byConnector });
  });

  it('refuses a grant of another connector, of the parent agency, or of another service', () => {
    const refused = refusedWith(catalogue([grant('qn-other-system', 'identity-check'), grant('000.00.05.H49', 'identity-check')]));
    expect(refused).toBe(
      'No grant of service "population-lookup" to connector qn-halong-motcua (agency 000.02.05.H49); ask the hub\'s operators for one (POST /v1/services/population-lookup/grants with consumer qn-halong-motcua or 000.02.05.H49 and purpose "identity-check").',
    );
  });

  it('names the purposes granted when the purpose differs', () => {
    const refused = refusedWith(catalogue([grant(COMMUNE.id, 'dossier-intake'), grant(COMMUNE.agency, 'civil-status'), grant(COMMUNE.id, 'dossier-intake')]));
    expect(refused).toContain('for purpose(s) "dossier-intake", "civil-status" only, not "identity-check"; send one of those in X-LGSP-Purpose');
  });

  it('says when the grant expired (the latest one), an expiry at the very instant included', () => {
    const refused = refusedWith(
      catalogue([grant(COMMUNE.id, 'identity-check', '2025-07-15T00:00:00Z'), grant(COMMUNE.agency, 'identity-check', NOW.toISOString())]),
    );
    expect(refused).toContain(`for purpose "identity-check" expired at ${NOW.toISOString()}; ask the hub's operators to renew it`);
  });

  it('quotes a refusal on record for the purpose or any purpose, the latest first; one for another purpose is not quoted', () => {
    const expired = grant(COMMUNE.id, 'identity-check', '2025-07-15T00:00:00Z');
    expect(refusedWith(catalogue([expired], [refusal(COMMUNE.agency, 'Điều 17 Nghị định 13/2023', 'identity-check')]))).toBe(
      'Access to service "population-lookup" was refused to 000.02.05.H49 for purpose "identity-check" on 2025-07-03T00:00:00Z by thanh-tra: "Điều 17 Nghị định 13/2023". Take it up with the provider\'s agency; calls stay refused until an operator grants it.',
    );
    expect(refusedWith(catalogue([], [refusal(COMMUNE.id, 'first'), refusal(COMMUNE.id, 'second')]))).toContain(
      'for any purpose on 2025-07-03T00:00:00Z by thanh-tra: "second"',
    );
    expect(refusedWith(catalogue([expired], [refusal(COMMUNE.id, 'not this one', 'civil-status')]))).toContain('expired at 2025-07-15T00:00:00Z');
  });

  it('lets a grant through despite an earlier refusal: a refusal explains, it does not revoke', () => {
    const live = grant(COMMUNE.id, 'identity-check');
    expect(catalogue([live], [refusal(COMMUNE.id, 'Điều 10')]).grantFor(SERVICE.id, COMMUNE, 'identity-check', NOW)).toEqual({ grant: live });
  });
});

describe('ServiceCatalogue schemas', () => {
  it('compiles the request schema once per service record, and none for a service without one', () => {
    const c = catalogue();
    const check = c.requestCheck(SERVICE)!;
    expect(c.requestCheck(SERVICE)).toBe(check);
    expect(check({ soDinhDanh: '001203004567' })).toEqual([]);
    expect(check({ soDinhDanh: '12345', ten: 'Nguyễn Văn An' })).toEqual([
      { path: '/ten', message: 'is not an allowed property here' },
      { path: '/soDinhDanh', message: 'must match pattern "^\\d{12}$"' },
    ]);
    const nextVersion = { ...SERVICE, version: '1.1.0' };
    expect(c.requestCheck(nextVersion)).not.toBe(check);
    const { request: _none, ...withoutRequest } = SERVICE;
    expect(c.requestCheck(withoutRequest)).toBeUndefined();
  });

  it("compiles two versions with the same root $id (ajv would refuse the second), and refs to the hub's contract", () => {
    const c = catalogue();
    const withId = (type: string) => ({ ...SERVICE, request: { $id: 'https://provider.example/request.json', type } });
    expect(c.requestCheck(withId('object'))!([])).toEqual([{ path: '', message: 'must be object' }]);
    expect(c.requestCheck(withId('array'))!([])).toEqual([]);
    const agency = { $ref: 'https://lgsp-hub.dev/schemas/agency.schema.json#/properties/code' };
    expect(c.schemaIssues({ request: agency })).toEqual([]);
  });

  it('names each schema that does not compile, with the compiler’s reason', () => {
    const issues = catalogue().schemaIssues({ request: { type: 'objekt' }, response: { type: 'object', example: {} } });
    expect(issues.map((i) => i.path)).toEqual(['/request', '/response']);
    expect(issues[0]!.message).toMatch(/^is not a JSON Schema \(draft 2020-12\) the hub can compile: schema is invalid: data\/type must be equal/);
    expect(issues[1]!.message).toContain('strict mode: unknown keyword: "example"');
    expect(catalogue().schemaIssues({ request: { $ref: '#/$defs/missing' } })[0]!.message).toContain("can't resolve reference #/$defs/missing");
  });
});

describe('service OpenAPI documents', () => {
  it("serves the provider's document as given", () => {
    const openapi = { openapi: '3.0.3', info: { title: 'API tra cứu', version: '2' }, paths: {} };
    expect(openApiOf({ ...SERVICE, openapi })).toBe(openapi);
  });

  it('derives one from the entry: server at the hub, both headers required, the request and response schemas', () => {
    const response = { type: 'object', properties: { hoTen: { type: 'string' } } };
    const doc = openApiOf({ ...SERVICE, response, description: 'Xác minh công dân' }) as {
      info: Record<string, unknown>;
      servers: { url: string }[];
      paths: Record<
        string,
        Record<string, { parameters: { name: string; in: string; required: boolean }[]; requestBody: unknown; responses: Record<string, unknown> }>
      >;
    };
    expect(doc).toMatchObject({
      openapi: '3.1.0',
      info: { title: SERVICE.title, version: '1.0.0', description: 'Xác minh công dân', 'x-lgsp-classification': 'personal' },
    });
    expect(doc.servers).toEqual([{ url: '/v1/services/population-lookup', description: 'Through the LGSP hub' }]);
    const operation = doc.paths['/{path}']!.post!;
    expect(operation.parameters.filter((p) => p.in === 'header').map((p) => [p.name, p.required])).toEqual([
      ['X-LGSP-Officer', true],
      ['X-LGSP-Purpose', true],
    ]);
    expect(operation.requestBody).toEqual({ required: true, content: { 'application/json': { schema: SERVICE.request } } });
    expect(operation.responses.default).toMatchObject({ content: { 'application/json': { schema: response } } });
    const { request: _none, ...withoutRequest } = SERVICE;
    expect(Object.keys((openApiOf(withoutRequest) as typeof doc).paths['/{path}']!)).toEqual(['get']);
  });

  describe("the hub's /openapi.json", () => {
    const services = [SERVICE, { ...SERVICE, id: 'business-lookup', title: 'Tra cứu doanh nghiệp', classification: 'public' as const }];
    const c = catalogue([], [], services);
    const app = createApp({
      metrics: new Metrics(),
      readiness: new Readiness(),
      logger: createLogger({ logLevel: 'silent', logPretty: false }),
      schemas,
      auth: { operators: {} as never, credentials: {} as never },
      maxBodyBytes: 65_536,
      documentExtras: () => c.openApiExtras(),
    });
    const server = app.listen(0, '127.0.0.1');
    afterAll(() => closeServer(server));

    it('links every service’s document, as the catalogue is at the request', async () => {
      if (!server.listening) await once(server, 'listening');
      const { port } = server.address() as AddressInfo;
      const doc = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as Record<string, unknown>;
      expect(doc.openapi).toBe('3.1.0');
      expect(doc['x-lgsp-services']).toEqual([
        {
          id: 'business-lookup',
          title: 'Tra cứu doanh nghiệp',
          version: '1.0.0',
          classification: 'public',
          openapi: '/v1/services/business-lookup/openapi.json',
        },
        { id: 'population-lookup', title: SERVICE.title, version: '1.0.0', classification: 'personal', openapi: '/v1/services/population-lookup/openapi.json' },
      ]);
      services.shift(); // population-lookup deleted
      const again = (await (await fetch(`http://127.0.0.1:${port}/openapi.json`)).json()) as Record<string, unknown[]>;
      expect(again['x-lgsp-services']!.map((s) => (s as { id: string }).id)).toEqual(['business-lookup']);
    });
  });
});
