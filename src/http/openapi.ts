/**
 * The OpenAPI 3.1 description of the HTTP API, served at `GET /openapi.json`, derived from the
 * route table when the app is made: each route's operation (its caller as `security`, its
 * parameters, body and answers from its schemas, its problems from `problemsOf`), the contract's
 * schemas and the routes' named schemas as components (`openapi-schemas.ts`), one response per
 * problem status. Limits come from the configuration (LGSP_MAX_BODY_BYTES here; LGSP_MAX_BATCH
 * through the messages route's schema). Throws when a schema cannot be placed in the document.
 *
 * `test/http/openapi.int.test.ts` checks this document against the running hub, both ways.
 */
import { PROBLEM_BASE_URI, PROBLEM_CODES, PROBLEMS, type ProblemCode } from '../contract/problems.ts';
import type { SchemaSet } from '../contract/schema-set.ts';
import { Components, ref, type Json, type JsonObject } from './openapi-schemas.ts';
import { requiredRole } from './auth.ts';
import { PROBLEM_HEADERS } from './problem-handler.ts';
import type { Auth, JsonSchema, Route } from './route.ts';
import { openApiPath, problemsOf, propertiesOf } from './route-table.ts';

export { componentName } from './openapi-schemas.ts';

export interface OpenApiOptions {
  /** LGSP_MAX_BODY_BYTES. */
  readonly maxBodyBytes: number;
}

const SECURITY: Record<Auth, Json> = {
  public: [],
  operator: [{ operatorToken: [] }],
  connector: [{ connectorToken: [] }, { connectorCertificate: [] }],
  caller: [{ operatorToken: [] }, { connectorToken: [] }, { connectorCertificate: [] }],
};

/** The document for `routes` (plain JSON: build it once and serve it as is). */
export function openApiDocument(routes: readonly Route[], schemas: SchemaSet, { maxBodyBytes }: OpenApiOptions): JsonObject {
  const components = new Components(schemas.files);
  for (const [name, schema] of Object.entries(problemSchemas())) components.use({ $id: name, ...schema }, name);
  const paths: Record<string, JsonObject> = {};
  for (const route of routes) (paths[openApiPath(route.path)] ??= {})[route.method] = operation(route, components, maxBodyBytes);
  const document = {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'lgsp-hub HTTP API',
      version: '1',
      summary: 'Inter-agency integration hub (LGSP) on Apache Kafka',
      description: `Connectors send CloudEvents messages (validated by the JSON Schemas under schemas/, here in components/schemas); operators manage the agency directory, the connector registry and dead letters. Errors are RFC 9457 problem+json (ProblemDetails; docs/problems.md). Request bodies: at most ${maxBodyBytes} bytes unless a route says otherwise (LGSP_MAX_BODY_BYTES). A human guide: docs/api.md.`,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        operatorToken: {
          type: 'http',
          scheme: 'bearer',
          description:
            "Operators: `Authorization: Bearer <the operator's token>` (`lgsp-op.<name>.<secret>`; the bootstrap admin's is LGSP_ADMIN_TOKEN). An operation's `x-lgsp-role` is the least role it needs (viewer < operator < admin); a weaker one is 403 forbidden. See docs/operators.md.",
        },
        connectorToken: { type: 'http', scheme: 'bearer', description: 'Connectors: the token issued when the connector was registered (or rotated).' },
        connectorCertificate: {
          type: 'mutualTLS',
          description:
            "Connectors, over HTTPS: a TLS client certificate whose SHA-256 fingerprint the connector's manifest lists (`auth.clientCertificates`), instead of or besides the token (both must then name the same connector).",
        },
      },
      schemas: components.schemas,
      responses: problemResponses(),
    },
  };
  return JSON.parse(JSON.stringify(document)) as JsonObject; // plain JSON: no TypeBox symbols, no undefined
}

