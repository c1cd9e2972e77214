/**
 * Every operation of the HTTP API: path, method, who may call it, parameters, bodies and
 * answers, with the problem+json errors each status can carry; and the API's own shapes.
 */
import { PROBLEM_BASE_URI, PROBLEMS, type ProblemCode } from '../contract/problems.ts';
import { ref, type Json, type JsonObject, type LoadedSchemas } from './openapi-schemas.ts';

/** The API's own shapes (answers, records) that no schema file holds. */
export function apiSchemas({ components, messages }: LoadedSchemas): Record<string, JsonObject> {
  const propertiesOf = (name: string): Record<string, Json> =>
    Object.fromEntries(Object.keys((components[name]?.properties ?? {}) as JsonObject).map((p) => [p, ref(name, `/properties/${p}`)]));
  const issue: JsonObject = {
    type: 'object',
    required: ['path', 'message'],
    properties: { path: { type: 'string', description: 'JSON Pointer into the request body (a batch: starts with the event index, /3/data/subject) or to a query parameter (/limit).' }, message: { type: 'string' } },
  };
  const problemRows = (Object.entries(PROBLEMS) as [ProblemCode, { status: number; title: string }][]).map(([code, p]) => `| \`${PROBLEM_BASE_URI}${code}\` | ${p.status} | ${p.title} |`);
  return {
    CloudEvent: {
      description: 'One message: the envelope (Envelope) with `data` matching the schema of its `type`: the version whose $id `dataschema` names, or the latest without it. Types are the components named `<type>.v<N>`. Recipients in `to` must also be in the agency directory (checked by the hub, `unknown-recipient`).',
      allOf: [
        ref('Envelope'),
        {
          anyOf: [...messages].flatMap(([type, versions]) => [
            { required: ['type'], not: { required: ['dataschema'] }, properties: { type: { const: type }, data: ref(versions[0]!.name) } },
            ...versions.map(({ name, id }) => ({ required: ['type', 'dataschema'], properties: { type: { const: type }, dataschema: { const: id }, data: ref(name) } })),
          ]),
        },
      ],
    },
    ValidationIssue: issue,
    Readiness: { type: 'object', required: ['ready', 'checks'], properties: { ready: { type: 'boolean' }, checks: { type: 'object', additionalProperties: { type: 'string' }, description: '"ok", or what failed.' } } },
    ProblemDetails: {
      type: 'object',
      description: ['RFC 9457 problem details (`application/problem+json`). `type` is stable: branch on it, not on `detail`. A failed request writes nothing. See docs/problems.md.', '', '| type | status | title |', '| --- | --- | --- |', ...problemRows].join('\n'),
      required: ['type', 'title', 'status', 'detail'],
      properties: {
        type: { type: 'string', format: 'uri', enum: Object.keys(PROBLEMS).map((c) => PROBLEM_BASE_URI + c) },
        title: { type: 'string' },
        status: { type: 'integer' },
        detail: { type: 'string', description: 'For humans; wording may change.' },
        instance: { type: 'string', description: 'The request path.' },
        errors: { type: 'array', items: ref('ValidationIssue'), description: 'Validation problems: each failure with its JSON Pointer.' },
      },
    },
    Accepted: {
      type: 'object',
      required: ['accepted'],
      properties: {
        accepted: {
          type: 'array',
          items: {
            type: 'object',
            required: ['id', 'source', 'trace'],
            properties: { id: { type: 'string' }, source: { type: 'string' }, trace: { type: 'string', description: '`/v1/messages/<hub id>`: where to follow the message.', examples: ['/v1/messages/9b2f3c1e-0d5c-5a4e-8f2a-1c7d9e0b6a31'] } },
          },
        },
      },
    },
    AgencyView: {
      type: 'object',
      description: 'A directory entry (Agency) with its place in the tree.',
      required: ['code', 'name', 'level', 'children'],
      properties: { ...propertiesOf('Agency'), children: { type: 'array', items: ref('Common', '/$defs/agencyCode') } },
    },
    AgencyUpdate: {
      type: 'object',
      description: 'An Agency record; `code` may be left out (the path gives it) and must equal the path when present.',
      additionalProperties: false,
      required: ['name', 'level'],
      properties: propertiesOf('Agency'),
    },
    ConnectorView: {
      type: 'object',
      description: 'A registered connector: its manifest with defaults applied and secret settings shown as "(hidden)" (send "(hidden)" back in a PUT to keep a secret), plus timestamps. The token is never shown again.',
      required: ['id', 'agency', 'kind', 'subscriptions', 'delivery', 'createdAt', 'updatedAt'],
      properties: { ...propertiesOf('Connector'), createdAt: { type: 'string', format: 'date-time' }, updatedAt: { type: 'string', format: 'date-time' } },
    },
    Token: { type: 'object', required: ['token'], properties: { token: { type: 'string', description: "The connector's bearer token, shown once: store it now." } } },
    DeadLetter: {
      type: 'object',
      description: 'A record of `lgsp.dead-letters`, id `<partition>:<offset>`.',
      required: ['id', 'stage', 'connector', 'reason', 'at'],
      properties: {
        id: { type: 'string', pattern: '^\\d+:\\d+$' },
        stage: { type: 'string', description: 'decode, validate, route, encode or deliver.' },
        connector: { type: 'string' },
        reason: { type: 'string' },
        at: { type: 'string', format: 'date-time' },
        hubId: { type: 'string' },
        recipientAgency: { type: 'string' },
        status: { type: 'integer', description: "The recipient's HTTP status (stage deliver)." },
        response: { type: 'string', description: "The start of the recipient's answer." },
        attempts: { type: 'array', items: { type: 'object' }, description: 'Earlier failed attempts.' },
        message: { type: 'object', properties: { id: { type: 'string' }, source: { type: 'string' }, type: { type: 'string' }, subject: { type: 'string' } } },
        replayed: { type: 'object', properties: { at: { type: 'string', format: 'date-time' } } },
      },
    },
    DeadLetterDetail: {
      allOf: [
        ref('DeadLetter'),
        {
          required: ['original'],
          properties: { original: { description: 'The original bytes: UTF-8 text when they decode cleanly, else base64.', oneOf: [{ type: 'null' }, { type: 'object', required: ['encoding', 'data'], properties: { encoding: { enum: ['utf8', 'base64'] }, data: { type: 'string' } } }] } },
        },
      ],
    },
    ReplayOutcome: {
      type: 'object',
      required: ['replayed', 'skipped'],
      properties: {
        replayed: { type: 'array', items: { type: 'string' }, description: 'Letters whose delivery is pending again.' },
        skipped: { type: 'array', items: { type: 'object', required: ['id', 'reason'], properties: { id: { type: 'string' }, reason: { type: 'string' } } } },
        remaining: { type: 'integer', description: 'A range replay writes at most 10000 letters; this many are left for another call.' },
      },
    },
    Trace: {
      type: 'object',
      description: 'The trace of one message, from its audit events. Never carries `data`.',
      required: ['hubId', 'message', 'recipients', 'unreachable', 'statuses', 'summary', 'timeline'],
      properties: {
        hubId: { type: 'string' },
        message: {
          type: 'object',
          required: ['id', 'source', 'type', 'subject', 'connector', 'acceptedAt'],
          properties: {
            id: { type: 'string' }, source: { type: 'string' }, type: { type: 'string' }, subject: { type: 'string' }, time: { type: 'string' }, to: { type: 'string' },
            correlationid: { type: 'string' }, connector: { type: 'string', description: 'The connector that handed it in.' }, acceptedAt: { type: 'string', format: 'date-time' },
          },
        },
        recipients: {
          type: 'array',
          items: {
            type: 'object',
            required: ['connector', 'agency', 'state', 'attempts'],
            properties: {
              connector: { type: 'string' }, agency: { type: 'string' }, state: { enum: ['pending', 'retrying', 'delivered', 'dead'] }, attempts: { type: 'integer' },
              lastError: { type: 'object', properties: { reason: { type: 'string' }, status: { type: 'integer' }, stage: { type: 'string' }, at: { type: 'string' } } },
              nextAttemptAt: { type: 'string' }, deliveredAt: { type: 'string' }, latencyMs: { type: 'number' },
              businessStatus: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, at: { type: 'string' } } },
            },
          },
        },
        unreachable: { type: 'array', items: { type: 'string' }, description: 'Agencies addressed that have no connector for the type.' },
        statuses: { type: 'array', items: { type: 'object', properties: { code: { type: 'string' }, name: { type: 'string' }, at: { type: 'string' }, agency: { type: 'string' }, statusHubId: { type: 'string' } } } },
        summary: { type: 'string', examples: ['3 recipients: 2 delivered, 1 retrying; 1 unreachable'] },
        timeline: { type: 'array', items: { type: 'object', required: ['kind', 'at'], properties: { kind: { type: 'string' }, at: { type: 'string' } } } },
      },
    },
  };
}


