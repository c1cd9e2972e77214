import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { consoleRoutes } from '../console/console-route.ts';
import { PROBLEM_BASE_URI, PROBLEMS } from '../contract/problems.ts';
import { SchemaSet } from '../contract/schema-set.ts';
import { deadLettersRoutes } from '../delivery/dead-letters-route.ts';
import { inboundRoutes } from '../ingest/inbound-route.ts';
import { messagesRoutes } from '../ingest/messages-route.ts';
import { agenciesRoutes } from '../registry/agencies-route.ts';
import { connectorsRoutes } from '../registry/connectors-route.ts';
import { messagesTraceRoutes } from '../tracking/messages-trace-route.ts';
import { auditRoutes } from '../operators/audit-route.ts';
import { operatorsRoutes } from '../operators/operators-route.ts';
import { createLogger } from '../ops/logger.ts';
import { Metrics } from '../ops/metrics.ts';
import { Readiness } from '../ops/readiness.ts';
import { createApp } from './app.ts';
import { componentName, openApiDocument } from './openapi.ts';
import { opsRoutes } from './ops-routes.ts';

type Node = Record<string, unknown>;
const SCHEMAS = fileURLToPath(new URL('../../schemas/', import.meta.url));
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];

// The hub's route table as `startHub` builds it; handlers never run here, so their parts are stubs.
const MAX_BATCH = 7;
const MAX_BODY_BYTES = 123_456;
const schemas = await SchemaSet.load();
const stub = {} as never;
const table = [
  ...opsRoutes({ metrics: stub, readiness: stub, document: () => ({}) }),
  ...messagesRoutes({ intake: stub, schemas, maxBatchSize: MAX_BATCH }),
  ...inboundRoutes(stub, stub, stub),
  ...agenciesRoutes(stub, schemas),
  ...connectorsRoutes(stub, stub, schemas, 86_400_000),
  ...messagesTraceRoutes(stub),
  ...deadLettersRoutes(stub, stub),
  ...consoleRoutes(),
  ...operatorsRoutes(stub, 0),
  ...auditRoutes(stub),
];
const doc = openApiDocument(table, schemas, { maxBodyBytes: MAX_BODY_BYTES }) as Node & {
  paths: Record<string, Record<string, Node>>;
  components: Node & { schemas: Record<string, Node>; responses: Record<string, Node> };
};

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null;
}

/** Every `$ref` in the document with where it is. */
function refs(node: unknown, at = '#'): { at: string; ref: string }[] {
  if (!isNode(node)) return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === '$ref' && typeof value === 'string' ? [{ at, ref: value }] : refs(value, `${at}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`),
  );
}

/** Resolves an in-document reference (`#/a/b~1c`), or undefined. */
function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let node: unknown = doc;
  for (const token of ref
    .slice(2)
    .split('/')
    .map((t) => decodeURIComponent(t).replace(/~1/g, '/').replace(/~0/g, '~'))) {
    if (!isNode(node) || !Object.hasOwn(node, token)) return undefined;
    node = node[token];
  }
  return node;
}

function operations(): { method: string; path: string; op: Node }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([m]) => METHODS.includes(m))
      .map(([method, op]) => ({ method, path, op })),
  );
}