function operation(route: Route, components: Components, maxBodyBytes: number): JsonObject {
  const owner = `${route.method} ${route.path}`;
  const use = (schema: JsonSchema) => components.use(schema, owner);
  const parameter =
    (where: 'path' | 'query', required: (name: string, schema: JsonSchema) => boolean) =>
    ([name, property]: [string, JsonSchema]): JsonObject => {
      const { description, examples, ...schema } = property as JsonSchema & { description?: string; examples?: Json[] };
      return {
        name,
        in: where,
        required: required(name, property),
        ...(description ? { description } : {}),
        ...(examples?.length ? { example: examples[0]! } : {}),
        schema: use(schema),
      };
    };
  const queryRequired = new Set((route.query?.required ?? []) as string[]);
  const parameters = [
    ...Object.entries(propertiesOf(route.params)).map(parameter('path', () => true)),
    ...Object.entries(propertiesOf(route.query)).map(parameter('query', (name, p) => queryRequired.has(name) && p.default === undefined)),
  ];
  const body = route.body;
  const limit = body?.maxBytes ?? maxBodyBytes;
  const statuses = [...new Set(problemsOf(route).map((code) => PROBLEMS[code].status))].sort((a, b) => a - b);
  return {
    operationId: `${route.method}${route.path.replace(/[{}+]/g, '').replace(/[^a-zA-Z0-9]+(.)/g, (_m, c: string) => c.toUpperCase())}`,
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: SECURITY[route.auth],
    ...(route.auth === 'operator' || route.auth === 'caller' ? { 'x-lgsp-role': requiredRole(route) } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            description: `${body.description ? `${body.description} ` : ''}At most ${limit} bytes${body.maxBytes === undefined ? ' (LGSP_MAX_BODY_BYTES)' : ''}.`,
            content: Object.fromEntries(Object.entries(body.content).map(([type, schema]) => [type, { schema: use(schema) }])),
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        Object.entries(route.responses).map(([status, { description, content }]) => [
          status,
          {
            description,
            ...(content ? { content: Object.fromEntries(Object.entries(content).map(([type, schema]) => [type, { schema: use(schema) }])) } : {}),
          },
        ]),
      ),
      ...Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Problem${s}` }])),
      ...(route.passedOn ? { default: { description: route.passedOn.description } } : {}),
    },
  };
}

/** The problem+json shapes, from the catalogue. */
function problemSchemas(): Record<string, JsonObject> {
  const rows = PROBLEM_CODES.map((code) => `| \`${PROBLEM_BASE_URI}${code}\` | ${PROBLEMS[code].status} | ${PROBLEMS[code].title} |`);
  return {
    ValidationIssue: {
      type: 'object',
      required: ['path', 'message'],
      properties: {
        path: {
          type: 'string',
          description: 'JSON Pointer into the request body (a batch: starts with the event index, /3/data/subject) or to a query parameter (/limit).',
        },
        message: { type: 'string' },
      },
    },
    ProblemDetails: {
      type: 'object',
      description: [
        'RFC 9457 problem details (`application/problem+json`). `type` is stable: branch on it, not on `detail`. A failed request writes nothing. See docs/problems.md.',
        '',
        '| type | status | title |',
        '| --- | --- | --- |',
        ...rows,
      ].join('\n'),
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', format: 'uri', enum: PROBLEM_CODES.map((c) => PROBLEM_BASE_URI + c) },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string', description: 'For humans; wording may change.' },
        instance: { type: 'string', description: 'The request path.' },
        errors: { type: 'array', items: ref('ValidationIssue'), description: 'Validation problems: each failure with its JSON Pointer.' },
      },
    },
  };
}

/** One response per problem status, its `type` narrowed to the codes with that status, with their headers. */
function problemResponses(): JsonObject {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of PROBLEM_CODES) byStatus.set(PROBLEMS[code].status, [...(byStatus.get(PROBLEMS[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => {
      const headers = Object.fromEntries(
        codes.flatMap((c) => Object.entries(PROBLEM_HEADERS[c] ?? {})).map(([name, { description, schema }]) => [name, { description, schema }]),
      );
      return [
        `Problem${status}`,
        {
          description: codes.map((c) => `\`${c}\`: ${PROBLEMS[c].title}.`).join(' '),
          ...(Object.keys(headers).length > 0 ? { headers } : {}),
          content: {
            'application/problem+json': {
              schema: { allOf: [ref('ProblemDetails'), { properties: { type: { enum: codes.map((c) => PROBLEM_BASE_URI + c) }, status: { const: status } } }] },
            },
          },
        },
      ];
    }),
  );
}