type Auth = 'public' | 'operator' | 'connector' | 'either';
const SECURITY: Record<Auth, Json> = {
  public: [],
  operator: [{ operatorToken: [] }],
  connector: [{ connectorToken: [] }],
  either: [{ operatorToken: [] }, { connectorToken: [] }],
};

interface Op {
  summary: string;
  description?: string;
  auth: Auth;
  tag: string;
  params?: JsonObject[];
  body?: { content: JsonObject; description?: string };
  ok: Record<string, JsonObject>;
  /** Problem statuses besides 401 (added for authenticated routes) and 500 (always). */
  errors?: number[];
}

const json = (schema: JsonObject, description: string): JsonObject => ({ description, content: { 'application/json': { schema } } });
const pathParam = (name: string, description: string, example: string, pattern?: string): JsonObject => ({
  name, in: 'path', required: true, description, example, schema: { type: 'string', ...(pattern ? { pattern } : {}) },
});
const query = (name: string, description: string, schema: JsonObject): JsonObject => ({ name, in: 'query', required: false, description, schema });

const CONNECTOR_ID = pathParam('id', 'The connector id.', 'hcc-quang-ninh');
const AGENCY_CODE = pathParam('code', 'The agency code (domain/agency-codes.md).', '000.00.15.H49');
const LETTER_ID = pathParam('id', 'A dead-letter id `<partition>:<offset>`, as listed.', '0:42', '^\\d+:\\d+$');
const BODY_ERRORS = [400, 413, 422];

