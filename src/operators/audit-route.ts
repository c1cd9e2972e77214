/**
 * `GET /v1/audit` (role viewer): the operators' audit trail, newest first, from this instance's
 * view of `lgsp.audit` (`audit-view.ts`), filtered by operator, action text and time.
 */
import { Type } from '@sinclair/typebox';
import { json, named, ROLES, route, type Route } from '../http/route.ts';
import { AUDITED_BODY_FIELDS } from './audit-entry.ts';
import type { AuditView } from './audit-view.ts';

const QUERY = Type.Object(
  {
    operator: Type.Optional(Type.String({ minLength: 1, description: 'Only this operator (for refusals: the operator the token named).' })),
    action: Type.Optional(Type.String({ minLength: 1, description: 'Only actions containing this text, any case: `connectors`, `DELETE`, `:rotate`.' })),
    since: Type.Optional(Type.String({ format: 'date-or-date-time', description: 'Only records at or after this time (ISO 8601).' })),
    limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100, description: 'At most this many.' }),
  },
  { additionalProperties: false },
);

const AUDIT_ENTRY = named('AuditEntry', {
  type: 'object',
  description:
    'One operator action or refused attempt, as recorded on the topic `lgsp.audit` before the answer was sent. Never a token or a body; only the parameters and the body’s identifiers.',
  required: ['id', 'time', 'action', 'outcome'],
  properties: {
    id: { type: 'string', format: 'uuid' },
    time: { type: 'string', format: 'date-time' },
    operator: { type: 'string', description: 'The authenticated operator; absent when authentication failed.' },
    claimed: { type: 'string', description: 'Refused as unauthenticated: the operator the token’s form named (unchecked).' },
    role: { type: 'string', enum: [...ROLES] },
    action: { type: 'string', description: '`<METHOD> <declared route path>`, e.g. `POST /v1/connectors/{id}:rotate`; `bootstrap` for the first admin.' },
    params: { type: 'object', additionalProperties: { type: 'string' }, description: 'Path and query parameters.' },
    body: { type: 'object', description: `The body’s identifiers (${AUDITED_BODY_FIELDS.join(', ')}), or { items } for an array.` },
    outcome: { type: 'integer', description: 'The HTTP status answered.' },
    problem: { type: 'string', description: 'The problem type of a failure (docs/problems.md).' },
  },
});

export function auditRoutes(view: AuditView): Route[] {
  return [
    route({
      method: 'get',
      path: '/v1/audit',
      auth: 'operator',
      tag: 'operators',
      summary: "The operators' audit trail, newest first",
      query: QUERY,
      responses: { 200: json({ type: 'object', required: ['entries'], properties: { entries: { type: 'array', items: AUDIT_ENTRY } } }, 'Matching records.') },
      handle: ({ query }) => ({
        status: 200,
        json: { entries: view.list({ ...query, ...(query.since ? { since: new Date(query.since).toISOString() } : {}) }) },
      }),
    }),
  ];
}
