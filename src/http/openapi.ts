/**
 * The OpenAPI 3.1 description of the whole HTTP API, served at `GET /openapi.json`.
 *
 * The request and record shapes are not restated here: every file under `schemas/` (examples
 * skipped) becomes a `components/schemas` entry, read from disk once, on the first call. Their
 * `$ref`s are rewritten from `$id`-relative references (`../common.schema.json#/$defs/date`) to
 * in-document ones (`#/components/schemas/Common/$defs/date`), and `$id`/`$schema` are dropped
 * (kept in `$comment`), so any OpenAPI tool resolves them without a schema registry; the
 * dialect is the document's `jsonSchemaDialect`, 2020-12. Throws when a schema file is not
 * JSON or a `$ref` points outside `schemas/`.
 *
 * `test/http/openapi.int.test.ts` checks this document against the running hub's routes, both
 * ways: a route added without a path here (or a path here no route serves) fails it.
 */
import { apiSchemas, operation, operations, problemResponses } from './openapi-operations.ts';
import { loadSchemas, SCHEMAS_DIR, type JsonObject, type LoadedSchemas } from './openapi-schemas.ts';

export { componentName } from './openapi-schemas.ts';
let cached: JsonObject | undefined;

/** The document (built once, then shared: do not mutate it). */
export function openApiDocument(): object {
  cached ??= build(loadSchemas(SCHEMAS_DIR));
  return cached;
}
function build(loaded: LoadedSchemas): JsonObject {
  const paths: JsonObject = {};
  for (const [path, methods] of Object.entries(operations(500))) {
    paths[path] = Object.fromEntries(Object.entries(methods).map(([method, op]) => [method, operation(op, `${method}${path.replace(/[{}]/g, '').replace(/[^a-zA-Z0-9]+(.)/g, (_m, c: string) => c.toUpperCase())}`)]));
  }
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'lgsp-hub HTTP API',
      version: '1',
      summary: 'Inter-agency integration hub (LGSP) on Apache Kafka',
      description: 'Connectors send CloudEvents messages (validated by the JSON Schemas under schemas/, here in components/schemas); operators manage the agency directory, the connector registry and dead letters. Errors are RFC 9457 problem+json (ProblemDetails; docs/problems.md). A human guide: docs/api.md.',
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
    },
    servers: [{ url: '/' }],
    tags: ['messages', 'connectors', 'agencies', 'dead-letters', 'operations', 'console'].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        operatorToken: { type: 'http', scheme: 'bearer', description: 'Operators: `Authorization: Bearer <LGSP_ADMIN_TOKEN>`.' },
        connectorToken: { type: 'http', scheme: 'bearer', description: 'Connectors: the token issued when the connector was registered (or rotated).' },
      },
      schemas: {
        ...loaded.components,
        ...apiSchemas(loaded),
      },
      responses: problemResponses(),
    },
  };
}