export function operations(maxBatch: number): Record<string, Record<string, Op>> {
  return {
    '/healthz': { get: { tag: 'operations', auth: 'public', summary: 'Liveness', ok: { 200: json({ type: 'object', properties: { status: { const: 'live' } } }, 'The process is live.') } } },
    '/readyz': {
      get: {
        tag: 'operations', auth: 'public', summary: 'Readiness: Kafka reachable and the registry loaded',
        ok: { 200: json(ref('Readiness'), 'Ready.'), 503: json(ref('Readiness'), 'Not ready; `checks` says what failed (this is not problem+json).') },
      },
    },
    '/metrics': { get: { tag: 'operations', auth: 'public', summary: 'Prometheus metrics (SPEC §6)', ok: { 200: { description: 'Prometheus text exposition format.', content: { 'text/plain': { schema: { type: 'string' } } } } } } },
    '/console': { get: { tag: 'console', auth: 'public', summary: 'The dead-letter workbench (a page; it asks for the operator token)', ok: { 200: { description: 'The page.', content: { 'text/html': { schema: { type: 'string' } } } } } } },
    '/console/console.js': { get: { tag: 'console', auth: 'public', summary: "The workbench's script", ok: { 200: { description: 'JavaScript.', content: { 'text/javascript': { schema: { type: 'string' } } } } } } },
    '/console/console.css': { get: { tag: 'console', auth: 'public', summary: "The workbench's stylesheet", ok: { 200: { description: 'CSS.', content: { 'text/css': { schema: { type: 'string' } } } } } } },
    '/openapi.json': { get: { tag: 'operations', auth: 'public', summary: 'This document', ok: { 200: json({ type: 'object' }, 'The OpenAPI 3.1 description of the API.') } } },
    '/v1/messages': {
      post: {
        tag: 'messages', auth: 'connector', summary: 'Send one message or a batch',
        description: `Answered once Kafka acknowledged every message (acks from all in-sync replicas). A batch (at most ${maxBatch} events by default, LGSP_MAX_BATCH) is all-or-nothing. Re-sending the same source+id is answered with the first result and not routed twice. A connector sends only as its own agency (\`source\` urn:lgsp:agency:<its agency>).`,
        body: {
          content: {
            'application/cloudevents+json': { schema: ref('CloudEvent') },
            'application/cloudevents-batch+json': { schema: { type: 'array', minItems: 1, maxItems: maxBatch, items: ref('CloudEvent') } },
          },
        },
        ok: { 202: json(ref('Accepted'), 'Accepted: each message with its trace.') },
        errors: [...BODY_ERRORS, 403, 415, 503],
      },
    },
    '/v1/messages/{id}': {
      get: {
        tag: 'messages', auth: 'either', summary: "A message's trace",
        description: 'For operators, connectors of the sending or a recipient agency, and the connector that handed it in; anyone else gets the same 404 as for an unknown id.',
        params: [pathParam('id', 'The hub id (the end of `trace` in the 202 answer).', '9b2f3c1e-0d5c-5a4e-8f2a-1c7d9e0b6a31')],
        ok: { 200: json(ref('Trace'), 'The trace.') },
        errors: [404],
      },
    },
    '/v1/connectors/{id}/inbound': {
      post: {
        tag: 'messages', auth: 'connector', summary: "Send in the connector's native format",
        description: "The connector's adapter decodes the body (an edXML package, the national portal's JSON) into messages, then they are accepted as by POST /v1/messages. Only with the token of connector {id}.",
        params: [CONNECTOR_ID],
        body: { content: { 'application/xml': { schema: { type: 'string' } }, 'application/json': { schema: {} } }, description: 'Whatever the connector kind decodes.' },
        ok: { 202: json(ref('Accepted'), 'Accepted: each decoded message with its trace.') },
        errors: [...BODY_ERRORS, 403, 404, 503],
      },
    },
    '/v1/connectors': {
      get: { tag: 'connectors', auth: 'operator', summary: 'List connectors', ok: { 200: json({ type: 'object', required: ['connectors'], properties: { connectors: { type: 'array', items: ref('ConnectorView') } } }, 'Every registered connector.') } },
      post: {
        tag: 'connectors', auth: 'operator', summary: 'Register a connector',
        body: { content: { 'application/json': { schema: ref('Connector') } } },
        ok: { 201: json({ type: 'object', required: ['connector', 'token'], properties: { connector: ref('ConnectorView'), token: ref('Token', '/properties/token') } }, 'Registered; the token is shown this once.') },
        errors: [...BODY_ERRORS, 409],
      },
    },
    '/v1/connectors:validate': {
      post: {
        tag: 'connectors', auth: 'operator', summary: 'Check a manifest without registering it',
        body: { content: { 'application/json': { schema: ref('Connector') } } },
        ok: { 200: json({ type: 'object', required: ['valid', 'connector'], properties: { valid: { const: true }, connector: ref('Connector') } }, 'Valid; the manifest with its defaults applied.') },
        errors: BODY_ERRORS,
      },
    },
    '/v1/connectors/{id}': {
      get: { tag: 'connectors', auth: 'operator', summary: 'Show a connector', params: [CONNECTOR_ID], ok: { 200: json(ref('ConnectorView'), 'The connector.') }, errors: [404] },
      put: {
        tag: 'connectors', auth: 'operator', summary: "Replace a connector's manifest", params: [CONNECTOR_ID],
        description: '`id` may be left out of the body; "(hidden)" keeps a stored secret setting. The token is unchanged.',
        body: { content: { 'application/json': { schema: ref('Connector') } } },
        ok: { 200: json(ref('ConnectorView'), 'Replaced.') },
        errors: [...BODY_ERRORS, 404],
      },
      delete: { tag: 'connectors', auth: 'operator', summary: 'Delete a connector', params: [CONNECTOR_ID], ok: { 204: { description: 'Deleted.' } }, errors: [404] },
    },
    '/v1/connectors/{id}:rotate': {
      post: { tag: 'connectors', auth: 'operator', summary: "Issue a new token (the old one stops working)", params: [CONNECTOR_ID], ok: { 200: json(ref('Token'), 'The new token, shown this once.') }, errors: [404] },
    },
    '/v1/agencies': {
      get: { tag: 'agencies', auth: 'operator', summary: 'List the agency directory', ok: { 200: json({ type: 'object', required: ['agencies'], properties: { agencies: { type: 'array', items: ref('AgencyView') } } }, 'Every agency.') } },
    },
    '/v1/agencies/{code}': {
      get: { tag: 'agencies', auth: 'operator', summary: 'Show an agency', params: [AGENCY_CODE], ok: { 200: json(ref('AgencyView'), 'The agency.') }, errors: [404] },
      put: {
        tag: 'agencies', auth: 'operator', summary: 'Create or replace an agency', params: [AGENCY_CODE],
        description: 'The directory must stay a consistent tree (`unknown-recipient` for the parent of a root).',
        body: { content: { 'application/json': { schema: ref('AgencyUpdate') } } },
        ok: { 200: json(ref('AgencyView'), 'Written.') },
        errors: BODY_ERRORS,
      },
    },
    '/v1/agencies:import': {
      post: {
        tag: 'agencies', auth: 'operator', summary: 'Import agencies (all or nothing)',
        body: {
          content: {
            'application/json': { schema: { type: 'array', items: ref('Agency') } },
            'text/csv': { schema: { type: 'string', description: 'Header `code,name,level,parent`.' }, example: 'code,name,level,parent\n000.00.00.H49,Ủy ban nhân dân tỉnh Quảng Ninh,province,\n' },
          },
        },
        ok: { 200: json({ type: 'object', required: ['imported'], properties: { imported: { type: 'integer' } } }, 'Imported.') },
        errors: [...BODY_ERRORS, 415],
      },
    },
    '/v1/dead-letters': {
      get: {
        tag: 'dead-letters', auth: 'operator', summary: 'List dead letters, newest first',
        params: [
          query('connector', 'Only this connector.', { type: 'string' }),
          query('stage', 'Only this stage.', { enum: ['decode', 'validate', 'route', 'encode', 'deliver'] }),
          query('reason', 'Only letters whose reason contains this.', { type: 'string' }),
          query('from', 'Written at or after (ISO 8601).', { type: 'string' }),
          query('to', 'Written at or before (ISO 8601).', { type: 'string' }),
          query('includeReplayed', 'Also letters replayed already.', { type: 'boolean', default: false }),
          query('limit', 'At most this many.', { type: 'integer', minimum: 1, maximum: 1000, default: 100 }),
        ],
        ok: { 200: json({ type: 'object', required: ['deadLetters'], properties: { deadLetters: { type: 'array', items: ref('DeadLetter') } } }, 'The matching letters.') },
        errors: [422],
      },
    },
    '/v1/dead-letters/{id}': {
      get: { tag: 'dead-letters', auth: 'operator', summary: 'Show a dead letter with its original bytes', params: [LETTER_ID], ok: { 200: json(ref('DeadLetterDetail'), 'The letter.') }, errors: [404] },
    },
    '/v1/dead-letters/{id}:replay': {
      post: { tag: 'dead-letters', auth: 'operator', summary: 'Replay one dead letter', params: [LETTER_ID], ok: { 200: json(ref('ReplayOutcome'), 'Replayed or skipped (with the reason).') }, errors: [404, 503] },
    },
    '/v1/dead-letters:replay': {
      post: {
        tag: 'dead-letters', auth: 'operator', summary: 'Replay dead letters by connector and time range, or by ids',
        description: 'Either `{ connector, from?, to? }` (stage deliver, oldest first, one Kafka transaction) or `{ ids, connector? }`. A failed transaction is 503 with nothing replayed.',
        body: {
          content: {
            'application/json': {
              schema: {
                type: 'object', additionalProperties: false,
                properties: { connector: { type: 'string', minLength: 1 }, from: { type: 'string' }, to: { type: 'string' }, ids: { type: 'array', minItems: 1, maxItems: 10000, items: { type: 'string', pattern: '^\\d+:\\d+$' } } },
                anyOf: [{ required: ['connector'] }, { required: ['ids'] }],
              },
            },
          },
        },
        ok: { 200: json(ref('ReplayOutcome'), 'Replayed and skipped letters.') },
        errors: [...BODY_ERRORS, 503],
      },
    },
  };
}