function schemaFiles(): string[] {
  return readdirSync(SCHEMAS, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json'))
    .map((e) => relative(SCHEMAS, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((rel) => !rel.split('/').includes('examples'));
}

describe('openApiDocument', () => {
  it('is an OpenAPI 3.1 document with the 2020-12 dialect', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(Object.keys(doc.paths).length).toBeGreaterThan(10);
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc); // plain JSON, servable as is
  });

  it('gives every operation an id, its security, and responses', () => {
    const ids = new Set<string>();
    for (const { method, path, op } of operations()) {
      const name = `${method.toUpperCase()} ${path}`;
      expect(typeof op.operationId, name).toBe('string');
      expect(ids.has(op.operationId as string), `${name}: duplicate operationId`).toBe(false);
      ids.add(op.operationId as string);
      expect(Array.isArray(op.security), `${name}: security stated`).toBe(true);
      for (const requirement of op.security as Node[]) {
        for (const scheme of Object.keys(requirement)) expect(Object.keys(doc.components.securitySchemes as Node), `${name}: ${scheme}`).toContain(scheme);
      }
      const statuses = Object.keys(op.responses as Node);
      expect(
        statuses.some((s) => /^2\d\d$/.test(s)),
        `${name}: a success answer`,
      ).toBe(true);
      if ((op.security as Node[]).length > 0) expect(statuses, `${name}: authenticated, so 401`).toContain('401');
      for (const param of [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])) {
        expect(
          (op.parameters as Node[] | undefined)?.find((p) => p.in === 'path' && p.name === param),
          `${name}: parameter ${param}`,
        ).toMatchObject({ required: true, example: expect.any(String) });
      }
    }
  });

  it('comes from a table the app binds: every route declares its caller, every schema compiles in strict mode', () => {
    const app = createApp({
      metrics: new Metrics(),
      readiness: new Readiness(),
      logger: createLogger({ logLevel: 'silent', logPretty: false }),
      schemas,
      auth: { operators: stub, credentials: stub },
      maxBodyBytes: MAX_BODY_BYTES,
      routes: table.slice(4),
    });
    expect(typeof app).toBe('function');
  });

  it('has one operation per route of the table, and no other', () => {
    expect(
      operations()
        .map(({ method, path }) => `${method} ${path}`)
        .sort(),
    ).toEqual(table.map((r) => `${r.method} ${r.path}`).sort());
  });

  it('reflects the configuration: LGSP_MAX_BATCH and LGSP_MAX_BODY_BYTES', () => {
    const send = doc.paths['/v1/messages']!.post!;
    const content = (send.requestBody as { content: Record<string, { schema: Node }> }).content;
    expect(content['application/cloudevents-batch+json']!.schema).toMatchObject({ type: 'array', minItems: 1, maxItems: MAX_BATCH });
    expect(send.description).toContain(`at most ${MAX_BATCH} events`);
    expect((send.requestBody as { description: string }).description).toContain(`At most ${MAX_BODY_BYTES} bytes (LGSP_MAX_BODY_BYTES)`);
    expect((doc.paths['/v1/dead-letters:replay']!.post!.requestBody as { description: string }).description).toContain(`At most ${1024 * 1024} bytes.`);
    expect((doc.info as { description: string }).description).toContain(String(MAX_BODY_BYTES));
  });

  it('documents each problem a route may answer under its status', () => {
    const statuses = (method: string, path: string) => Object.keys(doc.paths[path]![method]!.responses as Node);
    // A connector's request may be over its rate limit (429).
    expect(statuses('post', '/v1/messages')).toEqual(['202', '400', '401', '403', '413', '415', '422', '429', '500', '503']);
    expect(statuses('get', '/v1/dead-letters/{id}')).toEqual(['200', '400', '401', '403', '404', '500']);
    expect(statuses('get', '/v1/dead-letters')).toEqual(['200', '401', '403', '422', '500']);
    // An operator's change may be refused for its role (403) or for its audit record (503).
    expect(statuses('delete', '/v1/operators/{name}')).toEqual(['204', '400', '401', '403', '404', '409', '500', '503']);
    expect(statuses('get', '/healthz')).toEqual(['200', '500']);
    expect(doc.components.responses.Problem401!.headers).toHaveProperty('WWW-Authenticate');
    expect(doc.components.responses.Problem503!.headers).toHaveProperty('Retry-After');
    expect(doc.components.responses.Problem429!.headers).toHaveProperty('Retry-After');
  });

  it('states who may call each route', () => {
    const security = (method: string, path: string) => doc.paths[path]?.[method]?.security;
    const connector = [{ connectorToken: [] }, { connectorCertificate: [] }];
    expect(security('post', '/v1/messages')).toEqual(connector);
    expect(security('post', '/v1/connectors/{id}/inbound')).toEqual(connector);
    expect(security('get', '/v1/messages/{id}')).toEqual([{ operatorToken: [] }, ...connector]);
    expect(security('post', '/v1/connectors')).toEqual([{ operatorToken: [] }]);
    expect(security('post', '/v1/dead-letters:replay')).toEqual([{ operatorToken: [] }]);
    for (const path of ['/healthz', '/readyz', '/metrics', '/openapi.json']) expect(security('get', path), path).toEqual([]);
  });

  it("states each operator route's least role: viewer to read, operator to change, admin for operators", () => {
    const role = (method: string, path: string) => doc.paths[path]?.[method]?.['x-lgsp-role'];
    expect(role('get', '/v1/connectors')).toBe('viewer');
    expect(role('get', '/v1/audit')).toBe('viewer');
    expect(role('post', '/v1/connectors')).toBe('operator');
    expect(role('post', '/v1/dead-letters:replay')).toBe('operator');
    for (const method of ['get', 'post']) expect(role(method, '/v1/operators'), method).toBe('admin');
    expect(role('post', '/v1/messages')).toBeUndefined();
  });

  it('resolves every $ref inside the document', () => {
    const all = refs(doc);
    expect(all.length).toBeGreaterThan(50);
    for (const { at, ref } of all) expect(resolve(ref), `${at}: ${ref}`).toBeDefined();
  });

  it('carries every schema under schemas/ as a component, without $id', () => {
    for (const rel of schemaFiles()) {
      const schema = doc.components.schemas[componentName(rel)];
      const { $id } = JSON.parse(readFileSync(join(SCHEMAS, rel), 'utf8')) as { $id: string };
      expect(schema, rel).toBeDefined();
      expect(schema!.$id, `${rel}: an $id would change the base of its #/components refs`).toBeUndefined();
      expect(schema!.$comment).toBe(`$id ${$id}`);
    }
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Envelope', 'Agency', 'Connector', 'Common', 'vn.gov.document.sent.v1']));
  });

  it('lists every problem type of the catalogue, each under its status', () => {
    const problem = doc.components.schemas.ProblemDetails!;
    const types = Object.keys(PROBLEMS).map((code) => PROBLEM_BASE_URI + code);
    for (const type of types) expect(problem.description, type).toContain(type);
    expect((problem.properties as { type: { enum: string[] } }).type.enum).toEqual(types);
    for (const [code, { status }] of Object.entries(PROBLEMS)) {
      const response = doc.components.responses[`Problem${status}`];
      expect(response?.description, code).toContain(`\`${code}\``);
      expect(Object.keys(response?.content as Node)).toEqual(['application/problem+json']);
    }
  });
});