export function operation(op: Op, id: string): JsonObject {
  const statuses = [...new Set([...(op.auth === 'public' ? [] : [401]), ...(op.errors ?? []), ...(op.auth === 'public' ? [] : [500])])].sort((a, b) => a - b);
  return {
    operationId: id,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: SECURITY[op.auth],
    ...(op.params ? { parameters: op.params } : {}),
    ...(op.body ? { requestBody: { required: true, ...op.body } } : {}),
    responses: { ...op.ok, ...Object.fromEntries(statuses.map((s) => [String(s), { $ref: `#/components/responses/Problem${s}` }])) },
  };
}

/** One response per problem status, its `type` narrowed to the codes with that status. */
export function problemResponses(): JsonObject {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const [code, { status }] of Object.entries(PROBLEMS) as [ProblemCode, { status: number }][]) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  const headers: Record<number, JsonObject> = {
    401: { 'WWW-Authenticate': { description: 'Bearer realm="lgsp-hub"', schema: { type: 'string' } } },
    503: { 'Retry-After': { description: 'Seconds to wait before retrying with the same ids.', schema: { type: 'integer' } } },
  };
  return Object.fromEntries(
    [...byStatus].map(([status, codes]) => [
      `Problem${status}`,
      {
        description: codes.map((c) => `\`${c}\`: ${PROBLEMS[c].title}.`).join(' '),
        ...(headers[status] ? { headers: headers[status] } : {}),
        content: {
          'application/problem+json': {
            schema: { allOf: [ref('ProblemDetails'), { properties: { type: { enum: codes.map((c) => PROBLEM_BASE_URI + c) }, status: { const: status } } }] },
          },
        },
      },
    ]),
  );
}