/**
 * The strongest check that the references resolve: a JSON Schema validator follows them. The
 * whole document is added to ajv under one URI and each component compiled by pointer into it;
 * then the repository's own examples must pass (valid-*) or fail (invalid-*) as with SchemaSet.
 */
describe('components/schemas validate as the schemas they came from', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajvFormats.default(ajv);
  ajv.addSchema(doc, 'urn:lgsp-hub:openapi');
  const validator = (name: string) => ajv.compile({ $ref: `urn:lgsp-hub:openapi#/components/schemas/${name}` });

  const cases: [string, string, string][] = [
    ['Agency', 'examples/agency', 'value'],
    ['Connector', 'examples/connector', 'value'],
    ...readdirSync(join(SCHEMAS, 'messages', 'examples')).map((folder): [string, string, string] => ['CloudEvent', `messages/examples/${folder}`, 'event']),
  ];
  for (const [component, folder, key] of cases) {
    it(`${component}: schemas/${folder}`, () => {
      const validate = validator(component);
      const files = readdirSync(join(SCHEMAS, folder)).filter((f) => f.endsWith('.json'));
      expect(files.length).toBeGreaterThan(0);
      for (const file of files) {
        const body = JSON.parse(readFileSync(join(SCHEMAS, folder, file), 'utf8')) as Node;
        const valid = file.startsWith('valid-');
        expect(validate(valid ? body : body[key]), `${folder}/${file}: ${JSON.stringify(validate.errors?.slice(0, 2))}`).toBe(valid);
      }
    });
  }

  it('compiles every component schema', () => {
    for (const name of Object.keys(doc.components.schemas)) expect(() => validator(name), name).not.toThrow();
  });
});
